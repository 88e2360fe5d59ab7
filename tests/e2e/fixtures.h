// tests/e2e/fixtures.h — article pages and feeds written for rasid's tests, built the way Arabic
// news sites build theirs (navigation, share bars, related lists, comment forms, donation
// appeals, back-to-top links around the article). The text is our own.
#pragma once

#include <string>
#include <vector>

namespace rasid::testing {

struct FixtureArticle {
  std::string slug;
  std::string title;
  std::vector<std::string> paragraphs;
  std::string published;  // RFC 822 for the feed
};

inline std::vector<FixtureArticle> fixture_articles() {
  return {
      {"talks",
       "محادثات بين سوريا وإيران حول إعادة الإعمار في دمشق",
       {"عقد وفدان من سوريا وإيران اجتماعاً مطولاً في دمشق يوم الأحد، ناقشا خلاله ملفات إعادة "
        "الإعمار والطاقة والنقل بين البلدين.",
        "وقال مسؤول في وزارة الخارجية إن الجانبين اتفقا على تشكيل لجنة مشتركة تجتمع كل ثلاثة أشهر، "
        "وتتابع تنفيذ الاتفاقات الموقعة سابقاً.",
        "وأضاف المسؤول: «نريد أن نرى نتائج ملموسة قبل نهاية العام».",
        "ويأتي الاجتماع بعد أسابيع من زيارة قام بها وزير الاقتصاد الإيراني إلى العاصمة السورية."},
       "Sun, 22 Nov 2026 10:00:00 +0300"},
      {"match",
       "المنتخب الوطني يفوز في مباراة كرة القدم الودية",
       {"حقق المنتخب الوطني لكرة القدم فوزاً مستحقاً في المباراة الودية التي أقيمت مساء السبت على "
        "الملعب البلدي، بهدفين مقابل هدف واحد.",
        "وسجل المهاجم الشاب الهدف الثاني في الدقائق الأخيرة، وسط تشجيع كبير من الجمهور الذي ملأ "
        "المدرجات.",
        "وقال المدرب بعد المباراة إن الفريق يستعد للبطولة الإقليمية المقبلة بجدية كبيرة."},
       "Sat, 21 Nov 2026 20:30:00 +0300"},
      {"wheat",
       "ارتفاع أسعار القمح في الأسواق السورية مع اقتراب الشتاء",
       {"شهدت أسواق حلب وحمص ارتفاعاً ملحوظاً في أسعار القمح والطحين خلال الأسبوع الماضي، بحسب "
        "تجار تحدثوا لمراسلنا.",
        "ويعزو التجار الارتفاع إلى تراجع الكميات المستوردة وارتفاع تكاليف النقل، في حين تقول "
        "الحكومة إن المخزون يكفي حتى الربيع.",
        "وطالب مزارعون في ريف حماة بدعم أكبر للبذور والأسمدة قبل موسم الزراعة."},
       "Fri, 20 Nov 2026 09:15:00 +0300"},
  };
}

inline std::string escape_xml(const std::string& s) {
  std::string o;
  for (char c : s) {
    switch (c) {
      case '&':
        o += "&amp;";
        break;
      case '<':
        o += "&lt;";
        break;
      case '>':
        o += "&gt;";
        break;
      case '"':
        o += "&quot;";
        break;
      default:
        o += c;
    }
  }
  return o;
}

// The chrome lines every page carries; none of them may reach an article's text.
inline std::vector<std::string> chrome_lines() {
  return {"اترك تعليقاً",   "انسخ الرابط",        "مقالات ذات صلة", "زر الذهاب إلى الأعلى",
          "ادعم عنب بلدي", "جميع الحقوق محفوظة", "الرئيسية",       "تابعونا على تلغرام",
          "الأكثر قراءة"};
}

inline std::string article_page(const FixtureArticle& a, const std::string& base_url) {
  std::string h = R"(<!DOCTYPE html><html lang="ar" dir="rtl"><head><meta charset="utf-8">
<title>)" + escape_xml(a.title) +
                  R"( | موقع الخبر</title>
<meta property="og:title" content=")" +
                  escape_xml(a.title) + R"(">
<link rel="canonical" href=")" +
                  base_url + "/news/" + a.slug + R"(?utm_source=rss">
<meta property="article:published_time" content="2026-11-22T10:00:00+03:00">
</head><body>
<header class="site-header"><nav class="main-menu"><ul>
<li><a href="/">الرئيسية</a></li><li><a href="/syria">سوريا</a></li><li><a href="/world">عالم</a></li>
<li><a href="/economy">اقتصاد</a></li><li><a href="/sport">رياضة</a></li></ul></nav></header>
<div class="share-bar"><a href="#">فيسبوك</a> <a href="#">تويتر</a> <a href="#">انسخ الرابط</a></div>
<main><article class="post">
<h1 class="entry-title">)" +
                  escape_xml(a.title) + R"(</h1>
<div class="entry-content">
)";
  for (size_t i = 0; i < a.paragraphs.size(); ++i) {
    h += "<p>" + escape_xml(a.paragraphs[i]) + "</p>\n";
    if (i == 1)
      h += R"(<div class="donate-box"><p><a href="/donate">ادعم عنب بلدي</a></p></div>)"
           "\n";
  }
  h += R"(</div></article>
<section class="related"><h3>مقالات ذات صلة</h3><ul>
<li><a href="/news/old1">وزير الخارجية يلتقي نظيره في العاصمة لبحث العلاقات</a></li>
<li><a href="/news/old2">اجتماع اقتصادي يبحث تطوير التجارة بين البلدين</a></li>
<li><a href="/news/old3">تقرير عن حركة النقل في الموانئ خلال الشهر الماضي</a></li></ul></section>
<aside class="most-read"><h3>الأكثر قراءة</h3><ol><li><a href="/x">خبر أول</a></li>
<li><a href="/y">خبر ثان</a></li></ol></aside>
<div id="respond" class="comment-respond"><h3 class="comment-reply-title">اترك تعليقاً</h3>
<form class="comment-form"><p>لن يتم نشر عنوان بريدك الإلكتروني. الحقول الإلزامية مشار إليها بـ *</p>
<textarea name="comment"></textarea><input type="submit" value="إرسال التعليق"></form></div>
</main>
<footer><p><a href="https://t.me/x">تابعونا على تلغرام</a></p><p>جميع الحقوق محفوظة © 2026</p>
<a href="#top" class="back-to-top">زر الذهاب إلى الأعلى</a></footer>
</body></html>)";
  return h;
}

inline std::string rss_feed(const std::vector<FixtureArticle>& items, const std::string& base_url) {
  std::string x = R"(<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>موقع الخبر</title><link>)" +
                  base_url +
                  R"(/</link><description>أخبار</description>
)";
  for (const auto& a : items) {
    x += "<item><title>" + escape_xml(a.title) + "</title><link>" + base_url + "/news/" + a.slug +
         "</link><guid isPermaLink=\"false\">urn:khabar:" + a.slug + "</guid><pubDate>" +
         a.published + "</pubDate><description>" + escape_xml(a.paragraphs[0]) +
         "</description></item>\n";
  }
  x += "</channel></rss>\n";
  return x;
}

}  // namespace rasid::testing
