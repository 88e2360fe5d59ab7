// Site templates end to end: a real server serves a feed whose article pages all carry the same
// support appeal inside the article's text (worded so that no chrome vocabulary knows it, and
// naming Syria). The real `rasid once` learns the source's template from the first poll's pages
// (stored without alerting), so neither those stored articles nor a later alert carry the
// appeal, and a later article that mentions Syria only in the appeal does not match.
#include <gtest/gtest.h>

#include <mutex>
#include <nlohmann/json.hpp>

#include "storage/store.h"
#include "tests/e2e/fixtures.h"
#include "tests/e2e/once_fixture.h"
#include "tests/support/http_server.h"
#include "tests/support/process.h"

namespace rasid::testing {
namespace {

const std::string kAppeal =
    "نعمل منذ سنوات من أجل سوريا حرة وإعلام لا يخضع لأحد، ونحن بحاجتك لنبقى مستقلين.";

std::string page_with_appeal(const FixtureArticle& a, const std::string& base) {
  std::string h = article_page(a, base);
  auto at = h.find("</div></article>");
  if (at != std::string::npos) h.insert(at, "<p>" + kAppeal + "</p>\n");
  return h;
}

class Site {
 public:
  Site()
      : server_([this](const HttpRequest& r) { return handle(r); }), items_(fixture_articles()) {}

  HttpResponse handle(const HttpRequest& r) {
    std::lock_guard<std::mutex> lock(mu_);
    if (r.path == "/feed")
      return {200, {{"Content-Type", "application/rss+xml"}}, rss_feed(items_, base())};
    if (r.path.rfind("/news/", 0) == 0) {
      for (const auto& a : items_)
        if ("/news/" + a.slug == r.path)
          return {200, {{"Content-Type", "text/html; charset=utf-8"}}, page_with_appeal(a, base())};
      return {404, {}, "not found"};
    }
    if (r.path == "/hook" && r.method == "POST") {
      deliveries_.push_back(nlohmann::json::parse(r.body, nullptr, false));
      return {200, {}, "ok"};
    }
    return {404, {}, "no"};
  }
  std::string base() const { return server_.url(""); }
  std::string config(const std::string& db) const {
    return "[daemon]\ndatabase = \"" + db +
           "\"\nallow_private = [\"127.0.0.0/8\"]\n\n[[source]]\nname = \"khabar\"\nfeed = \"" +
           server_.url("/feed") +
           "\"\n\n[[topic]]\nname = \"syria\"\nquery = 'سوريا'\nwebhooks = [\"recv\"]\n\n"
           "[[webhook]]\nname = \"recv\"\nurl = \"" +
           server_.url("/hook") + "\"\n";
  }
  void publish(FixtureArticle a) {
    std::lock_guard<std::mutex> lock(mu_);
    items_.insert(items_.begin(), std::move(a));
  }
  std::vector<nlohmann::json> deliveries() {
    std::lock_guard<std::mutex> lock(mu_);
    return deliveries_;
  }

 private:
  HttpServer server_;
  std::mutex mu_;
  std::vector<FixtureArticle> items_;
  std::vector<nlohmann::json> deliveries_;
};

class SiteTemplateTest : public RasidOnceTest {
 protected:
  std::vector<storage::Article> articles() {
    auto store = storage::Store::open(db_);
    EXPECT_TRUE(store.ok());
    if (!store.ok()) return {};
    auto arts = store.value()->recent_articles(0, 100);
    return arts.ok() ? arts.value() : std::vector<storage::Article>{};
  }
};

TEST_F(SiteTemplateTest, FirstPollLearnsTheTemplateAndLaterAlertsCarryNoAppeal) {
  Site site;
  write_file(cfg_, site.config(db_));
  // The single-page cleaner keeps the appeal: only the template can take it out.
  const std::string page_file = dir_ + "/page.html";
  write_file(page_file, page_with_appeal(fixture_articles()[1], site.base()));
  auto single = run_process({RASID_BINARY, "clean", page_file});
  ASSERT_EQ(single.exit_code, 0) << single.err;
  ASSERT_NE(single.out.find(kAppeal), std::string::npos) << single.out;

  once();
  EXPECT_TRUE(site.deliveries().empty()) << "the first poll records what is there";
  auto first = articles();
  ASSERT_EQ(first.size(), 3u);
  for (const auto& a : first) {
    EXPECT_EQ(a.body.find("بحاجتك"), std::string::npos) << a.title << ": " << a.body;
    EXPECT_FALSE(a.body.empty());
  }
  auto sources = run_process({RASID_BINARY, "sources", "--json", "--config", cfg_});
  ASSERT_EQ(sources.exit_code, 0) << sources.err;
  auto js = nlohmann::json::parse(sources.out, nullptr, false);
  ASSERT_TRUE(js.is_array() && js.size() == 1) << sources.out;
  EXPECT_EQ(js[0]["template_pages"], 3) << sources.out;

  // Two new stories: one about Syria, one that names Syria only in the appeal.
  site.publish({"rain",
                "أمطار غزيرة تغمر شوارع المدينة وتعطل حركة السير",
                {"غمرت أمطار غزيرة شوارع المدينة صباح الاثنين، وتعطلت حركة السير في عدة أحياء "
                 "لساعات.",
                 "وقالت فرق الدفاع المدني إنها تعاملت مع عشرات البلاغات من دون تسجيل إصابات."},
                "Mon, 23 Nov 2026 07:00:00 +0300"});
  site.publish({"border",
                "سوريا تعيد فتح معبر حدودي أمام حركة الشاحنات",
                {"أعادت سوريا فتح معبر حدودي أمام حركة الشاحنات التجارية بعد إغلاق دام أشهراً، "
                 "بحسب بيان رسمي.",
                 "وقال البيان إن المعبر سيعمل يومياً من السابعة صباحاً حتى السادسة مساءً."},
                "Mon, 23 Nov 2026 09:00:00 +0300"});
  once();
  auto ds = site.deliveries();
  ASSERT_EQ(ds.size(), 1u) << "the appeal's «سوريا» must not match the rain story";
  EXPECT_NE(ds[0]["article"]["title"].get<std::string>().find("معبر"), std::string::npos);
  EXPECT_EQ(ds[0].dump().find("بحاجتك"), std::string::npos) << ds[0].dump();
  auto all = articles();
  ASSERT_EQ(all.size(), 5u);
  for (const auto& a : all) EXPECT_EQ(a.body.find("بحاجتك"), std::string::npos) << a.title;
}

}  // namespace
}  // namespace rasid::testing
