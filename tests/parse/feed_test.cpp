#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

#include "parse/feed_internal.h"
#include "parse/parser.h"
#include "tests/support/http_server.h"
#include "text/text.h"

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

TEST(Feed, AtomWithXmlBaseAndPrefixedNamespace) {
  auto f =
      parse_feed(R"(<a:feed xmlns:a="http://www.w3.org/2005/Atom" xml:base="https://ex.org/news/">
<a:title type="html">&lt;b&gt;أخبار&lt;/b&gt; &amp;amp; تقارير</a:title>
<a:link rel="alternate" type="text/html" href="/"/>
<a:entry xml:base="2024/">
  <a:id>tag:ex.org,2024:1</a:id><a:title>خبر</a:title>
  <a:link href="item-1.html"/><a:link rel="enclosure" type="image/jpeg" length="1234" href="/i.jpg"/>
  <a:published>2024-01-05T10:00:00+02:00</a:published><a:updated>2024-01-06T10:00:00Z</a:updated>
  <a:author><a:name>سارة</a:name><a:email>s@ex.org</a:email></a:author>
  <a:summary type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">نص <a href="x">رابط</a></div></a:summary>
  <a:category term="سياسة"/>
</a:entry></a:feed>)",
                 "https://ex.org/feed.atom");
  ASSERT_TRUE(f.ok()) << f.error();
  EXPECT_EQ(f->format, "atom10");
  EXPECT_TRUE(f->warnings.empty());
  EXPECT_EQ(f->title, "أخبار & تقارير");
  EXPECT_EQ(f->link, "https://ex.org/");
  ASSERT_EQ(f->entries.size(), 1u);
  const auto& e = f->entries[0];
  EXPECT_EQ(e.id, "tag:ex.org,2024:1");
  EXPECT_EQ(e.link, "https://ex.org/news/2024/item-1.html");
  EXPECT_EQ(e.summary, "نص <a href=\"https://ex.org/news/2024/x\">رابط</a>");
  EXPECT_EQ(e.author, "سارة (s@ex.org)");
  ASSERT_EQ(e.enclosures.size(), 1u);
  EXPECT_EQ(e.enclosures[0].url, "https://ex.org/i.jpg");
  EXPECT_EQ(e.enclosures[0].length, 1234);
  EXPECT_EQ(e.image, "https://ex.org/i.jpg");
  EXPECT_EQ(format_iso8601(*e.published), "2024-01-05T08:00:00Z");
  EXPECT_EQ(format_iso8601(*e.updated), "2024-01-06T10:00:00Z");
  EXPECT_EQ(e.categories, std::vector<std::string>{"سياسة"});
}

TEST(Feed, NamespacesByUriNotPrefix) {
  auto f = parse_feed(R"(<rss version="2.0" xmlns:x="http://purl.org/rss/1.0/modules/content/"
  xmlns:content="http://example.com/not-content/" xmlns:m="http://search.yahoo.com/mrss/"
  xmlns:s="http://purl.org/rss/1.0/modules/syndication/" xmlns:at="http://www.w3.org/2005/Atom">
<channel><title>t</title><s:updatePeriod>hourly</s:updatePeriod><s:updateFrequency>4</s:updateFrequency>
<ttl>30</ttl><at:link rel="self" href="https://ex.org/rss"/>
<item><title>a</title><content:encoded>wrong</content:encoded><x:encoded>&lt;p&gt;right&lt;/p&gt;</x:encoded>
<m:group><m:content url="https://cdn.ex.org/a.jpg" medium="image"/></m:group></item>
<item><title>b</title><m:thumbnail url="/b.jpg"/></item>
</channel></rss>)",
                      "https://ex.org/rss");
  ASSERT_TRUE(f.ok()) << f.error();
  EXPECT_TRUE(f->warnings.empty());
  ASSERT_EQ(f->entries.size(), 2u);
  EXPECT_EQ(f->entries[0].content, "<p>right</p>");
  EXPECT_EQ(f->entries[0].image, "https://cdn.ex.org/a.jpg");
  EXPECT_EQ(f->entries[1].image, "https://ex.org/b.jpg");
  EXPECT_EQ(f->ttl_minutes, 30);
  ASSERT_TRUE(f->update_period);
  EXPECT_EQ(f->update_period->count(), 900);
  ASSERT_EQ(f->links.size(), 1u);
  EXPECT_EQ(f->links[0].rel, "self");
}

