// Section pages without a feed, end to end: a real server serves an Arabic news section page
// (menus, tag cloud, author links, pagination, a most-read box around the list of articles) and
// the article pages; the real `rasid once` binary polls it with a real SQLite file and a real
// webhook receiver. New links on the page become articles and alerts, each exactly once.

#include <gtest/gtest.h>

#include <mutex>
#include <nlohmann/json.hpp>
#include <set>

#include "storage/store.h"
#include "tests/e2e/fixtures.h"
#include "tests/e2e/once_fixture.h"
#include "tests/support/http_server.h"
#include "tests/support/process.h"

namespace rasid::testing {
namespace {

std::vector<FixtureArticle> section_articles() {
  return {
      {"2026/11/10231-syria-iran-reconstruction-talks",
       "وفدان من سوريا وإيران يبحثان ملفات إعادة الإعمار في دمشق",
       {"بحث وفدان من سوريا وإيران في دمشق يوم الأحد ملفات إعادة الإعمار والطاقة، في اجتماع "
        "استمر ساعات وحضره ممثلون عن وزارتي الاقتصاد والنقل.",
        "وقال مصدر حضر الاجتماع إن الطرفين ناقشا جدولاً زمنياً لمشاريع الكهرباء في ريف دمشق، "
        "من دون أن يعلنا عن اتفاق نهائي.",
        "ومن المنتظر أن يعقد الجانبان جولة جديدة من المحادثات مطلع الشهر المقبل."},
       "Sun, 22 Nov 2026 10:00:00 +0300"},
      {"2026/11/10230-aleppo-bread-prices",
       "ارتفاع سعر ربطة الخبز في حلب للمرة الثانية هذا الشهر",
       {"ارتفع سعر ربطة الخبز في أفران حلب الخاصة للمرة الثانية خلال شهر واحد، بحسب سكان "
        "تحدثوا عن طوابير طويلة منذ ساعات الصباح.",
        "وأرجع أصحاب أفران الزيادة إلى ارتفاع أسعار الطحين والمازوت، في حين لم تعلق الجهات "
        "الرسمية على الأسعار الجديدة."},
       "Sat, 21 Nov 2026 18:00:00 +0300"},
      {"2026/11/10229-homs-school-reopens",
       "إعادة افتتاح مدرسة في حمص بعد ترميمها بتمويل أهلي",
       {"أعيد افتتاح مدرسة ابتدائية في أحد أحياء حمص بعد أشهر من أعمال الترميم التي مولها "
        "سكان الحي ومغتربون من أبنائه.",
        "وتستقبل المدرسة نحو أربعمئة تلميذ في فترتين صباحية ومسائية، بحسب مديرها."},
       "Fri, 20 Nov 2026 09:00:00 +0300"},
  };
}

FixtureArticle breaking_article() {
  return {"2026/11/10232-syria-iran-electricity-deal",
          "اتفاق بين سوريا وإيران لتوريد الكهرباء إلى المحافظات الجنوبية",
          {"وقعت سوريا وإيران اتفاقاً لتوريد الكهرباء إلى المحافظات الجنوبية، في خطوة قال "
           "مسؤولون إنها ستخفف ساعات التقنين خلال الشتاء.",
           "ولم يكشف الطرفان عن قيمة الاتفاق أو مدة تنفيذه، لكن مصادر رجحت أن يبدأ التنفيذ خلال "
           "أسابيع."},
          "Mon, 23 Nov 2026 08:00:00 +0300"};
}

// The section page: the list of article cards sits among the usual chrome.
std::string section_page(const std::vector<FixtureArticle>& items, const std::string& base) {
  std::string h = R"(<!DOCTYPE html><html lang="ar" dir="rtl"><head><meta charset="utf-8">
<title>سوريا | موقع الخبر</title></head><body>
<header class="site-header"><nav class="main-menu"><ul>
<li><a href="/">الرئيسية</a></li><li><a href="/syria">سوريا</a></li>
<li><a href="/world">عالم</a></li><li><a href="/economy">اقتصاد</a></li></ul></nav></header>
<div class="breadcrumbs"><a href="/">الرئيسية</a> › <a href="/syria">سوريا</a></div>
<main><h1 class="section-title">أخبار سوريا</h1>
<div class="latest">
)";
  for (const auto& a : items) {
    h += "<article class=\"card\"><a class=\"thumb\" href=\"" + base + "/news/" + a.slug +
         "?utm_source=section\"><img src=\"/img/" + std::to_string(a.slug.size()) +
         ".jpg\" alt=\"\"></a><h2><a href=\"/news/" + a.slug + "\">" + escape_xml(a.title) +
         "</a></h2><p class=\"meta\"><a href=\"/author/ahmad-khalil\">أحمد خليل</a> · <a "
         "href=\"/tag/%D8%B3%D9%88%D8%B1%D9%8A%D8%A7\">سوريا</a></p></article>\n";
  }
  h += R"(</div>
<div class="pagination"><a href="/syria/page/2">التالي</a> <a href="/syria/page/3">3</a></div>
</main>
<aside class="sidebar most-read"><h3>الأكثر قراءة</h3><ol>
<li><a href="/news/2025/01/9001-old-story-everyone-read">خبر قديم يقرأه الجميع</a></li></ol></aside>
<footer><a href="https://facebook.com/khabar">فيسبوك</a> <a href="/about">من نحن</a>
<a href="/contact">اتصل بنا</a><p>جميع الحقوق محفوظة © 2026</p></footer>
</body></html>)";
  return h;
}

