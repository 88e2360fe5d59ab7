// The query language: operators, precedence, fields, proximity, prefixes, errors, hits.
#include <gtest/gtest.h>

#include "match/matcher.h"

using rasid::match::Document;
using rasid::match::Hit;
using rasid::match::Query;

namespace {

const Document kDoc{
    "إيران تعلن استئناف المحادثات النووية",
    "أعلنت الحكومة الإيرانية اليوم أن وزير الخارجية سيلتقي نظيره الفرنسي في باريس الأسبوع المقبل "
    "لبحث الملف النووي والعقوبات الاقتصادية. وقال المتحدث إن طهران مستعدة للحوار مع الاتحاد "
    "الأوروبي. وأكدت وكالة Reuters أن COVID لم يؤثر على الجدول.",
    "Al Jazeera",
    "ar",
};

bool m(const char* q, const Document& d = kDoc) {
  auto r = Query::parse(q);
  EXPECT_TRUE(r.ok()) << q << " → " << (r.ok() ? "" : r.error());
  return r.ok() && r->matches(d);
}

std::string err(const char* q) {
  auto r = Query::parse(q);
  EXPECT_FALSE(r.ok()) << q << " parsed but should not";
  return r.ok() ? std::string() : r.error();
}

}  // namespace

TEST(Query, TermsAndImplicitAnd) {
  EXPECT_TRUE(m("إيران"));
  EXPECT_TRUE(m("طهران باريس"));
  EXPECT_FALSE(m("طهران لندن"));
  EXPECT_TRUE(m("reuters"));
  EXPECT_TRUE(m("covid"));
}

TEST(Query, BooleanOperatorsAndPrecedence) {
  EXPECT_TRUE(m("طهران AND باريس"));
  EXPECT_TRUE(m("لندن OR باريس"));
  EXPECT_FALSE(m("لندن OR برلين"));
  EXPECT_FALSE(m("طهران NOT باريس"));
  EXPECT_TRUE(m("طهران NOT لندن"));
  EXPECT_TRUE(m("طهران -لندن"));
  EXPECT_FALSE(m("طهران -باريس"));
  // AND binds tighter than OR: (لندن AND برلين) OR باريس.
  EXPECT_TRUE(m("لندن برلين OR باريس"));
  EXPECT_TRUE(m("لندن AND برلين OR باريس"));
  EXPECT_FALSE(m("لندن AND (برلين OR باريس)"));
  // NOT binds tighter than AND: (NOT لندن) AND باريس.
  EXPECT_TRUE(m("NOT لندن باريس"));
  EXPECT_FALSE(m("NOT (لندن OR باريس) طهران"));
  EXPECT_TRUE(m("(إيران OR العراق) (نووي OR صواريخ) -كوريا"));
}

TEST(Query, Phrases) {
  EXPECT_TRUE(m("\"وزير الخارجية\""));
  EXPECT_TRUE(m("«الاتحاد الأوروبي»"));
  EXPECT_FALSE(m("\"الخارجية وزير\""));
  EXPECT_FALSE(m("\"وزير الداخلية\""));
  // A term that the analyzer splits is a phrase.
  EXPECT_TRUE(m("وCOVID", Document{"", "تحدث عن الوباء وCOVID أمس", "", ""}));
}

TEST(Query, Near) {
  EXPECT_TRUE(m("طهران NEAR/3 للحوار"));
  EXPECT_TRUE(m("للحوار NEAR/3 طهران"));
  EXPECT_FALSE(m("للحوار ONEAR/3 طهران"));
  EXPECT_TRUE(m("طهران ONEAR/3 للحوار"));
  EXPECT_FALSE(m("طهران NEAR/0 للحوار"));  // one word in between
  EXPECT_TRUE(m("طهران NEAR/1 للحوار"));
  EXPECT_TRUE(m("(باريس OR لندن) NEAR/5 \"الملف النووي\""));
  // Title and body are never near each other.
  EXPECT_FALSE(m("النووية NEAR/50 أعلنت"));
}

TEST(Query, Prefix) {
  EXPECT_TRUE(m("اقتصاد*"));  // الاقتصادية
  EXPECT_TRUE(m("محادث*"));
  EXPECT_TRUE(m("Reut*"));
  EXPECT_FALSE(m("برلي*"));
}

