#include "storage/migrate.h"

#include <sqlite3.h>

#include <chrono>
#include <memory>
#include <optional>
#include <utility>

#include "storage/pg.h"
#include "storage/pg_schema.h"
#include "storage/pg_store.h"
#include "storage/sqlite.h"
#include "storage/sqlite_store.h"

namespace rasid::storage {

namespace {

// One column as it is copied: its name (the same on both sides), its PostgreSQL type, whether it
// is part of the row's identity (compared to tell "already there" from "a different row under the
// same key"), and whether it is the key printed in a conflict.
struct Col {
  const char* name;
  const char* type;  // bigint, integer, text, boolean, bytea
  bool compare = false;
  bool key = false;
};

struct Table {
  const char* name;
  const char* select;  // on SQLite: the columns in `cols` order (tokens excepted)
  std::vector<Col> cols;
  bool tokens = false;  // articles: add tokens made from title and body (pg::article_lexemes)
};

// Only state that identifies a row is compared: a source's schedule, an alert's status or
// attempts move on once PostgreSQL runs, and a second migration must still find them "there".
const std::vector<Table>& tables() {
  static const std::vector<Table> t = {
      {"sources",
       "SELECT name, etag, last_modified, next_check, last_success, last_attempt, last_error, "
       "consecutive_errors, status, initialized, interval_s, in_force_s, interval_reason FROM "
       "sources ORDER BY name",
       {{"name", "text", true, true},
        {"etag", "text"},
        {"last_modified", "text"},
        {"next_check", "bigint"},
        {"last_success", "bigint"},
        {"last_attempt", "bigint"},
        {"last_error", "text"},
        {"consecutive_errors", "integer"},
        {"status", "text"},
        {"initialized", "boolean"},
        {"interval_s", "bigint"},
        {"in_force_s", "bigint"},
        {"interval_reason", "text"}}},
      {"seen",
       "SELECT source, entry_key, first_seen FROM seen ORDER BY source, entry_key",
       {{"source", "text", true, true},
        {"entry_key", "text", true, true},
        {"first_seen", "bigint"}}},
      {"articles",
       "SELECT id, source, entry_key, url, canonical, title, body, published, author, lang, "
       "story_id, fetched_at FROM articles ORDER BY id",
       {{"id", "bigint", true, true},
        {"source", "text", true},
        {"entry_key", "text", true},
        {"url", "text"},
        {"canonical", "text", true},
        {"title", "text"},
        {"body", "text"},
        {"published", "text"},
        {"author", "text"},
        {"lang", "text"},
        {"story_id", "bigint", true},
        {"fetched_at", "bigint", true}},
       true},
      {"matches",
       "SELECT id, article_id, topic, snippet, created, forms FROM matches ORDER BY id",
       {{"id", "bigint", true, true},
        {"article_id", "bigint", true},
        {"topic", "text", true},
        {"snippet", "text"},
        {"created", "bigint"},
        {"forms", "text"}}},
      {"outbox",
       "SELECT id, article_id, webhook, topic, webhook_id, payload, status, attempts, "
       "next_attempt, last_error, created, delivered_at, event, story_id, hold FROM outbox "
       "ORDER BY id",
       {{"id", "bigint", true, true},
        {"article_id", "bigint"},
        {"webhook", "text", true},
        {"topic", "text", true},
        {"webhook_id", "text", true},
        {"payload", "text"},
        {"status", "text"},
        {"attempts", "integer"},
        {"next_attempt", "bigint"},
        {"last_error", "text"},
        {"created", "bigint", true},
        {"delivered_at", "bigint"},
        {"event", "text", true},
        {"story_id", "bigint", true},
        {"hold", "text"}}},
      {"source_identity",
       "SELECT source, guid_distrust, changed FROM source_identity ORDER BY source",
       {{"source", "text", true, true}, {"guid_distrust", "text"}, {"changed", "bigint"}}},
      {"site_templates",
       "SELECT source, pages, state, updated FROM site_templates ORDER BY source",
       {{"source", "text", true, true},
        {"pages", "integer"},
        {"state", "bytea"},
        {"updated", "bigint"}}},
  };
  return t;
}

constexpr int kBatch = 500;

// One array literal per column ('{"a",NULL,"b"}'), built row by row.
class Arrays {
 public:
  explicit Arrays(std::size_t n) : a_(n, "{") {}
  void add(std::size_t col, const std::optional<std::string>& v) {
    std::string& s = a_[col];
    if (s.size() > 1) s += ',';
    if (!v) {
      s += "NULL";
      return;
    }
    s += '"';
    for (char ch : *v) {
      if (ch == '"' || ch == '\\') s += '\\';
      s += ch;
    }
    s += '"';
  }
  std::vector<pg::Param> params() const {
    std::vector<pg::Param> p;
    for (const auto& s : a_) p.emplace_back(s + "}");
    return p;
  }

