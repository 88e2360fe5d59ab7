// rasid discover / import-opml / export-opml against a real HTTP server and real files.
#include <gtest/gtest.h>

#include <mutex>
#include <set>

#include "config/config.h"
#include "daemon/commands.h"
#include "tests/support/http_server.h"
#include "tests/support/process.h"

namespace rasid::daemon {
namespace {

using testing::HttpRequest;
using testing::HttpResponse;
using testing::HttpServer;

std::string rss(const std::string& title, const std::string& base, int items) {
  std::string x =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?><rss version=\"2.0\"><channel><title>" + title +
      "</title><link>" + base + "/</link>";
  for (int i = 0; i < items; ++i)
    x += "<item><title>خبر " + std::to_string(i) + "</title><link>" + base + "/news/" +
         std::to_string(1000 + i) + "</link></item>";
  return x + "</channel></rss>";
}

const char* kHome = R"(<!DOCTYPE html><html lang="ar"><head><meta charset="utf-8">
<title>موقع الخبر</title>
<link rel="alternate" type="application/rss+xml" title="آخر الأخبار" href="/feeds/main.xml">
<link rel="alternate" type="application/atom+xml" title="broken" href="/feeds/missing.xml">
</head><body><nav><a href="/">الرئيسية</a></nav>
<main><a href="/news/2026/11/1001-first-story-about-damascus">خبر</a></main></body></html>)";

// A news site with a feed it advertises, a WordPress feed at /feed and ?feed=rss2 (the same
// document), an HTML page at /rss, and a windows-1256 feed at /rss.xml.
class Site {
 public:
  Site() : server_([this](const HttpRequest& r) { return handle(r); }) {}
  HttpResponse handle(const HttpRequest& r) {
    std::lock_guard<std::mutex> lock(mu_);
    paths_.insert(r.target);
    const std::string base = server_.url("");
    if (r.path == "/" && r.query == "feed=rss2")
      return {200, {{"Content-Type", "application/rss+xml"}}, rss("WordPress", base, 3)};
    if (r.path == "/" || r.path == "/syria")
      return {200, {{"Content-Type", "text/html; charset=utf-8"}}, kHome};
    if (r.path == "/feeds/main.xml")
      return {200, {{"Content-Type", "application/rss+xml"}}, rss("آخر الأخبار", base, 5)};
    if (r.path == "/feed")
      return {200, {{"Content-Type", "application/rss+xml"}}, rss("WordPress", base, 3)};
    if (r.path == "/rss")
      return {200, {{"Content-Type", "text/html"}}, "<html><body>RSS? no.</body></html>"};
    if (r.path == "/rss.xml") {
      // "أخبار" in windows-1256, declared only by the XML declaration.
      std::string t = "\xC3\xCE\xC8\xC7\xD1";
      return {200,
              {{"Content-Type", "text/xml"}},
              "<?xml version=\"1.0\" encoding=\"windows-1256\"?><rss version=\"2.0\"><channel>"
              "<title>" +
                  t + "</title><item><title>" + t + "</title><link>" + base +
                  "/news/7</link></item></channel></rss>"};
    }
    return {404, {}, "no"};
  }
  std::string url(const std::string& p) const { return server_.url(p); }
  std::set<std::string> paths() {
    std::lock_guard<std::mutex> lock(mu_);
    return paths_;
  }

