// storage/pg.h — internal: a small libpq wrapper for the PostgreSQL backend (issue 15). Not part
// of the storage contract (storage/store.h); only storage/*.cpp and the storage tests use it.
//
// Connection string: a libpq URI (postgresql://… or postgres://…, libpq "Connection URIs") or
// key=value string. It must not carry a password (the TOML and the command line are not places
// for secrets: issue 15); the password comes, in this order, from
//   1. the file named by the URI's `passfile` parameter (libpq's own password file:
//      hostname:port:database:username:password lines, mode 0600 — checked here so that a wrong
//      file is a clear error rather than libpq's silent fallback);
//   2. $CREDENTIALS_DIRECTORY/rasid-db-password (systemd LoadCredential=): the whole file is the
//      password (one trailing newline dropped), handed to libpq as its `password` parameter;
//   3. whatever libpq finds itself (PGPASSFILE, ~/.pgpass, PGPASSWORD).
// The password is never part of an error text or of redacted(); libpq's own messages do not
// carry it either.
//
// Ownership and threads: a Connection owns one PGconn and is used from one thread at a time.
//
// Failures: every statement's error is an Error whose message names what the statement was for,
// libpq's message and the SQLSTATE: "storage: insert article: ERROR: duplicate key … [23505]".
// last_sqlstate() gives the code of the last failure to callers that branch on it.
//
// Lost connections: a connection found broken (server restarted, network cut) is re-established
// with PQreset, never silently behind a statement that may have run: the statement that hits a
// broken connection fails ("connection lost", SQLSTATE class 08 or libpq's message) and the next
// call reconnects. A connection that broke while idle (no transaction open, nothing sent) is
// noticed before sending and re-established first, so that statement runs normally. While the
// server stays unreachable, attempts are spaced by a doubling backoff (100 ms up to 30 s); calls
// in between fail at once with the last reason. Prepared statements are re-prepared after it.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/result.h"

struct pg_conn;
struct pg_result;

namespace rasid::storage::pg {

// True for the database values that name PostgreSQL: postgresql:// or postgres:// URIs.
bool is_uri(std::string_view database);

// The connection string with any password replaced by "***" (userinfo or password= parameter),
// for logs and errors.
std::string redacted(std::string_view conninfo);

// A connection string checked and completed without connecting: libpq keywords and values (the
// password from the credentials directory included; callers wipe it), and its redacted form.
// Errors: a malformed string, a password in it, an integer-valued libpq parameter
// (connect_timeout, port, keepalives*, tcp_user_timeout) that is not a number libpq reads (it
// would fail only at connect), a missing or too open passfile.
struct ConnParams {
  std::vector<std::string> keys, values;
  std::string shown;
};
Result<ConnParams> parse_conninfo(const std::string& conninfo);

// Binary bytes sent as a bytea parameter (text parameters cannot hold NUL bytes).
struct Bytes {
  std::string_view data;
};

// One statement parameter ($1, $2, …): text, binary bytes, or NULL.
class Param {
 public:
  Param(std::string_view s) : value_(s) {}
  Param(const std::string& s) : value_(s) {}
  Param(const char* s) : value_(std::string(s)) {}
  Param(std::int64_t v) : value_(std::to_string(v)) {}
  Param(int v) : value_(std::to_string(v)) {}
  Param(bool v) : value_(v ? "t" : "f") {}
  Param(Bytes b) : value_(std::string(b.data)), binary_(true) {}
  Param(std::nullopt_t) {}
  template <class T>
  Param(const std::optional<T>& v) {
    if (v) *this = Param(*v);
  }

  const std::optional<std::string>& value() const { return value_; }
  bool binary() const { return binary_; }

 private:
  std::optional<std::string> value_;
  bool binary_ = false;
};

// The rows a statement returned (text format), or its count of affected rows.
class Rows {
 public:
  Rows() = default;
  explicit Rows(pg_result* r);
  int size() const;
  int columns() const;
  bool empty() const { return size() == 0; }
  bool is_null(int row, int col) const;
  std::string text(int row, int col) const;   // "" for NULL
  std::int64_t i64(int row, int col) const;   // 0 for NULL
  int i32(int row, int col) const;            // 0 for NULL
  bool boolean(int row, int col) const;       // false for NULL
  std::string bytes(int row, int col) const;  // a bytea column, decoded
  std::int64_t affected() const;              // rows inserted/updated/deleted

 private:
  struct Free {
    void operator()(pg_result* r) const;
  };
  std::unique_ptr<pg_result, Free> r_;
};

class Connection {
 public:
  // Connects (see above for the password). Errors: a password in the string, an unreadable or
  // too open passfile, a malformed string, or libpq's connection failure — all redacted.
  static Result<std::unique_ptr<Connection>> open(const std::string& conninfo);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // One statement with parameters $1…$n (prepared once per connection and reused).
  template <class... P>
  Result<Rows> exec(std::string_view what, const std::string& sql, const P&... params) {
    return exec_params(what, sql, std::vector<Param>{Param(params)...});
  }
  Result<Rows> exec_params(std::string_view what, const std::string& sql,
                           const std::vector<Param>& params);
  // Several statements without parameters, in one round trip (migrations).
  Status script(std::string_view what, const std::string& sql);

  const std::string& redacted() const { return redacted_; }
  std::string last_sqlstate() const { return last_sqlstate_; }
  int reconnects() const { return reconnects_; }  // successful re-establishments so far
  bool in_transaction() const;
  pg_conn* handle() const { return conn_; }

 private:
  Connection(pg_conn* conn, std::string redacted);
  // Makes sure the connection is usable before sending (reconnecting if due); the error names
  // `what` when it is not.
  Status ready(std::string_view what);
  Error failure(std::string_view what, pg_result* r);

  friend class Tx;
  pg_conn* conn_;
  std::string redacted_;
  bool tx_open_ = false;  // a Tx began and has not ended: a lost connection must not be reset
  std::string last_sqlstate_;
  std::unordered_map<std::string, std::string> prepared_;  // sql → statement name
  int reconnects_ = 0;
  std::chrono::milliseconds backoff_{0};
  std::chrono::steady_clock::time_point next_attempt_{};
  std::string last_connect_error_;
};

// BEGIN … COMMIT; rolls back on destruction unless committed (a lost connection has already
// rolled it back on the server).
class Tx {
 public:
  explicit Tx(Connection& c) : c_(c) {}
  ~Tx();
  Tx(const Tx&) = delete;
  Tx& operator=(const Tx&) = delete;
  Status begin();
  Status commit();

 private:
  Connection& c_;
  bool open_ = false;
};

}  // namespace rasid::storage::pg