 private:
  std::vector<std::string> a_;
};

std::string hex_bytea(std::string_view b) {
  static const char* d = "0123456789abcdef";
  std::string out = "\\x";
  for (unsigned char c : b) {
    out += d[c >> 4];
    out += d[c & 15];
  }
  return out;
}

// The statement that inserts one batch and tells how many rows it inserted and which rows of the
// batch are neither inserted nor already there identically (conflicts).
std::string batch_sql(const Table& t) {
  std::string names, unnest, exprs, same, key_text, key_join;
  int n = 0;
  for (const Col& c : t.cols) {
    ++n;
    if (!names.empty()) {
      names += ", ";
      unnest += ", ";
      exprs += ", ";
    }
    // Keys are COLLATE "C" in the target (storage/pg_schema.h); the batch's text is not.
    const std::string coll = std::string_view(c.type) == "text" ? " COLLATE \"C\"" : "";
    names += c.name;
    unnest += "$" + std::to_string(n) + "::" + c.type + "[]";
    exprs += std::string("u.") + c.name;
    if (c.compare) {
      if (!same.empty()) same += " AND ";
      // Keys are NOT NULL: `=` lets the target's unique index find the row.
      same += std::string("t.") + c.name + (c.key ? " = u." : " IS NOT DISTINCT FROM u.") + c.name +
              coll;
    }
    if (c.key) {
      if (!key_text.empty()) key_text += " || '/' || ";
      key_text += std::string("u.") + c.name + "::text";
      if (!key_join.empty()) key_join += " AND ";
      key_join += std::string("i.") + c.name + " = u." + c.name + coll;
    }
  }
  std::string cols = names;
  if (t.tokens) {
    ++n;
    unnest += ", $" + std::to_string(n) + "::text[]";
    names += ", tokens";
    exprs += ", array_to_tsvector(u.tokens::text[])";
  }
  std::string returning;
  for (const Col& c : t.cols)
    if (c.key) returning += std::string(returning.empty() ? "" : ", ") + c.name;
  return "WITH u AS (SELECT * FROM unnest(" + unnest + ") AS u(" + cols +
         (t.tokens ? ", tokens" : "") + ")), ins AS (INSERT INTO " + t.name + " (" + names +
         ") SELECT " + exprs + " FROM u ON CONFLICT DO NOTHING RETURNING " + returning +
         "), bad AS (SELECT " + key_text + " AS k FROM u WHERE NOT EXISTS (SELECT 1 FROM ins i " +
         "WHERE " + key_join + ") AND NOT EXISTS (SELECT 1 FROM " + t.name + " t WHERE " + same +
         ")) SELECT (SELECT COUNT(*) FROM ins), (SELECT COUNT(*) FROM bad), "
         "(SELECT string_agg(k, ', ') FROM (SELECT k FROM bad LIMIT 5) f)";
}

Status sqlite_exec(sqlite3* db, const char* sql, const char* what) {
  if (sqlite3_exec(db, sql, nullptr, nullptr, nullptr) != SQLITE_OK)
    return detail::sql_error(db, what);
  return Ok{};
}

// Copies one table; appends its line to the report.
Status copy_table(sqlite3* src, pg::Connection& c, const Table& t, MigrateReport& report) {
  TableCopy line;
  line.table = t.name;
  const std::string sql = batch_sql(t);
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(src, t.select, -1, &st, nullptr) != SQLITE_OK)
    return detail::sql_error(src, std::string("read ") + t.name);
  std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)> guard(st, sqlite3_finalize);
  const std::size_t ncols = t.cols.size() + (t.tokens ? 1 : 0);
  std::size_t title = 0, body = 0;
  for (std::size_t i = 0; i < t.cols.size(); ++i) {
    if (std::string_view(t.cols[i].name) == "title") title = i;
    if (std::string_view(t.cols[i].name) == "body") body = i;
  }
  bool done = false;
  while (!done) {
    Arrays arrays(ncols);
    int rows = 0;
    while (rows < kBatch) {
      const int rc = sqlite3_step(st);
      if (rc == SQLITE_DONE) {
        done = true;
        break;
      }
      if (rc != SQLITE_ROW) return detail::sql_error(src, std::string("read ") + t.name);
      std::vector<std::optional<std::string>> v(t.cols.size());
      for (std::size_t i = 0; i < t.cols.size(); ++i) {
        const int col = static_cast<int>(i);
        const int type = sqlite3_column_type(st, col);
        if (type == SQLITE_NULL) continue;
        if (std::string_view(t.cols[i].type) == "bytea") {
          auto p = static_cast<const char*>(sqlite3_column_blob(st, col));
          v[i] = hex_bytea(std::string_view(
              p ? p : "", static_cast<std::size_t>(sqlite3_column_bytes(st, col))));
        } else {
          auto p = reinterpret_cast<const char*>(sqlite3_column_text(st, col));
          v[i] = std::string(p ? p : "", static_cast<std::size_t>(sqlite3_column_bytes(st, col)));
        }
      }
      for (std::size_t i = 0; i < v.size(); ++i) arrays.add(i, v[i]);
      if (t.tokens)
        arrays.add(t.cols.size(), pg::article_lexemes(v[title].value_or(""), v[body].value_or("")));
      ++rows;
    }
    if (rows == 0) break;
    line.source_rows += rows;
    auto r = c.exec_params(std::string("copy ") + t.name, sql, arrays.params());
    if (!r) return Error{r.error()};
    line.copied += r->i64(0, 0);
    if (const std::int64_t bad = r->i64(0, 1); bad > 0)
      return Error{"storage: migrate: the target's " + std::string(t.name) + " has " +
                   std::to_string(bad) +
                   " other row(s) under the same keys (first: " + r->text(0, 2) +
                   "); it holds another install's data — nothing was written; migrate into an "
                   "empty database"};
  }
  auto n = c.exec(std::string("count ") + t.name, std::string("SELECT COUNT(*) FROM ") + t.name);
  if (!n) return Error{n.error()};
  line.target_rows = n->i64(0, 0);
  line.present = line.source_rows - line.copied;
  if (line.target_rows < line.source_rows)
    return Error{"storage: migrate: " + std::string(t.name) + " has " +
                 std::to_string(line.target_rows) + " rows in the target, " +
                 std::to_string(line.source_rows) + " in the source"};
  report.tables.push_back(std::move(line));
  return Ok{};
}

}  // namespace

