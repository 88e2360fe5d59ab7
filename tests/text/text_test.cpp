// Unit tests of text/: UTF-8 hygiene, normalization, segmentation, charsets.
#include "text/text.h"

#include <gtest/gtest.h>
#include <unicode/ucnv.h>

#include <string>
#include <vector>

using namespace rasid::text;

namespace {

// UTF-8 → a legacy charset with ICU (the test writes its own fixtures).
std::string encode(const std::string& utf8, const char* charset) {
  UErrorCode st = U_ZERO_ERROR;
  std::string out(utf8.size() * 2 + 16, '\0');
  int32_t n = ucnv_convert(charset, "UTF-8", out.data(), static_cast<int32_t>(out.size()),
                           utf8.data(), static_cast<int32_t>(utf8.size()), &st);
  EXPECT_TRUE(U_SUCCESS(st)) << u_errorName(st);
  out.resize(static_cast<std::size_t>(n));
  return out;
}

const std::string kArabicText =
    "أعلنت وزارة الخارجية اليوم أن الوفد سيصل إلى بغداد صباح الغد لإجراء محادثات مع المسؤولين "
    "العراقيين حول الأوضاع الأمنية والاقتصادية في المنطقة، وأكد المتحدث باسم الوزارة أن "
    "الزيارة تأتي في إطار تعزيز العلاقات الثنائية بين البلدين وتطوير التعاون في مجالات الطاقة "
    "والتجارة والتعليم.";

std::vector<std::string> norms(const std::vector<Token>& t) {
  std::vector<std::string> out;
  for (const auto& x : t) out.push_back(x.norm);
  return out;
}

}  // namespace

// ---- UTF-8 hygiene ---------------------------------------------------------------------------

// The one HTML escaper (status pages, Telegram alerts): both quotes, so a value is safe in a
// quoted attribute whichever quote the markup uses, and no control characters, which HTML forbids.
TEST(Markup, EscapeHtml) {
  EXPECT_EQ(escape_html("<a href=\"x\">Tom's & co</a>"),
            "&lt;a href=&quot;x&quot;&gt;Tom&#39;s &amp; co&lt;/a&gt;");
  EXPECT_EQ(escape_html("a\x01"
                        "b\x7f"
                        "\tc\nd"),
            "a b \tc\nd");
  EXPECT_EQ(escape_html("خبر &amp;"), "خبر &amp;amp;");  // text, not markup: escaped again
}

// Moved from tests/alert (the alert module's own decoder is gone; OpenSSL decodes).
TEST(Base64, RoundTripAndStrictness) {
  const std::vector<std::string> inputs = {
      "", "f", "fo", "foo", "foob", "fooba", "foobar", std::string("\xff\x00\x10", 3)};
  for (const std::string& in : inputs) {
    const auto enc = encode_base64(in);
    auto out = decode_base64(enc);
    ASSERT_TRUE(out) << enc;
    EXPECT_EQ(*out, in);
  }
  EXPECT_EQ(decode_base64("Zm9vYg==").value_or("?"), "foob");
  EXPECT_FALSE(decode_base64("Zm9vYg"));  // padding is required
  EXPECT_FALSE(decode_base64("Zm9vY"));
  EXPECT_FALSE(decode_base64("Zm=9v"));     // padding inside
  EXPECT_FALSE(decode_base64(" Zm9v"));     // no whitespace
  EXPECT_FALSE(decode_base64("Zm9v!A=="));  // outside the alphabet
}

// UTF-16/32 through ICU (parse/feed_charset.cpp decoded them by hand and wrote a UTF-32 unit
// above U+10FFFF, or an unpaired surrogate, as bytes that are not UTF-8).
TEST(Charset, DecodeAsUtf16And32ReplacesWhatIsNotUnicode) {
  const std::string meem_be("\x00\x00\x06\x45", 4);
  std::string out = decode_as(meem_be + std::string("\x7F\xFF\xFF\xFF", 4) + meem_be, "UTF-32BE");
  EXPECT_EQ(out, "\u0645\uFFFD\u0645");
  out = decode_as(std::string("\x45\x06\x00\xD8\x45\x06", 6), "UTF-16LE");  // lone high surrogate
  EXPECT_TRUE(is_valid_utf8(out));
  EXPECT_EQ(out, "\u0645\uFFFD\u0645");
  out = decode_as(std::string("\x06\x45\xD8\x3D\xDE\x00", 6), "UTF-16BE");  // a pair
  EXPECT_EQ(out, "\u0645\U0001F600");
}