TEST(Feed, Rss10Rdf) {
  auto f = parse_feed(R"(<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
 xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel rdf:about="http://ex.org/"><title>RDF</title><link>http://ex.org/</link></channel>
<item rdf:about="http://ex.org/1"><title>one</title><link>http://ex.org/1</link>
<dc:date>2003-12-31T10:14:55Z</dc:date><dc:creator>A</dc:creator></item>
</rdf:RDF>)",
                      "");
  ASSERT_TRUE(f.ok()) << f.error();
  EXPECT_EQ(f->format, "rss10");
  ASSERT_EQ(f->entries.size(), 1u);
  EXPECT_EQ(f->entries[0].id, "http://ex.org/1");
  EXPECT_EQ(f->entries[0].author, "A");
  ASSERT_TRUE(f->entries[0].published);  // dc:date stands in for the publication date
  EXPECT_EQ(format_iso8601(*f->entries[0].published), "2003-12-31T10:14:55Z");
}

TEST(Feed, JsonFeed) {
  auto f = parse_feed(R"({"version":"https://jsonfeed.org/version/1.1","title":"ج",
   "home_page_url":"https://ex.org/","authors":[{"name":"هيئة التحرير"}],
   "items":[{"id":7,"url":"/a/7","title":"عنوان","content_html":"<p>x</p><script>x()</script>",
   "date_published":"2024-02-01T08:00:00+03:00","tags":["t"],
   "attachments":[{"url":"https://ex.org/a.mp3","mime_type":"audio/mpeg","size_in_bytes":99}]}]})",
                      "https://ex.org/feed.json");
  ASSERT_TRUE(f.ok()) << f.error();
  EXPECT_EQ(f->format, "json");
  EXPECT_EQ(f->version, "json11");
  ASSERT_EQ(f->entries.size(), 1u);
  const auto& e = f->entries[0];
  EXPECT_EQ(e.id, "7");
  EXPECT_EQ(e.link, "https://ex.org/a/7");
  EXPECT_EQ(e.content, "<p>x</p>");
  EXPECT_EQ(e.author, "هيئة التحرير");
  EXPECT_EQ(format_iso8601(*e.published), "2024-02-01T05:00:00Z");
  ASSERT_EQ(e.enclosures.size(), 1u);
  EXPECT_EQ(e.enclosures[0].length, 99);
  EXPECT_FALSE(parse_feed(R"({"title":"no version"})", "").ok());
  EXPECT_FALSE(parse_feed("{broken", "").ok());
}

TEST(Feed, InvalidUtf8FromCharacterReferencesIsSanitized) {
  auto f = parse_feed(
      "<rss version=\"2.0\"><channel><title>a&#xD800;b</title><item><title>x&#xDFFF;&#1;y</title>"
      "<description>\xff\xfe bad bytes</description></item></channel></rss>",
      "");
  ASSERT_TRUE(f.ok());
  EXPECT_TRUE(rasid::text::is_valid_utf8(f->title));
  EXPECT_NE(f->title.find("\xEF\xBF\xBD"), std::string::npos);
  EXPECT_EQ(f->title.find("\xED"), std::string::npos);
  ASSERT_EQ(f->entries.size(), 1u);
  EXPECT_TRUE(f->entries[0].title.find("\xED") == std::string::npos);
  EXPECT_EQ(f->entries[0].summary.find("\xff"), std::string::npos);
}

TEST(Feed, FutureDatesClampedToNow) {
  Time now = std::chrono::sys_days{std::chrono::year{2024} / 1 / 1};
  auto f = parse_feed(R"(<rss version="2.0"><channel>
<item><title>future</title><pubDate>Wed, 01 Jan 2031 00:00:00 GMT</pubDate></item>
<item><title>soon</title><pubDate>Mon, 01 Jan 2024 12:00:00 GMT</pubDate></item>
</channel></rss>)",
                      "", now);
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(*f->entries[0].published, now);
  EXPECT_EQ(format_iso8601(*f->entries[1].published), "2024-01-01T12:00:00Z");  // within a day
}

// Feed dates and page dates share one vocabulary: a pubDate with a two-word Levantine month
// ("تشرين الثاني") used to yield no date in the feed path while the page path read it.
TEST(Feed, PubDateWithTwoWordLevantineMonth) {
  auto f = parse_feed(R"(<rss version="2.0"><channel><title>t</title>
<item><title>خبر</title><link>https://example.com/a/2</link>
<pubDate>السبت 28 تشرين الثاني 2026 18:40:00 +0300</pubDate></item></channel></rss>)",
                      "https://example.com/feed",
                      std::chrono::sys_days{std::chrono::year{2026} / 12 / 1});
  ASSERT_TRUE(f.ok()) << f.error();
  ASSERT_EQ(f->entries.size(), 1u);
  ASSERT_TRUE(f->entries[0].published);
  EXPECT_EQ(format_iso8601(*f->entries[0].published), "2026-11-28T15:40:00Z");
}

