// tests/support/write_lock.h — another process's writer that never lets go of an SQLite file.
//
// Holds the database's write lock (BEGIN IMMEDIATE on its own connection) from construction to
// destruction, as a forgotten `sqlite3` shell in the middle of a transaction would: readers still
// answer (WAL), every writer waits out its busy timeout and fails. The real condition behind
// "database not answering" (Store::ping), provoked without any switch in the daemon.
#pragma once

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <string>

namespace rasid::testing {

class WriteLockHolder {
 public:
  explicit WriteLockHolder(const std::string& database) {
    if (sqlite3_open_v2(database.c_str(), &db_, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
      ADD_FAILURE() << "open " << database << ": " << sqlite3_errmsg(db_);
      return;
    }
    sqlite3_busy_timeout(db_, 10000);  // the daemon may be writing right now
    held_ = sqlite3_exec(db_, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) == SQLITE_OK;
    if (!held_) ADD_FAILURE() << "BEGIN IMMEDIATE on " << database << ": " << sqlite3_errmsg(db_);
  }
  ~WriteLockHolder() { release(); }
  WriteLockHolder(const WriteLockHolder&) = delete;
  WriteLockHolder& operator=(const WriteLockHolder&) = delete;

  bool held() const { return held_; }
  void release() {
    if (db_ == nullptr) return;
    if (held_) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    held_ = false;
    sqlite3_close_v2(db_);
    db_ = nullptr;
  }

 private:
  sqlite3* db_ = nullptr;
  bool held_ = false;
};

}  // namespace rasid::testing
