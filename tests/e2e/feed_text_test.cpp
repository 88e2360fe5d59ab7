// The feed's own text, end to end: a feed served gzip-compressed without Content-Encoding, whose
// article pages are gone (404), so the stored body, the alert and the search index come from
// the feed entry's HTML. That HTML goes through the page's parser and cleaner (issue 14): no
// literal "&lsquo;", "&hellip;", "&#8217;" any more, "&amp;lt;" is the text "&lt;" (decoded
// once, not twice to "<"), and a '>' inside an attribute does not end the tag. A control
// character in a title is dropped, not turned into U+FFFD.

#include <gtest/gtest.h>
#include <zlib.h>

#include <mutex>
#include <nlohmann/json.hpp>

#include "storage/store.h"
#include "tests/e2e/fixtures.h"
#include "tests/support/compress.h"
#include "tests/support/http_server.h"
#include "tests/support/process.h"

namespace rasid::testing {
namespace {

TEST(FeedText, TheFeedsHtmlIsReadLikeAPage) {
  // The entry's HTML as WordPress writes it into <description>, escaped once more for XML.
  const std::string html =
      "<p>&lsquo;سوريا&rsquo; وإيران &hellip; عقد وفدان من البلدين اجتماعاً مطولاً في دمشق يوم "
      "الأحد&#8217; ناقشا خلاله ملفات إعادة الإعمار والطاقة والنقل.</p>"
      "<p><a href=\"https://ex.org/?q=a>b\" title=\"x > y\">المسؤول</a> قال إن الجانبين اتفقا "
      "على أن a &amp;lt; b في جدول الأعمال، وأن اللجنة تجتمع كل ثلاثة أشهر.</p>";
  const std::string title = "محادثات\x01 بين سوريا وإيران &hellip; في دمشق";
  std::mutex mu;
  std::vector<nlohmann::json> hooks;
  HttpServer* self = nullptr;
  HttpServer server([&](const HttpRequest& r) -> HttpResponse {
    if (r.path == "/feed.xml") {
      std::string rss =
          "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\"><channel><title>"
          "موقع</title><link>" +
          self->url("/") + "</link><item><title>" + title + "</title><link>" +
          self->url("/news/talks") +
          "</link><guid isPermaLink=\"false\">urn:x:1</guid><pubDate>Sun, 22 Nov 2026 10:00:00 "
          "+0300</pubDate><description>" +
          escape_xml(html) + "</description></item></channel></rss>\n";
      // No Content-Encoding: the bytes say gzip.
      return {200, {{"Content-Type", "application/rss+xml"}}, gzip(rss)};
    }
    if (r.path == "/hook") {
      std::lock_guard<std::mutex> lock(mu);
      hooks.push_back(nlohmann::json::parse(r.body, nullptr, false));
      return {200, {}, "ok"};
    }
    return {404, {}, "gone"};
  });
  self = &server;

  std::string dir = make_temp_dir();
  std::string db = dir + "/rasid.db";
  std::string cfg = dir + "/rasid.toml";
  write_file(cfg, "[daemon]\ndatabase = \"" + db +
                      "\"\nallow_private = [\"127.0.0.0/8\"]\n\n"
                      "[[source]]\nname = \"khabar\"\nfeed = \"" +
                      server.url("/feed.xml") +
                      "\"\nalert_on_first_poll = true\n\n"
                      "[[topic]]\nname = \"syria\"\nquery = 'سوريا'\nwebhooks = [\"recv\"]\n\n"
                      "[[webhook]]\nname = \"recv\"\nurl = \"" +
                      server.url("/hook") + "\"\n");
  auto r = run_process({RASID_BINARY, "once", "--config", cfg});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err.find("not a feed"), std::string::npos) << r.err;

  auto store = storage::Store::open(db);
  ASSERT_TRUE(store.ok());
  auto arts = store.value()->recent_articles(0, 10);
  ASSERT_TRUE(arts.ok());
  ASSERT_EQ(arts->size(), 1u) << r.err;
  const auto& a = arts->front();
  EXPECT_EQ(a.title, "محادثات بين سوريا وإيران … في دمشق");
  EXPECT_EQ(a.body,
            "‘سوريا’ وإيران … عقد وفدان من البلدين اجتماعاً مطولاً في دمشق يوم الأحد’ ناقشا خلاله "
            "ملفات إعادة الإعمار والطاقة والنقل.\n"
            "المسؤول قال إن الجانبين اتفقا على أن a &lt; b في جدول الأعمال، وأن اللجنة تجتمع كل "
            "ثلاثة أشهر.");
  for (const char* literal :
       {"&lsquo;", "&rsquo;", "&hellip;", "&#8217;", "y\">", "\xef\xbf\xbd"}) {
    EXPECT_EQ(a.body.find(literal), std::string::npos) << literal;
    EXPECT_EQ(a.title.find(literal), std::string::npos) << literal;
  }

  {
    std::lock_guard<std::mutex> lock(mu);
    ASSERT_EQ(hooks.size(), 1u);
    std::string snippet = hooks[0].value("snippet", "");
    EXPECT_NE(snippet.find("‘«سوريا»’"), std::string::npos) << snippet;  // hit marked «»
    EXPECT_EQ(snippet.find("&lsquo;"), std::string::npos) << snippet;
  }

  // The search index holds the words, not the entity names.
  for (const char* word : {"lsquo", "hellip", "rsquo"}) {
    auto s = run_process({RASID_BINARY, "search", word, "--json", "--config", cfg});
    ASSERT_EQ(s.exit_code, 0) << s.err;
    auto j = nlohmann::json::parse(s.out, nullptr, false);
    EXPECT_TRUE(j["results"].empty()) << word << ": " << s.out;
  }
  auto s = run_process({RASID_BINARY, "search", "سوريا", "--json", "--config", cfg});
  EXPECT_EQ(nlohmann::json::parse(s.out, nullptr, false)["results"].size(), 1u) << s.out;
}

}  // namespace
}  // namespace rasid::testing