TEST(Utf8, ValidAndInvalid) {
  EXPECT_TRUE(is_valid_utf8(""));
  EXPECT_TRUE(is_valid_utf8("plain ascii text that is longer than eight bytes"));
  EXPECT_TRUE(is_valid_utf8(kArabicText));
  EXPECT_TRUE(is_valid_utf8("\xF0\x9F\x98\x80"));       // emoji
  EXPECT_FALSE(is_valid_utf8("\xC0\xAF"));              // overlong
  EXPECT_FALSE(is_valid_utf8("\xED\xA0\x80"));          // surrogate
  EXPECT_FALSE(is_valid_utf8("\xF4\x90\x80\x80"));      // > U+10FFFF
  EXPECT_FALSE(is_valid_utf8("abc\xD8"));               // truncated
  EXPECT_FALSE(is_valid_utf8("abcdefghijkl\x80mnop"));  // stray continuation after fast path
}

TEST(Utf8, SanitizeReplacesBadSequences) {
  EXPECT_EQ(sanitize_utf8(kArabicText), kArabicText);
  EXPECT_EQ(sanitize_utf8("a\xFF"
                          "b"),
            "a\xEF\xBF\xBD"
            "b");
  EXPECT_EQ(sanitize_utf8("a\xC0\xAF"
                          "b"),
            "a\xEF\xBF\xBD\xEF\xBF\xBD"
            "b");
  EXPECT_EQ(sanitize_utf8("x\xE2\x82"), "x\xEF\xBF\xBD");  // truncated 3-byte: one U+FFFD
  EXPECT_EQ(sanitize_utf8(std::string("a\0b", 3)),
            "a\xEF\xBF\xBD"
            "b");
  EXPECT_EQ(sanitize_utf8("tab\tnl\ncr\r"), "tab\tnl\ncr\r");
  EXPECT_EQ(sanitize_utf8("\xEF\xBF\xBF"), "\xEF\xBF\xBD");  // U+FFFF
  EXPECT_TRUE(is_valid_utf8(sanitize_utf8("\xED\xA0\x80\xF8\x88\x80\x80\x80")));
}

TEST(Utf8, CollapseSpace) {
  EXPECT_EQ(collapse_space("  a \t\n b  "), "a b");
  EXPECT_EQ(collapse_space("\xC2\xA0مرحبا\xE2\x80\x8F\xE2\x80\x8B عالم\xE3\x80\x80"), "مرحبا عالم");
  EXPECT_EQ(collapse_space(""), "");
  EXPECT_EQ(collapse_space(" \xC2\xA0 "), "");
  EXPECT_TRUE(is_valid_utf8(collapse_space("a \xFF b")));
}

// ---- Normalization ---------------------------------------------------------------------------

TEST(Normalize, ArabicFolding) {
  EXPECT_EQ(normalize("أحمد"), "احمد");
  EXPECT_EQ(normalize("إسلام"), "اسلام");
  EXPECT_EQ(normalize("آمال"), "امال");
  EXPECT_EQ(normalize("ٱلله"), "الله");
  EXPECT_EQ(normalize("مستشفى"), "مستشفي");
  EXPECT_EQ(normalize("مدرسة"), "مدرسه");
  EXPECT_EQ(normalize("مؤتمر"), "موتمر");
  EXPECT_EQ(normalize("رئيس"), "رييس");
}

TEST(Normalize, StripsTashkeelAndTatweel) {
  EXPECT_EQ(normalize("مُحَمَّدٌ"), "محمد");
  EXPECT_EQ(normalize("الرَّحْمٰن"), "الرحمن");  // U+0670 superscript alef
  EXPECT_EQ(normalize("جـــميل"), "جميل");
  EXPECT_EQ(normalize("قُرْآن"), "قران");
}