TEST(Feed, BrokenFeedRecoversWithWarning) {
  auto f = parse_feed(R"(<rss version="2.0"><channel><title>t</title>
<item><title>one</title><link>http://ex.org/1</link></item>
<item><title>two &amp; <b>bold</title></item>)",
                      "");
  ASSERT_TRUE(f.ok()) << f.error();
  EXPECT_FALSE(f->warnings.empty());
  ASSERT_GE(f->entries.size(), 1u);
  EXPECT_EQ(f->entries[0].link, "http://ex.org/1");
}

// An XML error stops the reading: the entries before it are given, and the feed says it was
// cut there (parse::Feed::stopped), so the daemon does not take it for a healthy, quiet feed —
// also when the error is at the very end (a body cut short: the rest is unknown).
TEST(Feed, AnXmlErrorSaysWhereTheFeedWasCut) {
  auto mid = parse_feed(R"(<rss version="2.0"><channel><title>t</title>
<item><title>one</title><link>http://ex.org/1</link></item>
<item><title>two <br> three</title><link>http://ex.org/2</link></item>
<item><title>four</title><link>http://ex.org/4</link></item></channel></rss>)",
                        "");
  ASSERT_TRUE(mid.ok()) << mid.error();
  ASSERT_EQ(mid->entries.size(), 2u);
  EXPECT_EQ(mid->entries[0].link, "http://ex.org/1");
  EXPECT_NE(mid->stopped.find("XML error at byte"), std::string::npos) << mid->stopped;

  auto cut = parse_feed(R"(<rss version="2.0"><channel><item><title>one</title>
<link>http://ex.org/1</link></item><item><title>tw)",
                        "");
  ASSERT_TRUE(cut.ok()) << cut.error();
  EXPECT_FALSE(cut->stopped.empty());

  auto whole = parse_feed(R"(<rss version="2.0"><channel><item><title>one</title>
<link>http://ex.org/1</link></item></channel></rss>)",
                          "");
  ASSERT_TRUE(whole.ok()) << whole.error();
  EXPECT_TRUE(whole->stopped.empty()) << whole->stopped;
}

TEST(Feed, NotAFeedIsAnError) {
  EXPECT_FALSE(parse_feed("", "").ok());
  EXPECT_FALSE(parse_feed("   \n", "").ok());
  EXPECT_FALSE(parse_feed("<html><body>hi</body></html>", "").ok());
  EXPECT_FALSE(parse_feed("just text", "").ok());
}

TEST(Feed, DoctypeEntitiesExpandOnceAndBombsStayInert) {
  auto f = parse_feed(R"(<!DOCTYPE rss [<!ENTITY a "ha"><!ENTITY b "&a;&a;&a;&a;">]>
<rss version="2.0"><channel><title>&b;</title></channel></rss>)",
                      "");
  ASSERT_TRUE(f.ok());
  EXPECT_LE(f->title.size(), 32u);  // one level: "&a;&a;…" text, never an exponential expansion
}

TEST(Feed, GuidPermalinkAndHtmlTitles) {
  auto f = parse_feed(R"(<rss version="2.0"><channel>
<item><guid>https://ex.org/p/1?utm_source=rss</guid><title>&lt;b&gt;مصر&lt;/b&gt; &amp;quot;اليوم&amp;quot;</title></item>
<item><guid isPermaLink="false">https://ex.org/p/2</guid><title>  two
 lines </title></item>
</channel></rss>)",
                      "");
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->entries[0].link, "https://ex.org/p/1?utm_source=rss");
  EXPECT_TRUE(f->entries[0].id_is_permalink);
  EXPECT_EQ(f->entries[0].title, "مصر \"اليوم\"");
  EXPECT_EQ(f->entries[1].link, "");
  EXPECT_EQ(f->entries[1].title, "two lines");
}

TEST(Feed, Windows1256BytesDecoded) {
  // "خبر" in windows-1256 is CE C8 D1
  std::string bytes =
      "<?xml version=\"1.0\" encoding=\"windows-1256\"?><rss version=\"2.0\"><channel>"
      "<item><title>\xCE\xC8\xD1</title></item></channel></rss>";
  auto f = parse_feed_bytes(bytes, "application/rss+xml", "");
  ASSERT_TRUE(f.ok()) << f.error();
  EXPECT_EQ(f->encoding, "windows-1256");
  EXPECT_TRUE(f->warnings.empty());
  ASSERT_EQ(f->entries.size(), 1u);
  EXPECT_EQ(f->entries[0].title, "خبر");
}

