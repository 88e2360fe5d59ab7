#include "storage/pg.h"

#include <libpq-fe.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <sstream>

namespace rasid::storage::pg {

namespace {

using Clock = std::chrono::steady_clock;
constexpr std::chrono::milliseconds kFirstBackoff{100};
constexpr std::chrono::milliseconds kMaxBackoff{30000};

// libpq's messages end with a newline and continue on tab-indented lines: one line for logs.
std::string one_line(std::string_view m) {
  std::string out;
  out.reserve(m.size());
  for (char c : m) {
    if (c == '\n' || c == '\t') {
      if (!out.empty() && out.back() != ' ') out += ' ';
    } else {
      out += c;
    }
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

void ignore_notice(void*, const char*) {}  // "relation exists, skipping" and the like

// Replaces the value after `key` up to the next delimiter (a quoted value up to its quote).
void mask_after(std::string& s, std::string_view key, std::string_view delims) {
  std::size_t pos = 0;
  while ((pos = s.find(key, pos)) != std::string::npos) {
    const bool at_word_start = pos == 0 || s[pos - 1] == '?' || s[pos - 1] == '&' ||
                               s[pos - 1] == ' ' || s[pos - 1] == '\t';
    std::size_t b = pos + key.size();
    if (!at_word_start) {
      pos = b;
      continue;
    }
    std::size_t e;
    if (b < s.size() && s[b] == '\'') {
      e = b + 1;
      while (e < s.size() && s[e] != '\'') e += s[e] == '\\' ? 2 : 1;
      e = std::min(e + 1, s.size());
    } else {
      e = s.find_first_of(delims, b);
      if (e == std::string::npos) e = s.size();
    }
    s.replace(b, e - b, "***");
    pos = b + 3;
  }
}

std::string read_password_file(const std::string& path, bool& found) {
  found = false;
  std::ifstream in(path, std::ios::binary);
  if (!in) return {};
  found = true;
  std::ostringstream ss;
  ss << in.rdbuf();
  std::string p = ss.str();
  if (!p.empty() && p.back() == '\n') p.pop_back();
  if (!p.empty() && p.back() == '\r') p.pop_back();
  return p;
}

// libpq reads its integer-valued and enumerated parameters only when it connects
// (PQconninfoParse takes any text), so "connect_timeout=abc" or "sslmode=bogus" would pass a
// check and fail every connect. The keys are those
// libpq parses as integers (PostgreSQL docs, libpq "Parameter Key Words"; fe-connect.c
// parse_int_param): the timeouts and keepalive settings as a whole number >= 0, the port as a
// comma-separated list (one per host, empty = default) of numbers 1..65535. Returns why `value`
// is not one ("" when it is); it never holds a password (those are refused before).
std::string bad_integer_parameter(std::string_view key, std::string_view value) {
  auto number = [](std::string_view v, long long max) -> long long {
    if (v.empty() || v.size() > 10) return -1;
    long long n = 0;
    auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
    if (ec != std::errc() || end != v.data() + v.size() || n < 0 || n > max) return -1;
    return n;
  };
  if (key == "port") {
    for (std::size_t b = 0; b <= value.size();) {
      std::size_t e = std::min(value.find(',', b), value.size());
      const std::string_view one = value.substr(b, e - b);
      if (!one.empty() && number(one, 65535) < 1)
        return "port \"" + std::string(one) + "\" is not a port number (1 to 65535)";
      b = e + 1;
    }
    return {};
  }
  // The keywords libpq takes from a fixed list (PostgreSQL 15 docs, libpq "Parameter Key
  // Words"): also read only at connect time.
  static const std::pair<std::string_view, std::vector<std::string_view>> kChoices[] = {
      {"sslmode", {"disable", "allow", "prefer", "require", "verify-ca", "verify-full"}},
      {"gssencmode", {"disable", "prefer", "require"}},
      {"channel_binding", {"disable", "prefer", "require"}},
      {"target_session_attrs",
       {"any", "read-write", "read-only", "primary", "standby", "prefer-standby"}}};
  for (const auto& [name, allowed] : kChoices) {
    if (key != name) continue;
    if (std::find(allowed.begin(), allowed.end(), value) != allowed.end()) return {};
    std::string list;
    for (auto a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
    return std::string(key) + " \"" + std::string(value) + "\" is not one of " + list;
  }
  static constexpr std::string_view kIntegers[] = {"connect_timeout",  "keepalives",
                                                   "keepalives_idle",  "keepalives_interval",
                                                   "keepalives_count", "tcp_user_timeout"};
  if (std::find(std::begin(kIntegers), std::end(kIntegers), key) == std::end(kIntegers)) return {};
  if (number(value, 2147483647) >= 0) return {};
  const char* unit = key == "connect_timeout"    ? " (seconds)"
                     : key == "tcp_user_timeout" ? " (milliseconds)"
                     : key == "keepalives"       ? " (0 = off, 1 = on)"
                     : key == "keepalives_count" ? ""
                                                 : " (seconds)";
  return std::string(key) + " \"" + std::string(value) + "\" is not a whole number" + unit;
}

}  // namespace

bool is_uri(std::string_view d) {
  return d.starts_with("postgresql://") || d.starts_with("postgres://");
}

std::string redacted(std::string_view conninfo) {
  std::string s(conninfo);
  if (is_uri(s)) {
    const std::size_t auth = s.find("://") + 3;
    std::size_t end = s.find_first_of("/?", auth);
    if (end == std::string::npos) end = s.size();
    const std::size_t at = s.rfind('@', end);
    if (at != std::string::npos && at >= auth) {
      const std::size_t colon = s.find(':', auth);
      if (colon != std::string::npos && colon < at) s.replace(colon + 1, at - colon - 1, "***");
    }
    mask_after(s, "password=", "&#");
  } else {
    mask_after(s, "password=", " \t");
    mask_after(s, "password =", " \t");
  }
  return s;
}

// ---- Rows ------------------------------------------------------------------------------------

void Rows::Free::operator()(pg_result* r) const { PQclear(r); }

Rows::Rows(pg_result* r) : r_(r) {}

int Rows::size() const { return r_ ? PQntuples(r_.get()) : 0; }
int Rows::columns() const { return r_ ? PQnfields(r_.get()) : 0; }
bool Rows::is_null(int row, int col) const { return PQgetisnull(r_.get(), row, col) != 0; }

std::string Rows::text(int row, int col) const {
  if (is_null(row, col)) return {};
  return std::string(PQgetvalue(r_.get(), row, col),
                     static_cast<std::size_t>(PQgetlength(r_.get(), row, col)));
}

std::int64_t Rows::i64(int row, int col) const {
  if (is_null(row, col)) return 0;
  const char* p = PQgetvalue(r_.get(), row, col);
  std::int64_t v = 0;
  std::from_chars(p, p + PQgetlength(r_.get(), row, col), v);
  return v;
}

int Rows::i32(int row, int col) const { return static_cast<int>(i64(row, col)); }

bool Rows::boolean(int row, int col) const {
  if (is_null(row, col)) return false;
  return PQgetvalue(r_.get(), row, col)[0] == 't';
}

std::string Rows::bytes(int row, int col) const {
  if (is_null(row, col)) return {};
  std::size_t n = 0;
  unsigned char* b =
      PQunescapeBytea(reinterpret_cast<const unsigned char*>(PQgetvalue(r_.get(), row, col)), &n);
  if (!b) return {};
  std::string out(reinterpret_cast<const char*>(b), n);
  PQfreemem(b);
  return out;
}

std::int64_t Rows::affected() const {
  if (!r_) return 0;
  const char* t = PQcmdTuples(r_.get());
  std::int64_t v = 0;
  std::from_chars(t, t + std::strlen(t), v);
  return v;
}

// ---- Connection ------------------------------------------------------------------------------

Result<ConnParams> parse_conninfo(const std::string& conninfo) {
  const std::string shown = pg::redacted(conninfo);
  char* err = nullptr;
  PQconninfoOption* opts = PQconninfoParse(conninfo.c_str(), &err);
  if (!opts) {
    std::string m = err ? one_line(err) : "out of memory";
    PQfreemem(err);
    return Error{"storage: database connection string " + shown + ": " + pg::redacted(m)};
  }
  std::vector<std::string> keys, values;
  std::string passfile;
  bool has_password = false, has_app = false, has_timeout = false;
  for (PQconninfoOption* o = opts; o->keyword; ++o) {
    if (!o->val || !*o->val) continue;
    const std::string k = o->keyword;
    if (k == "password") has_password = true;
    if (k == "passfile") passfile = o->val;
    if (k == "fallback_application_name" || k == "application_name") has_app = true;
    if (k == "connect_timeout") has_timeout = true;
    keys.push_back(k);
    values.emplace_back(o->val);
  }
  PQconninfoFree(opts);
  if (has_password)
    return Error{"storage: database connection string " + shown +
                 ": carries a password; put it in a password file named by the passfile "
                 "parameter, or in $CREDENTIALS_DIRECTORY/rasid-db-password"};
  for (std::size_t i = 0; i < keys.size(); ++i)
    if (const std::string why = bad_integer_parameter(keys[i], values[i]); !why.empty())
      return Error{"storage: database connection string " + shown + ": " + why +
                   "; libpq would refuse it at every connect"};
  if (!passfile.empty()) {
    struct stat st {};
    if (::stat(passfile.c_str(), &st) != 0 || ::access(passfile.c_str(), R_OK) != 0)
      return Error{"storage: passfile " + passfile + ": " + std::strerror(errno)};
    if (!S_ISREG(st.st_mode)) return Error{"storage: passfile " + passfile + ": not a file"};
    if ((st.st_mode & 077) != 0)
      return Error{"storage: passfile " + passfile +
                   ": readable by group or others; libpq ignores it (chmod 0600)"};
  } else if (const char* dir = std::getenv("CREDENTIALS_DIRECTORY"); dir && *dir) {
    bool found = false;
    std::string password = read_password_file(std::string(dir) + "/rasid-db-password", found);
    if (found) {
      keys.emplace_back("password");
      values.push_back(password);
    }
    std::fill(password.begin(), password.end(), '\0');
  }
  if (!has_app) {
    keys.emplace_back("fallback_application_name");
    values.emplace_back("rasid");
  }
  if (!has_timeout) {
    keys.emplace_back("connect_timeout");
    values.emplace_back("10");
  }
  return ConnParams{std::move(keys), std::move(values), shown};
}

Result<std::unique_ptr<Connection>> Connection::open(const std::string& conninfo) {
  auto params = parse_conninfo(conninfo);
  if (!params) return Error{params.error()};
  auto& keys = params->keys;
  auto& values = params->values;
  const std::string shown = params->shown;
  std::vector<const char*> k, v;
  for (std::size_t i = 0; i < keys.size(); ++i) {
    k.push_back(keys[i].c_str());
    v.push_back(values[i].c_str());
  }
  k.push_back(nullptr);
  v.push_back(nullptr);
  PGconn* conn = PQconnectdbParams(k.data(), v.data(), 0);
  for (auto& val : values) std::fill(val.begin(), val.end(), '\0');
  if (!conn) return Error{"storage: connect to " + shown + ": out of memory"};
  if (PQstatus(conn) != CONNECTION_OK) {
    Error e{"storage: connect to " + shown + ": " + one_line(PQerrorMessage(conn))};
    PQfinish(conn);
    return e;
  }
  PQsetNoticeProcessor(conn, ignore_notice, nullptr);
  return std::unique_ptr<Connection>(new Connection(conn, shown));
}

Connection::Connection(pg_conn* conn, std::string redacted)
    : conn_(conn), redacted_(std::move(redacted)) {}

Connection::~Connection() { PQfinish(conn_); }

bool Connection::in_transaction() const { return tx_open_; }

Status Connection::ready(std::string_view what) {
  if (PQstatus(conn_) == CONNECTION_OK && !tx_open_) {
    // Idle: anything to read is the server's goodbye (shutdown, terminated backend) or EOF.
    // Reading it now marks the connection broken before a statement is sent on it.
    for (int i = 0; i < 8; ++i) {
      pollfd p{PQsocket(conn_), POLLIN, 0};
      if (::poll(&p, 1, 0) <= 0) break;
      if (!PQconsumeInput(conn_)) break;
      while (PGnotify* n = PQnotifies(conn_)) PQfreemem(n);
    }
  }
  if (PQstatus(conn_) == CONNECTION_OK) return Ok{};
  last_sqlstate_ = "08006";
  if (tx_open_)
    return Error{"storage: " + std::string(what) + ": connection to " + redacted_ +
                 " lost inside a transaction; the transaction was rolled back"};
  const auto now = Clock::now();
  if (now < next_attempt_) {
    const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(next_attempt_ - now);
    return Error{"storage: " + std::string(what) + ": not connected to " + redacted_ +
                 " (next attempt in " + std::to_string(wait.count()) +
                 " ms): " + last_connect_error_};
  }
  PQreset(conn_);
  if (PQstatus(conn_) == CONNECTION_OK) {
    PQsetNoticeProcessor(conn_, ignore_notice, nullptr);
    prepared_.clear();
    ++reconnects_;
    backoff_ = std::chrono::milliseconds{0};
    last_connect_error_.clear();
    last_sqlstate_.clear();
    return Ok{};
  }
  last_connect_error_ = one_line(PQerrorMessage(conn_));
  backoff_ = std::clamp(backoff_ * 2, kFirstBackoff, kMaxBackoff);
  next_attempt_ = now + backoff_;
  return Error{"storage: " + std::string(what) + ": reconnect to " + redacted_ +
               " failed (next attempt in " + std::to_string(backoff_.count()) +
               " ms): " + last_connect_error_};
}

Error Connection::failure(std::string_view what, pg_result* r) {
  std::string msg = one_line(r ? PQresultErrorMessage(r) : PQerrorMessage(conn_));
  if (msg.empty()) msg = one_line(PQerrorMessage(conn_));
  const char* state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
  last_sqlstate_ = state ? state : "";
  std::string out = "storage: " + std::string(what) + ": ";
  if (PQstatus(conn_) != CONNECTION_OK) {
    if (last_sqlstate_.empty()) last_sqlstate_ = "08006";
    out += "connection to " + redacted_ + " lost (" +
           (tx_open_ ? "the transaction was rolled back" : "reconnecting on the next call") + "): ";
    // The next call may try at once: the server may already be back.
    backoff_ = std::chrono::milliseconds{0};
    next_attempt_ = Clock::time_point{};
  }
  out += msg;
  if (!last_sqlstate_.empty()) out += " [SQLSTATE " + last_sqlstate_ + "]";
  return Error{std::move(out)};
}

Result<Rows> Connection::exec_params(std::string_view what, const std::string& sql,
                                     const std::vector<Param>& params) {
  if (auto s = ready(what); !s) return Error{s.error()};
  auto it = prepared_.find(sql);
  if (it == prepared_.end()) {
    const std::string name = "rasid_" + std::to_string(prepared_.size() + 1);
    PGresult* prep =
        PQprepare(conn_, name.c_str(), sql.c_str(), static_cast<int>(params.size()), nullptr);
    if (!prep || PQresultStatus(prep) != PGRES_COMMAND_OK) {
      Error e = failure(what, prep);
      PQclear(prep);
      return e;
    }
    PQclear(prep);
    it = prepared_.emplace(sql, name).first;
  }
  std::vector<const char*> values;
  std::vector<int> lengths, formats;
  values.reserve(params.size());
  for (const Param& p : params) {
    values.push_back(p.value() ? p.value()->data() : nullptr);
    lengths.push_back(p.value() ? static_cast<int>(p.value()->size()) : 0);
    formats.push_back(p.binary() ? 1 : 0);
  }
  PGresult* r = PQexecPrepared(conn_, it->second.c_str(), static_cast<int>(params.size()),
                               values.data(), lengths.data(), formats.data(), 0);
  const ExecStatusType st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
  if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
    Error e = failure(what, r);
    PQclear(r);
    return e;
  }
  last_sqlstate_.clear();
  return Rows(r);
}

Status Connection::script(std::string_view what, const std::string& sql) {
  if (auto s = ready(what); !s) return s;
  PGresult* r = PQexec(conn_, sql.c_str());
  const ExecStatusType st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
  if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
    Error e = failure(what, r);
    PQclear(r);
    return e;
  }
  PQclear(r);
  last_sqlstate_.clear();
  return Ok{};
}

// ---- Tx --------------------------------------------------------------------------------------

Status Tx::begin() {
  if (auto s = c_.script("begin transaction", "BEGIN"); !s) return s;
  open_ = true;
  c_.tx_open_ = true;
  return Ok{};
}

Status Tx::commit() {
  auto s = c_.script("commit", "COMMIT");
  open_ = false;
  c_.tx_open_ = false;
  return s;
}

Tx::~Tx() {
  if (!open_) return;
  if (PQstatus(c_.conn_) == CONNECTION_OK) PQclear(PQexec(c_.conn_, "ROLLBACK"));
  c_.tx_open_ = false;
}

}  // namespace rasid::storage::pg
