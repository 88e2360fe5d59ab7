// Moving an install (issue 15): `rasid migrate --to postgresql://…` copies a SQLite install
// into PostgreSQL, and `rasid once` on the URI continues it: the alert that was pending is
// delivered once with its webhook-id, the delivered one is not sent again, no entry alerts again.

#include <gtest/gtest.h>

#include <chrono>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "storage/store.h"
#include "tests/e2e/fixtures.h"
#include "tests/support/http_server.h"
#include "tests/support/pg_cluster.h"
#include "tests/support/process.h"

namespace rasid::testing {
namespace {

class NewsSite {
 public:
  NewsSite() : server_([this](const HttpRequest& r) { return handle(r); }) {}
  HttpResponse handle(const HttpRequest& r) {
    std::lock_guard<std::mutex> lock(mu_);
    if (r.path == "/feed.xml")
      return {200,
              {{"Content-Type", "application/rss+xml; charset=utf-8"}},
              rss_feed(fixture_articles(), server_.url(""))};
    if (r.path.rfind("/news/", 0) == 0) {
      for (const auto& a : fixture_articles())
        if ("/news/" + a.slug == r.path) return {200, {}, article_page(a, server_.url(""))};
      return {404, {}, "not found"};
    }
    if ((r.path == "/hook" || r.path == "/slow") && r.method == "POST") {
      auto j = nlohmann::json::parse(r.body, nullptr, false);
      const std::string topic = j.is_object() ? j.value("topic", "") : "";
      posts_.push_back({topic, r.header("webhook-id")});
      if (r.path == "/slow" && refuse_wheat_) return {503, {}, "busy"};
      return {200, {}, "ok"};
    }
    return {404, {}, "no"};
  }
  std::string config(const std::string& db) const {
    return "[daemon]\ndatabase = \"" + db +
           "\"\nallow_private = [\"127.0.0.0/8\"]\nstatus_listen = \"\"\n\n"
           "[[source]]\nname = \"khabar\"\nfeed = \"" +
           server_.url("/feed.xml") +
           "\"\nalert_on_first_poll = true\n\n"
           "[[topic]]\nname = \"syria-iran\"\nquery = 'سوريا AND إيران'\nwebhooks = [\"recv\"]\n\n"
           "[[topic]]\nname = \"wheat\"\nquery = '\"أسعار القمح\" OR طحين'\nwebhooks = "
           "[\"slow\"]\n\n[[webhook]]\nname = \"recv\"\nurl = \"" +
           server_.url("/hook") + "\"\n\n[[webhook]]\nname = \"slow\"\nurl = \"" +
           server_.url("/slow") + "\"\nretry_schedule = [\"1s\"]\n";
  }
  std::vector<std::pair<std::string, std::string>> posts() {
    std::lock_guard<std::mutex> lock(mu_);
    return posts_;
  }
  void accept_wheat() {
    std::lock_guard<std::mutex> lock(mu_);
    refuse_wheat_ = false;
  }

 private:
  HttpServer server_;
  std::mutex mu_;
  std::vector<std::pair<std::string, std::string>> posts_;  // (topic, webhook-id)
  bool refuse_wheat_ = true;
};

std::size_t articles_in(const std::string& db) {
  auto s = storage::Store::open(db);
  EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error());
  return s.ok() ? s.value()->recent_articles(0, 1000).value().size() : 0;
}

TEST(MigrateE2E, OnceOnPostgresqlContinuesTheSqliteInstall) {
  std::string why;
  PgCluster* cluster = PgCluster::shared(&why);
  if (!cluster) GTEST_SKIP() << why;
  const std::string dir = make_temp_dir();
  const std::string lite = dir + "/rasid.db", lite_cfg = dir + "/lite.toml",
                    pg_cfg = dir + "/pg.toml";
  const std::string uri = cluster->create_database();
  NewsSite site;
  write_file(lite_cfg, site.config(lite));
  write_file(pg_cfg, site.config(uri));

  auto first = run_process({RASID_BINARY, "once", "--config", lite_cfg});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  ASSERT_EQ(site.posts().size(),
            2u);  // syria-iran delivered; wheat refused by its own endpoint (pending)
  std::string wheat_id;
  {
    auto s = storage::Store::open(lite);
    ASSERT_TRUE(s.ok());
    auto rows = s.value()->outbox_rows("", "", 10).value();
    ASSERT_EQ(rows.size(), 2u);
    for (const auto& r : rows) {
      if (r.topic == "wheat") {
        EXPECT_EQ(r.status, "pending");
        wheat_id = r.webhook_id;
      } else {
        EXPECT_EQ(r.status, "delivered");
      }
    }
  }
  ASSERT_FALSE(wheat_id.empty());
  const std::size_t stored = articles_in(lite);
  ASSERT_GT(stored, 0u);

  auto m = run_process({RASID_BINARY, "migrate", "--config", lite_cfg, "--to", uri});
  ASSERT_EQ(m.exit_code, 0) << m.err;
  EXPECT_NE(m.out.find("verified"), std::string::npos) << m.out;
  EXPECT_EQ(articles_in(uri), stored);
  const std::string db = PgCluster::database_name(uri);
  const std::string outbox_before =
      cluster->query(db,
                     "SELECT string_agg(webhook_id || status || attempts, ',' ORDER BY id) "
                     "FROM outbox");
  // Again: nothing changes, every row is "present".
  auto again = run_process({RASID_BINARY, "migrate", "--config", lite_cfg, "--to", uri});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(articles_in(uri), stored);
  EXPECT_EQ(cluster->query(db,
                           "SELECT string_agg(webhook_id || status || attempts, ',' ORDER BY "
                           "id) FROM outbox"),
            outbox_before);
  EXPECT_NE(cluster->query(db, "SELECT COUNT(*) FROM seen"), "0");

  // PostgreSQL takes over: the pending alert (its retry is due after 1 s) goes out once, with
  // the id it had; the delivered one and the stored entries stay quiet.
  site.accept_wheat();
  std::this_thread::sleep_for(std::chrono::milliseconds(1200));
  auto second = run_process({RASID_BINARY, "once", "--config", pg_cfg});
  ASSERT_EQ(second.exit_code, 0) << second.err;
  auto posts = site.posts();
  ASSERT_EQ(posts.size(), 3u) << second.err;
  EXPECT_EQ(posts[2].first, "wheat");
  EXPECT_EQ(posts[2].second, wheat_id);
  EXPECT_EQ(articles_in(uri), stored);
  auto third = run_process({RASID_BINARY, "once", "--config", pg_cfg});
  ASSERT_EQ(third.exit_code, 0) << third.err;
  EXPECT_EQ(site.posts().size(), 3u);

  // A target holding other data under the same keys is refused, and nothing is written.
  cluster->query(db,
                 "UPDATE articles SET canonical = canonical || '#other' WHERE id = "
                 "(SELECT MIN(id) FROM articles)");
  auto clash = run_process({RASID_BINARY, "migrate", "--config", lite_cfg, "--to", uri});
  EXPECT_EQ(clash.exit_code, 1);
  EXPECT_NE(clash.err.find("other row(s) under the same keys"), std::string::npos) << clash.err;
}

}  // namespace
}  // namespace rasid::testing