TEST(FeedCharset, RealWorldServingMistakes) {
  const std::string utf8_feed =
      "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><item><title>خبر</title></item>"
      "</channel></rss>";
  // UTF-8 served as text/xml without charset: RFC 3023 says us-ascii; the bytes say UTF-8.
  auto a = decode_feed(utf8_feed, "text/xml");
  EXPECT_EQ(a.encoding, "utf-8");
  EXPECT_TRUE(a.warnings.empty());
  EXPECT_EQ(a.utf8, utf8_feed);
  // served as HTML: decoded, but flagged
  auto b = parse_feed_bytes(utf8_feed, "text/html; charset=UTF-8", "");
  ASSERT_TRUE(b.ok());
  EXPECT_FALSE(b->warnings.empty());
  EXPECT_EQ(b->entries.at(0).title, "خبر");
  // declared windows-1256 in the XML, served as application/rss+xml
  auto c = decode_feed("<?xml version=\"1.0\" encoding=\"windows-1256\"?><rss>\xCE\xC8\xD1</rss>",
                       "application/rss+xml");
  EXPECT_EQ(c.encoding, "windows-1256");
  EXPECT_NE(c.utf8.find("خبر"), std::string::npos);
  // UTF-16 with a BOM wins over a wrong declaration
  std::string u16 = "\xFF\xFE";
  for (char ch : std::string("<?xml version=\"1.0\" encoding=\"iso-8859-1\"?><rss/>")) {
    u16 += ch;
    u16 += '\0';
  }
  auto d = decode_feed(u16, "");
  EXPECT_EQ(d.encoding, "utf-16le");
  EXPECT_EQ(d.utf8.substr(0, 5), "<?xml");
}

// Single-byte feeds decode through a table built from ICU's conversion (parse/feed_charset.cpp);
// the table must exist (it was lost once, when the decoders began dropping C0 controls, and every
// windows-1256 feed went through ICU: feed_bench feeds-ar +55 %) and give what text::to_utf8
// gives, C0 controls dropped included; a declared charset that leaves a byte unmapped is not
// taken (the next candidate is tried), as with ICU.
TEST(FeedCharset, SingleByteTablesDecodeAsIcuDoes) {
  for (const char* label :
       {"windows-1256", "iso-8859-6", "windows-1252", "iso-8859-2", "iso-8859-5", "iso-8859-7",
        "windows-1251", "windows-1255", "koi8-r", "ibm866"}) {
    SCOPED_TRACE(label);
    const std::string canon = rasid::text::canonical_charset(label);
    ASSERT_FALSE(canon.empty());
    EXPECT_TRUE(single_byte_charset(canon));
    std::string mapped;  // every byte the charset maps, controls included
    std::string unmapped;
    for (int b = 0; b < 256; ++b) {
      const char c = static_cast<char>(b);
      (rasid::text::to_utf8(std::string_view(&c, 1), label) == "\xEF\xBF\xBD" ? unmapped
                                                                              : mapped) += c;
    }
    ASSERT_EQ(mapped.size() + unmapped.size(), 256u);
    const std::string bytes = "<rss>" + mapped + mapped + "</rss>";
    auto d = decode_feed(bytes, std::string("application/rss+xml; charset=") + label);
    EXPECT_EQ(d.encoding, label);
    EXPECT_TRUE(d.warnings.empty());
    EXPECT_EQ(d.utf8, rasid::text::to_utf8(bytes, label));
    EXPECT_EQ(d.utf8.find('\x01'), std::string::npos);
    if (!unmapped.empty()) {
      auto u = decode_feed("<rss>" + unmapped.substr(0, 1) + "</rss>",
                           std::string("application/rss+xml; charset=") + label);
      EXPECT_NE(u.encoding, label);
    }
  }
  EXPECT_FALSE(single_byte_charset("UTF-8"));
  EXPECT_FALSE(single_byte_charset("Shift_JIS"));
  EXPECT_FALSE(single_byte_charset("ISO-2022-JP"));
  if (!rasid::testing::shared_available()) GTEST_SKIP() << "../shared corpus not present";
  const std::string feed = rasid::testing::read_file(
      rasid::testing::shared_path("corpus/feeds-ar/arabic_rss_50items_cp1256.xml"));
  ASSERT_FALSE(feed.empty());
  auto d = decode_feed(feed, "");
  EXPECT_EQ(d.encoding, "windows-1256");
  EXPECT_EQ(d.utf8, rasid::text::to_utf8(feed, "windows-1256"));
}

TEST(Feed, DeepNestingDoesNotExhaustTheStack) {
  const int depth = 300000;
  std::string s =
      "<rss version=\"2.0\" xmlns:media=\"http://search.yahoo.com/mrss/\"><channel><item>"
      "<title>";
  for (int i = 0; i < depth; ++i) s += "<b>";
  s += "x";
  for (int i = 0; i < depth; ++i) s += "</b>";
  s += "</title><description>";
  for (int i = 0; i < depth; ++i) s += "<i>";
  for (int i = 0; i < depth; ++i) s += "</i>";
  s += "</description>";
  for (int i = 0; i < depth; ++i) s += "<media:group>";
  for (int i = 0; i < depth; ++i) s += "</media:group>";
  s += "</item></channel></rss>";
  auto f = parse_feed(s, "");
  ASSERT_TRUE(f.ok());
  ASSERT_EQ(f->entries.size(), 1u);
}

