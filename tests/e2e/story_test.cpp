// One alert per story: the same agency story on two sites (reworded in places, different page
// chrome) is stored twice, joins one story, and alerts once; the copy is "also reported by".

#include <gtest/gtest.h>

#include <mutex>
#include <nlohmann/json.hpp>

#include "storage/store.h"
#include "tests/e2e/fixtures.h"
#include "tests/support/http_server.h"
#include "tests/support/process.h"

namespace rasid::testing {
namespace {

TEST(Stories, SyndicatedCopyOnAnotherSiteAlertsOnce) {
  auto original = fixture_articles()[0];
  auto copy = original;
  copy.slug = "talks-copy";
  copy.title = "دمشق تستضيف محادثات سورية إيرانية حول إعادة الإعمار";
  copy.paragraphs[2] = "وأضاف المسؤول في تصريح للصحفيين: «نريد أن نرى نتائج ملموسة قريباً».";
  auto unrelated = fixture_articles()[2];

  std::mutex mu;
  std::vector<nlohmann::json> hooks;
  std::vector<FixtureArticle> site_a{original}, site_b{copy, unrelated};
  HttpServer* self = nullptr;
  HttpServer server([&](const HttpRequest& r) -> HttpResponse {
    std::string base = self->url("");
    if (r.path == "/a/feed")
      return {200, {{"Content-Type", "application/rss+xml"}}, rss_feed(site_a, base)};
    if (r.path == "/b/feed")
      return {200, {{"Content-Type", "application/rss+xml"}}, rss_feed(site_b, base)};
    if (r.path.rfind("/news/", 0) == 0) {
      for (const auto& a : {original, copy, unrelated})
        if ("/news/" + a.slug == r.path) return {200, {}, article_page(a, base)};
    }
    if (r.path == "/hook") {
      std::lock_guard<std::mutex> lock(mu);
      hooks.push_back(nlohmann::json::parse(r.body, nullptr, false));
      return {200, {}, "ok"};
    }
    return {404, {}, ""};
  });
  self = &server;

  std::string dir = make_temp_dir();
  std::string db = dir + "/rasid.db";
  write_file(
      dir + "/rasid.toml",
      "[daemon]\ndatabase = \"" + db +
          "\"\nallow_private = [\"127.0.0.0/8\"]\n\n"
          "[[source]]\nname = \"site-a\"\nfeed = \"" +
          server.url("/a/feed") +
          "\"\nalert_on_first_poll = true\n\n"
          "[[source]]\nname = \"site-b\"\nfeed = \"" +
          server.url("/b/feed") +
          "\"\nalert_on_first_poll = true\n\n"
          "[[topic]]\nname = \"syria-iran\"\nquery = 'سوريا OR سورية'\nwebhooks = [\"recv\"]\n\n"
          "[[webhook]]\nname = \"recv\"\nurl = \"" +
          server.url("/hook") + "\"\n");
  auto r = run_process({RASID_BINARY, "once", "--config", dir + "/rasid.toml"});
  ASSERT_EQ(r.exit_code, 0) << r.err;

  std::lock_guard<std::mutex> lock(mu);
  // The original and its copy are one story: one alert for the topic. The wheat story is
  // a different story that also mentions Syria ("السورية"): its own alert.
  int talks_alerts = 0;
  for (const auto& h : hooks)
    if (h["article"].value("title", "").find("القمح") == std::string::npos) talks_alerts++;
  EXPECT_EQ(talks_alerts, 1) << "a syndicated copy must not alert again";

  auto store = storage::Store::open(db);
  ASSERT_TRUE(store.ok());
  auto arts = store.value()->recent_articles(0, 10);
  ASSERT_TRUE(arts.ok());
  ASSERT_EQ(arts->size(), 3u);
  std::int64_t story_a = 0, story_b = 0;
  for (const auto& a : arts.value()) {
    if (a.url.find("/news/talks-copy") != std::string::npos)
      story_b = a.story_id;
    else if (a.url.find("/news/talks") != std::string::npos)
      story_a = a.story_id;
  }
  ASSERT_NE(story_a, 0);
  EXPECT_EQ(story_a, story_b) << "the copy joined the original's story";
  auto srcs = store.value()->story_sources(story_a);
  ASSERT_TRUE(srcs.ok());
  EXPECT_EQ(srcs->size(), 2u) << "also reported by the other site";
}

}  // namespace
}  // namespace rasid::testing
