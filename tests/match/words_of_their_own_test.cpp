// Issue 16: a matcher that knows words. A word of its own keeps its letters (كمال is not ك + مال),
// names are never cut, and tanwin, possessive pronouns and the nisba of places match; the
// exact-form operator narrows a term to its written form; hits say which term they are for.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "match/matcher.h"
#include "text/clitics.h"
#include "text/lexicon.h"

using rasid::match::Document;
using rasid::match::Matcher;
using rasid::match::Query;

namespace {

bool m(const std::string& q, const std::string& body) {
  auto r = Query::parse(q);
  EXPECT_TRUE(r.ok()) << q << " → " << (r.ok() ? "" : r.error());
  return r.ok() && r->matches(Document{"", body, "", "ar"});
}

bool words() { return rasid::text::default_lexicon().has_words(); }

// The forms `word` gives with a lexicon (what a query term must equal to match it).
bool gives(const rasid::text::Lexicon& lex, const std::string& word, const std::string& form) {
  bool found = false;
  rasid::text::clitics::expand(
      word, lex,
      [&](std::string_view a, std::string_view b, std::string_view c) {
        found = found || std::string(a) + std::string(b) + std::string(c) == form;
      },
      [](std::string_view) {});
  return found;
}

}  // namespace

TEST(WordsOfTheirOwn, WordsInTheLexiconKeepTheirLetters) {
  if (!words()) GTEST_SKIP() << "no Arabic word list (hunspell-ar)";
  EXPECT_FALSE(m("مال", "التقى الوزير بالكاتب كمال عبد الله"));
  EXPECT_TRUE(m("مال", "ارتفعت الأسهم في سوق المال"));
  EXPECT_TRUE(m("مال", "أكد أن ماله الخاص لم يستخدم"));
  EXPECT_FALSE(m("قطر", "تساقطت قطرات المطر على المدينة"));
  EXPECT_TRUE(m("قطرة", "تساقطت قطرات المطر على المدينة"));
  EXPECT_TRUE(m("قطر", "أعلنت قطر استضافة المؤتمر"));
  EXPECT_FALSE(m("حماس", "استقبل الجمهور الفريق بحماسة كبيرة"));
  EXPECT_TRUE(m("حماس", "وصل وفد من حماس إلى القاهرة"));
  EXPECT_TRUE(m("حماس", "قدمت مصر مقترحاً لحماس"));
  EXPECT_FALSE(m("جنة", "شكلت الحكومة لجنة للتحقيق"));
  EXPECT_FALSE(m("طير", "استأنفت شركة الطيران رحلاتها"));
}

TEST(WordsOfTheirOwn, PlacesKeepTheirLettersEvenWithoutTheWordList) {
  // Places come from text/places.tsv, compiled in: this holds with or without hunspell-ar.
  EXPECT_FALSE(m("لبن", "زار الرئيس لبنان أمس"));
  EXPECT_FALSE(m("لبن", "تظاهر آلاف اللبنانيين"));
  EXPECT_TRUE(m("لبن", "ارتفع إنتاج اللبن في المزارع"));
  EXPECT_FALSE(m("غداد", "وصل الوفد إلى بغداد"));
  EXPECT_FALSE(m("غداد", "إعادة إعمار وبغداد والموصل"));
  EXPECT_FALSE(m("يروت", "وقع انفجار في مرفأ بيروت"));
  EXPECT_FALSE(m("يروت", "انطلقت الرحلة لبيروت"));
  EXPECT_FALSE(m("بحر", "وصل الملك إلى البحرين"));
  EXPECT_TRUE(m("بغداد", "تعهدت الحكومة بإعادة إعمار الموصل وبغداد"));
  EXPECT_TRUE(m("بيروت", "انطلقت الرحلة لبيروت"));
  EXPECT_TRUE(m("لبنان", "قدمت فرنسا مساعدات للبنان"));
}

