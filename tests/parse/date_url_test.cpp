#include <gtest/gtest.h>

#include <string>

#include "parse/parser.h"

using namespace rasid::parse;

namespace {
std::string iso(std::string_view s) {
  auto t = parse_date(s);
  return t ? format_iso8601(*t) : "none";
}
}  // namespace

TEST(Date, Rfc822AndVariants) {
  EXPECT_EQ(iso("Thu, 01 Jan 2004 19:48:21 GMT"), "2004-01-01T19:48:21Z");
  EXPECT_EQ(iso("Thu, 1 Jan 2004 19:48:21 +0300"), "2004-01-01T16:48:21Z");
  EXPECT_EQ(iso("Thu, 01 Jan 04 19:48 EST"), "2004-01-02T00:48:00Z");
  EXPECT_EQ(iso("01 January 2004 19:48:21 PDT"), "2004-01-02T02:48:21Z");
  EXPECT_EQ(iso("Thursday, 01-Jan-2004 19:48:21 UT"), "2004-01-01T19:48:21Z");
  EXPECT_EQ(iso("Sat, 07 Sept 2002 00:00:01 GMT"), "2002-09-07T00:00:01Z");
  EXPECT_EQ(iso("January 5, 2024 7:30 PM"), "2024-01-05T19:30:00Z");
  EXPECT_EQ(iso("Mon, 05 Feb 2024 10:00:00 +03:00"), "2024-02-05T07:00:00Z");
  EXPECT_EQ(iso("Mon, 05 Feb 2024 10:00:00 GMT+3"), "2024-02-05T07:00:00Z");
  EXPECT_EQ(iso("Mon, 05 Feb 2024 10:00:00"), "2024-02-05T10:00:00Z");  // no zone = UTC
  EXPECT_EQ(iso("Mon,05 Feb 2024 10:00:00 Z"), "2024-02-05T10:00:00Z");
}

TEST(Date, Iso8601) {
  EXPECT_EQ(iso("2003-12-31T10:14:55Z"), "2003-12-31T10:14:55Z");
  EXPECT_EQ(iso("2003-12-31T10:14:55.123-08:00"), "2003-12-31T18:14:55Z");
  EXPECT_EQ(iso("2003-12-31T10:14:55+0530"), "2003-12-31T04:44:55Z");
  EXPECT_EQ(iso("2003-12-31 10:14:55"), "2003-12-31T10:14:55Z");
  EXPECT_EQ(iso("2003-12-31"), "2003-12-31T00:00:00Z");
  EXPECT_EQ(iso("20031231T101455Z"), "2003-12-31T10:14:55Z");
  EXPECT_EQ(iso("2003-12-31T10:14Z"), "2003-12-31T10:14:00Z");
}

TEST(Date, ArabicMonthsAndDigits) {
  EXPECT_EQ(iso("الأحد ١٢ مارس ٢٠٢٣ ١٠:٣٠"), "2023-03-12T10:30:00Z");
  EXPECT_EQ(iso("12 آذار 2023"), "2023-03-12T00:00:00Z");
  EXPECT_EQ(iso("٢٠٢٣-٠٣-١٢T١٠:٣٠:٠٠+03:00"), "2023-03-12T07:30:00Z");
}

TEST(Date, RejectsGarbage) {
  EXPECT_EQ(iso(""), "none");
  EXPECT_EQ(iso("yesterday"), "none");
  EXPECT_EQ(iso("2003-13-45T10:14:55Z"), "none");
  EXPECT_EQ(iso("31 Feb 2004"), "none");
  EXPECT_EQ(iso("12/03/2023"), "none");  // d/m or m/d: ambiguous, not guessed
  EXPECT_EQ(iso("Thu, 01 Jan 2004 \xC3\xA9:48:21 GMT"), "none");
}

#include "parse/feed_html.h"

