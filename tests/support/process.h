// tests/support/process.h — run the real rasid binary from tests.
#pragma once

#include <string>
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

// A fresh temporary directory (removed by the caller if wanted).
std::string make_temp_dir();
void write_file(const std::string& path, const std::string& content);

}  // namespace rasid::testing
