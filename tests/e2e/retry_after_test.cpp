// A server's Retry-After holds back what it is about: a 503's (the resource is unavailable,
// RFC 9110 §15.6.4) the one feed that got it; a 429's (a limit on this client, RFC 6585 §4)
// every source on that host — and a source held back by its host says why, in `rasid sources`.
// Found by a fresh try: one feed's `503 Retry-After: 300` held back a healthy feed on the same
// host for 9 minutes, its status showing nothing of it.
//
// The real `rasid run`, real HTTP over loopback: two hosts (their own loopback addresses), each
// with a feed answering an error with Retry-After and a healthy feed that publishes.

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "storage/store.h"
#include "tests/e2e/fixtures.h"
#include "tests/support/http_server.h"
#include "tests/support/process.h"

namespace rasid::testing {
namespace {

using namespace std::chrono_literals;

// One host: /held.xml answers `status` with Retry-After: 300; /fine.xml is a healthy feed.
class Host {
 public:
  Host(const std::string& ip, int status)
      : status_(status), server_([this](const HttpRequest& r) { return handle(r); }, ip) {}
  std::string url(const std::string& path) const { return server_.url(path); }
  void publish(FixtureArticle a) {
    std::lock_guard l(mu_);
    items_.insert(items_.begin(), std::move(a));
  }
  int held_requests() const { return held_.load(); }
  int fine_requests() const { return fine_.load(); }

 private:
  HttpResponse handle(const HttpRequest& r) {
    if (r.path == "/held.xml") {
      held_++;
      return {status_, {{"Retry-After", "300"}}, "not now"};
    }
    std::lock_guard l(mu_);
    if (r.path == "/fine.xml") {
      fine_++;
      return {200,
              {{"Content-Type", "application/rss+xml; charset=utf-8"}},
              rss_feed(items_, server_.url(""))};
    }
    for (const auto& a : items_)
      if (r.path == "/news/" + a.slug) return {200, {}, article_page(a, server_.url(""))};
    return {404, {}, "no"};
  }

  const int status_;
  std::atomic<int> held_{0}, fine_{0};
  std::mutex mu_;
  std::vector<FixtureArticle> items_ = {fixture_articles()[0]};
  HttpServer server_;  // last: stopped first
};

TEST(RetryAfter, A503HoldsBackItsFeedAloneAndA429ItsWholeHostSayingSo) {
  Host unavailable("127.0.0.41", 503), limited("127.0.0.42", 429);
  const std::string dir = make_temp_dir(), db = dir + "/rasid.db", cfg = dir + "/rasid.toml";
  std::string c = "[daemon]\ndatabase = \"" + db +
                  "\"\nallow_private = [\"127.0.0.0/8\"]\nfast_polling = true\nstatus_listen = "
                  "\"127.0.0.1:0\"\n\n"
                  "[[topic]]\nname = \"any\"\nquery = 'سوريا OR القمح'\n\n";
  auto source = [&](const std::string& name, const std::string& url) {
    c += "[[source]]\nname = \"" + name + "\"\nfeed = \"" + url + "\"\ninterval = \"5s\"\n\n";
  };
  source("held-503", unavailable.url("/held.xml"));
  source("beside-503", unavailable.url("/fine.xml"));
  source("held-429", limited.url("/held.xml"));
  source("beside-429", limited.url("/fine.xml"));
  write_file(cfg, c);
  auto check = run_process({RASID_BINARY, "check", "--config", cfg});
  ASSERT_EQ(check.exit_code, 0) << check.err;

  DaemonProcess daemon(cfg, dir + "/rasid");
  daemon.start();
  auto wait_for = [](auto pred, std::chrono::seconds limit) {
    for (auto end = std::chrono::steady_clock::now() + limit;
         !pred() && std::chrono::steady_clock::now() < end;)
      std::this_thread::sleep_for(100ms);
    return pred();
  };
  ASSERT_TRUE(wait_for(
      [&] {
        return unavailable.held_requests() > 0 && limited.held_requests() > 0 &&
               unavailable.fine_requests() > 0;
      },
      20s))
      << "the held feeds answered (the 429's neighbour may be held from its first poll on)";

  // News on both healthy feeds, after their hosts answered with Retry-After.
  const auto news = fixture_articles()[1];
  unavailable.publish(news);
  limited.publish(news);
  auto stored = [&](const std::string& source) {
    auto store = storage::Store::open(db);
    if (!store.ok()) return false;
    auto arts = store.value()->recent_articles(0, 100);
    if (!arts.ok()) return false;
    for (const auto& a : arts.value())
      if (a.source == source && a.canonical.find("/news/" + news.slug) != std::string::npos)
        return true;
    return false;
  };
  EXPECT_TRUE(wait_for([&] { return stored("beside-503"); }, 25s))
      << "a 503's Retry-After holds back that feed only: its neighbour's news arrives";
  // The 429's neighbour, due again within its interval, is given back unpolled with the reason.
  auto beside_429 = [&] {
    storage::SourceState st;
    auto store = storage::Store::open(db);
    if (!store.ok()) return st;
    if (auto s = store.value()->source("beside-429"); s.ok()) st = s.value();
    return st;
  };
  EXPECT_TRUE(
      wait_for([&] { return beside_429().interval_reason.find("429") != std::string::npos; }, 25s))
      << beside_429().interval_reason;
  const auto beside = beside_429();
  EXPECT_NE(beside.interval_reason.find("held-429"), std::string::npos) << beside.interval_reason;
  EXPECT_GT(beside.next_check, storage::now_ms() + 200'000) << "until the host's Retry-After";
  EXPECT_FALSE(stored("beside-429")) << "a 429's Retry-After holds back the whole host";
  EXPECT_EQ(unavailable.held_requests(), 1) << "Retry-After: 300 honoured";
  EXPECT_EQ(limited.held_requests(), 1) << "Retry-After: 300 honoured";
  auto sources = run_process({RASID_BINARY, "sources", "--config", cfg});
  EXPECT_NE(sources.out.find("429 Too Many Requests"), std::string::npos) << sources.out;
  daemon.stop(SIGTERM);
}

}  // namespace
}  // namespace rasid::testing
