// parse::Html and the cleaner on hostile input: deep nesting, huge text, invalid bytes, empty
// input. Each must end with a result in bounded time and memory.
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "clean/extractor.h"
#include "tests/support/http_server.h"

namespace rasid::clean {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

TEST(Html, ParsesAndKeepsUrl) {
  auto h = parse::Html::parse("<p>نص</p>", "https://x.example/a");
  ASSERT_TRUE(h.ok());
  EXPECT_NE(h->root(), nullptr);
  EXPECT_EQ(h->url(), "https://x.example/a");
  EXPECT_FALSE(h->truncated());
}

TEST(Html, EmptyInputHasARoot) {
  for (std::string in : {"", "   \n", "<!-- only a comment -->"}) {
    auto h = parse::Html::parse(in, "");
    ASSERT_TRUE(h.ok()) << in;
    EXPECT_NE(h->root(), nullptr) << in;
    auto a = extract(h.value());
    ASSERT_TRUE(a.ok());
    EXPECT_TRUE(a->paragraphs.empty());
  }
}

TEST(Html, MoveKeepsTheDocument) {
  auto h = parse::Html::parse("<html><body><p>a</p></body></html>", "u");
  ASSERT_TRUE(h.ok());
  parse::Html moved = std::move(h.value());
  EXPECT_NE(moved.root(), nullptr);
  parse::Html other = std::move(parse::Html::parse("<p>b</p>", "v").value());
  other = std::move(moved);
  EXPECT_EQ(other.url(), "u");
  EXPECT_NE(other.root(), nullptr);
}

TEST(Hostile, HundredThousandDeepNestingIsReportedAndBounded) {
  std::string s = "<html><body><p>قبل التداخل، فقرة عادية تماماً في أول الصفحة.</p>";
  for (int i = 0; i < 100000; ++i) s += "<div>";
  s += "عميق";
  for (int i = 0; i < 100000; ++i) s += "</div>";
  s += "</body></html>";
  auto t0 = Clock::now();
  auto h = parse::Html::parse(s, "https://x.example/");
  ASSERT_TRUE(h.ok());
  EXPECT_TRUE(h->truncated());
  auto a = extract(h.value());
  ASSERT_TRUE(a.ok());
  EXPECT_LT(seconds_since(t0), 5.0);
  EXPECT_EQ(a->text().find("عميق"), std::string::npos);
  EXPECT_TRUE(a->truncated);
  EXPECT_NE(to_json_line("deep.html", a).find("\"truncated\":true"), std::string::npos);
}

TEST(Hostile, ModerateNestingIsNotTruncated) {
  std::string s = "<html><body>";
  for (int i = 0; i < 200; ++i) s += "<div>";
  s += "<p>فقرة في العمق، لكن ضمن الحد المسموح به تماماً.</p>";
  for (int i = 0; i < 200; ++i) s += "</div>";
  s += "</body></html>";
  auto h = parse::Html::parse(s, "");
  ASSERT_TRUE(h.ok());
  EXPECT_FALSE(h->truncated());
  auto a = extract(h.value());
  ASSERT_TRUE(a.ok());
  EXPECT_NE(a->text().find("فقرة في العمق"), std::string::npos);
}

TEST(Hostile, FiftyMegabytesOfTextIsBounded) {
  std::string s = "<html><body><div><p>";
  std::string sentence = "هذه جملة طويلة تتكرر كثيراً، ولا تنتهي أبداً. ";
  s.reserve(50u << 20);
  while (s.size() < (50u << 20)) s += sentence;
  s += "</p></div></body></html>";
  auto t0 = Clock::now();
  auto a = extract_bytes(s, "https://x.example/", "text/html; charset=utf-8");
  ASSERT_TRUE(a.ok()) << a.error();
  EXPECT_LT(seconds_since(t0), 30.0);
  EXPECT_LE(a->text().size(), 4u << 20);  // bounded output
}

TEST(Hostile, InvalidUtf8GivesValidUtf8) {
  std::string s =
      "<html><body><div><p>نص \xFF\xFE صحيح، ثم بايتات فاسدة \xC3\x28 و\xED\xA0\x80 وما بعدها "
      "من كلام عادي.</p><p>فقرة ثانية، عادية تماماً كما ينبغي.</p></div></body></html>";
  auto a = extract_bytes(s, "https://x.example/", "text/html; charset=utf-8");
  ASSERT_TRUE(a.ok());
  std::string line = to_json_line("f", a);
  EXPECT_EQ(line.find("\xFF"), std::string::npos);
  EXPECT_NE(a->text().find("فقرة ثانية"), std::string::npos);
}

TEST(Hostile, BinaryGarbageDoesNotCrash) {
  std::string s;
  unsigned x = 12345;
  for (int i = 0; i < 200000; ++i) {
    x = x * 1103515245u + 12345u;
    s.push_back(static_cast<char>(x >> 24));
  }
  auto a = extract_bytes(s, "https://x.example/");
  if (a.ok()) {
    EXPECT_LE(a->text().size(), 4u << 20);
  }
}

TEST(Corpus, ArabicDevPagesAreClean) {
  if (!testing::shared_available()) GTEST_SKIP() << "../shared not present";
  for (const char* name :
       {"almodon-dev", "enabbaladi-dev", "middleeastnews-dev", "rt-dev", "sputnik-dev"}) {
    std::string html = testing::read_file(
        testing::shared_path(std::string("corpus/arabic-dev/") + name + ".html"));
    if (html.empty()) GTEST_SKIP() << name << " missing";
    auto a = extract_bytes(html, "");
    ASSERT_TRUE(a.ok()) << name;
    EXPECT_GE(a->paragraphs.size(), 8u) << name;
    for (const char* chrome : {"الأكثر قراءة", "جميع الحقوق محفوظة", "اترك تعليقاً", "انسخ الرابط",
                               "ادعم", "مقالات متعلقة", "مقالات ذات صلة"})
      EXPECT_EQ(a->text().find(chrome), std::string::npos) << name << ": " << chrome;
    EXPECT_TRUE(a->published) << name;
    EXPECT_EQ(a->lang, "ar");
  }
}

}  // namespace
}  // namespace rasid::clean
