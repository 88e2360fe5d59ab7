// Markup styles the seed sites do not show: legacy windows-1256 pages with <font> and layout
// tables, AMP pages, WordPress themes with live comment threads, and sentence-like chrome placed
// between paragraphs (cookie notices, app promotions, newsletter pitches, donation appeals).
#include <gtest/gtest.h>

#include <string>

#include "clean/extractor.h"

namespace rasid::clean {
namespace {

const char* kParas[] = {
    "شهدت العاصمة مساء أمس هطول أمطار غزيرة، تسببت في إغلاق عدد من الطرق الرئيسية وتعطل "
    "حركة السير لساعات.",
    "وأعلنت مديرية الدفاع المدني أن فرقها تعاملت مع أكثر من مئة بلاغ، معظمها يتعلق بتجمع "
    "المياه في الأنفاق والشوارع المنخفضة.",
    "وقال مدير المديرية في تصريح صحفي إن الوضع تحت السيطرة، داعياً المواطنين إلى تجنب "
    "التنقل إلا للضرورة القصوى.",
    "وتوقعت دائرة الأرصاد الجوية استمرار الحالة الماطرة حتى نهاية الأسبوع، مع انخفاض "
    "ملموس في درجات الحرارة.",
};

std::string body_paras(const std::string& between) {
  std::string s;
  for (int i = 0; i < 4; ++i) {
    s += std::string("<p>") + kParas[i] + "</p>";
    if (i == 1) s += between;
  }
  return s;
}

Article run(const std::string& html, std::string_view type = {}) {
  auto r = extract_bytes(html, "https://unseen.example/news/1", type);
  EXPECT_TRUE(r.ok());
  return r.ok() ? r.value() : Article{};
}

void expect_exactly_the_article(const Article& a) {
  ASSERT_EQ(a.paragraphs.size(), 4u) << a.text();
  for (int i = 0; i < 4; ++i) EXPECT_EQ(a.paragraphs[i], kParas[i]);
}

std::string wrap(const std::string& inner) {
  return "<html lang=\"ar\"><head><meta charset=\"utf-8\"><title>أمطار غزيرة تغلق طرق العاصمة"
         "</title></head><body><div class=\"site\"><div class=\"main\"><h1>أمطار غزيرة تغلق طرق "
         "العاصمة</h1><div class=\"article-text\">" +
         inner + "</div></div></div></body></html>";
}

TEST(Unseen, SentenceLikeChromeBetweenParagraphs) {
  const char* chrome[] = {
      // cookie notice
      "<div class=\"cookie-notice\"><p>نستخدم ملفات تعريف الارتباط لتحسين تجربتك على موقعنا، "
      "وبمواصلة التصفح فإنك توافق على ذلك.</p><button>موافق</button></div>",
      // app promotion
      "<p>حمّل تطبيق الموقع على هاتفك لتصلك الأخبار العاجلة فور حدوثها.</p>",
      // newsletter pitch
      "<p>اشترك في النشرة البريدية لتصلك أهم الأخبار يومياً إلى بريدك.</p>",
      // donation appeal
      "<div class=\"support\"><p>صحافتنا مستقلة وتعتمد على دعم القراء.</p><p><a href=\"/d\">ادعم "
      "الصحافة المستقلة</a></p></div>",
      // follow prompt
      "<p>تابعونا على تويتر وفيسبوك لمزيد من الأخبار.</p>",
  };
  for (const char* c : chrome) {
    SCOPED_TRACE(c);
    expect_exactly_the_article(run(wrap(body_paras(c))));
  }
}

TEST(Unseen, LiveCommentThreadGoes) {
  std::string comments =
      "<div id=\"comments\" class=\"comments-area\"><h3>3 تعليقات</h3><ol class=\"comment-list\">"
      "<li class=\"comment\"><div class=\"comment-body\"><p>كلام جميل جداً، لكن أين كانت البلدية "
      "طوال الصيف؟ هذا تقصير واضح ومتكرر كل عام.</p></div></li>"
      "<li class=\"comment\"><div class=\"comment-body\"><p>الله يحمي الجميع، الوضع في حيّنا "
      "صعب جداً والمياه دخلت البيوت منذ الصباح.</p></div></li></ol></div>";
  std::string html =
      "<html lang=\"ar\"><head><meta charset=\"utf-8\"><title>أمطار</title></head>"
      "<body><article class=\"post\"><div class=\"entry-content\">" +
      body_paras("") + "</div>" + comments + "</article></body></html>";
  expect_exactly_the_article(run(html));
}

TEST(Unseen, AmpPage) {
  std::string html =
      "<!doctype html><html amp lang=\"ar\" dir=\"rtl\"><head><meta charset=\"utf-8\">"
      "<title>أمطار غزيرة تغلق طرق العاصمة - موقع</title><link rel=\"canonical\" "
      "href=\"https://unseen.example/news/1\"><style amp-custom>body{color:#000}</style></head>"
      "<body><amp-sidebar id=\"menu\" layout=\"nodisplay\"><ul><li><a href=\"/\">الرئيسية</a>"
      "</li></ul></amp-sidebar><header class=\"amp-header\"><a href=\"/\">الموقع</a></header>"
      "<article><h1>أمطار غزيرة تغلق طرق العاصمة</h1><amp-img src=\"/a.jpg\" width=\"600\" "
      "height=\"400\" layout=\"responsive\"></amp-img><div class=\"amp-content\">" +
      body_paras("<amp-ad width=\"300\" height=\"250\" type=\"doubleclick\"></amp-ad>") +
      "</div><amp-social-share type=\"twitter\"></amp-social-share></article></body></html>";
  Article a = run(html);
  expect_exactly_the_article(a);
  EXPECT_EQ(a.title, "أمطار غزيرة تغلق طرق العاصمة");
  EXPECT_EQ(a.canonical, "https://unseen.example/news/1");
}

// windows-1256 bytes of a UTF-8 string (Arabic letters and the few punctuation marks used).
std::string to_cp1256(const std::string& utf8) {
  static const char32_t table[128] = {
      0x20AC, 0x067E, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0679,
      0x2039, 0x0152, 0x0686, 0x0698, 0x0688, 0x06AF, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
      0x2013, 0x2014, 0x06A9, 0x2122, 0x0691, 0x203A, 0x0153, 0x200C, 0x200D, 0x06BA, 0x00A0,
      0x060C, 0x00A2, 0x00A3, 0x00A4, 0x00A5, 0x00A6, 0x00A7, 0x00A8, 0x00A9, 0x06BE, 0x00AB,
      0x00AC, 0x00AD, 0x00AE, 0x00AF, 0x00B0, 0x00B1, 0x00B2, 0x00B3, 0x00B4, 0x00B5, 0x00B6,
      0x00B7, 0x00B8, 0x00B9, 0x061B, 0x00BB, 0x00BC, 0x00BD, 0x00BE, 0x061F, 0x06C1, 0x0621,
      0x0622, 0x0623, 0x0624, 0x0625, 0x0626, 0x0627, 0x0628, 0x0629, 0x062A, 0x062B, 0x062C,
      0x062D, 0x062E, 0x062F, 0x0630, 0x0631, 0x0632, 0x0633, 0x0634, 0x0635, 0x0636, 0x00D7,
      0x0637, 0x0638, 0x0639, 0x063A, 0x0640, 0x0641, 0x0642, 0x0643, 0x00E0, 0x0644, 0x00E2,
      0x0645, 0x0646, 0x0647, 0x0648, 0x00E7, 0x00E8, 0x00E9, 0x00EA, 0x00EB, 0x0649, 0x064A,
      0x00EE, 0x00EF, 0x064B, 0x064C, 0x064D, 0x064E, 0x00F4, 0x064F, 0x0650, 0x00F7, 0x0651,
      0x00F9, 0x0652, 0x00FB, 0x00FC, 0x200E, 0x200F, 0x06D2};
  std::string out;
  for (std::size_t i = 0; i < utf8.size();) {
    unsigned char c = static_cast<unsigned char>(utf8[i]);
    char32_t cp;
    int len;
    if (c < 0x80) {
      cp = c;
      len = 1;
    } else if ((c & 0xE0) == 0xC0) {
      cp = ((c & 0x1F) << 6) | (utf8[i + 1] & 0x3F);
      len = 2;
    } else {
      cp = ((c & 0x0F) << 12) | ((utf8[i + 1] & 0x3F) << 6) | (utf8[i + 2] & 0x3F);
      len = 3;
    }
    i += len;
    if (cp < 0x80) {
      out.push_back(static_cast<char>(cp));
      continue;
    }
    char b = '?';
    for (int k = 0; k < 128; ++k)
      if (table[k] == cp) b = static_cast<char>(0x80 + k);
    out.push_back(b);
  }
  return out;
}

TEST(Unseen, LegacyWindows1256FontAndLayoutTables) {
  std::string cells;
  for (int i = 0; i < 4; ++i) cells += std::string(kParas[i]) + "<br><br>\n";
  std::string html =
      "<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=windows-1256\">"
      "<title>أمطار غزيرة تغلق طرق العاصمة</title></head><body bgcolor=\"#FFFFFF\">"
      "<table width=\"100%\"><tr><td colspan=\"2\"><a href=\"/\">الرئيسية</a> | <a "
      "href=\"/a\">أخبار محلية</a> | <a href=\"/b\">رياضة</a></td></tr><tr><td width=\"25%\" "
      "valign=\"top\"><a href=\"/1\">أخبار الطقس</a><br><a href=\"/2\">أرشيف</a></td><td "
      "valign=\"top\"><font face=\"Arial\" size=\"4\" color=\"#990000\"><b>أمطار غزيرة تغلق طرق "
      "العاصمة</b></font><br><font face=\"Arial\" size=\"2\">" +
      cells +
      "</font></td></tr><tr><td colspan=\"2\"><font size=\"1\">جميع الحقوق محفوظة © "
      "2004</font></td></tr></table></body></html>";
  Article a = run(to_cp1256(html));
  expect_exactly_the_article(a);
  EXPECT_EQ(a.title, "أمطار غزيرة تغلق طرق العاصمة");
  EXPECT_EQ(a.lang, "ar");
}

}  // namespace
}  // namespace rasid::clean