// Named HTML references XML does not define. pugixml leaves them as written, so before this an
// Atom text title kept "&hellip;" as text, and names outside a hand-kept list of 110 (&rarr;)
// stayed literal in HTML titles and bodies.
TEST(Feed, UndefinedHtmlEntitiesAreTheirCharacters) {
  // Not well-formed (the names are declared nowhere) and recovered from a mismatched end tag.
  auto f = parse_feed(R"(<rss version="2.0"><channel><title>موقع&nbsp;الخبر</title>
<item><title>&laquo;سوريا&raquo; &hellip; &rsquo;x&lsquo; &bogus;</title><link>https://ex.org/1</link>
<description>نص&nbsp;أول &hellip; &lt;b&gt;&amp;rarr;&lt;/b&gt;</description></item>
</chanel></rss>)",
                      "https://ex.org/feed");
  ASSERT_TRUE(f.ok()) << f.error();
  EXPECT_FALSE(f->warnings.empty()) << "recovered";
  ASSERT_EQ(f->entries.size(), 1u);
  EXPECT_EQ(f->entries[0].title, "«سوريا» … ’x‘ &bogus;");
  EXPECT_EQ(f->entries[0].summary, "نص\u00a0أول … <b>&rarr;</b>");
  EXPECT_EQ(f->title, "موقع الخبر");

  // Atom text constructs: bare names are characters; an escaped "&amp;hellip;" and a name in
  // CDATA are text as written (type text), as XML says.
  auto a = parse_feed(R"(<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>
<entry><id>1</id><title>&hellip; ok&rsquo;</title><summary>&amp;hellip; <![CDATA[&rsquo;]]></summary>
<content type="html">&lt;p&gt;&amp;laquo;x&amp;raquo;&amp;nbsp;&amp;alpha;&lt;/p&gt;</content></entry></feed>)",
                      "https://ex.org/atom");
  ASSERT_TRUE(a.ok()) << a.error();
  ASSERT_EQ(a->entries.size(), 1u);
  EXPECT_EQ(a->entries[0].title, "… ok’");
  EXPECT_EQ(a->entries[0].summary, "&hellip; &rsquo;");
  EXPECT_EQ(a->entries[0].content, "<p>&laquo;x&raquo;&nbsp;&alpha;</p>");
}

TEST(Feed, WellFormedEntityDeclarationsAreHonoured) {
  // RSS 0.91's DOCTYPE declares the Latin-1 names; the document's own subset wins for its names.
  auto f = parse_feed(R"x(<?xml version="1.0"?>
<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN"
 "http://my.netscape.com/publish/formats/rss-0.91.dtd" [<!ENTITY hellip "(more)">]>
<rss version="0.91"><channel><title>a&nbsp;b</title><link>https://ex.org/</link>
<item><title>&laquo;x&raquo; &hellip;</title><link>https://ex.org/1</link></item></channel></rss>)x",
                      "https://ex.org/feed");
  ASSERT_TRUE(f.ok()) << f.error();
  ASSERT_EQ(f->entries.size(), 1u);
  EXPECT_EQ(f->entries[0].title, "«x» (more)");
  // HTML titles decode every HTML 4 name once: "&amp;lt;" is the text "&lt;", not "<".
  auto g = parse_feed(R"(<rss version="2.0"><channel><title>t</title><item>
<title>A &amp;rarr; B &amp;amp;lt; &lt;a title="x &gt; y"&gt;C&lt;/a&gt;</title></item></channel></rss>)",
                      "https://ex.org/feed");
  ASSERT_TRUE(g.ok()) << g.error();
  ASSERT_EQ(g->entries.size(), 1u);
  EXPECT_EQ(g->entries[0].title, "A → B &lt; C");
}