TEST(Normalize, DigitsAndCase) {
  EXPECT_EQ(normalize("٢٠٢٤"), "2024");
  EXPECT_EQ(normalize("۱۲۳"), "123");
  EXPECT_EQ(normalize("COVID-19"), "covid-19");
  EXPECT_EQ(normalize("Straße"), "strasse");  // case folding, not lower-casing
  EXPECT_EQ(normalize("ＡＢＣ"), "abc");      // NFKC width folding
}

TEST(Normalize, PresentationFormsAndCombiningHamza) {
  // U+FEE3 U+FEA3 U+FEAE (presentation forms of م ح ر) → base letters.
  EXPECT_EQ(normalize("\xEF\xBB\xA3\xEF\xBA\xA3\xEF\xBA\xAE"), "محر");
  // alef + combining hamza above (decomposed أ) folds like the precomposed letter.
  EXPECT_EQ(normalize("\xD8\xA7\xD9\x94\xD8\xAD\xD9\x85\xD8\xAF"), "احمد");
  // Zero-width non-joiner and bidi marks are dropped.
  EXPECT_EQ(normalize("مي\xE2\x80\x8Cخواهم"), "ميخواهم");
}

TEST(Normalize, MixedTextWordByWord) {
  // Words needing ICU sit between words on the fast path; the result is as if whole.
  EXPECT_EQ(normalize("قال «المتحدث» ＡＢＣ مُحَمَّد\tStraße\nإلى"),
            "قال «المتحدث» abc محمد\tstrasse\nالي");
  EXPECT_EQ(normalize(std::string("a\x01") + "b ok"), "a\xEF\xBF\xBD" + std::string("b ok"));
  EXPECT_EQ(normalize(""), "");
  EXPECT_EQ(normalize("   "), "   ");
}

TEST(Normalize, InvalidInputStaysValid) {
  std::string n = normalize(
      "abc\xFF\xFE"
      "def");
  EXPECT_TRUE(is_valid_utf8(n));
  EXPECT_NE(n.find("abc"), std::string::npos);
}

TEST(Normalize, Idempotent) {
  std::string once = normalize(kArabicText);
  EXPECT_EQ(normalize(once), once);
}

// ---- Segmentation ----------------------------------------------------------------------------

TEST(Tokenize, ArabicSentenceWithOffsets) {
  const std::string s = "قال الرئيسُ: «إيران» ستفاوض، ربما.";
  auto toks = tokenize(s);
  EXPECT_EQ(norms(toks), (std::vector<std::string>{"قال", "الرييس", "ايران", "ستفاوض", "ربما"}));
  for (const auto& t : toks) {
    ASSERT_LE(t.end, s.size());
    EXPECT_EQ(normalize(s.substr(t.begin, t.end - t.begin)), t.norm);
  }
  EXPECT_EQ(s.substr(toks[1].begin, toks[1].end - toks[1].begin), "الرئيسُ");
}

TEST(Tokenize, SplitsArabicFromLatinAndDigits) {
  auto toks = tokenize("وCOVID بـ20 و2024 G20");
  EXPECT_EQ(norms(toks), (std::vector<std::string>{"و", "covid", "ب", "20", "و", "2024", "g20"}));
  EXPECT_EQ(toks[0].begin, 0u);
  EXPECT_EQ(toks[0].end, 2u);  // و is two bytes
  EXPECT_EQ(toks[1].begin, 2u);
  EXPECT_EQ(toks[1].end, 7u);
}

TEST(Tokenize, ArabicIndicDigitsSplitToo) {
  EXPECT_EQ(words("عام٢٠٢٤"), (std::vector<std::string>{"عام", "2024"}));
}

TEST(Tokenize, DropsPunctuationAndSpace) {
  EXPECT_TRUE(tokenize("  ،؛؟ ... !!! ").empty());
  EXPECT_TRUE(tokenize("").empty());
  EXPECT_EQ(words("Hello, World!"), (std::vector<std::string>{"hello", "world"}));
}

TEST(Tokenize, InvalidUtf8DoesNotCrashAndYieldsValidTokens) {
  auto toks = tokenize("abc \xFF\xFE مرحبا \xC0");
  for (const auto& t : toks) EXPECT_TRUE(is_valid_utf8(t.norm));
  EXPECT_FALSE(toks.empty());
}