TEST(Query, Fields) {
  EXPECT_TRUE(m("title:إيران"));
  EXPECT_FALSE(m("title:طهران"));
  EXPECT_TRUE(m("title:(طهران OR النووية)"));
  EXPECT_TRUE(m("title:\"استئناف المحادثات\""));
  EXPECT_TRUE(m("source:\"al jazeera\" طهران"));
  EXPECT_FALSE(m("source:bbc طهران"));
  EXPECT_TRUE(m("lang:ar طهران"));
  EXPECT_FALSE(m("lang:en طهران"));
  EXPECT_TRUE(m("طهران lang:ar", Document{"", "طهران", "", "ar-SA"}));
  EXPECT_TRUE(m("طهران -title:طهران"));
}

TEST(Query, ParseErrorsNamePositionAndReason) {
  EXPECT_EQ(err(""), "position 1: empty query");
  EXPECT_EQ(err("   "), "position 1: empty query");
  EXPECT_EQ(err("(إيران OR"), "position 10: expected a term after 'OR', found the end");
  EXPECT_EQ(err("(إيران"), "position 7: missing ')' to close '(' at position 1");
  EXPECT_EQ(err("إيران)"), "position 6: unexpected ')'");
  EXPECT_EQ(err("\"إيران"), "position 1: unterminated phrase");
  EXPECT_EQ(err("AND إيران"), "position 1: expected a term before 'AND'");
  EXPECT_EQ(err("a NEAR b"), "position 3: NEAR needs a distance, e.g. NEAR/5");
  EXPECT_EQ(err("a NEAR/x b"), "position 3: NEAR needs a distance, e.g. NEAR/5");
  EXPECT_EQ(err("foo:bar"), "position 1: unknown field 'foo:' (use title:, source: or lang:)");
  EXPECT_EQ(err("-إيران"), "position 1: query needs at least one term that is not negated");
  EXPECT_EQ(err("NOT a OR NOT b"), "position 1: query needs at least one term that is not negated");
  EXPECT_EQ(err("a*b"), "position 2: '*' is allowed only at the end of a term");
  EXPECT_EQ(err("ا*"), "position 1: a prefix needs at least 2 characters");
  EXPECT_EQ(err("إيران ،"), "position 7: '،' has no letters or digits");
  EXPECT_EQ(err("()"), "position 2: empty parentheses");
  EXPECT_EQ(err("a NEAR/3 NOT b"), "position 10: NEAR/3 needs words or phrases on its right");
  EXPECT_EQ(err("a NEAR/3000 b"), "position 3: NEAR distance above 1000");
  EXPECT_EQ(err("\xFF"), "position 1: invalid UTF-8");
  EXPECT_EQ(err("a ON»R b"), "position 5: closing quote without an opening one");  // fuzz find
  EXPECT_EQ(err("a ”"), "position 3: closing quote without an opening one");
  std::string deep(300, '(');
  EXPECT_NE(err(deep.c_str()).find("nested too deeply"), std::string::npos);
}

TEST(Query, CopyAndText) {
  auto r = Query::parse("إيران OR العراق");
  ASSERT_TRUE(r.ok());
  Query a = r.value();
  Query b = std::move(r.value());
  EXPECT_EQ(a.text(), "إيران OR العراق");
  EXPECT_TRUE(a.matches(kDoc));
  EXPECT_TRUE(b.matches(kDoc));
}

TEST(Snippet, MarksHitsOnWordBoundaries) {
  const std::string text = "قال المتحدث إن طهران مستعدة للحوار مع الاتحاد الأوروبي في أقرب وقت";
  const std::size_t b = text.find("طهران");
  std::vector<Hit> hits{{false, b, b + std::string("طهران").size()}};
  EXPECT_EQ(rasid::match::snippet(text, hits, 500),
            "قال المتحدث إن «طهران» مستعدة للحوار مع الاتحاد الأوروبي في أقرب وقت");
  std::string s = rasid::match::snippet(text, hits, 20, "[", "]");
  EXPECT_NE(s.find("[طهران]"), std::string::npos) << s;
  EXPECT_EQ(s.rfind("…"), s.size() - std::string("…").size()) << s;
  // No hits: the beginning of the text.
  EXPECT_EQ(rasid::match::snippet("one two three four", {}, 9), "one two…");
  // Hits that do not sit on character boundaries are ignored, never split a character.
  std::string bad = rasid::match::snippet(text, {{false, b + 1, b + 3}}, 500);
  EXPECT_EQ(bad, text);
}