// XML 1.0 forbids C0 controls other than tab, LF, CR; generators leave them in anyway. They
// used to become U+FFFD in titles; they are dropped, and the entry is kept.
TEST(Feed, ControlCharactersAreDroppedAndTheEntryKept) {
  std::string rss =
      "<rss version=\"2.0\"><channel><title>a\x01\x1f"
      "b</title>"
      "<item><title>\xd8\xb3\xd9\x88\x02\xd8\xb1\xd9\x8a\x1b\xd8\xa7</title>"
      "<link>https://ex.org/1</link><description>x\x08y</description>"
      "</item><item><title>second\x0e</title><link>https://ex.org/2</link></item>"
      "</channel></rss>";
  for (auto f : {parse_feed(rss, "https://ex.org/feed"),
                 parse_feed_bytes(rss, "application/rss+xml", "https://ex.org/feed")}) {
    ASSERT_TRUE(f.ok()) << f.error();
    EXPECT_EQ(f->title, "ab");
    ASSERT_EQ(f->entries.size(), 2u);
    EXPECT_EQ(f->entries[0].title, "\xd8\xb3\xd9\x88\xd8\xb1\xd9\x8a\xd8\xa7");
    EXPECT_EQ(f->entries[0].summary, "xy");
    EXPECT_EQ(f->entries[1].title, "second");
    for (const auto& e : f->entries)
      EXPECT_EQ(e.title.find("\xef\xbf\xbd"), std::string::npos) << "no U+FFFD";
  }
  // A reference to a control character is the same character: dropped.
  auto r = parse_feed(
      "<rss version=\"2.0\"><channel><item><title>a&#1;b&#x1F;c</title>"
      "</item></channel></rss>",
      "https://ex.org/feed");
  ASSERT_TRUE(r.ok()) << r.error();
  ASSERT_EQ(r->entries.size(), 1u);
  EXPECT_EQ(r->entries[0].title, "abc");
}

// parse_feed_bytes skips the control scan when the text came from a decoder (which drops them:
// text/text.h) rather than being the bytes as they are: the same entries either way, whatever
// the charset path (UTF-8 and US-ASCII copies, a single-byte table, ICU, UTF-16, detection).
TEST(Feed, ControlCharactersAreDroppedOnEveryDecodingPath) {
  auto rss = [](const std::string& decl, const std::string& title) {
    return decl + "<rss version=\"2.0\"><channel><item><title>" + title +
           "</title><description>x\x08y</description></item></channel></rss>";
  };
  struct Case {
    std::string bytes, content_type, encoding, title;
    bool decoded;  // text from a decoder, known to be without controls
  };
  std::string utf16 = "\xFF\xFE";
  for (char ch : rss("<?xml version=\"1.0\" encoding=\"utf-16\"?>",
                     "a\x01"
                     "b")) {
    utf16 += ch;
    utf16 += '\0';
  }
  const std::vector<Case> cases = {
      {rss("", "\xd8\xae\x01\xd8\xa8\xd8\xb1"), "application/rss+xml", "utf-8", "خبر", false},
      {rss("",
           "a\x01\x1f"
           "b"),
       "text/xml; charset=us-ascii", "us-ascii", "ab", false},
      {rss("<?xml version=\"1.0\" encoding=\"windows-1256\"?>", "\xCE\x01\xC8\xD1"), "",
       "windows-1256", "خبر", true},
      {rss("<?xml version=\"1.0\" encoding=\"ISO-8859-6\"?>", "\xCE\x01\xC8\xD1"), "", "iso-8859-6",
       "خبر", true},
      {rss("<?xml version=\"1.0\" encoding=\"shift_jis\"?>", "a\x01\x82\xa0"), "", "shift-jis",
       "a\xE3\x81\x82", true},
      {utf16, "", "utf-16le", "ab", true},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.encoding);
    bool without_controls = false;
    auto d = decode_feed(c.bytes, c.content_type, &without_controls);
    EXPECT_EQ(d.encoding, c.encoding);
    EXPECT_EQ(without_controls, c.decoded);
    EXPECT_TRUE(!without_controls || !rasid::text::has_controls(d.utf8));
    auto f = parse_feed_bytes(c.bytes, c.content_type, "https://ex.org/feed");
    ASSERT_TRUE(f.ok()) << f.error();
    ASSERT_EQ(f->entries.size(), 1u);
    EXPECT_EQ(f->entries[0].title, c.title);
    EXPECT_EQ(f->entries[0].summary, "xy");
  }
}