TEST(Words, ArabicHelpers) {
  EXPECT_TRUE(is_arabic_word("بغداد"));
  EXPECT_FALSE(is_arabic_word("baghdad"));
  EXPECT_FALSE(is_arabic_word("2024"));
  EXPECT_DOUBLE_EQ(arabic_ratio("abc"), 0.0);
  EXPECT_DOUBLE_EQ(arabic_ratio("123 !"), 0.0);
  EXPECT_DOUBLE_EQ(arabic_ratio("مرحبا"), 1.0);
  EXPECT_NEAR(arabic_ratio("مرحبا abcde"), 0.5, 1e-9);
}

TEST(Fingerprint, Fnv1a64KnownValues) {
  EXPECT_EQ(fnv1a64(""), 0xcbf29ce484222325ULL);
  EXPECT_EQ(fnv1a64("a"), 0xaf63dc4c8601ec8cULL);
  EXPECT_EQ(fnv1a64("foobar"), 0x85944171f73967e8ULL);
}

// ---- Charsets --------------------------------------------------------------------------------

TEST(Charset, CanonicalLabels) {
  EXPECT_EQ(canonical_charset("latin1"), "windows-1252");
  EXPECT_EQ(canonical_charset(" ISO-8859-1 "), "windows-1252");
  EXPECT_EQ(canonical_charset("US-ASCII"), "windows-1252");
  EXPECT_EQ(canonical_charset("gb2312"), "GBK");
  EXPECT_EQ(canonical_charset("cp1256"), "windows-1256");
  EXPECT_EQ(canonical_charset("Windows-1256"), "windows-1256");
  EXPECT_EQ(canonical_charset("arabic"), "ISO-8859-6");
  EXPECT_EQ(canonical_charset("iso-8859-6-i"), "ISO-8859-6");
  EXPECT_EQ(canonical_charset("utf8"), "UTF-8");
  EXPECT_EQ(canonical_charset("\"UTF-8\""), "UTF-8");
  EXPECT_EQ(canonical_charset("klingon"), "");
  EXPECT_EQ(canonical_charset(""), "");
}

TEST(Charset, ToUtf8FromWindows1256Literal) {
  // "السلام عليكم" produced with `iconv -t CP1256`.
  const std::string bytes = "\xc7\xe1\xd3\xe1\xc7\xe3\x20\xda\xe1\xed\xdf\xe3";
  EXPECT_EQ(to_utf8(bytes, "windows-1256"), "السلام عليكم");
  EXPECT_EQ(to_utf8(bytes, "cp1256"), "السلام عليكم");
  // "مرحبا" in ISO-8859-6.
  EXPECT_EQ(to_utf8("\xe5\xd1\xcd\xc8\xc7", "iso-8859-6"), "مرحبا");
  EXPECT_EQ(to_utf8("caf\xe9", "latin1"), "café");
  EXPECT_EQ(to_utf8("\x80", "iso-8859-1"), "€");  // WHATWG: latin1 is windows-1252
  // Unknown label: treated as UTF-8 with replacement.
  EXPECT_EQ(to_utf8("a\xFF", "klingon"), "a\xEF\xBF\xBD");
}

TEST(Charset, InvalidSequencesBecomeReplacement) {
  std::string out = to_utf8("\x81\x30\xFF", "Shift_JIS");
  EXPECT_TRUE(is_valid_utf8(out));
  EXPECT_NE(out.find("\xEF\xBF\xBD"), std::string::npos);
}

TEST(Charset, DecodeBom) {
  auto d = decode("\xEF\xBB\xBFمرحبا", "text/html; charset=windows-1256");
  EXPECT_EQ(d.how, "bom");
  EXPECT_EQ(d.charset, "UTF-8");
  EXPECT_EQ(d.utf8, "مرحبا");
  auto d16 =
      decode(std::string("\xFF\xFE"
                         "A\0B\0",
                         6));
  EXPECT_EQ(d16.charset, "UTF-16LE");
  EXPECT_EQ(d16.utf8, "AB");
}

