// storage/sqlite.h — internal: a cache of prepared statements and a small binder around them.
// Not part of the contract; only storage/*.cpp include it.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/result.h"

namespace rasid::storage::detail {

// Error text naming what the statement was for plus SQLite's own message.
inline Error sql_error(sqlite3* db, std::string_view what) {
  return Error{"storage: " + std::string(what) + ": " + sqlite3_errmsg(db)};
}

// Prepared once per connection, reused; reset and unbound after each use (see Use).
class StmtCache {
 public:
  explicit StmtCache(sqlite3* db) : db_(db) {}
  ~StmtCache() {
    for (auto& [sql, st] : cache_) sqlite3_finalize(st);
  }
  StmtCache(const StmtCache&) = delete;
  StmtCache& operator=(const StmtCache&) = delete;

  // nullptr on a prepare error (sqlite3_errmsg tells why).
  sqlite3_stmt* get(const char* sql) {
    auto it = cache_.find(sql);
    if (it != cache_.end()) return it->second;
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, nullptr) != SQLITE_OK) {
      sqlite3_finalize(st);
      return nullptr;
    }
    cache_.emplace(sql, st);
    return st;
  }

 private:
  sqlite3* db_;
  std::unordered_map<std::string, sqlite3_stmt*> cache_;
};

// One use of a cached statement: binds by position (1-based), steps, reads columns, and resets
// the statement when it goes out of scope so that it never holds a read transaction open.
class Use {
 public:
  Use(StmtCache& cache, const char* sql) : st_(cache.get(sql)) {}
  ~Use() {
    if (st_) {
      sqlite3_reset(st_);
      sqlite3_clear_bindings(st_);
    }
  }
  Use(const Use&) = delete;
  Use& operator=(const Use&) = delete;

  bool prepared() const { return st_ != nullptr; }
  Use& bind(int i, std::int64_t v) {
    if (st_) sqlite3_bind_int64(st_, i, v);
    return *this;
  }
  Use& bind(int i, int v) { return bind(i, static_cast<std::int64_t>(v)); }
  Use& bind(int i, std::string_view v) {
    if (st_) sqlite3_bind_text64(st_, i, v.data(), v.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
    return *this;
  }
  Use& bind(int i, const std::string& v) { return bind(i, std::string_view(v)); }
  Use& bind(int i, const char* v) { return bind(i, std::string_view(v)); }
  Use& bind_blob(int i, std::string_view v) {
    if (st_) sqlite3_bind_blob64(st_, i, v.data(), v.size(), SQLITE_TRANSIENT);
    return *this;
  }

  // SQLITE_ROW, SQLITE_DONE or an error code.
  int step() { return st_ ? sqlite3_step(st_) : SQLITE_ERROR; }

  std::int64_t i64(int col) const { return sqlite3_column_int64(st_, col); }
  int i32(int col) const { return sqlite3_column_int(st_, col); }
  std::string text(int col) const {
    auto p = reinterpret_cast<const char*>(sqlite3_column_text(st_, col));
    return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(st_, col)))
             : std::string();
  }
  std::string blob(int col) const {
    auto p = static_cast<const char*>(sqlite3_column_blob(st_, col));
    return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(st_, col)))
             : std::string();
  }
  bool is_null(int col) const { return sqlite3_column_type(st_, col) == SQLITE_NULL; }

 private:
  sqlite3_stmt* st_;
};

}  // namespace rasid::storage::detail
