// story.updated over loopback: a second site publishes a near-duplicate of a story that already
// alerted. With `story_updates = true` the receiver gets the alert, then exactly one
// story.updated naming both outlets — through a receiver outage, every attempt with the same
// webhook-id. Without it (the default), the copy brings nothing new to the receiver.

#include <gtest/gtest.h>

#include <chrono>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "storage/store.h"
#include "tests/e2e/fixtures.h"
#include "tests/e2e/once_fixture.h"
#include "tests/support/http_server.h"
#include "tests/support/process.h"

namespace rasid::testing {
namespace {

struct Hook {
  std::string id;
  int answered = 0;  // the status the receiver gave
  nlohmann::json body;
};

// Two news sites and a receiver on one loopback server.
class StoryWorld {
 public:
  StoryWorld() : server_([this](const HttpRequest& r) { return handle(r); }) {
    original_ = fixture_articles()[0];
    copy_ = original_;
    copy_.slug = "talks-copy";
    copy_.title = "دمشق تستضيف محادثات سورية إيرانية حول إعادة الإعمار";
    copy_.paragraphs[2] = "وأضاف المسؤول في تصريح للصحفيين: «نريد أن نرى نتائج ملموسة قريباً».";
    site_a_ = {original_};
    site_b_ = {fixture_articles()[1]};  // the football story: matches no topic
  }

  HttpResponse handle(const HttpRequest& r) {
    std::lock_guard<std::mutex> lock(mu_);
    const std::string base = server_.url("");
    if (r.path == "/a/feed")
      return {200, {{"Content-Type", "application/rss+xml"}}, rss_feed(site_a_, base)};
    if (r.path == "/b/feed")
      return {200, {{"Content-Type", "application/rss+xml"}}, rss_feed(site_b_, base)};
    if (r.path.rfind("/news/", 0) == 0) {
      for (const auto& a : {original_, copy_, fixture_articles()[1]})
        if ("/news/" + a.slug == r.path) return {200, {}, article_page(a, base)};
      return {404, {}, ""};
    }
    if (r.path == "/hook" && r.method == "POST") {
      Hook h{r.header("webhook-id"), fail_ > 0 ? 503 : 200,
             nlohmann::json::parse(r.body, nullptr, false)};
      if (fail_ > 0) fail_--;
      hooks_.push_back(h);
      return {h.answered, {}, h.answered == 200 ? "ok" : "down"};
    }
    return {404, {}, ""};
  }

  std::string config(const std::string& db, const std::string& webhook_extra) {
    return "[daemon]\ndatabase = \"" + db +
           "\"\nallow_private = [\"127.0.0.0/8\"]\n\n"
           "[[source]]\nname = \"site-a\"\nfeed = \"" +
           server_.url("/a/feed") +
           "\"\nalert_on_first_poll = true\n\n"
           "[[source]]\nname = \"site-b\"\nfeed = \"" +
           server_.url("/b/feed") +
           "\"\nalert_on_first_poll = true\n\n"
           "[[topic]]\nname = \"syria-iran\"\nquery = 'سوريا OR سورية'\nwebhooks = [\"recv\"]\n\n"
           "[[webhook]]\nname = \"recv\"\nurl = \"" +
           server_.url("/hook") + "\"\nretry_schedule = [\"500ms\"]\n" + webhook_extra;
  }

  void publish_copy_on_b() {
    std::lock_guard<std::mutex> lock(mu_);
    site_b_.insert(site_b_.begin(), copy_);
  }
  void fail_next(int n) {
    std::lock_guard<std::mutex> lock(mu_);
    fail_ = n;
  }
  std::vector<Hook> hooks() {
    std::lock_guard<std::mutex> lock(mu_);
    return hooks_;
  }
  std::vector<Hook> accepted() {
    std::vector<Hook> out;
    for (auto& h : hooks())
      if (h.answered == 200) out.push_back(h);
    return out;
  }

