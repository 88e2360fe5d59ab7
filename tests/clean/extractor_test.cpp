// Behaviour of the cleaner on small hand-written pages: each kind of page chrome goes, the
// article's own paragraphs (short ones too) stay, metadata is read.
#include "clean/extractor.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <nlohmann/json.hpp>
#include <string>

namespace rasid::clean {
namespace {

// Five article paragraphs with Arabic punctuation; every test page carries them.
const char* kBody[] = {
    "أعلنت وزارة الزراعة، صباح اليوم الأحد، عن خطة جديدة لدعم مزارعي القمح في المحافظات "
    "الشمالية، تشمل قروضاً ميسرة وبذوراً محسنة.",
    "وقال الوزير في مؤتمر صحفي إن الخطة تستهدف رفع الإنتاج بنسبة عشرين في المئة خلال "
    "موسمين، مشيراً إلى أن التمويل مؤمن بالكامل.",
    "وأضاف أن الوزارة ستفتح باب التسجيل الأسبوع المقبل؛ وسيكون بإمكان المزارعين تقديم "
    "طلباتهم عبر مكاتب الإرشاد الزراعي المنتشرة في القرى.",
    "من جهتهم، رحب ممثلو الجمعيات الفلاحية بالقرار، لكنهم طالبوا بضمانات لأسعار الشراء "
    "قبل بدء موسم الحصاد، فهل تستجيب الحكومة؟",
    "ويأتي القرار بعد موسم جفاف قاسٍ أدى إلى تراجع المحصول إلى أدنى مستوى له منذ عقد، "
    "بحسب تقديرات منظمة الأغذية والزراعة.",
};

std::string paragraphs(const std::string& between = {}) {
  std::string s;
  for (int i = 0; i < 5; ++i) {
    s += "<p>" + std::string(kBody[i]) + "</p>\n";
    if (i == 2) s += between;
  }
  return s;
}

std::string page(const std::string& inside_article, const std::string& after_article = {},
                 const std::string& head = {}) {
  return "<!DOCTYPE html><html lang=\"ar\" dir=\"rtl\"><head><meta charset=\"utf-8\">"
         "<title>خطة لدعم مزارعي القمح | جريدة الحقل</title>" +
         head +
         "</head><body><header><nav><ul><li><a href=\"/\">الرئيسية</a></li>"
         "<li><a href=\"/s\">سياسة</a></li><li><a href=\"/e\">اقتصاد</a></li></ul></nav></header>"
         "<main><article><h1>خطة لدعم مزارعي القمح</h1>\n" +
         inside_article + "</article>" + after_article +
         "</main><footer><p>جميع الحقوق محفوظة لجريدة الحقل 2024</p></footer></body></html>";
}

Article must_extract(const std::string& html, const Rules& rules = {}) {
  auto doc = parse::Html::parse(html, "https://news.example/a/1");
  EXPECT_TRUE(doc.ok());
  auto r = extract(doc.value(), rules);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error());
  return r.ok() ? r.value() : Article{};
}

std::string iso(const std::optional<text::Date>& d) { return d ? text::format_iso8601(*d) : ""; }

void expect_body_exactly(const Article& a) {
  ASSERT_EQ(a.paragraphs.size(), 5u) << a.text();
  for (int i = 0; i < 5; ++i) EXPECT_EQ(a.paragraphs[i], kBody[i]);
}

TEST(Extract, PlainArticleKeepsParagraphsInOrder) {
  Article a = must_extract(page("<div class=\"entry-content\">" + paragraphs() + "</div>"));
  expect_body_exactly(a);
  EXPECT_EQ(a.title, "خطة لدعم مزارعي القمح");
  EXPECT_EQ(a.lang, "ar");
  EXPECT_EQ(a.dir, "rtl");
  EXPECT_EQ(a.text().find("الرئيسية"), std::string::npos);
  EXPECT_EQ(a.text().find("جميع الحقوق"), std::string::npos);
}

TEST(Extract, WordPressCommentFormGoes) {
  std::string form =
      "<div id=\"respond\" class=\"comment-respond\"><h3 class=\"comment-reply-title\">اترك "
      "تعليقاً</h3><form action=\"/wp-comments-post.php\" method=\"post\"><p><span>لن يتم نشر "
      "عنوان بريدك الإلكتروني. الحقول الإلزامية مشار إليها بـ *</span></p><p><label>التعليق "
      "*</label><textarea></textarea></p><p><label>الاسم *</label><input></p><p><input "
      "type=\"checkbox\"><label>احفظ اسمي، بريدي الإلكتروني، والموقع الإلكتروني في هذا المتصفح "
      "لاستخدامها المرة المقبلة في تعليقي.</label></p></form></div>";
  Article a = must_extract(page("<div class=\"entry-content\">" + paragraphs() + "</div>" + form));
  expect_body_exactly(a);
}

TEST(Extract, CommentFormWithoutClassHintsGoesByVocabulary) {
  std::string form =
      "<div><h3>اترك تعليقاً</h3><p>لن يتم نشر عنوان بريدك الإلكتروني. الحقول الإلزامية مشار "
      "إليها بـ *</p></div>";
  Article a = must_extract(page("<div>" + paragraphs() + form + "</div>"));
  expect_body_exactly(a);
}

TEST(Extract, ShareBarAndCopyLinkGo) {
  std::string share =
      "<div class=\"tools\"><span>شارك</span><a href=\"#\">فيسبوك</a><a href=\"#\">تويتر</a>"
      "<a href=\"#\">واتساب</a></div><div><button>انسخ الرابط</button><span>https://x.example/"
      "h6</span></div>";
  Article a = must_extract(page(share + "<div class=\"body\">" + paragraphs() + "</div>"));
  expect_body_exactly(a);
}

TEST(Extract, ShareLabelsInsideTheBodyGo) {
  std::string inline_share = "<p>شارك</p><p>انسخ الرابط</p>";
  Article a = must_extract(page("<div class=\"body\">" + paragraphs(inline_share) + "</div>"));
  expect_body_exactly(a);
}

TEST(Extract, FollowPromptsGo) {
  std::string follow =
      "<p><a href=\"https://t.me/x\">تابع جريدة الحقل على التلغرام</a></p><p>تابعونا على "
      "فيسبوك وتويتر</p>";
  Article a = must_extract(page("<div class=\"body\">" + paragraphs() + follow + "</div>"));
  expect_body_exactly(a);
}

TEST(Extract, RelatedListsAndMostReadGo) {
  std::string related =
      "<div class=\"box\"><h3>مقالات ذات صلة</h3><ul><li><a href=\"/1\">ارتفاع أسعار الخبز في "
      "الأسواق</a></li><li><a href=\"/2\">الأمطار تعود إلى الشمال</a></li></ul></div>";
  std::string most =
      "<div class=\"widget\"><h3>الأكثر قراءة</h3><ol><li><a href=\"/3\">تعرف على حالة الطقس"
      "</a></li></ol></div>";
  Article a = must_extract(page("<div class=\"body\">" + paragraphs() + "</div>" + related, most));
  expect_body_exactly(a);
}

TEST(Extract, InlineReadAlsoCardsBetweenParagraphsGo) {
  std::string cards =
      "<p>اقرأ أيضاً: <a href=\"/9\">وزير الزراعة يزور الحقول المتضررة</a></p>"
      "<div class=\"card\"><a href=\"/10\"><img src=\"/i.jpg\"><span>الحكومة تقر موازنة "
      "الدعم</span></a></div>"
      "<p><strong>قد يهمك أيضاً</strong></p><p><a href=\"/11\">أسعار الأسمدة ترتفع</a></p>";
  Article a = must_extract(page("<div class=\"body\">" + paragraphs(cards) + "</div>"));
  expect_body_exactly(a);
}

TEST(Extract, ShortRealParagraphsStay) {
  std::string body = std::string("<p>") + kBody[0] +
                     "</p><p>وقال:</p><blockquote>نحن أمام "
                     "فرصة حقيقية.</blockquote><p>" +
                     kBody[1] + "</p><p>" + kBody[2] + "</p><p>" + kBody[3] + "</p>";
  Article a = must_extract(page("<div class=\"body\">" + body + "</div>"));
  ASSERT_EQ(a.paragraphs.size(), 6u) << a.text();
  EXPECT_EQ(a.paragraphs[1], "وقال:");
  EXPECT_EQ(a.paragraphs[2], "نحن أمام فرصة حقيقية.");
}

TEST(Extract, DonationAppealGoes) {
  std::string donate =
      "<div class=\"support-box\" id=\"donation\"><p>الصحافة المستقلة تحتاجك لتبقى حرة "
      "ومستقلة.. كل مساهمة تفرق</p><h2>ادعم جريدة الحقل</h2><p>اضغط هنا للمساهمة</p></div>";
  Article a = must_extract(page("<div class=\"body\">" + paragraphs() + "</div>", donate));
  expect_body_exactly(a);
  // The appeal placed between paragraphs without class hints goes by its vocabulary.
  std::string inline_appeal = "<h4>ادعم جريدة الحقل</h4><p>اضغط هنا للمساهمة</p>";
  Article b = must_extract(page("<div class=\"body\">" + paragraphs(inline_appeal) + "</div>"));
  expect_body_exactly(b);
}

TEST(Extract, BackToTopCopyrightAndFontSizeGo) {
  std::string top = "<a id=\"go-to-top\" href=\"#\"><span>زر الذهاب إلى الأعلى</span></a>";
  std::string font = "<div class=\"post-tools\"><span>ع</span> <span>ع</span> <span>ع</span></div>";
  std::string copy = "<p>© 2024 جريدة الحقل. جميع الحقوق محفوظة</p>";
  Article a =
      must_extract(page(font + "<div class=\"body\">" + paragraphs() + copy + "</div>", top));
  expect_body_exactly(a);
}

TEST(Extract, RelativeDateAndForeignScriptStubGo) {
  std::string meta = "<div class=\"info\"><span>منذ 3 سنوات</span></div>";
  std::string stub = "<div><strong>Reuters</strong></div>";
  Article a = must_extract(page(meta + "<div class=\"body\">" + paragraphs(stub) + "</div>"));
  expect_body_exactly(a);
}

TEST(Extract, LegacyBrParagraphsInLayoutTable) {
  std::string legacy =
      "<table><tr><td width=\"20%\"><a href=\"/1\">الرئيسية</a><br><a "
      "href=\"/2\">أخبار</a></td><td><font size=\"3\">";
  for (int i = 0; i < 5; ++i) legacy += std::string(kBody[i]) + "<br><br>";
  legacy += "</font></td></tr></table>";
  std::string html =
      "<html><head><title>خطة لدعم مزارعي القمح</title></head><body>" + legacy + "</body></html>";
  Article a = must_extract(html);
  expect_body_exactly(a);
  EXPECT_EQ(a.lang, "ar");  // from the text: the page declares nothing
  EXPECT_EQ(a.dir, "rtl");
}

TEST(Extract, DataTableRowsBecomeLines) {
  std::string table =
      "<table><tr><th>المركز</th><th>الفريق</th><th>النقاط</th></tr><tr><td>1</td><td><a "
      "href=\"/t/1\">الوحدة</a></td><td>40</td></tr><tr><td>2</td><td><a href=\"/t/2\">الجيش"
      "</a></td><td>37</td></tr></table>";
  Article a = must_extract(page("<div class=\"body\">" + paragraphs(table) + "</div>"));
  ASSERT_EQ(a.paragraphs.size(), 8u) << a.text();
  EXPECT_EQ(a.paragraphs[3], "المركز الفريق النقاط");
  EXPECT_EQ(a.paragraphs[4], "1 الوحدة 40");
  EXPECT_EQ(a.paragraphs[5], "2 الجيش 37");
}

TEST(Metadata, TitleWithoutSiteSuffixAndFromH1) {
  Article a = must_extract(page("<div>" + paragraphs() + "</div>"));
  EXPECT_EQ(a.title, "خطة لدعم مزارعي القمح");
  std::string html =
      "<html><head><title>هطول أمطار غزيرة على الساحل - موقع الطقس</title></head><body><div>" +
      paragraphs() + "</div></body></html>";
  EXPECT_EQ(must_extract(html).title, "هطول أمطار غزيرة على الساحل");
}

TEST(Metadata, OgTitleJsonLdDateAuthorCanonical) {
  std::string head =
      "<meta property=\"og:title\" content=\"خطة لدعم مزارعي القمح\">"
      "<link rel=\"canonical\" href=\"/a/1-khutta\">"
      "<script type=\"application/ld+json\">{\"@context\":\"https://schema.org\",\"@graph\":"
      "[{\"@type\":\"WebSite\",\"name\":\"x\"},{\"@type\":\"NewsArticle\",\"headline\":\"خطة "
      "لدعم مزارعي القمح\",\"datePublished\":\"2023-03-05T09:15:00+03:00\",\"author\":"
      "[{\"@type\":\"Person\",\"name\":\"سلمى حداد\"}]}]}</script>";
  Article a = must_extract(page("<div>" + paragraphs() + "</div>", "", head));
  EXPECT_EQ(iso(a.published), "2023-03-05T09:15:00+03:00");
  EXPECT_EQ(a.author, "سلمى حداد");
  EXPECT_EQ(a.canonical, "https://news.example/a/1-khutta");
  EXPECT_EQ(a.url, "https://news.example/a/1");
}

// clean/meta.cpp resolved canonical and og:url links with its own code, which kept "dir/../x";
// they now go through url::resolve_http (RFC 3986 dot-segment removal).
TEST(Metadata, CanonicalLinkWithDotSegmentsIsResolved) {
  Article a = must_extract(
      page("<div>" + paragraphs() + "</div>", "", "<link rel=\"canonical\" href=\"dir/../x\">"));
  EXPECT_EQ(a.canonical, "https://news.example/a/x");
  Article b = must_extract(page("<div>" + paragraphs() + "</div>", "",
                                "<meta property=\"og:url\" content=\"./b/../../y\">"));
  EXPECT_EQ(b.canonical, "https://news.example/y");
}

TEST(Metadata, DateSources) {
  auto date_of = [](const std::string& head, const std::string& body_extra) {
    return iso(
        must_extract(page(body_extra + "<div>" + paragraphs() + "</div>", "", head)).published);
  };
  EXPECT_EQ(
      date_of("<meta property=\"article:published_time\" content=\"2020-01-02T03:04:05Z\">", ""),
      "2020-01-02T03:04:05Z");
  EXPECT_EQ(date_of("", "<time datetime=\"2019-07-08 10:00\">8 يوليو</time>"),
            "2019-07-08T10:00:00");
  EXPECT_EQ(date_of("", "<div class=\"date\">الثلاثاء 26 كانون الثاني 2021</div>"), "2021-01-26");
  EXPECT_EQ(date_of("", "<span>٢٣ نوفمبر/تشرين الثاني ٢٠١٥</span>"), "2015-11-23");
  EXPECT_EQ(date_of("", "<span>الإثنين 2021/11/22</span>"), "2021-11-22");
  EXPECT_EQ(date_of("", "<span>14:30 GMT 25.02.2025</span>"), "2025-02-25");
  EXPECT_EQ(date_of("", "<span>5 أيار 2022</span>"), "2022-05-05");
  EXPECT_EQ(date_of("", "<span>Published January 5, 2021</span>"), "2021-01-05");
  EXPECT_EQ(date_of("", "<span>sexta-feira, 22 de outubro de 2010 às 20:13</span>"), "2010-10-22");
}

TEST(Metadata, HeaderTodayDateDoesNotWin) {
  // The site header prints today's date; the article's own date line is after the title.
  std::string html =
      "<html lang=\"ar\"><head><title>خطة لدعم مزارعي القمح</title></head><body><div "
      "class=\"top-bar\"><span class=\"today\">الأحد 23 نوفمبر 2026</span></div><div "
      "class=\"post\"><h1>خطة لدعم مزارعي القمح</h1><div class=\"post-date\">12 آذار 2024"
      "</div><div class=\"body\">" +
      paragraphs() + "</div></div></body></html>";
  EXPECT_EQ(iso(must_extract(html).published), "2024-03-12");
}

// The article's own dates beat page furniture. Each page below used to take the furniture's.
TEST(ArticleDate, TimeInsideTheArticleBeatsTheHeadersToday) {
  std::string html =
      "<html lang=\"ar\"><body><header class=\"site-header\"><time datetime=\"2026-11-30\">"
      "الاثنين 30 نوفمبر 2026</time><nav><a href=\"/\">الرئيسية</a></nav></header><main><article>"
      "<h1>خطة لدعم مزارعي القمح</h1><time datetime=\"2024-03-12T08:00:00+03:00\">12 آذار"
      "</time><div>" +
      paragraphs() + "</div></article></main></body></html>";
  EXPECT_EQ(iso(must_extract(html).published), "2024-03-12T08:00:00+03:00");
}

TEST(ArticleDate, SidebarTeaserTimeDoesNotWin) {
  std::string html =
      "<html lang=\"ar\"><body><aside class=\"sidebar\"><article><a href=\"/b\">خبر آخر</a>"
      "<time datetime=\"2026-11-29\">أمس</time></article></aside><div class=\"content\">"
      "<h2>خطة لدعم مزارعي القمح</h2><time datetime=\"2023-05-02\">2 أيار 2023</time><div>" +
      paragraphs() + "</div></div></body></html>";
  EXPECT_EQ(iso(must_extract(html).published), "2023-05-02");
}

TEST(ArticleDate, TodayLineBeforeTheArticleIsSkipped) {
  // No <h1>, no date classes: the page's first date is a "today is" line in a plain div.
  std::string html =
      "<html lang=\"ar\"><head><title>خطة لدعم مزارعي القمح</title></head><body><div>"
      "<div>اليوم: الأحد 23 نوفمبر 2026</div><div><a href=\"/\">الرئيسية</a></div></div>"
      "<div><p>بقلم سارة العتيبي، 5 شباط 2024</p>" +
      paragraphs() + "</div></body></html>";
  EXPECT_EQ(iso(must_extract(html).published), "2024-02-05");
}

TEST(ArticleDate, JsonLdAndMetaBeatAHeaderTime) {
  std::string furniture =
      "<div class=\"topbar\"><time datetime=\"2026-11-30\">30 نوفمبر 2026</time></div>";
  std::string ld =
      "<script type=\"application/ld+json\">{\"@type\":\"NewsArticle\",\"datePublished\":"
      "\"2022-08-01T10:00:00Z\"}</script>";
  EXPECT_EQ(
      iso(must_extract(page("<div>" + paragraphs() + "</div>", "", ld + furniture)).published),
      "2022-08-01T10:00:00Z");
  std::string og = "<meta property=\"article:published_time\" content=\"2022-08-02\">";
  EXPECT_EQ(
      iso(must_extract(page(furniture + "<div>" + paragraphs() + "</div>", "", og)).published),
      "2022-08-02");
  // With nothing else, the furniture's date is still better than none.
  EXPECT_EQ(iso(must_extract(page(furniture + "<div>" + paragraphs() + "</div>")).published),
            "2026-11-30");
}

TEST(ArticleDate, YearlessBylineCompletedNeverInTheFuture) {
  std::string html =
      page("<div class=\"post-date\">الاثنين 26 كانون الثاني</div><div>" + paragraphs() + "</div>");
  auto got = must_extract(html).published;
  ASSERT_TRUE(got);
  auto now = std::chrono::system_clock::now();
  EXPECT_LE(got->at, now);
  EXPECT_GT(got->at, now - std::chrono::days{366});
  EXPECT_EQ(iso(got).substr(4), "-01-26");
  // The page's other dates give the year (here its URL).
  std::string head = "<link rel=\"canonical\" href=\"https://news.example/2019/05/01/x\">";
  std::string dated =
      page("<div class=\"post-date\">الاثنين 26 كانون الثاني</div><div>" + paragraphs() + "</div>",
           "", head);
  EXPECT_EQ(iso(must_extract(dated).published), "2019-01-26");
}

TEST(ArticleDate, HijriDateLineOnAPage) {
  std::string html =
      page("<div class=\"date\">الأربعاء 1 محرم 1445 هـ</div><div>" + paragraphs() + "</div>");
  EXPECT_EQ(iso(must_extract(html).published), "2023-07-19");
}

TEST(Metadata, DateFromUrlPath) {
  std::string head = "<link rel=\"canonical\" href=\"https://news.example/2021/04/13/rain/\">";
  EXPECT_EQ(iso(must_extract(page("<div>" + paragraphs() + "</div>", "", head)).published),
            "2021-04-13");
  std::string head2 = "<link rel=\"canonical\" href=\"https://news.example/20250225/x-1.html\">";
  EXPECT_EQ(iso(must_extract(page("<div>" + paragraphs() + "</div>", "", head2)).published),
            "2025-02-25");
}

TEST(Rules, DropAndBodyXPath) {
  std::string html = page("<div class=\"body\">" +
                          paragraphs("<p class=\"promo\">عرض خاص: "
                                     "اشترك بنصف السعر في الصحيفة "
                                     "الورقية لمدة عام كامل، سارع.</p>") +
                          "</div><div id=\"x\"><p>نص آخر طويل بما يكفي ليكون فقرة، لكنه ليس "
                          "جزءاً من المقال على الإطلاق.</p></div>");
  Rules r;
  r.drop = {"//p[@class='promo']"};
  r.body = "//div[@class='body']";
  Article a = must_extract(html, r);
  expect_body_exactly(a);

  Rules only_x;
  only_x.body = "//div[@id='x']";
  Article b = must_extract(html, only_x);
  ASSERT_EQ(b.paragraphs.size(), 1u);
  EXPECT_NE(b.paragraphs[0].find("نص آخر"), std::string::npos);
}

// Issue 14: a rule that fails on the page ("$undefinedvar" compiles; "//p[@@" does not) made
// the whole page fail to clean, stored with an empty body. It is skipped and named; the rest of
// the rules still apply and the page is cleaned as without it.
TEST(Rules, AFailingRuleIsSkippedNotTheWholePage) {
  std::string html = page("<div class=\"body\">" +
                          paragraphs("<p class=\"promo\">عرض خاص: "
                                     "اشترك بنصف السعر في الصحيفة "
                                     "الورقية لمدة عام كامل، سارع.</p>") +
                          "</div>");
  Article plain = must_extract(html);
  ASSERT_FALSE(plain.paragraphs.empty());
  EXPECT_TRUE(plain.skipped_rules.empty());
  Rules bad;
  bad.drop = {"$undefinedvar", "//p[@class='promo']", "//p[@@"};
  bad.body = "//div[$nope]";
  Article a = must_extract(html, bad);
  EXPECT_EQ(a.skipped_rules, (std::vector<std::string>{"$undefinedvar", "//p[@@", "//div[$nope]"}));
  ASSERT_FALSE(a.paragraphs.empty());
  for (const auto& p : a.paragraphs) EXPECT_EQ(p.find("عرض خاص"), std::string::npos) << p;
  Rules only_bad;
  only_bad.drop = {"$undefinedvar"};
  EXPECT_EQ(must_extract(html, only_bad).paragraphs, plain.paragraphs);
}

TEST(Bytes, Windows1256PageIsDecoded) {
  // "مرحبا بكم في الموقع، هذه فقرة." in windows-1256, declared by <meta charset>.
  std::string para =
      "\xE3\xD1\xCD\xC8\xC7 \xC8\xDF\xE3 \xDD\xED \xC7\xE1\xE3\xE6\xDE\xDA\xA1 "
      "\xE5\xD0\xE5 \xDD\xDE\xD1\xC9.";
  std::string html = "<html><head><meta charset=\"windows-1256\"></head><body><div><p>" + para +
                     " " + para + "</p><p>" + para + "</p></div></body></html>";
  auto r = extract_bytes(html, "https://x.example/");
  ASSERT_TRUE(r.ok());
  ASSERT_FALSE(r->paragraphs.empty());
  EXPECT_NE(r->text().find("مرحبا بكم في الموقع، هذه فقرة."), std::string::npos) << r->text();
}

TEST(Json, LineFormat) {
  Article a;
  a.url = "https://x.example/1";
  a.title = "عنوان";
  a.paragraphs = {"فقرة أولى.", "فقرة ثانية."};
  a.lang = "ar";
  std::string line = to_json_line("p.html", a);
  EXPECT_EQ(line.find('\n'), std::string::npos);
  auto j = nlohmann::json::parse(line);
  EXPECT_EQ(j["file"], "p.html");
  EXPECT_EQ(j["text"], "فقرة أولى.\nفقرة ثانية.");
  EXPECT_TRUE(j["published"].is_null());
  EXPECT_EQ(j["lang"], "ar");
  EXPECT_TRUE(j.contains("author"));
  EXPECT_TRUE(j.contains("canonical"));
  auto e = nlohmann::json::parse(to_json_line("bad.html", Error{"boom"}));
  EXPECT_EQ(e["error"], "boom");
  EXPECT_FALSE(e.contains("text"));
}

}  // namespace
}  // namespace rasid::clean

