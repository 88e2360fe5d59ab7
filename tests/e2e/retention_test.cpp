// Retention end to end (issue 15, [daemon] keep): once an article is pruned, a feed that still
// lists its entry does not make `rasid once` store or alert it again.

#include <gtest/gtest.h>

#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "storage/store.h"
#include "tests/e2e/fixtures.h"
#include "tests/e2e/once_fixture.h"
#include "tests/support/http_server.h"
#include "tests/support/process.h"

namespace rasid::testing {
namespace {

class FeedSite {
 public:
  FeedSite() : server_([this](const HttpRequest& r) { return handle(r); }) {}
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
    if (r.path == "/hook" && r.method == "POST") {
      ids_.push_back(r.header("webhook-id"));
      return {200, {}, "ok"};
    }
    return {404, {}, "no"};
  }
  std::string config(const std::string& db) const {
    return "[daemon]\ndatabase = \"" + db +
           "\"\nallow_private = [\"127.0.0.0/8\"]\nkeep = \"1d\"\n\n"
           "[[source]]\nname = \"khabar\"\nfeed = \"" +
           server_.url("/feed.xml") +
           "\"\nalert_on_first_poll = true\n\n"
           "[[topic]]\nname = \"syria-iran\"\nquery = 'سوريا AND إيران'\nwebhooks = [\"recv\"]\n\n"
           "[[topic]]\nname = \"wheat\"\nquery = '\"أسعار القمح\" OR طحين'\nwebhooks = "
           "[\"recv\"]\n\n[[webhook]]\nname = \"recv\"\nurl = \"" +
           server_.url("/hook") + "\"\n";
  }
  std::vector<std::string> ids() {
    std::lock_guard<std::mutex> lock(mu_);
    return ids_;
  }

 private:
  HttpServer server_;
  std::mutex mu_;
  std::vector<std::string> ids_;
};

using RetentionE2E = RasidOnceTest;

TEST_F(RetentionE2E, APrunedEntryStillInTheFeedIsNotAlertedAgain) {
  FeedSite site;
  write_file(cfg_, site.config(db_));
  once();
  ASSERT_EQ(site.ids().size(), 2u);
  std::size_t stored = 0;
  {
    auto store = storage::Store::open(db_);
    ASSERT_TRUE(store.ok()) << store.error();
    stored = store.value()->recent_articles(0, 100).value().size();
    ASSERT_GT(stored, 0u);
    // Everything is older than "now + 1 ms": the keep window has passed for all of it.
    auto p = store.value()->prune_articles(storage::now_ms() + 1, 2);
    ASSERT_TRUE(p.ok()) << p.error();
    EXPECT_EQ(p->articles, static_cast<std::int64_t>(stored));
    EXPECT_EQ(p->delivered, 2);
    EXPECT_EQ(p->kept, 0);
    EXPECT_TRUE(store.value()->recent_articles(0, 100).value().empty());
  }
  once();  // the feed still lists every entry
  EXPECT_EQ(site.ids().size(), 2u) << "a pruned entry must not alert again";
  auto store = storage::Store::open(db_);
  ASSERT_TRUE(store.ok());
  EXPECT_TRUE(store.value()->recent_articles(0, 100).value().empty())
      << "a pruned entry is not stored again";
}

TEST_F(RetentionE2E, CheckAcceptsKeepAndRefusesAShortOneWithItsPlace) {
  write_file(cfg_, "[daemon]\ndatabase = \"" + db_ + "\"\nkeep = \"180d\"\n");
  auto ok = run_process({RASID_BINARY, "check", "--config", cfg_});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  write_file(cfg_, "[daemon]\ndatabase = \"" + db_ + "\"\nkeep = \"12h\"\n");
  auto bad = run_process({RASID_BINARY, "check", "--config", cfg_});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find(cfg_ + ":3: daemon.keep: must be between 1d and"), std::string::npos)
      << bad.err;
}

}  // namespace
}  // namespace rasid::testing