 private:
  HttpServer server_;
  std::mutex mu_;
  std::set<std::string> paths_;
};

fetch::Options loopback() {
  fetch::Options o;
  o.allow_private = {"127.0.0.0/8"};
  return o;
}

TEST(Discover, FeedsFromLinkRelAlternateAndCommonPathsVerifiedByParsing) {
  Site site;
  auto d = discover(site.url("/"), loopback());
  ASSERT_TRUE(d.ok()) << d.error();
  std::vector<std::string> urls, vias;
  for (const auto& f : d->feeds) {
    urls.push_back(f.url);
    vias.push_back(f.via);
  }
  ASSERT_EQ(d->feeds.size(), 3u) << ::testing::PrintToString(urls);
  EXPECT_EQ(d->feeds[0].url, site.url("/feeds/main.xml"));
  EXPECT_EQ(d->feeds[0].via, "link");
  EXPECT_EQ(d->feeds[0].title, "آخر الأخبار");
  EXPECT_EQ(d->feeds[0].entries, 5);
  EXPECT_EQ(d->feeds[0].format, "rss20");
  EXPECT_EQ(d->feeds[1].url, site.url("/feed"));
  EXPECT_EQ(d->feeds[1].via, "path");
  EXPECT_EQ(d->feeds[2].url, site.url("/rss.xml"));
  EXPECT_EQ(d->feeds[2].title, "أخبار") << "feed bytes decoded by the XML declaration";
  // Every common path was tried; /rss (HTML) and the missing advertised feed were refused, and
  // ?feed=rss2 (the same document as /feed) is not listed twice.
  auto p = site.paths();
  for (const char* t : {"/feed", "/rss", "/rss.xml", "/feed.xml", "/atom.xml", "/index.xml",
                        "/?feed=rss2", "/feeds/missing.xml"})
    EXPECT_TRUE(p.count(t)) << t;
  EXPECT_EQ(d->tried, 10) << "the page and 9 candidates";
}

TEST(Discover, AFeedAddressIsItsOwnAnswer) {
  Site site;
  auto d = discover(site.url("/feeds/main.xml"), loopback());
  ASSERT_TRUE(d.ok()) << d.error();
  ASSERT_EQ(d->feeds.size(), 1u);
  EXPECT_EQ(d->feeds[0].via, "given");
  EXPECT_EQ(d->tried, 1);
}

TEST(Discover, SectionPagesGetTheirWordPressCategoryFeedTried) {
  Site site;
  auto d = discover(site.url("/syria"), loopback());
  ASSERT_TRUE(d.ok()) << d.error();
  EXPECT_TRUE(site.paths().count("/syria/feed"));
}

TEST(Discover, NoFeedSuggestsAPageSource) {
  HttpServer bare([](const HttpRequest& r) -> HttpResponse {
    if (r.path != "/akhbar") return {404, {}, "no"};
    return {200,
            {{"Content-Type", "text/html; charset=utf-8"}},
            "<html><body><nav><a href=\"/\">الرئيسية</a></nav><main>"
            "<a href=\"/akhbar/2026/11/22/5501-long-story-slug-here\">أ</a>"
            "<a href=\"/akhbar/2026/11/22/5502-another-story-slug\">ب</a></main></body></html>"};
  });
  auto d = discover(bare.url("/akhbar"), loopback());
  ASSERT_TRUE(d.ok()) << d.error();
  EXPECT_TRUE(d->feeds.empty());
  EXPECT_EQ(d->article_links, 2);

  std::string dir = testing::make_temp_dir();
  testing::write_file(dir + "/c.toml", "[daemon]\nallow_private = [\"127.0.0.0/8\"]\n");
  auto r = testing::run_process(
      {RASID_BINARY, "discover", bare.url("/akhbar"), "--config", dir + "/c.toml"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("no feed found"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("page = \"" + bare.url("/akhbar") + "\""), std::string::npos) << r.out;

  auto none = testing::run_process(
      {RASID_BINARY, "discover", bare.url("/missing"), "--config", dir + "/c.toml"});
  EXPECT_EQ(none.exit_code, 1);
  EXPECT_NE(none.err.find("HTTP 404"), std::string::npos) << none.err;
}

TEST(Discover, CommandPrintsFeedsAndASourceBlockAndHonoursTheGuard) {
  Site site;
  std::string dir = testing::make_temp_dir();
  testing::write_file(dir + "/c.toml", "[daemon]\nallow_private = [\"127.0.0.0/8\"]\n");
  auto r =
      testing::run_process({RASID_BINARY, "discover", site.url("/"), "--config", dir + "/c.toml"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("advertised by the page"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("feed = \"" + site.url("/feeds/main.xml") + "\""), std::string::npos)
      << r.out;
  // Without a config allowing loopback, the SSRF guard refuses the address.
  auto blocked = testing::run_process({RASID_BINARY, "discover", site.url("/")});
  EXPECT_EQ(blocked.exit_code, 1);
  EXPECT_NE(blocked.err.find("blocked"), std::string::npos) << blocked.err;
}

const char* kOpml = R"(<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0"><head><title>اشتراكاتي</title></head><body>
<outline text="أخبار" title="أخبار">
  <outline text="سياسة">
    <outline type="rss" text="عنب بلدي" xmlUrl="https://www.enabbaladi.net/feed" htmlUrl="https://www.enabbaladi.net/"/>
    <outline type="rss" text="الجزيرة &quot;نت&quot;" xmlUrl="https://www.aljazeera.net/aljazeerarss/a7c186be-1baa-4bd4-9d80-a84db769f779/73d0e1b4-532f-45ef-b135-bfdff8b8cab9"/>
  </outline>
  <outline type="rss" text="عنب بلدي" xmlUrl="https://www.enabbaladi.net/archives/category/economy/feed"/>
</outline>
<outline type="rss" text="BBC Arabic" xmlUrl="https://feeds.bbci.co.uk/arabic/rss.xml"/>
<outline type="rss" text="BBC Arabic again" xmlUrl="https://feeds.bbci.co.uk/arabic/rss.xml?utm_source=x"/>
</body></opml>)";

TEST(ImportOpml, BlocksWithCategoriesUniqueNamesNoRepeats) {
  std::string dir = testing::make_temp_dir();
  testing::write_file(dir + "/subs.opml", kOpml);
  auto r = testing::run_process({RASID_BINARY, "import-opml", dir + "/subs.opml"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("name = \"عنب بلدي\"\nfeed = \"https://www.enabbaladi.net/feed\"\n"
                       "category = \"أخبار/سياسة\""),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("name = \"عنب بلدي 2\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("name = \"الجزيرة \\\"نت\\\"\""), std::string::npos) << "escaped";
  EXPECT_EQ(r.out.find("BBC Arabic again"), std::string::npos) << "the same feed twice";

  // The printed blocks are a valid configuration as they are.
  testing::write_file(dir + "/only.toml", r.out);
  auto cfg = config::load(dir + "/only.toml");
  ASSERT_TRUE(cfg.ok()) << cfg.error();
  ASSERT_EQ(cfg->sources.size(), 4u);
  EXPECT_EQ(cfg->sources[0].category, "أخبار/سياسة");
  EXPECT_EQ(cfg->sources[2].category, "أخبار");
  EXPECT_EQ(cfg->sources[3].category, "");
}

TEST(ImportOpml, AppendsToAConfigSkippingKnownFeedsAndKeepsItValid) {
  std::string dir = testing::make_temp_dir();
  testing::write_file(dir + "/subs.opml", kOpml);
  const std::string cfg_path = dir + "/rasid.toml";
  const std::string before =
      "[daemon]\ndatabase = \"x.db\"\n\n[[source]]\nname = \"BBC Arabic\"\n"
      "feed = \"https://feeds.bbci.co.uk/arabic/rss.xml\"\n";
  testing::write_file(cfg_path, before);
  auto r =
      testing::run_process({RASID_BINARY, "import-opml", dir + "/subs.opml", "--config", cfg_path});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("3 sources added"), std::string::npos) << r.err;
  auto cfg = config::load(cfg_path);
  ASSERT_TRUE(cfg.ok()) << cfg.error();
  EXPECT_EQ(cfg->sources.size(), 4u);
  EXPECT_EQ(cfg->daemon.database, "x.db");

  // Again: nothing new.
  r = testing::run_process({RASID_BINARY, "import-opml", dir + "/subs.opml", "--config", cfg_path});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("0 sources added"), std::string::npos) << r.err;
  EXPECT_EQ(config::load(cfg_path)->sources.size(), 4u);
}

TEST(ImportOpml, RefusesWhatIsNotOpmlAndLeavesTheConfigAlone) {
  std::string dir = testing::make_temp_dir();
  testing::write_file(dir + "/x.opml", "<html><body>no</body></html>");
  testing::write_file(dir + "/rasid.toml", "[daemon]\ndatabase = \"x.db\"\n");
  auto r = testing::run_process(
      {RASID_BINARY, "import-opml", dir + "/x.opml", "--config", dir + "/rasid.toml"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_FALSE(r.err.empty());
  EXPECT_EQ(testing::read_file(dir + "/rasid.toml"), "[daemon]\ndatabase = \"x.db\"\n");
  auto missing = testing::run_process({RASID_BINARY, "import-opml", dir + "/nope.opml"});
  EXPECT_EQ(missing.exit_code, 1);
}

TEST(ExportOpml, FeedSourcesWithCategoriesRoundTrip) {
  std::string dir = testing::make_temp_dir();
  testing::write_file(
      dir + "/rasid.toml",
      "[[source]]\nname = \"عنب بلدي\"\nfeed = \"https://www.enabbaladi.net/feed\"\n"
      "category = \"أخبار/سياسة\"\n\n"
      "[[source]]\nname = \"BBC Arabic\"\nfeed = \"https://feeds.bbci.co.uk/arabic/"
      "rss.xml\"\n\n"
      "[[source]]\nname = \"section\"\npage = \"https://example.com/syria\"\n");
  auto r = testing::run_process({RASID_BINARY, "export-opml", "--config", dir + "/rasid.toml"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("1 page sources left out"), std::string::npos) << r.err;
  auto feeds = parse::parse_opml(r.out);
  ASSERT_TRUE(feeds.ok()) << feeds.error() << "\n" << r.out;
  ASSERT_EQ(feeds->size(), 2u);
  std::map<std::string, std::string> cats;
  for (const auto& f : feeds.value()) cats[f.title] = f.category;
  EXPECT_EQ(cats["عنب بلدي"], "أخبار/سياسة");
  EXPECT_EQ(cats["BBC Arabic"], "");

  // export → import gives the same sources back.
  testing::write_file(dir + "/out.opml", r.out);
  auto back = testing::run_process({RASID_BINARY, "import-opml", dir + "/out.opml"});
  ASSERT_EQ(back.exit_code, 0) << back.err;
  testing::write_file(dir + "/back.toml", back.out);
  auto cfg = config::load(dir + "/back.toml");
  ASSERT_TRUE(cfg.ok()) << cfg.error();
  ASSERT_EQ(cfg->sources.size(), 2u);
  std::set<std::string> names;
  for (const auto& s : cfg->sources) names.insert(s.name + "|" + s.category + "|" + s.feed);
  EXPECT_EQ(names, (std::set<std::string>{"عنب بلدي|أخبار/سياسة|https://www.enabbaladi.net/feed",
                                          "BBC Arabic||https://feeds.bbci.co.uk/arabic/rss.xml"}));
}

TEST(TomlString, EscapesQuotesBackslashesAndControls) {
  EXPECT_EQ(toml_string("a\"b\\c\nd\x01"), "\"a\\\"b\\\\c\\nd\\u0001\"");
  EXPECT_EQ(toml_string("عنب"), "\"عنب\"");
}

}  // namespace
}  // namespace rasid::daemon