TEST(WordsOfTheirOwn, TanwinWithAlefMatchesTheNoun) {
  EXPECT_TRUE(m("اتفاق", "وقّع الطرفان اتفاقاً لوقف إطلاق النار"));
  EXPECT_TRUE(m("اتفاق", "وقع الطرفان اتفاقا لوقف إطلاق النار"));  // without tashkeel
  EXPECT_TRUE(m("صحفي", "صرّح الوزير صحفياً بأن المفاوضات متعثرة"));
  EXPECT_TRUE(m("رسمي", "أعلنت الوزارة رسمياً موعد الانتخابات"));
  EXPECT_TRUE(m("هجوم", "شنّ مسلحون هجوماً على نقطة تفتيش"));
  // A name that ends in alef is a word of its own: روسيا does not give روسي's stem روس.
  EXPECT_FALSE(m("روس", "زار الوزير روسيا"));
}

TEST(WordsOfTheirOwn, PossessivePronounsOnNouns) {
  EXPECT_TRUE(m("حكومة", "قالت الدولة إن حكومتها لن تتراجع"));
  EXPECT_TRUE(m("جيش", "أعلن جيشها حالة التأهب القصوى"));
  EXPECT_TRUE(m("حرب", "واصل الناشطون حربهم على الفساد"));
  EXPECT_TRUE(m("اجتماع", "اختتم الوزراء اجتماعهم في الرياض"));
  EXPECT_TRUE(m("سفير", "استدعت الخارجية سفيرها لدى واشنطن"));
  EXPECT_TRUE(m("قوات", "انسحبت قواتها من المنطقة"));
  EXPECT_TRUE(m("قرار", "رحبت المعارضة بقرارهم"));
  EXPECT_TRUE(m("مدينة", "عاد السكان إلى مدينتهم"));
  EXPECT_TRUE(m("شركة", "قال المدير إن شركتكم ستحصل على العقد"));
}

TEST(WordsOfTheirOwn, NisbaOfPlacesNamesThePlace) {
  EXPECT_TRUE(m("روسيا", "انتقد الموقف الروسي العقوبات"));
  EXPECT_TRUE(m("روسيا", "قالت الخارجية الروسية إن المحادثات بناءة"));
  EXPECT_TRUE(m("روسيا", "المسؤولين الروسيين"));
  EXPECT_TRUE(m("أمريكا", "رفض الجانب الأمريكي المقترح"));
  EXPECT_TRUE(m("ليبيا", "اجتمعت الأطراف الليبية في جنيف"));
  EXPECT_TRUE(m("سوريا", "عاد آلاف اللاجئين السوريين"));
  EXPECT_TRUE(m("عمان", "شارك مستثمرون عمانيون في المعرض"));
  EXPECT_TRUE(m("عمان", "التقى رجال الأعمال العمانيين"));
  EXPECT_TRUE(m("السعودية", "قال مسؤول سعودي إن المملكة ترحب"));
  EXPECT_TRUE(m("العراق", "تقدمت القوات العراقية"));
  EXPECT_FALSE(m("سوريا", "رمم العمال سور المدينة القديمة"));
  EXPECT_FALSE(m("مصر", "رفع المصرف المركزي سعر الفائدة"));
}

