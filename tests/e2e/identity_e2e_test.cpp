// Entry identity end to end: a feed whose GUIDs change on every fetch, and the same articles
// reached through AMP addresses from a second source, never produce a second article or alert.

#include <gtest/gtest.h>

#include <mutex>
#include <nlohmann/json.hpp>
#include <set>

#include "storage/store.h"
#include "tests/e2e/fixtures.h"
#include "tests/e2e/once_fixture.h"
#include "tests/support/http_server.h"
#include "tests/support/process.h"

namespace rasid::testing {
namespace {

// Like fixtures.h's rss_feed, but the GUID is minted per fetch (a CMS that puts a random UUID or
// the render time in <guid>), and links can point at the AMP version of each page.
std::string churning_feed(const std::vector<FixtureArticle>& items, const std::string& base,
                          int fetch_no, bool amp) {
  std::string x = R"(<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>موقع الخبر</title><link>)" +
                  base + R"(/</link>
)";
  int i = 0;
  for (const auto& a : items) {
    x += "<item><title>" + escape_xml(a.title) + "</title><link>" + base + "/news/" + a.slug +
         (amp ? "/amp" : "") +
         "</link><guid isPermaLink=\"false\">urn:uuid:" + std::to_string(fetch_no) + "-" +
         std::to_string(i++) + "</guid><pubDate>" + a.published + "</pubDate><description>" +
         escape_xml(a.paragraphs[0]) + "</description></item>\n";
  }
  return x + "</channel></rss>\n";
}

class Site {
 public:
  Site()
      : server_([this](const HttpRequest& r) { return handle(r); }), items_(fixture_articles()) {}

  HttpResponse handle(const HttpRequest& r) {
    std::lock_guard<std::mutex> lock(mu_);
    if (r.path == "/feed.xml" || r.path == "/amp-feed.xml") {
      return {200,
              {{"Content-Type", "application/rss+xml; charset=utf-8"}},
              churning_feed(items_, server_.url(""), ++fetches_, r.path == "/amp-feed.xml")};
    }
    if (r.path.rfind("/news/", 0) == 0) {
      article_requests_++;
      std::string slug = r.path.substr(6);
      if (slug.size() > 4 && slug.ends_with("/amp")) slug.resize(slug.size() - 4);
      // Both the page and its AMP version declare the main address as canonical.
      for (const auto& a : items_)
        if (a.slug == slug) return {200, {}, article_page(a, server_.url(""))};
      return {404, {}, "not found"};
    }
    if (r.path == "/hook" && r.method == "POST") {
      auto j = nlohmann::json::parse(r.body, nullptr, false);
      topics_.push_back(j.value("topic", ""));
      return {200, {}, "ok"};
    }
    return {404, {}, "no"};
  }

  std::string config(const std::string& db, bool with_amp_source) {
    std::string c = "[daemon]\ndatabase = \"" + db +
                    "\"\nallow_private = [\"127.0.0.0/8\"]\n\n"
                    "[[source]]\nname = \"khabar\"\nfeed = \"" +
                    server_.url("/feed.xml") + "\"\nalert_on_first_poll = true\n\n";
    if (with_amp_source)
      c += "[[source]]\nname = \"khabar-amp\"\nfeed = \"" + server_.url("/amp-feed.xml") +
           "\"\nalert_on_first_poll = true\n\n";
    c += "[[topic]]\nname = \"syria-iran\"\nquery = 'سوريا AND إيران'\nwebhooks = [\"recv\"]\n\n"
         "[[topic]]\nname = \"wheat\"\nquery = '\"أسعار القمح\" OR طحين'\nwebhooks = "
         "[\"recv\"]\n\n[[webhook]]\nname = \"recv\"\nurl = \"" +
         server_.url("/hook") + "\"\n";
    return c;
  }
  void publish(FixtureArticle a) {
    std::lock_guard<std::mutex> lock(mu_);
    items_.insert(items_.begin(), std::move(a));
  }
  std::multiset<std::string> topics() {
    std::lock_guard<std::mutex> lock(mu_);
    return {topics_.begin(), topics_.end()};
  }
  int article_requests() {
    std::lock_guard<std::mutex> lock(mu_);
    return article_requests_;
  }

 private:
  HttpServer server_;
  std::mutex mu_;
  std::vector<FixtureArticle> items_;
  std::vector<std::string> topics_;
  int fetches_ = 0;
  int article_requests_ = 0;
};

class IdentityE2E : public RasidOnceTest {
 protected:
  size_t article_count() {
    auto store = storage::Store::open(db_);
    EXPECT_TRUE(store.ok());
    if (!store.ok()) return 0;
    auto arts = store.value()->recent_articles(0, 100);
    return arts.ok() ? arts->size() : 0;
  }
};

TEST_F(IdentityE2E, GuidsMintedPerFetchAreDistrustedAndNothingRepeats) {
  Site site;
  write_file(cfg_, site.config(db_, false));
  once();
  EXPECT_EQ(site.topics(), (std::multiset<std::string>{"syria-iran", "wheat"}));
  EXPECT_EQ(article_count(), 3u);
  int fetched = site.article_requests();

  auto r = once();
  EXPECT_NE(r.err.find("GUIDs not trusted"), std::string::npos) << r.err;
  EXPECT_EQ(site.topics().size(), 2u) << "new GUIDs for the same links are not new entries";
  EXPECT_EQ(article_count(), 3u);
  EXPECT_EQ(site.article_requests(), fetched) << "known links are not fetched again";
  {
    auto store = storage::Store::open(db_);
    ASSERT_TRUE(store.ok());
    auto why = store.value()->guid_distrust("khabar");
    ASSERT_TRUE(why.ok());
    EXPECT_FALSE(why->empty()) << "the verdict is kept";
  }

  site.publish({"deal",
                "اتفاق جديد بين سوريا وإيران لتوريد الكهرباء",
                {"وقعت سوريا وإيران اتفاقاً لتوريد الكهرباء إلى المحافظات الجنوبية، في خطوة قال "
                 "مسؤولون إنها ستخفف ساعات التقنين خلال الشتاء."},
                "Mon, 23 Nov 2026 08:00:00 +0300"});
  once();
  once();
  EXPECT_EQ(site.topics(), (std::multiset<std::string>{"syria-iran", "syria-iran", "wheat"}));
  EXPECT_EQ(article_count(), 4u);
}

TEST_F(IdentityE2E, AmpLinksMapToTheCanonicalThePageDeclares) {
  Site site;
  write_file(cfg_, site.config(db_, true));
  once();
  once();
  EXPECT_EQ(article_count(), 3u) << "an AMP page and its main page are one article";
  EXPECT_EQ(site.topics(), (std::multiset<std::string>{"syria-iran", "wheat"}))
      << "one alert per story, whichever source saw it first";
  auto store = storage::Store::open(db_);
  ASSERT_TRUE(store.ok());
  auto arts = store.value()->recent_articles(0, 100);
  ASSERT_TRUE(arts.ok());
  for (const auto& a : arts.value()) {
    EXPECT_EQ(a.canonical.find("/amp"), std::string::npos) << a.canonical;
    EXPECT_EQ(a.canonical.find("utm_"), std::string::npos) << a.canonical;
  }
}

}  // namespace
}  // namespace rasid::testing