namespace rasid::clean {
namespace {

// Chrome lines as real scrapers saw them, placed as plain paragraphs with no class or structure
// hints: the vocabulary alone must remove them.
TEST(Vocabulary, ChromeLinesWithoutStructure) {
  const char* lines[] = {"مناقشة",
                         "مقالات متعلقة",
                         "زر الذهاب إلى الأعلى",
                         "واحد × اثنان =",
                         "اترك تعليقاً",
                         "انسخ الرابطhttps://ar.example/h68o",
                         "ادعم جريدة الحقل",
                         "اضغط هنا للمساهمة",
                         "©جميع الحقوق محفوظة لموقع الحقل 2024",
                         "tag icon ع ع ع",
                         "×",
                         "تابعونا على تلغرام",
                         "تابع جريدة الحقل على التلغرام telegram",
                         "منذ 3 سنوات",
                         "الكلمات المفتاحية",
                         "اشترك في النشرة البريدية",
                         "قد يهمك أيضاً",
                         "الأكثر قراءة"};
  for (const char* l : lines) {
    SCOPED_TRACE(l);
    std::string chrome = std::string("<p>") + l + "</p>";
    Article a = must_extract(page("<div class=\"body\">" + paragraphs(chrome) + "</div>"));
    expect_body_exactly(a);
  }
}

TEST(Vocabulary, ArticleSentencesWithChromeWordsStay) {
  // Real sentences that merely contain chrome words are article text.
  const char* keep[] = {
      "شارك الوزير في المؤتمر الدولي للزراعة، وألقى كلمة حول الأمن الغذائي.",
      "وقال إن الحكومة ستدعم المزارعين المتضررين بكل الوسائل المتاحة لديها.",
      "وتابع: \"لن نترك أحداً خلفنا\".",
  };
  for (const char* k : keep) {
    SCOPED_TRACE(k);
    std::string extra = std::string("<p>") + k + "</p>";
    Article a = must_extract(page("<div class=\"body\">" + paragraphs(extra) + "</div>"));
    ASSERT_EQ(a.paragraphs.size(), 6u) << a.text();
    EXPECT_EQ(a.paragraphs[3], k);
  }
}

}  // namespace

// A feed entry's own HTML (the body kept when the article page is gone) goes through the
// page's parser and filters. The old daemon stripper decoded six entities, and each of them
// again after "&amp;" ("&amp;lt;" became "<"), and ended a tag at a '>' inside an attribute.
TEST(Fragment, EveryCharacterReferenceDecodedOnce) {
  auto p = fragment_paragraphs(
      "<p>&lsquo;\xd8\xb3\xd9\x88\xd8\xb1\xd9\x8a\xd8\xa7&rsquo; &hellip; &#8217;"
      "&#x2019; &laquo;\xd8\xae\xd8\xa8\xd8\xb1&raquo;&nbsp;!</p>"
      "<p>a &amp;lt; b &amp;amp; c &lt;tag&gt;, d.</p>");
  ASSERT_EQ(p.size(), 2u);
  EXPECT_EQ(p[0],
            "\xe2\x80\x98\xd8\xb3\xd9\x88\xd8\xb1\xd9\x8a\xd8\xa7\xe2\x80\x99 \xe2\x80\xa6 "
            "\xe2\x80\x99\xe2\x80\x99 \xc2\xab\xd8\xae\xd8\xa8\xd8\xb1\xc2\xbb !");
  EXPECT_EQ(p[1], "a &lt; b &amp; c <tag>, d.");
}

TEST(Fragment, GreaterThanInsideAnAttributeIsMarkup) {
  auto p = fragment_paragraphs(
      "<p><a href=\"https://ex.org/?a>b\" title=\"x > y\">\xd8\xae\xd8\xa8\xd8\xb1</a> "
      "\xd9\x88\xd9\x82\xd8\xa7\xd9\x84 \xd8\xa7\xd9\x84\xd9\x88\xd8\xb2\xd9\x8a\xd8\xb1 "
      "\xd8\xa5\xd9\x86 \xd8\xa7\xd9\x84\xd8\xae\xd8\xb7\xd8\xa9 \xd8\xac\xd8\xa7\xd9\x87\xd8\xb2"
      "\xd8\xa9.</p><p><img alt='1 > 0' src=x.png>\xd8\xaa\xd9\x85.</p>");
  ASSERT_EQ(p.size(), 2u);
  EXPECT_EQ(p[0].find('>'), std::string::npos) << p[0];
  EXPECT_EQ(p[0].find("title"), std::string::npos) << p[0];
  EXPECT_TRUE(p[0].starts_with("\xd8\xae\xd8\xa8\xd8\xb1 ")) << p[0];
  EXPECT_EQ(p[1], "\xd8\xaa\xd9\x85.");
}

TEST(Fragment, BlocksSplitAndChromeGoes) {
  auto p = fragment_paragraphs(std::string("<div>") + kBody[0] + "<br>" + kBody[1] +
                               "</div><ul><li>" + kBody[2] +
                               "</li></ul><script>var x = '<p>no</p>';</script>"
                               "<p><a href=\"/more\">\xd8\xa7\xd9\x82\xd8\xb1\xd8\xa3 "
                               "\xd8\xa3\xd9\x8a\xd8\xb6\xd8\xa7\xd9\x8b</a></p>");
  ASSERT_EQ(p.size(), 3u);
  EXPECT_EQ(p[0], kBody[0]);
  EXPECT_EQ(p[1], kBody[1]);
  EXPECT_EQ(p[2], kBody[2]);
}

TEST(Fragment, PlainTextEntryIsTextNotMarkup) {
  parse::Entry e;
  e.summary_detail = {"a &lt; b <i>x</i>, d.\n\n" + std::string(kBody[3]), "text/plain"};
  e.summary = e.summary_detail.value;
  auto p = entry_paragraphs(e);
  ASSERT_EQ(p.size(), 2u);
  EXPECT_EQ(p[0], "a &lt; b <i>x</i>, d.");
  EXPECT_EQ(p[1], kBody[3]);
  // HTML content wins over the summary.
  e.contents.push_back({"<p>&hellip;" + std::string(kBody[4]) + "</p>", "text/html"});
  p = entry_paragraphs(e);
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0], "\xe2\x80\xa6" + std::string(kBody[4]));
  EXPECT_TRUE(entry_paragraphs(parse::Entry{}).empty());
}

