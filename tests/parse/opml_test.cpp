#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "parse/parser.h"

using namespace rasid::parse;

TEST(Opml, ImportsNestedFoldersAndCategories) {
  auto r = parse_opml(R"(<?xml version="1.0" encoding="windows-1256"?>
<opml version="1.0"><head><title>subs</title></head><body>
  <outline text="أخبار">
    <outline text="سياسة">
      <outline text="الجزيرة" type="rss" xmlUrl="https://www.aljazeera.net/aljazeerarss" htmlUrl="https://www.aljazeera.net/"/>
    </outline>
    <outline title="BBC &amp; Co" xmlurl="/arabic/rss.xml"/>
  </outline>
  <outline text="Tech" XMLURL="https://ex.org/feed" category="/tech/web,news"/>
  <outline text="folder without feeds"/>
</body></opml>)",
                      "https://www.bbc.com/subs.opml");
  ASSERT_TRUE(r.ok()) << r.error();
  ASSERT_EQ(r->size(), 3u);
  EXPECT_EQ(r.value()[0].title, "الجزيرة");
  EXPECT_EQ(r.value()[0].category, "أخبار/سياسة");
  EXPECT_EQ(r.value()[0].html_url, "https://www.aljazeera.net/");
  EXPECT_EQ(r.value()[1].title, "BBC & Co");
  EXPECT_EQ(r.value()[1].xml_url, "https://www.bbc.com/arabic/rss.xml");
  EXPECT_EQ(r.value()[1].category, "أخبار");
  EXPECT_EQ(r.value()[2].category, "tech/web");
}

TEST(Opml, RoundTrip) {
  std::vector<OpmlFeed> feeds = {
      {"المصري اليوم", "https://www.almasryalyoum.com/rss/rssfeeds",
       "https://www.almasryalyoum.com/", "أخبار/مصر"},
      {"Quote \" & <tag>", "https://ex.org/a?x=1&y=2", "", ""},
      {"هسبريس", "https://www.hespress.com/feed", "", "أخبار"},
  };
  std::string xml = write_opml(feeds, "rasid");
  auto back = parse_opml(xml);
  ASSERT_TRUE(back.ok()) << back.error() << "\n" << xml;
  ASSERT_EQ(back->size(), 3u);
  // uncategorised feeds come first, then folders in first-seen order
  EXPECT_EQ(back.value()[0].title, "Quote \" & <tag>");
  EXPECT_EQ(back.value()[0].xml_url, "https://ex.org/a?x=1&y=2");
  EXPECT_EQ(back.value()[1].title, "هسبريس");
  EXPECT_EQ(back.value()[1].category, "أخبار");
  EXPECT_EQ(back.value()[2].category, "أخبار/مصر");
  EXPECT_EQ(back.value()[2].html_url, "https://www.almasryalyoum.com/");
}

TEST(Opml, RejectsNonOpml) {
  EXPECT_FALSE(parse_opml("<rss/>").ok());
  EXPECT_FALSE(parse_opml("<opml><head/></opml>").ok());
  EXPECT_FALSE(parse_opml("not xml").ok());
  auto empty = parse_opml("<opml version=\"2.0\"><body/></opml>");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
}