TEST(Charset, DecodeHttpHeader) {
  std::string page = "<html><body><p>" + encode(kArabicText, "windows-1256") + "</p></body></html>";
  auto d = decode(page, "text/html; charset=\"windows-1256\"");
  EXPECT_EQ(d.how, "http");
  EXPECT_EQ(d.charset, "windows-1256");
  EXPECT_NE(d.utf8.find(kArabicText), std::string::npos);
}

TEST(Charset, DecodeMetaAndXml) {
  std::string body = encode(kArabicText, "windows-1256");
  std::string html = "<html><head><meta charset=\"windows-1256\"><title>x</title></head><body><p>" +
                     body + "</p></body></html>";
  auto d = decode(html);
  EXPECT_EQ(d.how, "meta");
  EXPECT_EQ(d.charset, "windows-1256");
  EXPECT_NE(d.utf8.find(kArabicText), std::string::npos);

  std::string equiv =
      "<html><head><META HTTP-EQUIV=\"Content-Type\" CONTENT=\"text/html; charset=iso-8859-6\">"
      "</head><body>" +
      encode("مرحبا بكم في الموقع", "ISO-8859-6") + "</body></html>";
  auto d2 = decode(equiv);
  EXPECT_EQ(d2.how, "meta");
  EXPECT_EQ(d2.charset, "ISO-8859-6");
  EXPECT_NE(d2.utf8.find("مرحبا بكم في الموقع"), std::string::npos);

  std::string xml =
      "<?xml version=\"1.0\" encoding=\"windows-1256\"?><rss><title>" + body + "</title></rss>";
  auto d3 = decode(xml);
  EXPECT_EQ(d3.how, "xml");
  EXPECT_EQ(d3.charset, "windows-1256");
  EXPECT_NE(d3.utf8.find(kArabicText), std::string::npos);
}

TEST(Charset, HttpWinsOverMeta) {
  std::string html = "<meta charset=\"iso-8859-6\"><p>" + encode(kArabicText, "windows-1256");
  auto d = decode(html, "text/html;charset=cp1256");
  EXPECT_EQ(d.how, "http");
  EXPECT_EQ(d.charset, "windows-1256");
}

TEST(Charset, DeclaredLatin1ButBytesAreUtf8) {
  std::string html = "<meta charset=\"iso-8859-1\"><p>" + kArabicText + "</p>";
  auto d = decode(html);
  EXPECT_EQ(d.charset, "UTF-8");
  EXPECT_EQ(d.how, "detected");
  EXPECT_NE(d.utf8.find(kArabicText), std::string::npos);
}

TEST(Charset, DeclaredUtf8ButBytesAreWindows1256) {
  std::string text = kArabicText + " " + kArabicText;
  std::string html = "<html><head><meta charset=utf-8></head><body><p>" +
                     encode(text, "windows-1256") + "</p></body></html>";
  auto d = decode(html, "text/html; charset=UTF-8");
  EXPECT_TRUE(d.charset == "windows-1256" || d.charset == "ISO-8859-6") << d.charset;
  EXPECT_EQ(d.how, "detected");
  // ISO-8859-6 and windows-1256 share most Arabic letters but not all; require the bulk.
  EXPECT_NE(d.utf8.find("بغداد"), std::string::npos);
}

TEST(Charset, DeclaredLatin1ButBytesAreWindows1256) {
  std::string text = kArabicText + " " + kArabicText;
  std::string html = "<html><body><p>" + encode(text, "windows-1256") + "</p></body></html>";
  auto d = decode(html, "text/html; charset=ISO-8859-1");
  EXPECT_EQ(d.how, "detected");
  EXPECT_TRUE(d.charset == "windows-1256" || d.charset == "ISO-8859-6") << d.charset;
  EXPECT_NE(d.utf8.find("بغداد"), std::string::npos);
}

TEST(Charset, UndeclaredWindows1256IsDetected) {
  std::string text = kArabicText + " " + kArabicText;
  std::string html = "<html><body><p>" + encode(text, "windows-1256") + "</p></body></html>";
  auto d = decode(html);
  EXPECT_EQ(d.how, "detected");
  EXPECT_TRUE(d.charset == "windows-1256" || d.charset == "ISO-8859-6") << d.charset;
  EXPECT_NE(d.utf8.find("بغداد"), std::string::npos);
}

