// rasid search / rasid topics test over a database filled by the real `rasid once` against a
// local news site: the topic language's semantics (clitics, phrases, NOT, fields) over history.

#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "tests/e2e/fixtures.h"
#include "tests/support/http_server.h"
#include "tests/support/process.h"

namespace rasid::testing {
namespace {

class SearchTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = new HttpServer([](const HttpRequest& r) -> HttpResponse {
      const auto items = fixture_articles();
      if (r.path == "/feed.xml")
        return {200,
                {{"Content-Type", "application/rss+xml; charset=utf-8"}},
                rss_feed(items, server_->url(""))};
      if (r.path.rfind("/news/", 0) == 0) {
        for (const auto& a : items)
          if ("/news/" + a.slug == r.path) return {200, {}, article_page(a, server_->url(""))};
      }
      return {404, {}, "not found"};
    });
    dir_ = new std::string(make_temp_dir());
    write_file(cfg(), "[daemon]\ndatabase = \"" + *dir_ +
                          "/rasid.db\"\nallow_private = [\"127.0.0.0/8\"]\n\n"
                          "[[source]]\nname = \"khabar\"\nfeed = \"" +
                          server_->url("/feed.xml") +
                          "\"\ninterval = \"10m\"\n\n"
                          "[[topic]]\nname = \"syria-iran\"\nquery = 'سوريا AND إيران'\n\n"
                          "[[topic]]\nname = \"sport\"\nquery = 'title:مباراة'\n");
    auto r = run_process({RASID_BINARY, "once", "--config", cfg()});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  static std::string cfg() { return *dir_ + "/rasid.toml"; }