TEST(Utf8, FastValidatorAgreesWithTheDefinition) {
  std::string arabic;
  for (int i = 0; i < 40; ++i) arabic += "خبر عاجل ";
  EXPECT_TRUE(fast_valid_utf8(arabic));
  EXPECT_TRUE(fast_valid_utf8(arabic + "€𝄞 ok"));
  for (std::size_t cut = 1; cut < 40; ++cut) {
    std::string s = arabic.substr(0, cut * 3 + 1);  // may end inside a pair
    bool whole = (s.back() & 0xC0) != 0xC0;
    EXPECT_EQ(fast_valid_utf8(s), whole) << cut;
  }
  std::string bad = arabic;
  bad[38] = '\x80';  // stray continuation (was a space) inside a SIMD chunk
  EXPECT_FALSE(fast_valid_utf8(bad));
  bad = arabic;
  bad[20] = '\xC1';  // overlong lead
  EXPECT_FALSE(fast_valid_utf8(bad));
  EXPECT_FALSE(fast_valid_utf8(arabic + "\xED\xA0\x80"));  // surrogate
  EXPECT_FALSE(fast_valid_utf8(std::string(20, 'a') + "\xD8" + std::string(20, 'b')));
  EXPECT_FALSE(fast_valid_utf8("\xF5\x80\x80\x80"));
}

TEST(Date, LongDigitRunsAreRefusedNotOverflowed) {
  EXPECT_EQ(iso("Thu, 01 Jan 2004 99999999999999999999:48:21 GMT"), "none");
  EXPECT_EQ(iso("99999999999999999999"), "none");
}

// html_to_text reads common title markup without libxml2; where it does, the text must be what
// libxml2's HTML parser reads (the fast path declines everything else). Cases from feeds and the
// edges of the fast path's grammar: blanks between and inside tags, references of every kind,
// attributes quoted, unquoted and odd, stray and unclosed tags, uppercase names, Arabic text.
TEST(FeedHtml, InlineFastPathMatchesLibxml2) {
  const char* cases[] = {
      "Example <b>Atom</b>",
      "Example <a href=\"http://example.com/test/test.html\">test</a>",
      "Example <a href=\"http://example.com/?a=1&amp;b=2\">test</a>",
      "<a title=\"&quot;test&quot;\">test</a>",
      "<a href=\"http://example.com/&quot;\">example</a>",
      "<b>a</b> <i>b</i>",
      "<b>a</b>  \n <i>b</i> ",
      " <b> </b> x <i> y </i>",
      "<b>a</b><i>b</i>",
      "<B>Bold</B> and <EM>em</EM>",
      "<span class='x' data-a=1>s</span>",
      "<a href=x>unquoted</a>",
      "<a href = \"spaced\" >v</a>",
      "<a hidden>flag</a>",
      "<b/>self<i />closed",
      "<b>unclosed",
      "stray</b> end</i>",
      "<b><i>mis</b>nested</i>",
      "&lt;b&gt; not a tag &amp; more",
      "caf&eacute; &hellip; &rsquo;s &nbsp;x",
      "&#1587;&#x648;&#1585;&#x64A;&#1575; <b>سوريا</b>",
      "&#65;&#x42;&#x10348;",
      "<strong>الرئيس</strong> يستقبل <em>وفدا</em>",
      "a &amp b <b>c</b>",
      "a &foo; <b>c</b>",
      "a &#150; <b>c</b>",
      "a &#0; <b>c</b>",
      "a &#X41; <b>c</b>",
      "a &apos; <b>c</b>",
      "<p>History of the &lt;blink&gt; tag</p>",
      "<img alt=\"cat&lt;br /&gt;dog\" src=\"http://example.com/cat-dog.jpg\" />",
      "<!-- c --><b>x</b>",
      "a < b <b>c</b>",
      "<b \"x>y\">z</b>",
      "<a href=\"a>b\">q</a>",
      "<a title='it\"s'>q</a>",
      "<b>x</b\n>y",
      "<font color=red>red</font> <u>u</u> <s>s</s> <tt>t</tt> <q>q</q> <cite>c</cite>",
      "<code>x < y</code>",
      "<abbr title=\"World Health Organization\">WHO</abbr> &mdash; <small>note</small>",
      "<span>\t tab \r\n crlf </span>",
      "<p>one</p><p>two</p>",
      "<p>one<p>two",
      "Lead <p>para</p> tail",
      "<b>x<p>y</p>z</b>",
      "<p>a<b>b<p>c</b>d",
      "stray </p> end",
      "line<br>break<br/>again<br />end",
      "<BR>up<P>per",
      "a</br>b",
      "<img src=x>after <img src=\"y\"/>img",
      " <p> </p> <b> </b> ",
      "<p class=\"lead\">خبر <a href=\"/x\">عاجل</a></p>",
  };
  for (const char* c : cases)
    EXPECT_EQ(rasid::parse::html_to_text(c), rasid::parse::html_to_text_parsed(c)) << c;
}