TEST(Charset, UndeclaredUtf8AndAscii) {
  auto d = decode("<p>" + kArabicText + "</p>");
  EXPECT_EQ(d.charset, "UTF-8");
  EXPECT_EQ(d.how, "detected");
  auto a = decode("<p>hello</p>");
  EXPECT_EQ(a.charset, "UTF-8");
  EXPECT_EQ(a.how, "default");
  EXPECT_EQ(a.utf8, "<p>hello</p>");
}

TEST(Charset, GarbageAlwaysYieldsValidUtf8) {
  std::string junk;
  for (int i = 0; i < 4096; ++i) junk.push_back(static_cast<char>((i * 7919) & 0xFF));
  for (const char* ct : {"", "text/html; charset=utf-8", "text/html; charset=gb2312",
                         "text/html; charset=windows-1256", "text/html; charset=bogus"}) {
    auto d = decode(junk, ct);
    EXPECT_TRUE(is_valid_utf8(d.utf8)) << ct;
    EXPECT_FALSE(d.charset.empty());
  }
}

// has_controls reads 64 and 16 bytes at a time and the last 16 overlapping: every length,
// every position, and the bytes around the rule's edges (\t \n \r allowed, 0x1F and 0x00 not,
// 0x20 and high bytes text), against the byte-by-byte rule.
TEST(Controls, EveryPositionAndLengthAsTheRuleSays) {
  const unsigned char probes[] = {0x00, 0x01, 0x08, 0x09, 0x0A, 0x0B, 0x0C,
                                  0x0D, 0x0E, 0x1F, 0x20, 0x7F, 0x80, 0xFF};
  for (std::size_t n = 1; n <= 150; ++n)
    for (std::size_t pos = 0; pos < n; ++pos)
      for (unsigned char probe : probes) {
        std::string s(n, 'a');
        for (std::size_t k = 0; k < n; ++k)  // text around it: ASCII, \t \n \r, Arabic bytes
          s[k] = "a\t\xD8\n\xB9\r z"[k % 8];
        s[pos] = static_cast<char>(probe);
        bool want = false;
        for (char ch : s) {
          auto c = static_cast<unsigned char>(ch);
          want = want || (c < 0x20 && c != '\t' && c != '\n' && c != '\r');
        }
        ASSERT_EQ(has_controls(s), want) << "length " << n << " at " << pos << " byte " << +probe;
      }
  EXPECT_FALSE(has_controls(""));
}

// Issue 14: the one rule for control characters, used by feeds and pages alike.
TEST(Controls, DropAndReferencesAsHtml5ReadsThem) {
  std::string s = "عنوان\x01 فقرة\x1b\t\n\r!";
  EXPECT_TRUE(has_controls(s));
  drop_controls(s);
  EXPECT_EQ(s, "عنوان فقرة\t\n\r!");
  EXPECT_FALSE(has_controls(s));
  std::string h =
      "<p>&#x80;5 &#128; &#x1; &#1;x &#0; &#x9;&#10; &#x9F; &#x81; &#xA0; &amp; &#x627;";
  fix_control_refs(h);
  EXPECT_EQ(h, "<p>€5 €  x  &#x9;&#10; Ÿ \uFFFD &#xA0; &amp; &#x627;");
  std::string no_semicolon = "&#x80x &#150abc";
  fix_control_refs(no_semicolon);
  EXPECT_EQ(no_semicolon, "€x –abc");
  // Decoding drops them (UTF-8 and converted charsets alike), as the feed path does.
  EXPECT_EQ(decode("<title>\xD8\xB9\x01</title>\x1b", "text/html; charset=utf-8").utf8,
            "<title>\xD8\xB9</title>");
  EXPECT_EQ(decode("a\x01\xE1", "text/html; charset=windows-1256").utf8, "a\xD9\x84");  // ل
  EXPECT_EQ(to_utf8("a\x02 b", "windows-1252"), "a b");
  EXPECT_EQ(windows1252_c1(0x80), 0x20ACu);
  EXPECT_EQ(windows1252_c1(0x627), 0x627u);
}