struct Delivery {
  std::string topic;
  std::string title;
};

class Site {
 public:
  Site()
      : server_([this](const HttpRequest& r) { return handle(r); }), items_(section_articles()) {}

  HttpResponse handle(const HttpRequest& r) {
    std::lock_guard<std::mutex> lock(mu_);
    if (r.path == "/syria") {
      section_requests_++;
      return {200, {{"Content-Type", "text/html; charset=utf-8"}}, section_page(items_, base())};
    }
    if (r.path.rfind("/news/", 0) == 0) {
      article_requests_.push_back(r.path);
      std::string slug = r.path.substr(6);
      if (slug.find("removed") != std::string::npos) return {404, {}, "gone"};
      for (const auto& a : items_)
        if (a.slug == slug)
          return {200, {{"Content-Type", "text/html; charset=utf-8"}}, article_page(a, base())};
      return {404, {}, "not found"};
    }
    if (r.path == "/hook" && r.method == "POST") {
      auto j = nlohmann::json::parse(r.body, nullptr, false);
      deliveries_.push_back({j.value("topic", ""), j.is_object() && j.contains("article")
                                                       ? j["article"].value("title", "")
                                                       : ""});
      return {200, {}, "ok"};
    }
    other_requests_.push_back(r.path);
    return {404, {}, "no"};
  }

  std::string base() const { return server_.url(""); }
  std::string config(const std::string& db, bool alert_first, const std::string& selector = "") {
    std::string c = "[daemon]\ndatabase = \"" + db +
                    "\"\nallow_private = [\"127.0.0.0/8\"]\nlog_level = \"debug\"\n\n"
                    "[[source]]\nname = \"khabar-syria\"\npage = \"" +
                    server_.url("/syria") + "\"\n";
    if (!selector.empty()) c += "link_selector = \"" + selector + "\"\n";
    c += std::string("alert_on_first_poll = ") + (alert_first ? "true" : "false") +
         "\n\n[[topic]]\nname = \"syria-iran\"\nquery = 'سوريا AND إيران'\nwebhooks = "
         "[\"recv\"]\n\n[[topic]]\nname = \"bread\"\nquery = 'خبز OR طحين'\nwebhooks = "
         "[\"recv\"]\n\n[[webhook]]\nname = \"recv\"\nurl = \"" +
         server_.url("/hook") + "\"\n";
    return c;
  }
  void publish(FixtureArticle a) {
    std::lock_guard<std::mutex> lock(mu_);
    items_.insert(items_.begin(), std::move(a));
  }
  std::vector<Delivery> deliveries() {
    std::lock_guard<std::mutex> lock(mu_);
    return deliveries_;
  }
  std::vector<std::string> article_requests() {
    std::lock_guard<std::mutex> lock(mu_);
    return article_requests_;
  }
  std::vector<std::string> other_requests() {
    std::lock_guard<std::mutex> lock(mu_);
    return other_requests_;
  }

 private:
  HttpServer server_;
  std::mutex mu_;
  std::vector<FixtureArticle> items_;
  std::vector<Delivery> deliveries_;
  std::vector<std::string> article_requests_, other_requests_;
  int section_requests_ = 0;
};

