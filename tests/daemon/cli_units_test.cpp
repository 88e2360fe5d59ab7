// Pieces of the command line behind issue 12: the one-pass configuration report (load_runtime),
// allow_private as config/ and the fetcher read it, discover on a site whose home page is a
// 404, and titles cut at their logical end.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <mutex>
#include <sstream>
#include <string>
#include <vector>

#include "config/config.h"
#include "config/values.h"
#include "daemon/commands.h"
#include "daemon/runtime.h"
#include "fetch/guard.h"
#include "tests/support/http_server.h"
#include "tests/support/process.h"

namespace rasid::daemon {
namespace {

using ::testing::HasSubstr;

bool valid_utf8(const std::string& s) {
  int32_t i = 0;
  const auto n = static_cast<int32_t>(s.size());
  while (i < n) {
    UChar32 c;
    U8_NEXT(s.data(), i, n, c);
    if (c < 0) return false;
  }
  return true;
}

// Whatever config/ lets through, the fetcher's parser takes: `rasid check` OK ⇒ `rasid run`
// builds its Fetcher (the abort of issue 12 came from the two disagreeing).
TEST(AllowPrivate, ConfigAcceptsOnlyWhatTheFetcherParses) {
  const std::vector<std::string> inputs = {"127.0.0.1",    "127.0.0.0/8",
                                           "10.0.0.0/08",  "::1",
                                           "[::1]",        "[::1]/128",
                                           "fd00::/8",     "0.0.0.0/0",
                                           "::/0",         "intranet.example",
                                           "localhost",    "10.0.0.0/33",
                                           "::1/129",      "10.0.0.0/",
                                           "/8",           "[10.0.0.1]",
                                           "1.2.3",        "",
                                           "10.0.0.0/8/8", "fe80::1%eth0",
                                           "10.0.0.0/-1",  "::ffff:10.0.0.1"};
  for (const auto& in : inputs) {
    std::string why;
    const bool config_ok = config::valid_cidr(in, &why);
    const bool fetch_ok = fetch::parse_cidr(in).has_value();
    if (config_ok) {
      EXPECT_TRUE(fetch_ok) << "\"" << in << "\" passes check but aborts run";
    }
  }
  for (const char* good : {"127.0.0.1", "127.0.0.0/8", "::1", "[::1]", "fd00::/8", "0.0.0.0/0"}) {
    std::string why;
    EXPECT_TRUE(config::valid_cidr(good, &why)) << good << ": " << why;
  }
}

TEST(LoadRuntime, EveryProblemOfEveryLayerInFileOrder) {
  auto dir = testing::make_temp_dir();
  const std::string path = dir + "/r.toml";
  testing::write_file(path,
                      "[daemon]\n"
                      "allow_private = [\"intranet.example\"]\n"  // 2: config
                      "[[source]]\n"                              // 3: XPath (runtime)
                      "name = \"s\"\n"
                      "page = \"https://example.org/\"\n"
                      "link_selector = \"//a[\"\n"
                      "[[topic]]\n"
                      "name = \"t\"\n"
                      "query = \"(سوريا\"\n"  // 9: query (runtime)
                      "webhooks = [\"missing\"]\n");
  auto rt = load_runtime(path);
  ASSERT_FALSE(rt);
  const std::string& e = rt.error();
  EXPECT_THAT(e, HasSubstr(path + ":2: daemon.allow_private"));
  EXPECT_THAT(e,
              HasSubstr(path + ":6: source.link_selector: invalid XPath \"//a[\" (source \"s\")"));
  EXPECT_THAT(e, HasSubstr(path + ":9: topic.query:"));
  EXPECT_THAT(e, HasSubstr(path + ":10: topic.webhooks: names unknown webhook"));
  EXPECT_LT(e.find(":2:"), e.find(":6:"));
  EXPECT_LT(e.find(":6:"), e.find(":9:"));
  EXPECT_LT(e.find(":9:"), e.find(":10:"));
}

// Issue 14: every message is "FILE:LINE: KEY: reason" with the line of the key itself and the
// dotted key, for the checks made outside config/ (XPath) as for config/'s own; a source's
// XPath errors named the [[source]] line, the unknown webhook the query's line.
TEST(LoadRuntime, EachMessageNamesTheLineOfItsKey) {
  auto dir = testing::make_temp_dir();
  const std::string path = dir + "/bad3.toml";
  testing::write_file(path,
                      "[daemon]\n"                             // 1
                      "database = \"x.db\"\n"                  // 2
                      "\n"                                     // 3
                      "[[source]]\n"                           // 4
                      "name = \"p1\"\n"                        // 5
                      "page = \"https://example.org/\"\n"      // 6
                      "interval = 600\n"                       // 7
                      "link_selector = \"//a[\"\n"             // 8
                      "\n"                                     // 9
                      "[[source]]\n"                           // 10
                      "name = \"f1\"\n"                        // 11
                      "feed = \"https://example.org/feed\"\n"  // 12
                      "  [source.clean]\n"                     // 13
                      "  drop = [\"//nav\",\n"                 // 14
                      "          \"//div[\"]\n"                // 15
                      "  body = \"//main[\"\n"                 // 16
                      "\n"                                     // 17
                      "[[topic]]\n"                            // 18
                      "name = \"t\"\n"                         // 19
                      "query = \"سوريا\"\n"                    // 20
                      "webhooks = [\"nope\"]\n");              // 21
  auto rt = load_runtime(path);
  ASSERT_FALSE(rt);
  const std::string& e = rt.error();
  EXPECT_THAT(e,
              HasSubstr(path + ":8: source.link_selector: invalid XPath \"//a[\" (source \"p1\")"));
  EXPECT_THAT(e,
              HasSubstr(path + ":15: source.clean.drop: invalid XPath \"//div[\" (source \"f1\")"));
  EXPECT_THAT(
      e, HasSubstr(path + ":16: source.clean.body: invalid XPath \"//main[\" (source \"f1\")"));
  EXPECT_THAT(e, HasSubstr(path + ":21: topic.webhooks: names unknown webhook \"nope\""));
  std::istringstream lines(e);
  int n = 0;
  for (std::string l; std::getline(lines, l); ++n)
    EXPECT_THAT(l, ::testing::MatchesRegex(".*bad3\\.toml:[0-9]+: [a-z_]+(\\.[a-z_]+)+: .*")) << l;
  EXPECT_EQ(n, 4) << e;
}

TEST(LoadRuntime, SyntaxErrorsAloneAndUnreadableFiles) {
  auto dir = testing::make_temp_dir();
  testing::write_file(dir + "/bad.toml", "[daemon\n");
  auto bad = load_runtime(dir + "/bad.toml");
  ASSERT_FALSE(bad);
  EXPECT_THAT(bad.error(), HasSubstr("bad.toml:1: TOML syntax"));
  auto missing = load_runtime(dir + "/none.toml");
  ASSERT_FALSE(missing);
  EXPECT_THAT(missing.error(), HasSubstr("none.toml: cannot read"));
}

TEST(Discover, TriesTheCommonFeedPathsWhenTheHomePageIsMissing) {
  std::vector<std::string> asked;
  std::mutex mu;
  testing::HttpServer server([&](const testing::HttpRequest& r) -> testing::HttpResponse {
    std::lock_guard<std::mutex> lock(mu);
    asked.push_back(r.target);
    if (r.path == "/atom.xml")
      return {200,
              {{"Content-Type", "application/atom+xml"}},
              "<?xml version=\"1.0\"?><feed xmlns=\"http://www.w3.org/2005/Atom\"><title>أخبار"
              "</title><id>urn:x</id><updated>2026-11-01T00:00:00Z</updated><entry><title>خبر"
              "</title><id>urn:1</id><link href=\"/news/1\"/><updated>2026-11-01T00:00:00Z"
              "</updated></entry></feed>"};
    return {404, {}, "not found"};
  });
  fetch::Options o;
  o.allow_private = {"127.0.0.0/8"};
  auto d = discover(server.url("/"), o);
  ASSERT_TRUE(d) << d.error();
  ASSERT_EQ(d->feeds.size(), 1u);
  EXPECT_EQ(d->feeds[0].url, server.url("/atom.xml"));
  EXPECT_EQ(d->feeds[0].via, "path");
  for (const char* p : {"/feed", "/rss", "/feed.xml", "/rss.xml", "/index.xml", "/?feed=rss2"})
    EXPECT_NE(std::find(asked.begin(), asked.end(), p), asked.end()) << p << " not tried";

  // Nothing anywhere: the error says what the page answered and that the paths were tried.
  testing::HttpServer empty([](const testing::HttpRequest&) -> testing::HttpResponse {
    return {404, {}, "not found"};
  });
  auto none = discover(empty.url("/"), o);
  ASSERT_FALSE(none);
  EXPECT_THAT(none.error(), HasSubstr("HTTP 404"));
  EXPECT_THAT(none.error(), HasSubstr("common feed addresses tried"));
}

TEST(CutGraphemes, LongArabicTitleKeepsItsBeginningAndStaysValid) {
  // Harakat (combining marks) make graphemes of two code points: a cut must not split them.
  const std::string word = "مُحَادَثَاتٌ ";
  std::string title;
  for (int i = 0; i < 20; ++i) title += word;
  title += "«سوريا»";
  const std::string cut = cut_graphemes(title, 30);
  EXPECT_TRUE(valid_utf8(cut));
  EXPECT_EQ(cut.rfind("مُحَادَثَاتٌ", 0), 0u) << "the logical beginning stays: " << cut;
  EXPECT_EQ(cut.substr(cut.size() - std::string("…").size()), "…");
  EXPECT_LT(cut.size(), title.size());
  // The cut falls between graphemes: what precedes "…" is a prefix of the title that does not
  // end in a lone combining mark's base.
  const std::string kept = cut.substr(0, cut.size() - std::string("…").size());
  EXPECT_EQ(title.compare(0, kept.size(), kept), 0);
  const std::string next = title.substr(kept.size(), 2);
  EXPECT_NE(next, "\xd9\x8f") << "a damma left behind";
  EXPECT_NE(next, "\xd9\x8e") << "a fatha left behind";

  EXPECT_EQ(cut_graphemes("قصير", 30), "قصير");
  // A marked hit cut in the middle keeps its markers paired.
  std::string marked = "«" + title + "»";
  std::string m = cut_graphemes(marked, 10);
  EXPECT_TRUE(valid_utf8(m));
  EXPECT_NE(m.find("»…"), std::string::npos) << m;
}

}  // namespace
}  // namespace rasid::daemon
