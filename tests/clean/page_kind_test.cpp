// Issue 13: responses that are not articles are reported with a kind (never stored), and hints
// or mis-nested markup never empty a page that holds a dominant block of prose.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "clean/extractor.h"

namespace rasid::clean {
namespace {

Article clean_page(const std::string& html) {
  auto r = extract_bytes(html, "https://news.example/a/1", "text/html; charset=utf-8");
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error());
  return r.ok() ? r.value() : Article{};
}

std::string wrap(const std::string& title, const std::string& body) {
  return "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>" + title +
         "</title></head><body>" + body + "</body></html>";
}

// A paragraph of real prose, n times (about 30 words each).
std::string prose(int n) {
  std::string s;
  for (int i = 0; i < n; ++i)
    s += "<p>أعلنت وزارة الزراعة، صباح اليوم الأحد، عن خطة جديدة لدعم مزارعي القمح في المحافظات "
         "الشمالية، تشمل قروضاً ميسرة وبذوراً محسنة وتدريباً للمزارعين على الري الحديث في " +
         std::to_string(i + 1) + " قرية.</p>";
  return s;
}

TEST(PageKind, CloudflareChallengeIsABotChallenge) {
  Article a = clean_page(
      wrap("Just a moment...",
           "<div class=\"main-wrapper\"><div class=\"main-content\"><h1>news.example</h1>"
           "<h2 id=\"challenge-running\">Checking if the site connection is secure</h2>"
           "<noscript>Enable JavaScript and cookies to continue</noscript>"
           "<p>news.example needs to review the security of your connection before proceeding.</p>"
           "</div></div><div class=\"footer\">Performance &amp; security by Cloudflare</div>"));
  EXPECT_EQ(a.kind, PageKind::bot_challenge);
}

TEST(PageKind, DdosGuardWithoutTitleIsABotChallenge) {
  Article a = clean_page(wrap("",
                              "<div><p>Checking your browser before accessing news.example.</p>"
                              "<p>DDoS protection by DDoS-Guard</p></div>"));
  EXPECT_EQ(a.kind, PageKind::bot_challenge);
}

TEST(PageKind, SoftNotFoundInArabic) {
  Article a = clean_page(
      wrap("الصفحة غير موجودة - جريدة الحقل",
           "<main><h1>عذراً، الصفحة غير موجودة</h1><p>ربما تم نقل الصفحة أو حذفها. "
           "عد إلى الصفحة الرئيسية.</p><ul><li><a href=\"/\">الرئيسية</a></li></ul></main>"));
  EXPECT_EQ(a.kind, PageKind::not_found);
}

TEST(PageKind, PaywallTeaserIsALoginWall) {
  Article a = clean_page(wrap(
      "خطة لدعم مزارعي القمح",
      "<article><h1>خطة لدعم مزارعي القمح</h1>" + prose(1) +
          "<div class=\"paywall\"><p>هذا المحتوى متاح للمشتركين فقط. اشترك لمتابعة القراءة.</p>"
          "</div></article>"));
  EXPECT_EQ(a.kind, PageKind::login_wall);
}

TEST(PageKind, ConsentWallStandingInForThePage) {
  Article a = clean_page(
      wrap("Before you continue",
           "<div class=\"consent\"><h1>Before you continue</h1><p>We and our partners use cookies "
           "and data to deliver and maintain our services, measure audience engagement and "
           "personalise ads.</p><p>Accept all cookies or manage cookie preferences.</p></div>"));
  EXPECT_EQ(a.kind, PageKind::consent_wall);
}

TEST(PageKind, EmptyJavaScriptShell) {
  Article a = clean_page(
      wrap("خطة لدعم مزارعي القمح", "<div id=\"root\"></div><script>window.__APP__={}</script>"));
  EXPECT_EQ(a.kind, PageKind::script_shell);
  nlohmann::json j = nlohmann::json::parse(to_json_line("f.html", a));
  EXPECT_EQ(j["kind"], "script_shell");
  EXPECT_FALSE(j.contains("text"));
}

TEST(PageKind, ArticlesMentioningTheseWordsAreArticles) {
  // A long article about cookies, 404 errors and subscriptions is still an article.
  Article a = clean_page(
      wrap("Page not found: how the web forgets",
           "<article><h1>Why links rot</h1>" + prose(6) +
               "<p>Readers who click an old link often meet a page not found error, and many sites "
               "ask them to accept all cookies or subscribe to continue reading.</p></article>"));
  EXPECT_EQ(a.kind, PageKind::article);
  EXPECT_GE(a.paragraphs.size(), 6u);
  // A short news item whose title says "not found" but whose text is long enough.
  Article b = clean_page(wrap("خطة لدعم مزارعي القمح", "<article>" + prose(6) + "</article>"));
  EXPECT_EQ(b.kind, PageKind::article);
}

// Found by a fresh try: breaking news is short and sits under a cookie banner; an article may
// quote a paywall's words or have a title that starts like an error page. All are articles.
TEST(PageKind, ShortBreakingNewsUnderACookieBannerIsAnArticle) {
  Article a = clean_page(
      wrap("عاجل: انفجار في دمشق",
           "<div class=\"cookie-notice\">نستخدم الكوكيز. <a href=\"/privacy\">المزيد</a> "
           "<button>موافق</button></div><article><h1>عاجل: انفجار في دمشق</h1><p>عاجل: دوي انفجار "
           "قوي يهز وسط العاصمة السورية دمشق، ولا معلومات فورية عن الإصابات.</p></article>"));
  EXPECT_EQ(a.kind, PageKind::article);
  EXPECT_NE(a.text().find("دوي انفجار"), std::string::npos) << a.text();
}

TEST(PageKind, ArticlesQuotingAWallOrTitledLikeOneAreArticles) {
  Article quoting = clean_page(wrap(
      "الصحف العربية تتجه إلى الاشتراكات",
      "<article><h1>الصحف العربية تتجه إلى الاشتراكات</h1><p>باتت عبارة «هذا المحتوى للمشتركين "
      "فقط» مألوفة لقراء المواقع الإخبارية العربية، بعد أن لجأت صحف كبرى إلى الاشتراكات المدفوعة "
      "لتعويض تراجع عائدات الإعلانات خلال السنوات الأخيرة.</p><p>ويقول ناشرون إن رسالة «اشترك "
      "الآن لمتابعة القراءة» تدفع بعض القراء إلى الدفع، لكنها تدفع آخرين إلى البحث عن الخبر نفسه "
      "في مواقع مجانية، وفق دراسة نشرت هذا الأسبوع.</p></article>"));
  EXPECT_EQ(quoting.kind, PageKind::article) << quoting.text();
  Article moment =
      clean_page(wrap("Just a moment: لحظة تاريخية في دمشق",
                      "<article><h1>لحظة تاريخية في دمشق</h1>" + prose(3) + "</article>"));
  EXPECT_EQ(moment.kind, PageKind::article);
  Article novel = clean_page(wrap(
      "الصفحة غير موجودة: رواية جديدة عن الاختفاء",
      "<article><h1>الصفحة غير موجودة: رواية جديدة عن الاختفاء</h1>" + prose(3) + "</article>"));
  EXPECT_EQ(novel.kind, PageKind::article);
}

// Text below libxml2's depth limit is lost to the parser, not to JavaScript: such a page is not
// refused as a shell (the pipeline then keeps the feed's own text).
TEST(PageKind, APageCutAtTheParsersDepthLimitIsNotAShell) {
  std::string deep;
  for (int i = 0; i < 300; ++i) deep += "<div>";
  Article a = clean_page(wrap("خطة لدعم مزارعي القمح", deep + prose(3)));
  EXPECT_TRUE(a.truncated);
  EXPECT_EQ(a.kind, PageKind::article);
}

TEST(NeverEmpty, ControlLeftOpenByTheParserDoesNotSwallowTheArticle) {
  // An unclosed <div> inside a <button>: libxml2 keeps the rest of the page inside the button,
  // which the first pass drops as a control.
  Article a = clean_page(wrap("خطة لدعم مزارعي القمح",
                              "<header><button class=\"menu-button\"><div>القائمة</button></header>"
                              "<main><article><h1>خطة لدعم مزارعي القمح</h1>" +
                                  prose(5) + "</article></main>"));
  EXPECT_EQ(a.kind, PageKind::article);
  ASSERT_EQ(a.paragraphs.size(), 5u) << a.text();
  EXPECT_NE(a.paragraphs[4].find("5 قرية"), std::string::npos);
}

TEST(NeverEmpty, ChromeClassOnEveryWrapperOfTheProse) {
  // Every paragraph sits in its own "widget" wrapper: each is a small share of the prose, so
  // the first pass removes them all; together they are the article.
  std::string body = "<main><h1>خطة لدعم مزارعي القمح</h1>";
  for (int i = 0; i < 8; ++i) body += "<div class=\"widget-wrapper\">" + prose(1) + "</div>";
  body += "</main><aside class=\"widget\"><a href=\"/x\">الأكثر قراءة</a></aside>";
  Article a = clean_page(wrap("خطة لدعم مزارعي القمح", body));
  EXPECT_GE(a.paragraphs.size(), 8u) << a.text();
  EXPECT_EQ(a.text().find("الأكثر قراءة"), std::string::npos);
}

TEST(NeverEmpty, AdClassOnTheArticleContainer) {
  Article a =
      clean_page(wrap("خطة لدعم مزارعي القمح",
                      "<main><article class=\"article mntl-article sc-ad-container right-rail\">"
                      "<h1>خطة لدعم مزارعي القمح</h1><div class=\"ad-slot\"></div>" +
                          prose(6) + "</article></main>"));
  EXPECT_EQ(a.paragraphs.size(), 6u) << a.text();
}

TEST(NeverEmpty, TextAfterAStrayHtmlEndTagStays) {
  // A template printed twice: the article follows a stray </body></html>, which HTML5 parsing
  // keeps in the body.
  Article a = clean_page(
      "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>خطة</title></head><body>"
      "<nav><a href=\"/\">الرئيسية</a></nav></body></html><main><article><h1>خطة</h1>" +
      prose(5) + "</article></main></body></html>");
  EXPECT_EQ(a.paragraphs.size(), 5u) << a.text();
}

TEST(NeverEmpty, ListArticleSplitOverDeepContainersIsReadWhole) {
  // An intro next to a small promo box, and eight items in another branch, each item's
  // paragraph five wrappers deep: scoring picks the intro, the items are neither its siblings
  // nor reached by scoring, and the intro alone is under a third of the text.
  std::string nest_open, nest_close;
  for (int i = 0; i < 5; ++i) {
    nest_open += "<div class=\"w" + std::to_string(i) + "\">";
    nest_close += "</div>";
  }
  std::string body =
      "<main><h1>خطة لدعم مزارعي القمح</h1><div class=\"list\"><div class=\"head\">"
      "<div class=\"intro\">" +
      nest_open + prose(3) + nest_close +
      "</div><div class=\"box\"><a href=\"/n\">النشرة البريدية</a></div></div>"
      "<div class=\"items\">";
  for (int i = 0; i < 8; ++i)
    body += "<div class=\"item\"><h2>البند " + std::to_string(i + 1) + "</h2>" + nest_open +
            prose(1) + nest_close + "</div>";
  body += "</div></div></main><aside><ul><li><a href=\"/1\">خبر آخر</a></li></ul></aside>";
  Article a = clean_page(wrap("خطة لدعم مزارعي القمح", body));
  std::size_t n = 0;
  for (const auto& p : a.paragraphs) n += p.find("أعلنت وزارة الزراعة") == 0 ? 1 : 0;
  EXPECT_EQ(n, 11u) << a.text();
  EXPECT_EQ(a.text().find("خبر آخر"), std::string::npos);
}

std::string byline_page(const std::string& byline, const std::string& author_meta = {}) {
  std::string head =
      author_meta.empty() ? "" : "<meta name=\"author\" content=\"" + author_meta + "\">";
  return "<!DOCTYPE html><html lang=\"ar\"><head><meta charset=\"utf-8\">" + head +
         "<title>خطة لدعم مزارعي القمح</title></head><body><main><article>"
         "<h1>خطة لدعم مزارعي القمح</h1>" +
         byline + prose(4) + "</article></main></body></html>";
}

TEST(Byline, WrittenBylinesBecomeTheAuthorAndLeaveTheBody) {
  struct Case {
    std::string html, author;
  } cases[] = {
      {"<p>بقلم سارة العتيبي</p>", "سارة العتيبي"},
      {"<p>بقلم: سارة العتيبي</p>", "سارة العتيبي"},
      {"<div class=\"writer\">كتب: محمد الأحمد</div>", "محمد الأحمد"},
      {"<p>كتبت هدى سالم</p>", "هدى سالم"},
      {"<p><strong>تقرير:</strong> رامي خليل</p>", "رامي خليل"},
      {"<p>بقلم سارة العتيبي | 12 مارس 2024</p>", "سارة العتيبي"},
      {"<p>By Jane Doe</p>", "Jane Doe"},
      {"<p>كتبت – ليلى حسن</p>", "ليلى حسن"},  // a dash as the separator (fresh try)
  };
  for (const auto& c : cases) {
    Article a = clean_page(byline_page(c.html));
    EXPECT_EQ(a.author, c.author) << c.html;
    ASSERT_EQ(a.paragraphs.size(), 4u) << c.html << "\n" << a.text();
    EXPECT_EQ(a.text().find(c.author), std::string::npos) << a.text();
  }
}

TEST(Byline, ADeclaredAuthorIsKeptAndTheLineStillGoes) {
  Article a = clean_page(byline_page("<p>بقلم سارة العتيبي</p>", "Sara Alotaibi"));
  EXPECT_EQ(a.author, "Sara Alotaibi");
  EXPECT_EQ(a.text().find("بقلم"), std::string::npos);
}

TEST(Byline, SentencesContainingKatabaAreUntouched) {
  const std::string s1 = "كتب الوزير رسالة إلى المزارعين يعدهم فيها بدعم إضافي قبل الموسم.";
  const std::string s2 = "وكتب المحلل في تقريره أن الأسعار سترتفع، وأن التجار يخزنون القمح.";
  const std::string s3 = "تقرير جديد يكشف حجم الخسائر في المحاصيل";
  Article a = clean_page(byline_page("<p>" + s1 + "</p><p>" + s2 + "</p><h2>" + s3 + "</h2>"));
  EXPECT_EQ(a.author, "");
  EXPECT_NE(a.text().find(s1), std::string::npos) << a.text();
  EXPECT_NE(a.text().find(s2), std::string::npos) << a.text();
  EXPECT_NE(a.text().find(s3), std::string::npos) << a.text();
}

}  // namespace
}  // namespace rasid::clean
