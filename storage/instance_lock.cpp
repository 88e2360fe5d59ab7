#include "storage/instance_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <thread>

namespace rasid::storage {

namespace {

std::string holder_pid(int fd) {
  char buf[32] = {};
  const ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
  if (n <= 0) return "";
  std::string s(buf, static_cast<size_t>(n));
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  for (char c : s)
    if (c < '0' || c > '9') return "";
  return s;
}

}  // namespace

Result<std::unique_ptr<InstanceLock>> InstanceLock::acquire(const std::string& database_path,
                                                            std::chrono::milliseconds wait) {
  const std::string path = database_path + ".lock";
  const int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0640);
  if (fd < 0) return Error{"lock " + path + ": " + std::strerror(errno)};
  const auto give_up = std::chrono::steady_clock::now() + wait;
  int rc;
  while ((rc = flock(fd, LOCK_EX | LOCK_NB)) != 0 && errno == EWOULDBLOCK &&
         std::chrono::steady_clock::now() < give_up)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  if (rc != 0) {
    const int err = errno;
    std::string pid = err == EWOULDBLOCK ? holder_pid(fd) : "";
    close(fd);
    if (err != EWOULDBLOCK) return Error{"lock " + path + ": " + std::strerror(err)};
    return Error{"database " + database_path + " is in use by another rasid (" +
                 (pid.empty() ? std::string("PID unknown") : "PID " + pid) + ", lock " + path +
                 "); one daemon per SQLite file — stop it first, or run several instances on "
                 "PostgreSQL"};
  }
  const std::string pid = std::to_string(getpid()) + "\n";
  if (ftruncate(fd, 0) != 0 || pwrite(fd, pid.data(), pid.size(), 0) < 0) {
    // The lock holds without the PID; only the other's message loses it.
  }
  return std::unique_ptr<InstanceLock>(new InstanceLock(fd, path));
}

InstanceLock::~InstanceLock() {
  // Unlocked by close(); the file stays (removing it would race with a new holder).
  close(fd_);
}

}  // namespace rasid::storage
