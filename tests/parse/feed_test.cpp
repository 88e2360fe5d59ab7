#include <gtest/gtest.h>

#include "parse/parser.h"

using namespace rasid::parse;

TEST(Feed, Rss20Basic) {
  auto f = parse_feed(R"(<?xml version="1.0" encoding="windows-1256"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
     xmlns:d="http://purl.org/dc/elements/1.1/">
<channel><title>أخبار</title><link>https://example.com/</link>
<item><title><![CDATA[عنوان &amp; <b>خبر</b>]]></title><link>/a/1</link>
<guid isPermaLink="false">x1</guid><pubDate>Thu, 01 Jan 2004 19:48:21 +0300</pubDate>
<d:creator>كاتب</d:creator><content:encoded><![CDATA[<p>نص</p>]]></content:encoded>
</item></channel></rss>)",
                      "https://example.com/feed");
  ASSERT_TRUE(f.ok()) << f.error();
  EXPECT_EQ(f->format, "rss20");
  EXPECT_TRUE(f->warnings.empty());
  ASSERT_EQ(f->entries.size(), 1u);
  const auto& e = f->entries[0];
  EXPECT_EQ(e.title, "عنوان & خبر");
  EXPECT_EQ(e.link, "https://example.com/a/1");
  EXPECT_EQ(e.id, "x1");
  EXPECT_EQ(e.author, "كاتب");
  EXPECT_EQ(e.content, "<p>نص</p>");
  ASSERT_TRUE(e.published);
  EXPECT_EQ(format_iso8601(*e.published), "2004-01-01T16:48:21Z");
}
