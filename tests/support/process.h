// tests/support/process.h — run the real rasid binary from tests.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace rasid::testing {

struct ProcessResult {
  int exit_code = -1;  // -1 when killed by a signal
  std::string out;     // stdout
  std::string err;     // stderr
};

// Runs argv[0] with the arguments, waits, captures output. Extra "NAME=VALUE" env entries are
// added to the current environment.
ProcessResult run_process(const std::vector<std::string>& argv,
                          const std::vector<std::string>& env = {}, int timeout_s = 120);

// Starts a process in the background; returns its pid (stdout/stderr go to the given files).
int spawn_process(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                  const std::string& out_file, const std::string& err_file);

// `rasid run --config CFG` in the background, as the e2e and soak tests drive it: stdout to
// LOG.out, stderr of start N to LOG.N.err; killed (SIGKILL) on destruction.
class DaemonProcess {
 public:
  DaemonProcess(std::string cfg, std::string log) : cfg_(std::move(cfg)), log_(std::move(log)) {}
  ~DaemonProcess() { stop(9); }
  DaemonProcess(const DaemonProcess&) = delete;
  DaemonProcess& operator=(const DaemonProcess&) = delete;
  void start();
  int pid() const { return pid_; }
  void signal(int sig);
  // Sends `sig` and waits; returns the status as waitpid gives it (0 when not running).
  int stop(int sig);
  bool alive();  // started and not exited

 private:
  std::string cfg_, log_;
  int pid_ = -1;
  int starts_ = 0;
};

// A fresh temporary directory (removed by the caller if wanted).
std::string make_temp_dir();
void write_file(const std::string& path, const std::string& content);

}  // namespace rasid::testing