 private:
  HttpServer server_;
  std::mutex mu_;
  FixtureArticle original_, copy_;
  std::vector<FixtureArticle> site_a_, site_b_;
  std::vector<Hook> hooks_;
  int fail_ = 0;
};

class StoryUpdates : public RasidOnceTest {};

TEST_F(StoryUpdates, OnReceiverGetsTheAlertThenOneUpdateNamingBothOutletsWithStableIds) {
  StoryWorld w;
  write_file(cfg_, w.config(db_, "story_updates = true\n"));
  once();
  auto got = w.accepted();
  ASSERT_EQ(got.size(), 1u);
  const Hook alert = got[0];
  EXPECT_EQ(alert.body.value("type", ""), "article.matched");
  EXPECT_EQ(alert.body["article"].value("source", ""), "site-a");

  // The copy appears on site-b while the receiver is down for two attempts.
  w.publish_copy_on_b();
  w.fail_next(2);
  once();  // stored, the update queued, its first attempt refused
  for (int i = 0; i < 10 && w.accepted().size() < 2; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(700));
    once();  // the retries, when due
  }
  got = w.accepted();
  ASSERT_EQ(got.size(), 2u) << "the alert, then one story.updated";
  const Hook update = got[1];
  EXPECT_EQ(update.body.value("type", ""), "story.updated");
  EXPECT_EQ(update.body.value("refers_to", ""), alert.id) << "it names the alert it updates";
  EXPECT_EQ(update.body.value("story_id", 0LL), alert.body.value("story_id", -1LL));
  EXPECT_EQ(update.body.value("topic", ""), "syria-iran");
  EXPECT_EQ(update.body["article"].value("source", ""), "site-b");
  ASSERT_TRUE(update.body["outlets"].is_array());
  ASSERT_EQ(update.body["outlets"].size(), 2u);
  EXPECT_EQ(update.body["outlets"][0].value("source", ""), "site-a");
  EXPECT_NE(update.body["outlets"][0].value("url", "").find("/news/talks"), std::string::npos);
  EXPECT_EQ(update.body["outlets"][1].value("source", ""), "site-b");
  EXPECT_NE(update.body["outlets"][1].value("url", "").find("/news/talks-copy"), std::string::npos);
  EXPECT_NE(update.id, alert.id);

  // Every attempt of the update (two refused, one accepted) carried the same webhook-id.
  int attempts = 0;
  for (const auto& h : w.hooks()) {
    if (h.body.value("type", "") != "story.updated") continue;
    ++attempts;
    EXPECT_EQ(h.id, update.id) << "a retry keeps its webhook-id";
  }
  EXPECT_EQ(attempts, 3);

  // Nothing more: polling again finds the same copy, queues nothing, sends nothing.
  once();
  EXPECT_EQ(w.hooks().size(), 4u);
  auto store = storage::Store::open(db_);
  ASSERT_TRUE(store.ok()) << store.error();
  auto rows = store.value()->outbox_rows("", "", 100);
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ(rows->at(1).webhook_id, update.id);
  EXPECT_EQ(rows->at(1).status, "delivered");
}

TEST_F(StoryUpdates, OffByDefaultTheCopyBringsNothingNew) {
  StoryWorld w;
  write_file(cfg_, w.config(db_, ""));
  once();
  ASSERT_EQ(w.accepted().size(), 1u);
  w.publish_copy_on_b();
  once();
  once();
  EXPECT_EQ(w.hooks().size(), 1u) << "without story_updates the receiver hears nothing new";

  auto store = storage::Store::open(db_);
  ASSERT_TRUE(store.ok()) << store.error();
  auto rows = store.value()->outbox_rows("", "", 100);
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(rows->size(), 1u) << "no story.updated row is queued";
  const auto story = w.accepted()[0].body.value("story_id", 0LL);
  auto srcs = store.value()->story_sources(story);
  ASSERT_TRUE(srcs.ok());
  EXPECT_EQ(srcs.value(), (std::vector<std::string>{"site-a", "site-b"}))
      << "the copy did join the story";
}

}  // namespace
}  // namespace rasid::testing
