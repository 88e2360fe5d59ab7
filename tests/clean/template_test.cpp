// Site templates learned from repetition (clean/template.h): pages of one synthetic site whose
// chrome (appeal, slogan, "SITE - SECTION" line, sign-off, related heading, mission statement)
// repeats on every page while the article text and link lists change.
#include "clean/template.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace rasid::clean {
namespace {

const char* kClauses[] = {
    "أعلنت الوزارة عن خطة جديدة لدعم المزارعين في المحافظات الشمالية",
    "وقال المسؤول في مؤتمر صحفي إن التمويل مؤمن بالكامل لهذا العام",
    "وأضاف أن باب التسجيل سيفتح الأسبوع المقبل في مكاتب الإرشاد",
    "من جهتهم رحب ممثلو الجمعيات بالقرار وطالبوا بضمانات للأسعار",
    "ويأتي القرار بعد موسم جفاف قاس أدى إلى تراجع المحصول",
    "وأشار التقرير إلى ارتفاع أسعار المواد الغذائية في الأسواق المحلية",
    "في حين دعت منظمات المجتمع المدني إلى مراجعة السياسات الاقتصادية",
    "وشهدت المدينة احتجاجات متفرقة خلال الأيام الماضية بسبب انقطاع الكهرباء",
    "وتعمل الفرق الفنية على إصلاح الأعطال في محطات التوليد الرئيسية",
    "وأكد الخبراء أن الأزمة تحتاج إلى حلول طويلة الأمد وليس إلى مسكنات",
};
constexpr int kClauseCount = sizeof(kClauses) / sizeof(kClauses[0]);

// Paragraph i of page p: three clauses and a figure that make it the page's own.
std::string paragraph(int p, int i) {
  return std::string(kClauses[(p * 3 + i) % kClauseCount]) + "، " +
         kClauses[(p * 7 + i * 3 + 1) % kClauseCount] + "، وبلغ عدد المستفيدين " +
         std::to_string(1000 + p * 37 + i * 11) + " شخصاً بحسب الأرقام الرسمية.";
}

const std::string kQuote =
    "«لن نسمح بأن يدفع المواطن ثمن هذه الأزمة وحده، وسنعمل مع الجميع لإيجاد حل عادل»، قال "
    "رئيس الحكومة في كلمته أمام البرلمان.";
const std::string kAppeal =
    "صحافتنا المستقلة تعتمد على قرائها، ساهم اليوم في دعمنا ونحن بحاجتك لنبقى مستقلين.";
const std::string kSignOff = "(مراسل الموقع في دمشق)";
const std::string kMission =
    "الموقع منصة إعلامية مستقلة تأسست عام 2012، تسعى إلى تقديم صحافة مهنية تخدم المجتمع السوري.";
const char* kSections[] = {"سياسة", "اقتصاد", "مجتمع", "ثقافة"};

struct Chrome {
  std::string appeal = kAppeal;
  std::string slogan = "صوت الناس منذ 2012";
  std::string wrapper = "div";  // the article container's element (a redesign changes it)
};

std::string site_page(int p, const Chrome& c, bool with_quote) {
  std::string html =
      "<!DOCTYPE html><html lang=\"ar\" dir=\"rtl\"><head><meta charset=\"utf-8\">"
      "<title>خبر رقم " +
      std::to_string(p) + "</title><link rel=\"canonical\" href=\"https://site.example/news/" +
      std::to_string(p) + "\"></head><body><header><p class=\"slogan\">" + c.slogan +
      "</p></header><main><" + c.wrapper + " class=\"post\"><h1>خبر رقم " + std::to_string(p) +
      "</h1><p class=\"kicker\">الموقع - " + kSections[p % 4] + "</p>";
  for (int i = 0; i < 4; ++i) {
    html += "<p>" + paragraph(p, i) + "</p>";
    if (i == 1 && with_quote) html += "<p>" + kQuote + "</p>";
    if (i == 2) html += "<p>" + c.appeal + "</p>";
  }
  html += "<p>" + kSignOff + "</p></" + c.wrapper + "><h3>اقرأ أيضاً</h3><ul>";
  for (int k = 0; k < 3; ++k)
    html += "<li><a href=\"/n/" + std::to_string(p * 10 + k) + "\">" +
            std::string(kClauses[(p + k) % kClauseCount]) + "</a></li>";
  html += "</ul></main><footer><p>" + kMission + "</p></footer></body></html>";
  return html;
}

Observed must_observe(const std::string& html) {
  auto r = extract_observed(html, "https://site.example/");
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error());
  return r.ok() ? std::move(r).value() : Observed{};
}

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}
bool contains_part(const std::vector<std::string>& v, const std::string& s) {
  for (const auto& x : v)
    if (x.find(s) != std::string::npos) return true;
  return false;
}