class PageSourceTest : public RasidOnceTest {
 protected:
  std::vector<storage::Article> articles() {
    auto store = storage::Store::open(db_);
    EXPECT_TRUE(store.ok());
    if (!store.ok()) return {};
    auto arts = store.value()->recent_articles(0, 100);
    EXPECT_TRUE(arts.ok());
    return arts.ok() ? arts.value() : std::vector<storage::Article>{};
  }
};

TEST_F(PageSourceTest, NewLinksOnASectionPageBecomeArticlesAndAlertsOnce) {
  Site site;
  write_file(cfg_, site.config(db_, false));
  once();
  EXPECT_TRUE(site.deliveries().empty()) << "the first poll records what is there";
  auto arts = articles();
  ASSERT_EQ(arts.size(), 3u);
  for (const auto& a : arts) {
    EXPECT_EQ(a.source, "khabar-syria");
    EXPECT_EQ(a.canonical.find("utm_"), std::string::npos) << a.canonical;
    for (const auto& chrome : chrome_lines())
      EXPECT_EQ(a.body.find(chrome), std::string::npos) << chrome << " in " << a.title;
  }
  // Only article pages were fetched: no menu, tag, author, pagination or most-read link, and
  // the card's two links (thumbnail with a tracking parameter, title) are one article.
  auto reqs = site.article_requests();
  EXPECT_EQ(std::set<std::string>(reqs.begin(), reqs.end()).size(), 3u);
  EXPECT_EQ(reqs.size(), 3u);
  for (const auto& p : reqs) EXPECT_EQ(p.find("9001"), std::string::npos) << p;
  EXPECT_TRUE(site.other_requests().empty()) << site.other_requests().front();

  site.publish(breaking_article());
  once();
  auto ds = site.deliveries();
  ASSERT_EQ(ds.size(), 1u);
  EXPECT_EQ(ds[0].topic, "syria-iran");
  EXPECT_NE(ds[0].title.find("الكهرباء"), std::string::npos) << ds[0].title;
  EXPECT_EQ(articles().size(), 4u);
  EXPECT_EQ(site.article_requests().size(), 4u) << "known links are not fetched again";

  once();
  EXPECT_EQ(site.deliveries().size(), 1u) << "nothing is delivered twice";
  EXPECT_EQ(articles().size(), 4u);
  EXPECT_EQ(site.article_requests().size(), 4u);
}

TEST_F(PageSourceTest, AlertOnFirstPollAlertsEveryMatchingArticleOnce) {
  Site site;
  write_file(cfg_, site.config(db_, true));
  once();
  std::multiset<std::string> topics;
  for (const auto& d : site.deliveries()) topics.insert(d.topic);
  EXPECT_EQ(topics, (std::multiset<std::string>{"syria-iran", "bread"}));
  once();
  EXPECT_EQ(site.deliveries().size(), 2u);
}

TEST_F(PageSourceTest, LinkSelectorRestrictsTheLinksTaken) {
  Site site;
  // Only the title links of the cards; the selector also admits nothing from the sidebar.
  write_file(cfg_, site.config(db_, true, "//div[@class='latest']//h2/a"));
  once();
  auto reqs = site.article_requests();
  EXPECT_EQ(reqs.size(), 3u);
  EXPECT_EQ(articles().size(), 3u);
  site.publish(breaking_article());
  once();
  EXPECT_EQ(site.article_requests().size(), 4u);
  EXPECT_EQ(articles().size(), 4u);
}

TEST_F(PageSourceTest, AGoneArticlePageIsRecordedButNotStored) {
  Site site;
  write_file(cfg_, site.config(db_, true));
  once();
  ASSERT_EQ(articles().size(), 3u);
  // A link that answers 404 has no text to keep (a section page gives only the link): it is
  // recorded as seen, stored as no article, and not fetched again at every poll.
  FixtureArticle ghost = breaking_article();
  ghost.slug = "2026/11/10299-removed-story-about-syria";
  site.publish(ghost);
  once();
  size_t after = site.article_requests().size();
  EXPECT_EQ(articles().size(), 3u) << "no empty article for a gone page";
  once();
  EXPECT_EQ(site.article_requests().size(), after) << "a gone page is not asked again";
}

}  // namespace
}  // namespace rasid::testing