// JSON Feed strings carry controls as escapes ("\u0001"): the same characters, dropped the same
// way before the text is read (titles, HTML content, summaries, names, tags), the entry kept.
TEST(Feed, JsonFeedControlCharactersAreDroppedAndTheEntryKept) {
  std::string json = R"({"version": "https://jsonfeed.org/version/1.1",
    "title": "a\u0001\u001fb",
    "author": {"name": "ka\u0007tib"},
    "items": [
      {"id": "1", "url": "https://ex.org/1",
       "title": "\u0633\u0648\u0002\u0631\u064a\u001b\u0627",
       "content_html": "<p>x\u0008y</p>", "summary": "s\u000bum",
       "tags": ["t\u0010ag"]},
      {"id": "2", "url": "https://ex.org/2", "title": "<b>bo\u000eld</b> second\u000e",
       "content_text": "te\u0000xt\tand\nlines"}
    ]})";
  auto f = parse_feed(json, "https://ex.org/feed.json");
  ASSERT_TRUE(f.ok()) << f.error();
  EXPECT_EQ(f->title, "ab");
  ASSERT_EQ(f->entries.size(), 2u);
  const auto& e = f->entries[0];
  EXPECT_EQ(e.title, "\xd8\xb3\xd9\x88\xd8\xb1\xd9\x8a\xd8\xa7");
  EXPECT_EQ(e.content, "<p>xy</p>");
  EXPECT_EQ(e.summary, "sum");
  EXPECT_EQ(e.author, "katib");
  ASSERT_EQ(e.categories.size(), 1u);
  EXPECT_EQ(e.categories[0], "tag");
  EXPECT_EQ(f->entries[1].title, "bold second");
  EXPECT_EQ(f->entries[1].content, "text\tand\nlines") << "tab and LF are characters: kept";
  for (const auto& en : f->entries) {
    for (const std::string* s : {&en.title, &en.content, &en.summary, &en.title_detail.value}) {
      EXPECT_EQ(s->find("\xef\xbf\xbd"), std::string::npos) << "no U+FFFD in " << *s;
      for (unsigned char c : *s) EXPECT_FALSE(c < 0x20 && c != '\t' && c != '\n') << *s;
    }
  }
}

// Issue 14: an entry's date keeps how the feed wrote it (offset, day only), as a page's date
// does, so that feed and page paths store the same form; the instant is unchanged. JSON Feed
// reads its dates the same way, and a date clamped to `now` is written as UTC.
TEST(Feed, EntryDateKeepsHowItWasWritten) {
  using namespace std::chrono;
  const sys_seconds now = sys_days{year{2026} / 12 / 1};
  auto f = parse_feed(R"(<rss version="2.0"><channel><title>t</title>
<item><title>a</title><link>https://example.com/a/1</link>
<pubDate>Mon, 30 Nov 2026 12:00:00 +0300</pubDate></item>
<item><title>b</title><link>https://example.com/a/2</link>
<pubDate>29 كانون الأول 2025</pubDate></item>
<item><title>c</title><link>https://example.com/a/3</link>
<pubDate>29 نوفمبر 2026 - 10:30</pubDate></item>
<item><title>d</title><link>https://example.com/a/4</link>
<pubDate>Mon, 30 Nov 2027 12:00:00 +0300</pubDate></item>
<item><title>e</title><link>https://example.com/a/5</link></item>
</channel></rss>)",
                      "https://example.com/feed", now);
  ASSERT_TRUE(f.ok()) << f.error();
  ASSERT_EQ(f->entries.size(), 5u);
  auto written = [&](std::size_t i) {
    const auto& e = f->entries[i];
    if (!e.published_date) return std::string("none");
    EXPECT_EQ(e.published, e.published_date->at);
    return format_iso8601(*e.published_date);
  };
  EXPECT_EQ(written(0), "2026-11-30T12:00:00+03:00");
  EXPECT_EQ(format_iso8601(*f->entries[0].published), "2026-11-30T09:00:00Z");
  EXPECT_EQ(written(1), "2025-12-29");
  EXPECT_EQ(written(2), "2026-11-29T10:30:00");
  EXPECT_EQ(written(3), "2026-12-01T00:00:00Z");  // clamped to now
  EXPECT_EQ(written(4), "none");

  auto j = parse_feed(R"({"version":"https://jsonfeed.org/version/1.1","title":"t","items":[
{"id":"1","url":"https://example.com/j/1","title":"x","date_published":"2026-11-22T10:00:00+03:00"},
{"id":"2","url":"https://example.com/j/2","title":"y","date_modified":"2026-11-21"}]})",
                      "https://example.com/feed.json", now);
  ASSERT_TRUE(j.ok()) << j.error();
  ASSERT_EQ(j->entries.size(), 2u);
  ASSERT_TRUE(j->entries[0].published_date);
  EXPECT_EQ(format_iso8601(*j->entries[0].published_date), "2026-11-22T10:00:00+03:00");
  ASSERT_TRUE(j->entries[1].published_date);  // falls back on date_modified
  EXPECT_EQ(format_iso8601(*j->entries[1].published_date), "2026-11-21");
}

