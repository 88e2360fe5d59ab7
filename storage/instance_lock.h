// storage/instance_lock.h — one writer process per SQLite file.
//
// Two `rasid run` on one database would each poll every source and each drain the outbox, so
// every alert would be delivered twice. The daemon (and `rasid once`) therefore hold an OS lock
// on "<database>.lock", beside the database: flock(2) LOCK_EX|LOCK_NB on an open descriptor,
// released by the kernel when the process ends however it ends (SIGKILL included), so a stale
// lock cannot outlive its holder. The holder writes its PID into the file for the message of the
// one it refuses. Read-only commands (sources, articles, search, alerts) do not take it.
// Several cooperating instances need a shared database engine (PostgreSQL), not this file.
//
// Ownership and threads: an InstanceLock owns its descriptor; released by the destructor.
// Failures: Error "database FILE is in use by another rasid (PID N, lock FILE.lock)" when held,
// or the system error when the lock file cannot be created or locked.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "common/result.h"

namespace rasid::storage {

class InstanceLock {
 public:
  // Takes the lock for `database_path` (an SQLite file path), or says who holds it. Waits up to
  // `wait` for a holder to go away (a restart overlapping the old process's last writes; its
  // stop takes at most 5 s, daemon/service.h), then gives up.
  static Result<std::unique_ptr<InstanceLock>> acquire(
      const std::string& database_path, std::chrono::milliseconds wait = std::chrono::seconds(6));
  ~InstanceLock();
  InstanceLock(const InstanceLock&) = delete;
  InstanceLock& operator=(const InstanceLock&) = delete;
  const std::string& path() const { return path_; }

 private:
  InstanceLock(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  int fd_;
  std::string path_;
};

}  // namespace rasid::storage
