#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "parse/parser.h"
#include "tests/support/http_server.h"
#include "url/url.h"

using namespace rasid::parse;
using rasid::testing::read_file;
using rasid::testing::source_path;

namespace {
Html load(const std::string& name, const std::string& url) {
  std::string bytes = read_file(source_path("tests/parse/fixtures/" + name));
  EXPECT_FALSE(bytes.empty()) << name;
  auto h = Html::parse(bytes, url);
  EXPECT_TRUE(h.ok());
  return std::move(h).value();
}
const std::string kP = "https://akhbar.example/news/2024/1/";
std::string enc(const std::string& s) { return rasid::url::canonical(s); }
}  // namespace

TEST(ArticleLinks, TypicalArabicSectionPageWithoutSelector) {
  Html page = load("section_news.html", "https://akhbar.example/politics");
  std::vector<std::string> links = article_links(page);
  std::vector<std::string> want = {
      enc(kP + "5/عاجل-اجتماع-مجلس-الوزراء-اليوم"),
      enc(kP + "5/الرئيس-يستقبل-وفدا-رفيع-المستوى"),
      enc("https://akhbar.example/story/2024/1/5/البرلمان-يناقش-الموازنة/6423423"),
      enc("https://www.akhbar.example/news/2024/1/4/وزير-الخارجية-يلتقي-نظيره"),
      "https://akhbar.example/article/783412",
  };
  EXPECT_EQ(links, want);
}

TEST(ArticleLinks, IdsBaseHrefAndEncodingVariants) {
  Html page = load("section_ids.html", "https://www.watan.example/ar/world");
  std::vector<std::string> links = article_links(page);
  std::vector<std::string> want = {
      enc("https://www.watan.example/ar/world/اشتباكات-في-العاصمة-123456.html"),
      enc("https://www.watan.example/ar/arab/قمة-عربية-طارئة-123457.html"),
      "https://www.watan.example/ar/node/4500123",
      "https://www.watan.example/ar/index.php?id=98765",
      enc("https://m.watan.example/ar/economy/اسعار-النفط-ترتفع-مجددا-123459.html"),
  };
  EXPECT_EQ(links, want);
}

TEST(ArticleLinks, SelectorRestrictsTheSearch) {
  Html page = load("section_news.html", "https://akhbar.example/politics");
  std::vector<std::string> links = article_links(page, "//div[@class='latest']//h2/a");
  ASSERT_EQ(links.size(), 4u);
  EXPECT_EQ(links[0], enc(kP + "5/الرئيس-يستقبل-وفدا-رفيع-المستوى"));
  EXPECT_EQ(links[3], "https://akhbar.example/article/783412");
  // the selector may name containers: their anchors are taken
  EXPECT_EQ(article_links(page, "//aside").size(), 1u);
  // a selector that is not XPath yields nothing rather than everything
  EXPECT_TRUE(article_links(page, "div[[[").empty());
}

TEST(FeedLinks, Autodiscovery) {
  Html page = load("section_news.html", "https://akhbar.example/politics");
  std::vector<std::string> want = {"https://akhbar.example/rss/politics.xml",
                                   "https://akhbar.example/feed.atom"};
  EXPECT_EQ(feed_links(page), want);
  Html none = load("section_ids.html", "https://www.watan.example/ar/world");
  EXPECT_TRUE(feed_links(none).empty());
}