Result<MigrateReport> migrate_to_postgresql(const std::string& sqlite_path,
                                            const std::string& uri) {
  const auto start = std::chrono::steady_clock::now();
  if (!pg::is_uri(uri))
    return Error{"storage: migrate: the target must be a postgresql:// or postgres:// URI"};
  if (pg::is_uri(sqlite_path))
    return Error{"storage: migrate: the source must be a SQLite database, not " +
                 pg::redacted(sqlite_path)};
  auto src = SqliteStore::open(sqlite_path);
  if (!src) return Error{src.error()};
  auto dst = PgStore::open(uri);
  if (!dst) return Error{dst.error()};
  sqlite3* db = src.value()->handle();
  pg::Connection& c = dst.value()->connection();

  // One snapshot of the source (WAL: the daemon may keep writing; later writes are not copied).
  if (auto s = sqlite_exec(db, "BEGIN", "begin reading"); !s) return Error{s.error()};
  struct End {
    sqlite3* db;
    ~End() { sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr); }
  } end{db};
  MigrateReport report;
  report.target = c.redacted();
  pg::Tx tx(c);
  if (auto s = tx.begin(); !s) return Error{s.error()};
  // Instances writing meanwhile would interleave with the copy: hold the writers' lock.
  if (auto l = c.exec("serialize writers", "SELECT pg_advisory_xact_lock($1)", pg::kWriterLockKey);
      !l)
    return Error{l.error()};
  for (const Table& t : tables())
    if (auto s = copy_table(db, c, t, report); !s) return Error{s.error()};
  // New rows continue after the copied ids.
  for (const char* t : {"articles", "matches", "outbox"}) {
    const std::string sql = std::string("SELECT setval(pg_get_serial_sequence('") + t +
                            "', 'id'), GREATEST(COALESCE(MAX(id), 0), 1), COALESCE(MAX(id), 0) > "
                            "0) FROM " +
                            t;
    if (auto r = c.exec(std::string("move the id sequence of ") + t, sql); !r)
      return Error{r.error()};
  }
  if (auto s = tx.commit(); !s) return Error{s.error()};
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return report;
}

}  // namespace rasid::storage