// Issue 14: control characters on a page are treated as in a feed (text::drop_controls): a stray
// byte in the title or body is dropped, not shown as U+FFFD, and &#x80;..&#x9F; are read as
// HTML5 reads them (Windows-1252: &#x80; is "€"), not as raw C1 controls.
TEST(Extract, ControlCharactersAsTheFeedPathDropsThem) {
  std::string html = page(paragraphs("<p>فقرة\x1b قصيرة بسعر 5&#x80; و&#1;عشرة&#150;أحد عشر.</p>"));
  for (std::size_t at; (at = html.find("خطة لدعم")) != std::string::npos;)
    html.replace(at, std::string("خطة لدعم").size(), "خطة\x01لدعم");
  auto r = extract_bytes(html, "https://news.example/a/1", "text/html; charset=utf-8");
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_EQ(r->title, "خطةلدعم مزارعي القمح");
  std::string all = r->title + "\n" + r->text();
  EXPECT_EQ(all.find("\uFFFD"), std::string::npos) << all;
  EXPECT_EQ(all.find("\u0080"), std::string::npos) << all;
  EXPECT_EQ(all.find('\x01'), std::string::npos) << all;
  EXPECT_EQ(all.find('\x1b'), std::string::npos) << all;
  EXPECT_NE(r->text().find("فقرة قصيرة بسعر 5€ وعشرة–أحد عشر."), std::string::npos) << r->text();
}

}  // namespace rasid::clean