  static ProcessResult rasid(std::vector<std::string> args) {
    args.insert(args.begin(), RASID_BINARY);
    args.push_back("--config");
    args.push_back(cfg());
    return run_process(args);
  }
  static nlohmann::json json(std::vector<std::string> args) {
    args.push_back("--json");
    auto r = rasid(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    auto j = nlohmann::json::parse(r.out, nullptr, false);
    EXPECT_TRUE(j.is_object()) << r.out;
    return j;
  }
  static std::vector<std::string> titles(const nlohmann::json& results) {
    std::vector<std::string> t;
    for (const auto& x : results) t.push_back(x.value("title", ""));
    std::sort(t.begin(), t.end());
    return t;
  }

  static HttpServer* server_;
  static std::string* dir_;
};

HttpServer* SearchTest::server_ = nullptr;
std::string* SearchTest::dir_ = nullptr;

const std::string kTalks = "محادثات بين سوريا وإيران حول إعادة الإعمار في دمشق";
const std::string kMatch = "المنتخب الوطني يفوز في مباراة كرة القدم الودية";
const std::string kWheat = "ارتفاع أسعار القمح في الأسواق السورية مع اقتراب الشتاء";

TEST_F(SearchTest, CliticsAndAlefFormsAreFoundAndHighlighted) {
  // The title has وإيران, the body الإيراني: one query word finds both forms.
  auto j = json({"search", "إيران"});
  ASSERT_EQ(j["results"].size(), 1u) << j.dump();
  const auto& r = j["results"][0];
  EXPECT_EQ(r.value("title", ""), kTalks);
  EXPECT_NE(r.value("title_marked", "").find("«وإيران»"), std::string::npos) << r.dump();
  EXPECT_NE(r.value("snippet", "").find("«"), std::string::npos) << r.dump();
  EXPECT_EQ(r.value("source", ""), "khabar");
  EXPECT_NE(r.value("url", "").find("/news/talks"), std::string::npos);
  // As the feed wrote it ("Sun, 22 Nov 2026 10:00:00 +0300"), the form a page's date keeps
  // (issue 14: it was stored as "2026-11-22T07:00:00Z").
  EXPECT_EQ(r.value("published", ""), "2026-11-22T10:00:00+03:00");
  // والطحين (و + ال + طحين) and مباراة: an OR over two articles.
  EXPECT_EQ(titles(json({"search", "طحين OR مباراة"})["results"]),
            (std::vector<std::string>{kWheat, kMatch}));
}

TEST_F(SearchTest, TheLanguageDecidesNotTheIndex) {
  // The prefilter keeps the required word; NOT is decided by the matcher on the stored text.
  auto j = json({"search", "القمح AND NOT حلب"});
  EXPECT_EQ(j.value("prefilter", ""), "(\"القمح\")");
  EXPECT_EQ(j.value("candidates", -1), 1);
  EXPECT_TRUE(j["results"].empty());
  EXPECT_EQ(titles(json({"search", "\"أسعار القمح\""})["results"]),
            std::vector<std::string>{kWheat});
  EXPECT_TRUE(json({"search", "\"القمح أسعار\""})["results"].empty());
  EXPECT_EQ(titles(json({"search", "title:القمح"})["results"]), std::vector<std::string>{kWheat});
  EXPECT_TRUE(json({"search", "title:حلب"})["results"].empty());  // حلب is only in the body
  EXPECT_EQ(titles(json({"search", "اقتصاد*"})["results"]), std::vector<std::string>{kTalks});
  EXPECT_EQ(titles(json({"search", "دمشق NEAR/3 سوريا"})["results"]).size(), 0u);
  EXPECT_EQ(titles(json({"search", "سوريا NEAR/3 دمشق"})["results"]).size(), 0u);
  EXPECT_EQ(titles(json({"search", "وفدان NEAR/3 سوريا"})["results"]),
            std::vector<std::string>{kTalks});
  // No word required: every article is a candidate.
  auto all = json({"search", "lang:ar", "--limit", "2"});
  EXPECT_EQ(all.value("prefilter", "x"), "");
  EXPECT_EQ(all["results"].size(), 2u);
  EXPECT_TRUE(json({"search", "سوريا", "--since", "2099-01-01"})["results"].empty());
}

TEST_F(SearchTest, TextOutputAndRefusedQueries) {
  auto r = rasid({"search", "إيران"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("khabar"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("«وإيران»"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("/news/talks"), std::string::npos) << r.out;
  auto bad = rasid({"search", "(سوريا"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("position"), std::string::npos) << bad.err;
  auto none = rasid({"search", "اليابان"});
  EXPECT_EQ(none.exit_code, 0);
  EXPECT_NE(none.out.find("no stored article"), std::string::npos) << none.out;
}

TEST_F(SearchTest, TopicsTestCountsWhatATopicWouldHaveMatched) {
  auto j = json({"topics", "test", "syria-iran"});
  EXPECT_EQ(j.value("matched", -1), 1) << j.dump();
  EXPECT_EQ(titles(j["samples"]), std::vector<std::string>{kTalks});
  EXPECT_EQ(json({"topics", "test", "sport"}).value("matched", -1), 1);
  // A query before it becomes a topic: all matches counted, samples limited.
  auto q = json({"topics", "test", "--query", "دمشق OR حلب OR مباراة", "--limit", "1"});
  EXPECT_EQ(q.value("matched", -1), 3);
  EXPECT_EQ(q["samples"].size(), 1u);
  auto t = rasid({"topics", "test", "--query", "دمشق OR حلب"});
  ASSERT_EQ(t.exit_code, 0) << t.err;
  EXPECT_NE(t.out.find("2 stored articles matched since 30d"), std::string::npos) << t.out;
  EXPECT_EQ(rasid({"topics", "test", "nope"}).exit_code, 1);
}

TEST_F(SearchTest, TopicsTestShowsTheFormsEachTermMatched) {
  // سوريا matches the name and its nisba (الأسواق السورية); the forms say so, with counts.
  auto j = json({"topics", "test", "--query", "سوريا OR مباراة"});
  std::map<std::string, int> forms;
  for (const auto& f : j["forms"])
    forms[f.value("term", "") + ": " + f.value("form", "")] += f.value("count", 0);
  EXPECT_GE(forms["سوريا: سوريا"], 1) << j["forms"].dump();
  EXPECT_GE(forms["سوريا: السورية"], 1) << j["forms"].dump();
  EXPECT_GE(forms["مباراة: مباراة"], 1) << j["forms"].dump();
  auto t = rasid({"topics", "test", "--query", "سوريا"});
  ASSERT_EQ(t.exit_code, 0) << t.err;
  EXPECT_NE(t.out.find("  سوريا: "), std::string::npos) << t.out;
  // The exact form keeps only the name as written.
  auto exact = json({"topics", "test", "--query", "=سوريا"});
  for (const auto& f : exact["forms"]) EXPECT_EQ(f.value("form", ""), "سوريا") << exact.dump();
  EXPECT_EQ(titles(exact["samples"]), std::vector<std::string>{kTalks});
  EXPECT_EQ(rasid({"topics", "test"}).exit_code, 1);
}

}  // namespace
}  // namespace rasid::testing