TEST(SiteTemplate, ChromeRemovedOnEveryPageSharedQuoteAndOwnTextKept) {
  SiteTemplate t;
  std::vector<Observed> pages;
  for (int p = 0; p < 10; ++p) pages.push_back(must_observe(site_page(p, {}, p == 3 || p == 7)));
  // Without the template, the single-page cleaner keeps the appeal and the sign-off.
  EXPECT_TRUE(contains(pages[0].article.paragraphs, kAppeal)) << pages[0].article.text();
  for (const auto& o : pages) t.learn(o.sample);
  EXPECT_EQ(t.pages(), 10u);
  for (int p = 0; p < 10; ++p) {
    auto out = t.apply(pages[p].sample, pages[p].article.paragraphs);
    EXPECT_FALSE(contains(out, kAppeal)) << p;
    EXPECT_FALSE(contains(out, kSignOff)) << p;
    EXPECT_FALSE(contains(out, kMission)) << p;
    EXPECT_FALSE(contains_part(out, "الموقع - ")) << p;  // the section line, whatever section
    EXPECT_FALSE(contains_part(out, "صوت الناس")) << p;
    for (int i = 0; i < 4; ++i) EXPECT_TRUE(contains(out, paragraph(p, i))) << p << " " << i;
    if (p == 3 || p == 7) {
      EXPECT_TRUE(contains(out, kQuote)) << "shared quote lost on " << p;
    }
  }
}

TEST(SiteTemplate, LearnsNothingFromTooFewPagesAndNeverEmptiesAPage) {
  SiteTemplate t;
  auto a = must_observe(site_page(1, {}, false));
  auto b = must_observe(site_page(2, {}, false));
  t.learn(a.sample);
  t.learn(b.sample);
  t.learn(a.sample);  // the same page again counts once
  EXPECT_EQ(t.pages(), 2u);
  EXPECT_EQ(t.apply(a.sample, a.article.paragraphs), a.article.paragraphs);
  // A page made only of chrome keeps its text rather than becoming empty.
  SiteTemplate u;
  for (int p = 0; p < 5; ++p) u.learn(must_observe(site_page(p, {}, false)).sample);
  auto only = must_observe(site_page(9, {}, false));
  std::vector<std::string> chrome_only = {kAppeal, kSignOff};
  EXPECT_EQ(u.apply(only.sample, chrome_only), chrome_only);
}

TEST(SiteTemplate, FollowsARedesign) {
  SiteTemplate t;
  Chrome old_design;
  for (int p = 0; p < 24; ++p) t.learn(must_observe(site_page(p, old_design, false)).sample);
  Chrome redesign;
  redesign.appeal =
      "منذ اثني عشر عاماً نروي قصص الناس كما هي، وقصتك القادمة تستحق أن تروى معنا، فنحن بحاجتك.";
  redesign.slogan = "أخبار سوريا كما هي";
  redesign.wrapper = "article";
  // The first pages of the new design: its appeal is still new text.
  auto first = must_observe(site_page(100, redesign, false));
  t.learn(first.sample);
  EXPECT_TRUE(contains(t.apply(first.sample, first.article.paragraphs), redesign.appeal))
      << first.article.text();
  // After 10 pages of the new design, its appeal is chrome.
  Observed last;
  for (int p = 101; p < 110; ++p) {
    last = must_observe(site_page(p, redesign, false));
    t.learn(last.sample);
  }
  auto out = t.apply(last.sample, last.article.paragraphs);
  EXPECT_FALSE(contains(out, redesign.appeal)) << last.article.text();
  EXPECT_FALSE(contains(out, kSignOff));
  for (int i = 0; i < 4; ++i) EXPECT_TRUE(contains(out, paragraph(109, i)));
  // The old design's lines are forgotten once they leave the window.
  auto old_page = must_observe(site_page(5, old_design, false));
  for (int p = 110; p < 140; ++p) t.learn(must_observe(site_page(p, redesign, false)).sample);
  EXPECT_EQ(t.pages(), SiteTemplate::kWindow);
  auto kept = t.apply(old_page.sample, old_page.article.paragraphs);
  EXPECT_TRUE(contains(kept, kAppeal)) << "the old appeal should be forgotten";
}

TEST(SiteTemplate, SerializesAndRejectsGarbage) {
  SiteTemplate t;
  std::vector<Observed> pages;
  for (int p = 0; p < 6; ++p) {
    pages.push_back(must_observe(site_page(p, {}, false)));
    t.learn(pages.back().sample);
  }
  auto back = SiteTemplate::deserialize(t.serialize());
  ASSERT_TRUE(back.ok()) << back.error();
  EXPECT_EQ(back->pages(), 6u);
  EXPECT_EQ(back->apply(pages[2].sample, pages[2].article.paragraphs),
            t.apply(pages[2].sample, pages[2].article.paragraphs));
  std::string bytes = t.serialize();
  EXPECT_FALSE(SiteTemplate::deserialize(bytes.substr(0, bytes.size() - 3)).ok());
  EXPECT_FALSE(SiteTemplate::deserialize("not a template").ok());
  EXPECT_FALSE(SiteTemplate::deserialize("").ok());
}

}  // namespace
}  // namespace rasid::clean
