// A second daemon on the same SQLite file must refuse to start (it would deliver every alert
// twice), naming the file and the PID that holds it; read-only commands keep working beside it.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include "tests/e2e/fixtures.h"
#include "tests/e2e/once_fixture.h"
#include "tests/support/http_server.h"
#include "tests/support/process.h"

namespace rasid::testing {
namespace {

using namespace std::chrono_literals;

std::string read_all(const std::string& path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

class InstanceTest : public RasidOnceTest {
 protected:
  void SetUp() override {
    RasidOnceTest::SetUp();
    server_ = std::make_unique<HttpServer>([this](const HttpRequest& r) -> HttpResponse {
      if (r.path == "/feed.xml")
        return {200,
                {{"Content-Type", "application/rss+xml"}},
                rss_feed(fixture_articles(), server_->url(""))};
      if (r.path.rfind("/news/", 0) == 0)
        for (const auto& a : fixture_articles())
          if ("/news/" + a.slug == r.path) return {200, {}, article_page(a, server_->url(""))};
      return {404, {}, "no"};
    });
    write_file(cfg_, "[daemon]\ndatabase = \"" + db_ +
                         "\"\nallow_private = [\"127.0.0.0/8\"]\nstatus_listen = \"\"\n\n"
                         "[[source]]\nname = \"khabar\"\nfeed = \"" +
                         server_->url("/feed.xml") + "\"\n");
  }
  void TearDown() override {
    for (int pid : pids_) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
    }
  }
  int start() {
    int pid = spawn_process({RASID_BINARY, "run", "--config", cfg_}, {}, dir_ + "/run.out",
                            dir_ + "/run." + std::to_string(pids_.size()) + ".err");
    pids_.push_back(pid);
    return pid;
  }
  // The holder writes its PID into the lock file once it holds the lock.
  bool holds_lock(int pid) {
    for (auto end = std::chrono::steady_clock::now() + 20s; std::chrono::steady_clock::now() < end;
         std::this_thread::sleep_for(50ms))
      if (read_all(db_ + ".lock") == std::to_string(pid) + "\n") return true;
    return false;
  }
  std::unique_ptr<HttpServer> server_;
  std::vector<int> pids_;
};

TEST_F(InstanceTest, SecondDaemonOnTheSameFileRefusesNamingFileAndPid) {
  const int first = start();
  ASSERT_TRUE(holds_lock(first)) << read_all(dir_ + "/run.0.err");

  const auto t0 = std::chrono::steady_clock::now();
  auto second = run_process({RASID_BINARY, "run", "--config", cfg_}, {}, 60);
  const auto took = std::chrono::steady_clock::now() - t0;
  EXPECT_NE(second.exit_code, 0) << "a second daemon started on the same database";
  EXPECT_LT(took, 15s) << "refused within seconds";
  EXPECT_NE(second.err.find(db_), std::string::npos) << second.err;
  EXPECT_NE(second.err.find("PID " + std::to_string(first)), std::string::npos) << second.err;

  // `rasid once` would deliver too: refused the same way.
  auto once = run_process({RASID_BINARY, "once", "--config", cfg_}, {}, 60);
  EXPECT_NE(once.exit_code, 0);
  EXPECT_NE(once.err.find("PID " + std::to_string(first)), std::string::npos) << once.err;

  // Read-only commands keep working beside the daemon.
  for (auto cmd : {"sources", "articles", "alerts"}) {
    auto r = run_process({RASID_BINARY, cmd, "--config", cfg_}, {}, 60);
    EXPECT_EQ(r.exit_code, 0) << cmd << ": " << r.err;
  }

  // Once the first is gone (even by SIGKILL: the kernel drops its lock), a new one starts.
  ::kill(first, SIGKILL);
  ::waitpid(first, nullptr, 0);
  pids_.erase(pids_.begin());
  const int next = start();
  EXPECT_TRUE(holds_lock(next)) << read_all(dir_ + "/run.1.err");
}

}  // namespace
}  // namespace rasid::testing
