// Plays systemd without PID 1: a NOTIFY_SOCKET datagram socket, WATCHDOG_USEC, and the real
// `rasid run` process receiving SIGHUP and SIGTERM.

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>

#include "tests/support/http_server.h"
#include "tests/support/process.h"
#include "tests/support/write_lock.h"

namespace rasid::testing {
namespace {

class NotifySocket {
 public:
  explicit NotifySocket(const std::string& path) : path_(path) {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    std::snprintf(a.sun_path, sizeof a.sun_path, "%s", path.c_str());
    ::unlink(path.c_str());
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) ADD_FAILURE() << "bind";
  }
  ~NotifySocket() {
    ::close(fd_);
    ::unlink(path_.c_str());
  }
  // Waits for a datagram containing `needle`; returns everything read meanwhile.
  bool wait_for(const std::string& needle, std::chrono::milliseconds timeout,
                std::string* seen = nullptr) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      timeval tv{0, 50000};
      ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
      char buf[4096];
      ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) continue;
      std::string msg(buf, static_cast<size_t>(n));
      if (seen) *seen += msg + "\n";
      if (msg.find(needle) != std::string::npos) return true;
    }
    return false;
  }

 private:
  std::string path_;
  int fd_ = -1;
};

const char* kConfig = R"([daemon]
database = "DB"
status_listen = ""

[[topic]]
name = "syria"
query = 'سوريا'
)";

std::string config_with_db(const std::string& db) {
  std::string c = kConfig;
  c.replace(c.find("DB"), 2, db);
  return c;
}

TEST(Notify, ReadyWatchdogReloadStop) {
  std::string dir = make_temp_dir();
  std::string cfg = dir + "/rasid.toml";
  write_file(cfg, config_with_db(dir + "/rasid.db"));
  NotifySocket sock(dir + "/notify");
  int pid = spawn_process({RASID_BINARY, "run", "--config", cfg},
                          {"NOTIFY_SOCKET=" + dir + "/notify", "WATCHDOG_USEC=400000"},
                          dir + "/out", dir + "/err");
  std::string seen;
  ASSERT_TRUE(sock.wait_for("READY=1", std::chrono::seconds(10), &seen)) << seen;
  EXPECT_TRUE(sock.wait_for("WATCHDOG=1", std::chrono::seconds(2), &seen)) << seen;
  EXPECT_TRUE(sock.wait_for("WATCHDOG=1", std::chrono::seconds(2), &seen)) << "pings repeat";

  // A valid reload: RELOADING=1 then READY=1.
  ::kill(pid, SIGHUP);
  EXPECT_TRUE(sock.wait_for("RELOADING=1", std::chrono::seconds(5), &seen)) << seen;
  EXPECT_TRUE(sock.wait_for("READY=1", std::chrono::seconds(5), &seen)) << seen;

  // An invalid config: the daemon says so, keeps running on the old one.
  write_file(cfg, "[daemon]\nno_such_key = 1\n");
  ::kill(pid, SIGHUP);
  std::string reload;
  EXPECT_TRUE(sock.wait_for("READY=1", std::chrono::seconds(5), &reload)) << reload;
  EXPECT_NE(reload.find("old"), std::string::npos) << reload;
  EXPECT_EQ(::waitpid(pid, nullptr, WNOHANG), 0) << "still running";
  EXPECT_TRUE(sock.wait_for("WATCHDOG=1", std::chrono::seconds(2)));

  ::kill(pid, SIGTERM);
  EXPECT_TRUE(sock.wait_for("STOPPING=1", std::chrono::seconds(5)));
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  std::string err = read_file(dir + "/err");
  EXPECT_NE(err.find("no_such_key"), std::string::npos) << err;
}

// The loop turns but the database does not answer (another process holds its write lock for
// good): the ping is withheld, so systemd's watchdog restarts the daemon; pings resume once the
// database answers again.
TEST(Notify, WatchdogWithheldWhenUnhealthy) {
  std::string dir = make_temp_dir();
  std::string cfg = dir + "/rasid.toml";
  write_file(cfg, config_with_db(dir + "/rasid.db"));
  NotifySocket sock(dir + "/notify");
  int pid = spawn_process({RASID_BINARY, "run", "--config", cfg},
                          {"NOTIFY_SOCKET=" + dir + "/notify", "WATCHDOG_USEC=300000"},
                          dir + "/out", dir + "/err");
  ASSERT_TRUE(sock.wait_for("WATCHDOG=1", std::chrono::seconds(10)));
  {
    WriteLockHolder stuck(dir + "/rasid.db");
    ASSERT_TRUE(stuck.held());
    // The probe gives up after its wait (1 s) and says why it withholds the ping.
    bool said = false;
    for (int i = 0; i < 150 && !said; ++i) {
      said = read_file(dir + "/err").find("watchdog: database not answering") != std::string::npos;
      if (!said) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    EXPECT_TRUE(said) << read_file(dir + "/err");
    sock.wait_for("NEVER", std::chrono::milliseconds(200));  // drain pings sent before the lock
    EXPECT_FALSE(sock.wait_for("WATCHDOG=1", std::chrono::milliseconds(900)))
        << "no ping while unhealthy";
  }
  EXPECT_TRUE(sock.wait_for("WATCHDOG=1", std::chrono::seconds(10)))
      << "pings resume once the database answers";
  ::kill(pid, SIGTERM);
  int status = 0;
  ::waitpid(pid, &status, 0);
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

TEST(Notify, InvalidConfigRefusesToStart) {
  std::string dir = make_temp_dir();
  write_file(dir + "/bad.toml", "[daemon]\nconcurrency = \"many\"\n");
  auto r = run_process({RASID_BINARY, "run", "--config", dir + "/bad.toml"},
                       {"NOTIFY_SOCKET=" + dir + "/notify"}, 20);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("bad.toml:2"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace rasid::testing