TEST(WordsOfTheirOwn, WithoutTheWordListTheAffixRulesApplyAsBefore) {
  // The documented fallback (text/lexicon.h): places only.
  const rasid::text::Lexicon places;
  EXPECT_FALSE(places.has_words());
  EXPECT_TRUE(gives(places, "كمال", "مال"));  // nothing says كمال is a word
  EXPECT_TRUE(gives(places, "قطرات", "قطر"));
  EXPECT_TRUE(gives(places, "المال", "مال"));
  EXPECT_FALSE(gives(places, "بغداد", "غداد"));  // places are still known
  EXPECT_FALSE(gives(places, "لبنان", "لبن"));
  EXPECT_TRUE(gives(places, "الروسيه", "روسيا"));  // and their nisba
  EXPECT_TRUE(gives(places, "اتفاقا", "اتفاق"));
  EXPECT_TRUE(gives(places, "حكومتها", "حكومه"));
  // A word list read from a file of the Hunspell .dic format.
  const std::string path = ::testing::TempDir() + "/rasid_words.dic";
  {
    FILE* f = std::fopen(path.c_str(), "w");
    ASSERT_NE(f, nullptr);
    std::fputs("3\nكمال/65\nقطرة/75\nقطر\n", f);
    std::fclose(f);
  }
  const rasid::text::Lexicon small(path);
  EXPECT_TRUE(small.has_words());
  EXPECT_FALSE(gives(small, "كمال", "مال"));
  EXPECT_FALSE(gives(small, "قطرات", "قطر"));
  EXPECT_TRUE(gives(small, "قطرات", "قطره"));
  EXPECT_FALSE(rasid::text::Lexicon("/nonexistent/ar.dic").has_words());
}

TEST(ExactForm, MatchesTheWordAsWrittenOnly) {
  EXPECT_TRUE(m("=مال", "قال إن مال الدولة ليس ملكاً لأحد"));
  EXPECT_TRUE(m("=مال", "قال إن مالَ الدولة ليس ملكاً لأحد"));  // tashkeel is normalized away
  EXPECT_FALSE(m("=مال", "ارتفعت الأسهم في سوق المال"));
  EXPECT_FALSE(m("=مال", "قال كمال إن الاجتماع تأجل"));
  EXPECT_FALSE(m("=مال", "أكد أن ماله الخاص لم يستخدم"));
  EXPECT_TRUE(m("=أمريكا", "زار الوزير امريكا"));
  EXPECT_FALSE(m("=حماس", "قدمت مصر مقترحاً لحماس"));
  EXPECT_TRUE(m("=\"وقف إطلاق النار\"", "أعلن الطرفان وقف إطلاق النار"));
  EXPECT_FALSE(m("=\"وقف إطلاق النار\"", "دعا إلى الوقف الفوري لإطلاق النار"));
  EXPECT_TRUE(m("title:=مال OR سوق", "سوق المال"));
  EXPECT_TRUE(m("مال -=كمال", "سوق المال"));
  EXPECT_FALSE(Query::parse("=").ok());
  EXPECT_FALSE(Query::parse("=مال*").ok());
}

TEST(ExactForm, PresearchAgreesWithDirectEvaluation) {
  Matcher mt;
  mt.add(1, Query::parse("=مال").value());
  mt.add(2, Query::parse("مال").value());
  const Document d{"", "قال كمال إن سوق المال تراجع", "", "ar"};
  const auto fast = mt.match(d), slow = mt.match_brute_force(d);
  ASSERT_EQ(fast.size(), slow.size());
  // With the word list, كمال is not مال; المال is, but not for =مال.
  ASSERT_EQ(fast.size(), 1u);
  EXPECT_EQ(fast[0].topic, 2);
}

TEST(Hits, CarryTheTermTheyMatched) {
  Matcher mt;
  mt.add(7, Query::parse("مال OR \"سوق الأسهم\" OR اقتصاد*").value());
  const Document d{"", "تراجع المال في سوق الأسهم وتأثر الاقتصاد", "", "ar"};
  const auto r = mt.match(d);
  ASSERT_EQ(r.size(), 1u);
  ASSERT_EQ(r[0].hits.size(), 3u);
  auto text = [&](const rasid::match::Hit& h) { return d.body.substr(h.begin, h.end - h.begin); };
  EXPECT_EQ(r[0].hits[0].term, "مال");
  EXPECT_EQ(text(r[0].hits[0]), "المال");
  EXPECT_EQ(r[0].hits[1].term, "\"سوق الأسهم\"");
  EXPECT_EQ(text(r[0].hits[1]), "سوق الأسهم");
  EXPECT_EQ(r[0].hits[2].term, "اقتصاد*");
  EXPECT_EQ(text(r[0].hits[2]), "الاقتصاد");
}