namespace rasid::parse {
namespace {
// Found by fuzz/feed_fuzz.cpp (CI, 2026-11-30): an RSS document with a run of NUL bytes inside a
// tag. Every string the parser returns is valid UTF-8, whatever the bytes.
TEST(Feed, NulBytesInsideMarkupNeverYieldInvalidUtf8) {
  std::ifstream f(
      std::string(RASID_SOURCE_DIR) + "/tests/parse/fixtures/fuzz-feed-invalid-utf8.bin",
      std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  ASSERT_FALSE(bytes.empty());
  auto feed = parse_feed_bytes(bytes, "", "https://example.com/feed.br");
  if (!feed) return;  // refusing it is fine; returning broken text is not
  EXPECT_TRUE(text::is_valid_utf8(feed->title));
  EXPECT_TRUE(text::is_valid_utf8(feed->link));
  for (const auto& e : feed->entries) {
    for (const auto* s : {&e.id, &e.link, &e.title, &e.summary, &e.content, &e.author})
      EXPECT_TRUE(text::is_valid_utf8(*s)) << *s;
    for (const auto& c : e.categories) EXPECT_TRUE(text::is_valid_utf8(c)) << c;
    for (const auto& l : e.links) EXPECT_TRUE(text::is_valid_utf8(l.href)) << l.href;
  }
}
}  // namespace
}  // namespace rasid::parse

// Escaped markup in titles and descriptions (RSS practice: a title is text unless it looks like
// HTML, a description is HTML; parser.h). An escaped element is literal text in a text title;
// in HTML an unsafe element goes with its content — and one whose end tag never comes is
// dropped alone, so the text after it stays. Before, "Breaking <script>…" with no </script>
// lost everything after the tag: the title read "Breaking", the summary "Breaking ".
TEST(Feed, EscapedScriptKeepsTheTextAfterIt) {
  auto f = parse_feed(R"(<?xml version="1.0"?><rss version="2.0"><channel><title>c</title>
<item><title>Breaking &lt;script&gt;alert(1)&lt;/script&gt; news after</title>
<link>https://ex.org/1</link>
<description>Breaking &lt;script&gt;alert(1)&lt;/script&gt; news after</description></item>
<item><title>Breaking &lt;script&gt;alert(1) news after &lt;b&gt;bold&lt;/b&gt;</title>
<link>https://ex.org/2</link>
<description>Use the &lt;script&gt; tag, news after &lt;b&gt;it&lt;/b&gt;</description></item>
<item><title>Breaking &lt;STYLE&gt;p{} news after &amp;amp; more</title>
<link>https://ex.org/3</link>
<description>&lt;p&gt;Breaking &lt;iframe src="https://evil.example/"&gt;news after&lt;/p&gt;</description>
</item></channel></rss>)",
                      "https://ex.org/feed");
  ASSERT_TRUE(f.ok()) << f.error();
  ASSERT_EQ(f->entries.size(), 3u);
  const auto& plain = f->entries[0];
  // A text title: the escaped markup is the title's own words, as written.
  EXPECT_EQ(plain.title_detail.type, "text/plain");
  EXPECT_EQ(plain.title, "Breaking <script>alert(1)</script> news after");
  // The description is HTML: the closed script element goes, with its content.
  EXPECT_EQ(plain.summary_detail.type, "text/html");
  EXPECT_EQ(plain.summary, "Breaking  news after");

  for (const auto& e : {f->entries[1], f->entries[2]}) {
    SCOPED_TRACE(e.link);
    EXPECT_EQ(e.title_detail.type, "text/html");
    EXPECT_NE(e.title.find("news after"), std::string::npos) << e.title;
    EXPECT_NE(e.summary.find("news after"), std::string::npos) << e.summary;
    for (const std::string& html : {e.title_detail.value, e.summary}) {
      const std::string lower = rasid::text::ascii_lower(html);
      EXPECT_EQ(lower.find("<script"), std::string::npos) << html;
      EXPECT_EQ(lower.find("<style"), std::string::npos) << html;
      EXPECT_EQ(lower.find("<iframe"), std::string::npos) << html;
    }
  }
  EXPECT_EQ(f->entries[1].title, "Breaking alert(1) news after bold");
  EXPECT_EQ(f->entries[1].summary, "Use the  tag, news after <b>it</b>");
  EXPECT_EQ(f->entries[2].title, "Breaking p{} news after & more");
  EXPECT_EQ(f->entries[2].summary, "<p>Breaking news after</p>");
}

// The same for a JSON Feed title that looks like HTML: it is cleaned (TextDetail's contract)
// before it is read, so an unclosed script does not swallow the rest.
TEST(Feed, JsonFeedHtmlTitleIsCleanedBeforeItIsRead) {
  auto f = parse_feed(
      R"({"version":"https://jsonfeed.org/version/1.1","title":"t","items":[{"id":"1","url":"/a/1",
"title":"Breaking <script>alert(1) news after <b>bold</b>"}]})",
      "https://ex.org/feed.json");
  ASSERT_TRUE(f.ok()) << f.error();
  ASSERT_EQ(f->entries.size(), 1u);
  EXPECT_EQ(f->entries[0].title, "Breaking alert(1) news after bold");
  EXPECT_EQ(f->entries[0].title_detail.value.find("<script"), std::string::npos);
}
