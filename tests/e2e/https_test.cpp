// HTTPS end to end: every real source is HTTPS, so the real `rasid once` polls a feed, fetches
// its articles and delivers the alert over TLS from servers whose certificates come from a CA the
// test makes, trusted through `[daemon] ca_file`. Sources whose certificate is wrong each fail
// with their own reason in the source's last error — never fetched with verification off.

#include <gtest/gtest.h>

#include <filesystem>
#include <mutex>
#include <nlohmann/json.hpp>

#include "storage/store.h"
#include "tests/e2e/fixtures.h"
#include "tests/e2e/once_fixture.h"
#include "tests/support/http_server.h"
#include "tests/support/process.h"
#include "tests/support/test_ca.h"

namespace rasid::testing {
namespace {

// A news site served over HTTPS: feed, article pages and a webhook receiver.
class TlsSite {
 public:
  explicit TlsSite(const TlsFiles& cert)
      : server_([this](const HttpRequest& r) { return handle(r); }, cert),
        items_(fixture_articles()) {}

  HttpResponse handle(const HttpRequest& r) {
    std::lock_guard<std::mutex> lock(mu_);
    if (r.path == "/feed.xml")
      return {200,
              {{"Content-Type", "application/rss+xml; charset=utf-8"}},
              rss_feed(items_, server_.url(""))};
    if (r.path.rfind("/news/", 0) == 0) {
      for (const auto& a : items_)
        if (r.path == "/news/" + a.slug) return {200, {}, article_page(a, server_.url(""))};
      return {404, {}, "not found"};
    }
    if (r.path == "/hook" && r.method == "POST") {
      auto j = nlohmann::json::parse(r.body, nullptr, false);
      hooks_.push_back(j.is_object() ? j.value("topic", "") : "");
      return {200, {}, "ok"};
    }
    return {404, {}, "no"};
  }
  std::string url(const std::string& path) const { return server_.url(path); }
  int requests() const { return server_.requests(); }
  std::vector<std::string> hooks() {
    std::lock_guard<std::mutex> lock(mu_);
    return hooks_;
  }

 private:
  HttpServer server_;
  std::mutex mu_;
  std::vector<FixtureArticle> items_;
  std::vector<std::string> hooks_;
};

class HttpsE2E : public RasidOnceTest {
 protected:
  void SetUp() override {
    RasidOnceTest::SetUp();
    ca_ = std::make_unique<TestCa>(dir_);
  }
  void TearDown() override {
    ca_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  std::string daemon_table(bool with_ca) {
    return "[daemon]\ndatabase = \"" + db_ + "\"\nallow_private = [\"127.0.0.0/8\"]\n" +
           (with_ca ? "ca_file = \"ca.pem\"\n" : "") + "status_listen = \"\"\n\n";
  }
  static std::string source(const std::string& name, const std::string& feed) {
    return "[[source]]\nname = \"" + name + "\"\nfeed = \"" + feed +
           "\"\nalert_on_first_poll = true\n\n";
  }
  nlohmann::json sources() {
    auto r = run_process({RASID_BINARY, "sources", "--json", "--config", cfg_});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return nlohmann::json::parse(r.out, nullptr, false);
  }
  std::string last_error(const nlohmann::json& all, const std::string& name) {
    for (const auto& s : all)
      if (s.value("name", "") == name) return s.value("last_error", "?");
    return "(no source " + name + ")";
  }
  size_t article_count() {
    auto store = storage::Store::open(db_);
    EXPECT_TRUE(store.ok());
    if (!store.ok()) return 0;
    auto arts = store.value()->recent_articles(0, 100);
    return arts.ok() ? arts->size() : 0;
  }
  std::unique_ptr<TestCa> ca_;
};

TEST_F(HttpsE2E, FeedArticlesAndWebhookOverHttpsWithAPrivateCa) {
  TlsSite site(ca_->issue("site", LeafSpec::loopback()));
  ASSERT_EQ(site.url("/").rfind("https://", 0), 0u);
  write_file(cfg_, daemon_table(true) + source("khabar", site.url("/feed.xml")) +
                       "[[topic]]\nname = \"syria-iran\"\nquery = 'سوريا AND إيران'\n"
                       "webhooks = [\"recv\"]\n\n[[webhook]]\nname = \"recv\"\nurl = \"" +
                       site.url("/hook") + "\"\n");
  auto check = run_process({RASID_BINARY, "check", "--config", cfg_});
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
  once();
  EXPECT_EQ(article_count(), 3u) << "feed and the three article pages came over HTTPS";
  EXPECT_EQ(site.hooks(), std::vector<std::string>{"syria-iran"})
      << "the alert was delivered to the HTTPS webhook";
  auto all = sources();
  EXPECT_EQ(last_error(all, "khabar"), "");
}

TEST_F(HttpsE2E, EachCertificateProblemIsItsOwnSourceError) {
  LeafSpec expired = LeafSpec::loopback();
  expired.not_before = -std::chrono::hours(24 * 90);
  expired.not_after = -std::chrono::hours(48);
  TlsSite good(ca_->issue("good", LeafSpec::loopback()));
  TlsSite old(ca_->issue("expired", expired));
  TlsSite elsewhere(ca_->issue("wrong-host", LeafSpec{{"www.example.net"}, {}}));
  TlsSite own(TestCa::self_signed(dir_, "self-signed", LeafSpec::loopback()));
  write_file(cfg_, daemon_table(true) + source("good", good.url("/feed.xml")) +
                       source("expired", old.url("/feed.xml")) +
                       source("wrong-host", elsewhere.url("/feed.xml")) +
                       source("self-signed", own.url("/feed.xml")));
  auto r = once();
  auto all = sources();
  EXPECT_EQ(last_error(all, "good"), "");
  EXPECT_EQ(last_error(all, "expired").rfind("tls: certificate has expired (", 0), 0u)
      << last_error(all, "expired");
  EXPECT_EQ(last_error(all, "wrong-host").rfind("tls: certificate is for another host name (", 0),
            0u)
      << last_error(all, "wrong-host");
  EXPECT_EQ(last_error(all, "self-signed")
                .rfind("tls: certificate not trusted (self-signed or unknown CA) (", 0),
            0u)
      << last_error(all, "self-signed");
  // The log says it too, per source.
  EXPECT_NE(r.err.find("certificate has expired"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("certificate is for another host name"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("certificate not trusted"), std::string::npos) << r.err;
  // Nothing crossed a refused connection; the good source's articles did.
  EXPECT_EQ(old.requests(), 0);
  EXPECT_EQ(elsewhere.requests(), 0);
  EXPECT_EQ(own.requests(), 0);
  EXPECT_EQ(article_count(), 3u);
}

TEST_F(HttpsE2E, WithoutCaFileAPrivateCaIsNotTrusted) {
  TlsSite site(ca_->issue("site", LeafSpec::loopback()));
  write_file(cfg_, daemon_table(false) + source("khabar", site.url("/feed.xml")));
  auto r = run_process({RASID_BINARY, "once", "--config", cfg_});
  EXPECT_EQ(r.exit_code, 3) << "the only source failed: " << r.err;
  EXPECT_EQ(last_error(sources(), "khabar")
                .rfind("tls: certificate not trusted (self-signed or unknown CA) (", 0),
            0u);
  EXPECT_EQ(site.requests(), 0);
  EXPECT_EQ(article_count(), 0u);
}

}  // namespace
}  // namespace rasid::testing
