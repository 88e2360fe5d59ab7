// The interval the user configured is the promise: old pubDates never stretch it, a poll that
// finds new entries never lengthens it, and `rasid sources` / /api/sources say which interval is
// in force and why it differs.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <ctime>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "tests/e2e/fixtures.h"
#include "tests/e2e/once_fixture.h"
#include "tests/support/http_server.h"
#include "tests/support/process.h"

namespace rasid::testing {
namespace {

using namespace std::chrono_literals;

class IntervalTest : public RasidOnceTest {
 protected:
  void SetUp() override {
    RasidOnceTest::SetUp();
    // Items dated years apart (an archive, wrong clocks): the old median-gap rule made this
    // source's 2 s interval hours long.
    items_ = fixture_articles();
    const char* dates[] = {"Sun, 22 Nov 2026 10:00:00 +0300", "Tue, 01 Jan 2019 08:00:00 GMT",
                           "Mon, 05 Jan 2015 08:00:00 GMT"};
    for (size_t i = 0; i < items_.size(); ++i) items_[i].published = dates[i % 3];
    server_ = std::make_unique<HttpServer>([this](const HttpRequest& r) -> HttpResponse {
      std::lock_guard l(mu_);
      if (r.path == "/feed.xml") {
        polls_.push_back(std::chrono::steady_clock::now());
        return {200, {{"Content-Type", "application/rss+xml"}}, rss_feed(items_, server_->url(""))};
      }
      for (const auto& a : items_)
        if (r.path == "/news/" + a.slug) return {200, {}, article_page(a, server_->url(""))};
      return {404, {}, "no"};
    });
    write_file(cfg_, "[daemon]\ndatabase = \"" + db_ +
                         "\"\nallow_private = [\"127.0.0.0/8\"]\nstatus_listen = \"\"\n"
                         "fast_polling = true\nper_host_delay_ms = 0\n\n"
                         "[[source]]\nname = \"khabar\"\nfeed = \"" +
                         server_->url("/feed.xml") +
                         "\"\ninterval = \"2s\"\nmin_interval = \"1s\"\n");
  }
  void TearDown() override {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  nlohmann::json source() {
    auto r = run_process({RASID_BINARY, "sources", "--json", "--config", cfg_});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    auto j = nlohmann::json::parse(r.out, nullptr, false);
    return j.is_array() && !j.empty() ? j[0] : nlohmann::json::object();
  }
  size_t polls() {
    std::lock_guard l(mu_);
    return polls_.size();
  }
  std::unique_ptr<HttpServer> server_;
  std::mutex mu_;
  std::vector<FixtureArticle> items_;
  std::vector<std::chrono::steady_clock::time_point> polls_;
  int pid_ = -1;
};

TEST_F(IntervalTest, QuietSourceSlowsWithinItsCeilingAndNewEntriesBringItBack) {
  pid_ = spawn_process({RASID_BINARY, "run", "--config", cfg_}, {}, dir_ + "/run.out",
                       dir_ + "/run.err");
  // Quiet polls: the interval grows, never past 4 × 2 s, and says why.
  nlohmann::json s;
  for (auto end = std::chrono::steady_clock::now() + 40s; std::chrono::steady_clock::now() < end;
       std::this_thread::sleep_for(500ms)) {
    s = source();
    if (s.value("interval_in_force_s", 0) > 2) break;
  }
  ASSERT_GT(s.value("interval_in_force_s", 0), 2) << s.dump();
  EXPECT_LE(s.value("interval_in_force_s", 0), 8) << "default ceiling is 4 × interval";
  EXPECT_EQ(s.value("interval_s", 0), 2);
  EXPECT_NE(s.value("interval_reason", "").find("lengthened"), std::string::npos) << s.dump();

  // A new entry: the next poll finds it and the interval is back to the configured 2 s.
  {
    std::lock_guard l(mu_);
    FixtureArticle a = items_[0];
    a.slug = "breaking";
    a.title = "عاجل: " + a.title;
    a.published = "Mon, 05 Jan 2015 08:00:00 GMT";  // an old date, as such feeds have
    items_.insert(items_.begin(), a);
  }
  for (auto end = std::chrono::steady_clock::now() + 30s; std::chrono::steady_clock::now() < end;
       std::this_thread::sleep_for(500ms)) {
    s = source();
    if (s.value("interval_in_force_s", 99) <= 2) break;
  }
  EXPECT_LE(s.value("interval_in_force_s", 99), 2) << s.dump();
  EXPECT_EQ(s.value("interval_reason", "x").find("lengthened"), std::string::npos) << s.dump();

  // The text listing shows the interval in force beside the configured one.
  auto text = run_process({RASID_BINARY, "sources", "--config", cfg_});
  EXPECT_NE(text.out.find("INTERVAL"), std::string::npos) << text.out;
  // In 40+ seconds of a 2 s source, never a gap beyond the ceiling (plus jitter and fetch).
  std::lock_guard l(mu_);
  for (size_t i = 1; i < polls_.size(); ++i)
    EXPECT_LT(polls_[i] - polls_[i - 1], 10s) << "poll " << i;
}

}  // namespace
}  // namespace rasid::testing
