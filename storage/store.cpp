#include <sqlite3.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <set>
#include <utility>
#include <vector>

#include "storage/fts_tokenizer.h"
#include "storage/pg.h"
#include "storage/pg_store.h"
#include "storage/sqlite.h"
#include "storage/sqlite_store.h"

namespace rasid::storage {

using detail::sql_error;
using detail::Use;

namespace {

// The ordered list of migrations. The schema version is the number applied (PRAGMA user_version);
// never edit or reorder an entry once released: append a new one.
const char* const kMigrations[] = {
    // 1: sources, seen entries, articles, matches, outbox.
    R"sql(
CREATE TABLE sources (
  name TEXT PRIMARY KEY,
  etag TEXT NOT NULL DEFAULT '',
  last_modified TEXT NOT NULL DEFAULT '',
  next_check INTEGER NOT NULL DEFAULT 0,
  last_success INTEGER NOT NULL DEFAULT 0,
  last_attempt INTEGER NOT NULL DEFAULT 0,
  last_error TEXT NOT NULL DEFAULT '',
  consecutive_errors INTEGER NOT NULL DEFAULT 0,
  status TEXT NOT NULL DEFAULT 'new',
  initialized INTEGER NOT NULL DEFAULT 0,
  interval_s INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE seen (
  source TEXT NOT NULL,
  entry_key TEXT NOT NULL,
  first_seen INTEGER NOT NULL,
  PRIMARY KEY (source, entry_key)
) WITHOUT ROWID;
CREATE TABLE articles (
  id INTEGER PRIMARY KEY,
  source TEXT NOT NULL,
  entry_key TEXT NOT NULL,
  url TEXT NOT NULL,
  canonical TEXT NOT NULL UNIQUE CHECK (canonical <> ''),
  title TEXT NOT NULL,
  body TEXT NOT NULL,
  published TEXT NOT NULL DEFAULT '',
  author TEXT NOT NULL DEFAULT '',
  lang TEXT NOT NULL DEFAULT '',
  story_id INTEGER NOT NULL DEFAULT 0,
  fetched_at INTEGER NOT NULL,
  UNIQUE (source, entry_key)
);
CREATE INDEX articles_story ON articles(story_id);
CREATE INDEX articles_fetched ON articles(fetched_at);
CREATE TABLE matches (
  id INTEGER PRIMARY KEY,
  article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
  topic TEXT NOT NULL CHECK (topic <> ''),
  snippet TEXT NOT NULL DEFAULT '',
  created INTEGER NOT NULL,
  UNIQUE (article_id, topic)
);
CREATE TABLE outbox (
  id INTEGER PRIMARY KEY,
  article_id INTEGER REFERENCES articles(id) ON DELETE SET NULL,
  webhook TEXT NOT NULL CHECK (webhook <> ''),
  topic TEXT NOT NULL,
  webhook_id TEXT NOT NULL UNIQUE CHECK (webhook_id <> ''),
  payload TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt INTEGER NOT NULL DEFAULT 0,
  last_error TEXT NOT NULL DEFAULT '',
  created INTEGER NOT NULL,
  delivered_at INTEGER
);
CREATE INDEX outbox_queue ON outbox(webhook, id) WHERE status = 'pending';
CREATE INDEX outbox_status ON outbox(status, webhook);
)sql",
    // 2: full-text search over articles (external content: the text is stored once).
    R"sql(
CREATE VIRTUAL TABLE articles_fts USING fts5(
  title, body, content='articles', content_rowid='id',
  tokenize='unicode61 remove_diacritics 2'
);
INSERT INTO articles_fts(articles_fts) VALUES ('rebuild');
)sql",
    // 3: per-source entry identity policy (daemon/identity.h): GUIDs found untrustworthy.
    R"sql(
CREATE TABLE source_identity (
  source TEXT PRIMARY KEY,
  guid_distrust TEXT NOT NULL DEFAULT '',
  changed INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
)sql",
    // 4: full-text search with rasid's own analyzer (storage/fts_tokenizer.h): unicode61 split
    // words at tashkeel and did not fold alef forms or clitics. Re-indexes every article.
    R"sql(
DROP TABLE articles_fts;
CREATE VIRTUAL TABLE articles_fts USING fts5(
  title, body, content='articles', content_rowid='id', tokenize='rasid'
);
INSERT INTO articles_fts(articles_fts) VALUES ('rebuild');
)sql",
    // 5: the polling interval in force (adaptive interval, back-off or server hint applied) and
    // why it differs from the configured one, for `rasid sources` and /api/sources.
    R"sql(
ALTER TABLE sources ADD COLUMN in_force_s INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sources ADD COLUMN interval_reason TEXT NOT NULL DEFAULT '';
)sql",
    // 6: the event an outbox row carries ('article.matched', or 'story.updated' when later copies
    // joined the story) and the story it is about, so that a copy finds the alerts its story
    // already gave (SqliteStore::story_alerts). Rows written before carry the story of their
    // article.
    R"sql(
ALTER TABLE outbox ADD COLUMN event TEXT NOT NULL DEFAULT 'article.matched';
ALTER TABLE outbox ADD COLUMN story_id INTEGER NOT NULL DEFAULT 0;
UPDATE outbox SET story_id = COALESCE(
  (SELECT story_id FROM articles WHERE articles.id = outbox.article_id), 0)
WHERE article_id IS NOT NULL;
CREATE INDEX outbox_story ON outbox(story_id) WHERE story_id <> 0;
)sql",
    // 7: per-source site templates learned from repetition (clean/template.h), as opaque bytes,
    // with the number of pages each is learned from (for `rasid sources` and /api/sources).
    R"sql(
CREATE TABLE site_templates (
  source TEXT PRIMARY KEY,
  pages INTEGER NOT NULL DEFAULT 0,
  state BLOB NOT NULL,
  updated INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
)sql",
    // 8: the forms each match's terms matched (issue 16: the status page shows them), and the
    // full-text index rebuilt with the analyzer that knows words (text/lexicon.h), so search
    // finds the forms matching finds (اتفاقاً for اتفاق) and not those it no longer does.
    R"sql(
ALTER TABLE matches ADD COLUMN forms TEXT NOT NULL DEFAULT '';
INSERT INTO articles_fts(articles_fts) VALUES ('rebuild');
)sql",
    // 9: why a pending row waits (storage::Hold, written by defer()), so the health rules read
    // a kind instead of the note's words. Rows the deliverer paused after a 410 before this
    // version carry the note it wrote then; they are marked once, here.
    R"sql(
ALTER TABLE outbox ADD COLUMN hold TEXT NOT NULL DEFAULT '';
UPDATE outbox SET hold = 'endpoint_gone'
  WHERE status = 'pending' AND last_error LIKE 'endpoint disabled: it answered 410 Gone%';
)sql",
    // 10: retention (prune_articles, issue 15) finds an article's outbox rows by index, and so
    // does the ON DELETE SET NULL of outbox.article_id when an article goes.
    R"sql(
CREATE INDEX outbox_article ON outbox(article_id);
)sql",
    // 11: the URL each source was last registered with (Store::register_sources): a source
    // whose configured feed URL changes starts again as a new feed (issue 14: a 410 verdict
    // outlived the URL it was about).
    R"sql(
ALTER TABLE sources ADD COLUMN url TEXT NOT NULL DEFAULT '';
)sql",
};
constexpr int kLatest = static_cast<int>(sizeof(kMigrations) / sizeof(kMigrations[0]));

Status exec(sqlite3* db, const char* sql, const char* what) {
  char* msg = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &msg) != SQLITE_OK) {
    std::string m = msg ? msg : sqlite3_errmsg(db);
    sqlite3_free(msg);
    return Error{std::string("storage: ") + what + ": " + m};
  }
  return Ok{};
}

Result<int> user_version(sqlite3* db) {
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, nullptr) != SQLITE_OK) {
    sqlite3_finalize(st);
    return sql_error(db, "read schema version");
  }
  int v = -1;
  if (sqlite3_step(st) == SQLITE_ROW) v = sqlite3_column_int(st, 0);
  sqlite3_finalize(st);
  if (v < 0) return sql_error(db, "read schema version");
  return v;
}

// Applies the missing migrations, each in its own IMMEDIATE transaction; the version is re-read
// inside the transaction so two processes opening a fresh file at once do not both migrate.
Result<int> migrate(sqlite3* db) {
  if (auto v = user_version(db); v && v.value() == kLatest) return kLatest;  // no write lock
  for (;;) {
    if (auto s = exec(db, "BEGIN IMMEDIATE", "begin migration"); !s) return Error{s.error()};
    auto v = user_version(db);
    if (!v) {
      (void)exec(db, "ROLLBACK", "rollback");
      return v;
    }
    const int cur = v.value();
    if (cur > kLatest) {
      (void)exec(db, "ROLLBACK", "rollback");
      return Error{"storage: database schema version " + std::to_string(cur) +
                   " is newer than this rasid supports (" + std::to_string(kLatest) + ")"};
    }
    if (cur == kLatest) {
      (void)exec(db, "COMMIT", "commit");
      return cur;
    }
    const std::string what = "migration " + std::to_string(cur + 1);
    auto s = exec(db, kMigrations[cur], what.c_str());
    if (s) {
      const std::string pragma = "PRAGMA user_version = " + std::to_string(cur + 1);
      s = exec(db, pragma.c_str(), "set schema version");
    }
    if (s) s = exec(db, "COMMIT", "commit migration");
    if (!s) {
      (void)exec(db, "ROLLBACK", "rollback");
      return Error{s.error()};
    }
  }
}

}  // namespace

struct SqliteStore::Stmts {
  explicit Stmts(sqlite3* db) : cache(db) {}
  detail::StmtCache cache;
};

namespace {

// A write transaction that rolls back unless committed.
class Tx {
 public:
  Tx(detail::StmtCache& c, sqlite3* db) : c_(c), db_(db) {}
  ~Tx() {
    if (open_) {
      Use u(c_, "ROLLBACK");
      u.step();
    }
  }
  Status begin() {
    Use u(c_, "BEGIN IMMEDIATE");
    if (u.step() != SQLITE_DONE) return sql_error(db_, "begin transaction");
    open_ = true;
    return Ok{};
  }
  Status commit() {
    Use u(c_, "COMMIT");
    if (u.step() != SQLITE_DONE) return sql_error(db_, "commit");
    open_ = false;
    return Ok{};
  }

 private:
  detail::StmtCache& c_;
  sqlite3* db_;
  bool open_ = false;
};

constexpr const char* kArticleCols =
    "id, source, url, canonical, title, body, published, author, lang, story_id, fetched_at";

Article read_article(const Use& u) {
  Article a;
  a.id = u.i64(0);
  a.source = u.text(1);
  a.url = u.text(2);
  a.canonical = u.text(3);
  a.title = u.text(4);
  a.body = u.text(5);
  a.published = text::parse_date(u.text(6));
  a.author = u.text(7);
  a.lang = u.text(8);
  a.story_id = u.i64(9);
  a.fetched_at = u.i64(10);
  return a;
}

OutboxRow read_outbox(const Use& u) {
  OutboxRow r;
  r.id = u.i64(0);
  r.webhook = u.text(1);
  r.topic = u.text(2);
  r.webhook_id = u.text(3);
  r.payload = u.text(4);
  r.attempts = u.i32(5);
  r.next_attempt = u.i64(6);
  r.created = u.i64(7);
  r.last_error = u.text(8);
  r.status = u.text(9);
  r.hold = hold_from_string(u.text(10));
  return r;
}

// The head (lowest id) of each webhook's pending queue, found with index seeks only: the
// recursive part walks the distinct webhooks of outbox_status (status, webhook, id) one seek at a
// time, so the cost grows with the number of webhooks, not with the backlog.
#define OUTBOX_HEADS                                                                         \
  "WITH RECURSIVE hooks(w) AS ("                                                             \
  "SELECT (SELECT MIN(webhook) FROM outbox WHERE status = 'pending') UNION ALL "             \
  "SELECT (SELECT MIN(webhook) FROM outbox WHERE status = 'pending' AND webhook > w) "       \
  "FROM hooks WHERE w IS NOT NULL), "                                                        \
  "heads(id) AS (SELECT (SELECT MIN(id) FROM outbox WHERE status = 'pending' AND webhook = " \
  "hooks.w) FROM hooks WHERE w IS NOT NULL) "

#define OUTBOX_COLS                                                                                \
  "id, webhook, topic, webhook_id, payload, attempts, next_attempt, created, last_error, status, " \
  "hold"

// Writers wait this long for the file's write lock (another process writing); ping() less.
constexpr int kBusyMs = 5000;
constexpr int kPingWaitMs = 1000;

}  // namespace

Millis now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

SqliteStore::SqliteStore(sqlite3* db) : db_(db), stmts_(std::make_unique<Stmts>(db)) {}

SqliteStore::~SqliteStore() {
  stmts_.reset();  // statements must be finalized before the connection closes
  sqlite3_close_v2(db_);
}

int SqliteStore::schema_version() const { return version_; }
int SqliteStore::latest_version() const { return kLatest; }
int SqliteStore::latest_schema() { return kLatest; }

bool SqliteStore::ping() {
  // "SELECT 1" touches no file, and in WAL mode a read answers even while another process holds
  // the write lock for good; the daemon's work is writing, so the probe takes the write lock and
  // lets it go at once. It waits kPingWaitMs, not the writers' 5 s: the probe runs on the event
  // loop at every watchdog tick and /healthz, and must not stall it (status.h: loop lag > 5 s).
  if (sqlite3_get_autocommit(db_) == 0) return true;  // our own transaction holds it
  sqlite3_busy_timeout(db_, kPingWaitMs);
  bool ok = sqlite3_exec(db_, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) == SQLITE_OK;
  sqlite3_busy_timeout(db_, kBusyMs);
  return ok && sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr) == SQLITE_OK;
}

bool is_server_uri(std::string_view database) { return pg::is_uri(database); }

Status check_database(const std::string& database) {
  if (!pg::is_uri(database)) {
    // A libpq key=value string would otherwise become a SQLite file of that name, a private
    // database per instance (fresh try).
    if (database.find('=') != std::string::npos && (database.find("host=") != std::string::npos ||
                                                    database.find("dbname=") != std::string::npos ||
                                                    database.find("user=") != std::string::npos))
      return Error{"\"" + pg::redacted(database) +
                   "\" looks like a PostgreSQL key=value string; write it as a URI "
                   "(postgresql:///DBNAME?host=/run/postgresql&user=USER) or name a SQLite file"};
    return Ok{};
  }
  auto p = pg::parse_conninfo(database);
  if (!p) return Error{p.error()};
  for (auto& v : p->values) std::fill(v.begin(), v.end(), '\0');
  return Ok{};
}

Result<std::unique_ptr<Store>> Store::open(const std::string& database) {
  if (pg::is_uri(database)) {
    auto p = PgStore::open(database);
    if (!p) return Error{p.error()};
    return std::unique_ptr<Store>(std::move(p).value());
  }
  auto s = SqliteStore::open(database);
  if (!s) return Error{s.error()};
  return std::unique_ptr<Store>(std::move(s).value());
}

Result<std::unique_ptr<SqliteStore>> SqliteStore::open(const std::string& path) {
  sqlite3* db = nullptr;
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  if (sqlite3_open_v2(path.c_str(), &db, flags, nullptr) != SQLITE_OK) {
    Error e{"storage: open " + path + ": " + (db ? sqlite3_errmsg(db) : "out of memory")};
    sqlite3_close_v2(db);
    return e;
  }
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, kBusyMs);
  auto fail = [&](const Status& s) -> Result<std::unique_ptr<SqliteStore>> {
    Error e{s.error() + " (" + path + ")"};
    sqlite3_close_v2(db);
    return e;
  };
  // journal_mode=WAL needs the write lock once; busy_timeout covers a concurrent opener.
  // SQLite does not always call the busy handler while another connection is creating or
  // converting the same fresh file, so a few short retries cover that window too.
  for (int attempt = 0;; ++attempt) {
    auto s = exec(db, "PRAGMA journal_mode = WAL", "enable WAL");
    if (s) break;
    const int rc = sqlite3_errcode(db) & 0xff;
    if ((rc != SQLITE_BUSY && rc != SQLITE_LOCKED) || attempt >= 100) return fail(s);
    sqlite3_sleep(20);
  }
  if (auto s = exec(db, "PRAGMA foreign_keys = ON", "enable foreign keys"); !s) return fail(s);
  if (auto s = exec(db, "PRAGMA synchronous = NORMAL", "set synchronous"); !s) return fail(s);
  // Before migrating: migration 4 and every FTS write need the tokenizer on this connection.
  if (auto s = detail::register_fts_tokenizer(db); !s) return fail(s);
  auto v = migrate(db);
  for (int attempt = 0; !v && attempt < 100; ++attempt) {
    const int rc = sqlite3_errcode(db) & 0xff;
    if (rc != SQLITE_BUSY && rc != SQLITE_LOCKED) break;
    sqlite3_sleep(20);
    v = migrate(db);
  }
  if (!v) return fail(Status(Error{v.error()}));
  std::unique_ptr<SqliteStore> store(new SqliteStore(db));
  store->version_ = v.value();
  return store;
}

// ---- Sources -------------------------------------------------------------------------------

namespace {
constexpr const char* kSourceSelect =
    "SELECT name, etag, last_modified, next_check, last_success, last_attempt, last_error, "
    "consecutive_errors, status, initialized, interval_s, in_force_s, interval_reason FROM sources";

SourceState read_source(const Use& u) {
  SourceState s;
  s.name = u.text(0);
  s.etag = u.text(1);
  s.last_modified = u.text(2);
  s.next_check = u.i64(3);
  s.last_success = u.i64(4);
  s.last_attempt = u.i64(5);
  s.last_error = u.text(6);
  s.consecutive_errors = u.i32(7);
  s.status = u.text(8);
  s.initialized = u.i64(9) != 0;
  s.interval_s = u.i64(10);
  s.in_force_s = u.i64(11);
  s.interval_reason = u.text(12);
  return s;
}
}  // namespace

Result<SourceState> SqliteStore::source(const std::string& name) {
  static const std::string sql = std::string(kSourceSelect) + " WHERE name = ?1";
  Use u(stmts_->cache, sql.c_str());
  u.bind(1, name);
  const int rc = u.step();
  if (rc == SQLITE_ROW) return read_source(u);
  if (rc != SQLITE_DONE) return sql_error(db_, "read source");
  SourceState fresh;
  fresh.name = name;
  return fresh;
}

Status SqliteStore::save_source(const SourceState& s) { return save_source(s, ""); }

Status SqliteStore::save_source(const SourceState& s, const std::string& polled_url) {
  // A poll of a URL the source no longer has (PollRecord::polled_url) writes nothing of its
  // state, as on PostgreSQL (PgStore::save_source).
  Use u(stmts_->cache,
        "INSERT INTO sources (name, etag, last_modified, next_check, last_success, last_attempt, "
        "last_error, consecutive_errors, status, initialized, interval_s, in_force_s, "
        "interval_reason) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13) "
        "ON CONFLICT(name) DO UPDATE SET etag = ?2, last_modified = ?3, next_check = ?4, "
        "last_success = ?5, last_attempt = ?6, last_error = ?7, consecutive_errors = ?8, "
        "status = ?9, initialized = ?10, interval_s = ?11, in_force_s = ?12, "
        "interval_reason = ?13 WHERE ?14 = '' OR url = '' OR url = ?14");
  u.bind(1, s.name)
      .bind(2, s.etag)
      .bind(3, s.last_modified)
      .bind(4, s.next_check)
      .bind(5, s.last_success)
      .bind(6, s.last_attempt)
      .bind(7, s.last_error)
      .bind(8, s.consecutive_errors)
      .bind(9, s.status)
      .bind(10, static_cast<std::int64_t>(s.initialized ? 1 : 0))
      .bind(11, s.interval_s)
      .bind(12, s.in_force_s)
      .bind(13, s.interval_reason)
      .bind(14, polled_url);
  if (u.step() != SQLITE_DONE) return sql_error(db_, "save source " + s.name);
  return Ok{};
}

Result<std::vector<SourceState>> SqliteStore::sources() {
  static const std::string sql = std::string(kSourceSelect) + " ORDER BY name";
  Use u(stmts_->cache, sql.c_str());
  std::vector<SourceState> out;
  int rc;
  while ((rc = u.step()) == SQLITE_ROW) out.push_back(read_source(u));
  if (rc != SQLITE_DONE) return sql_error(db_, "list sources");
  return out;
}

// One daemon per file (storage/instance_lock.h): the lease is always this process's, so only
// the schedule decides.
Result<Lease> SqliteStore::lease_source(const std::string& name, const std::string& /*owner*/,
                                        Millis now, Millis /*lease_ms*/, bool due_only) {
  auto st = source(name);
  if (!st) return Error{st.error()};
  Lease l;
  if (due_only && st->next_check > now) {
    l.retry_at = st->next_check;
    return l;
  }
  l.granted = true;
  l.state = std::move(st).value();
  return l;
}

Status SqliteStore::register_sources(const std::vector<SourceSlot>& sources, Millis now) {
  Tx tx(stmts_->cache, db_);
  if (auto s = tx.begin(); !s) return s;
  for (const auto& slot : sources) {
    // A changed URL: a new feed (validators, errors and the 410 verdict were about the old one).
    Use reset(
        stmts_->cache,
        "UPDATE sources SET etag = '', last_modified = '', last_error = '', "
        "consecutive_errors = 0, status = 'new', initialized = 0, interval_s = 0, in_force_s = 0, "
        "interval_reason = '', next_check = ?3 WHERE name = ?1 AND url <> '' AND url <> ?2");
    reset.bind(1, slot.name).bind(2, slot.url).bind(3, slot.first_due);
    if (reset.step() != SQLITE_DONE) return sql_error(db_, "register source " + slot.name);
    Use u(stmts_->cache,
          "INSERT INTO sources (name, url, next_check) VALUES (?1, ?2, ?3) ON CONFLICT(name) DO "
          "UPDATE SET url = ?2, next_check = CASE WHEN next_check <= ?4 THEN ?3 ELSE next_check "
          "END");
    u.bind(1, slot.name).bind(2, slot.url).bind(3, slot.first_due).bind(4, now);
    if (u.step() != SQLITE_DONE) return sql_error(db_, "register source " + slot.name);
  }
  return tx.commit();
}

Result<Claimed> SqliteStore::claim_due(const std::vector<std::string>& names,
                                       const std::string& /*owner*/, Millis now, Millis lease_ms,
                                       int limit) {
  // One daemon per file: the leases are this process's (leases_); the rows are read in due
  // order and the ones not configured here, or leased, are passed over.
  for (auto it = leases_.begin(); it != leases_.end();)
    it = it->second <= now ? leases_.erase(it) : std::next(it);
  const std::set<std::string> wanted(names.begin(), names.end());
  static const std::string sql = std::string(kSourceSelect) + " ORDER BY next_check, name";
  Use u(stmts_->cache, sql.c_str());
  Claimed out;
  int rc;
  while ((rc = u.step()) == SQLITE_ROW) {
    SourceState st = read_source(u);
    if (!wanted.count(st.name) || leases_.count(st.name)) continue;
    if (st.next_check > now || static_cast<int>(out.due.size()) >= limit) {
      out.next_due = std::max<Millis>(st.next_check, now);
      break;
    }
    out.due.push_back(std::move(st));
  }
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) return sql_error(db_, "claim due sources");
  if (static_cast<int>(out.due.size()) >= limit) out.next_due = 0;
  for (const auto& st : out.due) leases_[st.name] = now + lease_ms;
  return out;
}

Status SqliteStore::defer_source(const std::string& name, const std::string& /*owner*/,
                                 Millis next_check, const std::string& reason) {
  leases_.erase(name);
  Use u(stmts_->cache,
        "UPDATE sources SET next_check = ?2, interval_reason = CASE WHEN ?3 = '' THEN "
        "interval_reason ELSE ?3 END WHERE name = ?1");
  u.bind(1, name).bind(2, next_check).bind(3, reason);
  if (u.step() != SQLITE_DONE) return sql_error(db_, "defer source " + name);
  return Ok{};
}

Status SqliteStore::leave(const std::string& id) {
  if (me_ && me_->id == id) me_.reset();
  leases_.clear();
  return Ok{};
}

Status SqliteStore::heartbeat(const InstanceInfo& me) {
  me_ = me;
  return Ok{};
}

Result<std::vector<InstanceInfo>> SqliteStore::instances(Millis live_since) {
  std::vector<InstanceInfo> out;
  if (me_ && me_->heartbeat >= live_since) out.push_back(*me_);
  return out;
}

// ---- Entry identity ------------------------------------------------------------------------

Result<bool> SqliteStore::seen(const std::string& source, const std::string& entry_key) {
  Use u(stmts_->cache,
        "SELECT EXISTS (SELECT 1 FROM seen WHERE source = ?1 AND entry_key = ?2) OR "
        "EXISTS (SELECT 1 FROM articles WHERE source = ?1 AND entry_key = ?2)");
  u.bind(1, source).bind(2, entry_key);
  if (u.step() != SQLITE_ROW) return sql_error(db_, "check seen entry");
  return u.i64(0) != 0;
}

Result<std::vector<std::string>> SqliteStore::seen_keys(const std::string& source,
                                                        const std::vector<std::string>& keys) {
  // In-process, so one cached statement per key costs no round trip (PostgreSQL's backend
  // sends the keys as one array).
  std::vector<std::string> out;
  for (const auto& key : keys) {
    auto s = seen(source, key);
    if (!s) return Error{s.error()};
    if (s.value()) out.push_back(key);
  }
  return out;
}

namespace {
// Records (source, entry_key) as seen; shared by mark_seen and add_article.
Status insert_seen(detail::StmtCache& cache, sqlite3* db, const std::string& source,
                   const std::string& key, Millis now) {
  Use u(cache,
        "INSERT INTO seen (source, entry_key, first_seen) VALUES (?1, ?2, ?3) "
        "ON CONFLICT DO NOTHING");
  u.bind(1, source).bind(2, key).bind(3, now);
  if (u.step() != SQLITE_DONE) return sql_error(db, "mark entry seen");
  return Ok{};
}
}  // namespace

Status SqliteStore::mark_seen(const std::string& source,
                              const std::vector<std::string>& entry_keys) {
  if (entry_keys.empty()) return Ok{};
  Tx tx(stmts_->cache, db_);
  if (auto s = tx.begin(); !s) return s;
  const Millis now = now_ms();
  for (const auto& key : entry_keys) {
    if (auto s = insert_seen(stmts_->cache, db_, source, key, now); !s) return s;
  }
  return tx.commit();
}

Result<bool> SqliteStore::canonical_exists(const std::string& canonical) {
  Use u(stmts_->cache, "SELECT EXISTS (SELECT 1 FROM articles WHERE canonical = ?1)");
  u.bind(1, canonical);
  if (u.step() != SQLITE_ROW) return sql_error(db_, "check canonical");
  return u.i64(0) != 0;
}

// ---- Articles ------------------------------------------------------------------------------

Result<AddResult> SqliteStore::add_article(const NewArticle& a,
                                           const std::vector<NewMatch>& matches,
                                           const std::vector<NewAlert>& alerts) {
  Tx tx(stmts_->cache, db_);
  if (auto s = tx.begin(); !s) return Error{s.error()};
  auto res = add_article_in(a, matches, alerts);
  if (!res || res->duplicate) return res;  // Tx rolls back: nothing was written
  if (auto s = tx.commit(); !s) return Error{s.error()};
  return res;
}

Result<PollRecorded> SqliteStore::record_poll(PollRecord& r,
                                              const std::function<void(PollRecord&)>& prepare) {
  const std::string& source = r.state.name;
  Tx tx(stmts_->cache, db_);
  if (auto s = tx.begin(); !s) return Error{s.error()};
  if (prepare) prepare(r);
  const Millis now = now_ms();
  PollRecorded out;
  for (const auto& e : r.articles) {
    auto res = add_article_in(e.article, e.matches, e.alerts);
    if (!res) return Error{res.error() + " (" + e.article.url + ")"};
    if (res->duplicate) {
      if (auto s = insert_seen(stmts_->cache, db_, source, e.article.entry_key, now); !s)
        return Error{s.error()};
    }
    for (const auto& key : e.aliases)
      if (auto s = insert_seen(stmts_->cache, db_, source, key, now); !s) return Error{s.error()};
    out.articles.push_back(res.value());
  }
  for (const auto& key : r.seen)
    if (auto s = insert_seen(stmts_->cache, db_, source, key, now); !s) return Error{s.error()};
  if (r.guid_distrust)
    if (auto s = set_guid_distrust(source, *r.guid_distrust); !s) return Error{s.error()};
  if (r.site_template)
    if (auto s = save_site_template(source, *r.site_template, r.site_template_pages); !s)
      return Error{s.error()};
  if (auto s = save_source(r.state, r.polled_url); !s) return Error{s.error()};
  if (auto s = tx.commit(); !s) return Error{s.error()};
  if (!r.lease_owner.empty()) leases_.erase(source);
  return out;
}

Result<AddResult> SqliteStore::add_article_in(const NewArticle& a,
                                              const std::vector<NewMatch>& matches,
                                              const std::vector<NewAlert>& alerts) {
  const std::string& canonical = a.canonical.empty() ? a.url : a.canonical;
  if (canonical.empty()) return Error{"storage: add article: no canonical URL and no URL"};
  AddResult res;
  {
    Use u(stmts_->cache,
          "SELECT id, story_id FROM articles WHERE canonical = ?1 "
          "UNION ALL SELECT id, story_id FROM articles WHERE source = ?2 AND entry_key = ?3 "
          "LIMIT 1");
    u.bind(1, canonical).bind(2, a.source).bind(3, a.entry_key);
    const int rc = u.step();
    if (rc == SQLITE_ROW) {
      res.article_id = u.i64(0);
      res.story_id = u.i64(1);
      res.duplicate = true;
      return res;  // nothing was written
    }
    if (rc != SQLITE_DONE) return sql_error(db_, "check duplicate article");
  }
  const Millis now = now_ms();
  {
    Use u(stmts_->cache,
          "INSERT INTO articles (source, entry_key, url, canonical, title, body, published, "
          "author, lang, story_id, fetched_at) "
          "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)");
    u.bind(1, a.source)
        .bind(2, a.entry_key)
        .bind(3, a.url)
        .bind(4, canonical)
        .bind(5, a.title)
        .bind(6, a.body)
        .bind(7, a.published ? text::format_iso8601(*a.published) : std::string())
        .bind(8, a.author)
        .bind(9, a.lang)
        .bind(10, a.story_id)
        .bind(11, now);
    if (u.step() != SQLITE_DONE) return sql_error(db_, "insert article");
  }
  res.article_id = sqlite3_last_insert_rowid(db_);
  res.story_id = a.story_id != 0 ? a.story_id : res.article_id;
  if (a.story_id == 0) {
    Use u(stmts_->cache, "UPDATE articles SET story_id = ?1 WHERE id = ?1");
    u.bind(1, res.article_id);
    if (u.step() != SQLITE_DONE) return sql_error(db_, "set story id");
  }
  {
    Use u(stmts_->cache, "INSERT INTO articles_fts (rowid, title, body) VALUES (?1, ?2, ?3)");
    u.bind(1, res.article_id).bind(2, a.title).bind(3, a.body);
    if (u.step() != SQLITE_DONE) return sql_error(db_, "index article text");
  }
  if (auto s = insert_seen(stmts_->cache, db_, a.source, a.entry_key, now); !s)
    return Error{s.error()};
  for (const auto& m : matches) {
    Use u(stmts_->cache,
          "INSERT INTO matches (article_id, topic, snippet, created, forms) "
          "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (article_id, topic) DO NOTHING");
    u.bind(1, res.article_id).bind(2, m.topic).bind(3, m.snippet).bind(4, now).bind(5, m.forms);
    if (u.step() != SQLITE_DONE) return sql_error(db_, "insert match " + m.topic);
  }
  for (const auto& al : alerts) {
    // ON CONFLICT (not INSERT OR IGNORE): only a repeated webhook_id is skipped; a CHECK
    // failure (empty webhook or id) still fails the whole transaction. A row that refers to
    // another (a story.updated to its alert) is written only while that row exists.
    Use u(stmts_->cache,
          "INSERT INTO outbox (article_id, webhook, topic, webhook_id, payload, created, event, "
          "story_id) SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8 WHERE ?9 = '' OR EXISTS (SELECT 1 "
          "FROM outbox WHERE webhook_id = ?9) ON CONFLICT (webhook_id) DO NOTHING");
    u.bind(1, res.article_id)
        .bind(2, al.webhook)
        .bind(3, al.topic)
        .bind(4, al.webhook_id)
        .bind(5, al.payload)
        .bind(6, now)
        .bind(7, al.event)
        .bind(8, res.story_id)
        .bind(9, al.refers_to);
    if (u.step() != SQLITE_DONE) return sql_error(db_, "insert alert for " + al.webhook);
    const int added = sqlite3_changes(db_);
    res.alerts_added += added;
    if (added > 0 && !al.refers_to.empty()) {
      // An update must not reach the receiver before the alert it refers to: an alert whose
      // attempts ran out (failed, waiting for the endpoint to recover) is queued again, ahead of
      // the update (lower id), with a fresh schedule.
      Use r(stmts_->cache,
            "UPDATE outbox SET status = 'pending', attempts = 0, next_attempt = 0 "
            "WHERE webhook_id = ?1 AND status = 'failed'");
      r.bind(1, al.refers_to);
      if (r.step() != SQLITE_DONE) return sql_error(db_, "re-queue the alert an update refers to");
    }
  }
  return res;
}

Result<std::optional<Article>> SqliteStore::article(std::int64_t id) {
  static const std::string sql =
      std::string("SELECT ") + kArticleCols + " FROM articles WHERE id = ?1";
  Use u(stmts_->cache, sql.c_str());
  u.bind(1, id);
  const int rc = u.step();
  if (rc == SQLITE_ROW) return std::optional<Article>(read_article(u));
  if (rc != SQLITE_DONE) return sql_error(db_, "read article");
  return std::optional<Article>();
}

Result<std::vector<Article>> SqliteStore::recent_articles(Millis since, int limit) {
  static const std::string sql = std::string("SELECT ") + kArticleCols +
                                 " FROM articles WHERE fetched_at >= ?1 ORDER BY id DESC LIMIT ?2";
  Use u(stmts_->cache, sql.c_str());
  u.bind(1, since).bind(2, limit);
  std::vector<Article> out;
  int rc;
  while ((rc = u.step()) == SQLITE_ROW) out.push_back(read_article(u));
  if (rc != SQLITE_DONE) return sql_error(db_, "list recent articles");
  return out;
}

Result<std::vector<Article>> SqliteStore::articles_after(std::int64_t after_id, int limit) {
  static const std::string sql =
      std::string("SELECT ") + kArticleCols + " FROM articles WHERE id > ?1 ORDER BY id LIMIT ?2";
  Use u(stmts_->cache, sql.c_str());
  u.bind(1, after_id).bind(2, limit);
  std::vector<Article> out;
  int rc;
  while ((rc = u.step()) == SQLITE_ROW) out.push_back(read_article(u));
  if (rc != SQLITE_DONE) return sql_error(db_, "list articles after");
  return out;
}

Result<std::vector<std::string>> SqliteStore::story_sources(std::int64_t story_id) {
  Use u(stmts_->cache,
        "SELECT source FROM articles WHERE story_id = ?1 GROUP BY source ORDER BY MIN(id)");
  u.bind(1, story_id);
  std::vector<std::string> out;
  int rc;
  while ((rc = u.step()) == SQLITE_ROW) out.push_back(u.text(0));
  if (rc != SQLITE_DONE) return sql_error(db_, "list story sources");
  return out;
}

Result<std::vector<StoryAlert>> SqliteStore::story_alerts(std::int64_t story_id) {
  Use u(stmts_->cache,
        "SELECT webhook, topic, webhook_id FROM outbox WHERE story_id = ?1 AND story_id <> 0 "
        "AND event = 'article.matched' ORDER BY id");
  u.bind(1, story_id);
  std::vector<StoryAlert> out;
  int rc;
  while ((rc = u.step()) == SQLITE_ROW) out.push_back({u.text(0), u.text(1), u.text(2)});
  if (rc != SQLITE_DONE) return sql_error(db_, "list story alerts");
  return out;
}

Result<std::vector<StoryCopy>> SqliteStore::story_copies(std::int64_t story_id, int limit) {
  Use u(stmts_->cache,
        "SELECT id, source, url, title, published, fetched_at FROM articles WHERE story_id = ?1 "
        "ORDER BY id LIMIT ?2");
  u.bind(1, story_id).bind(2, limit);
  std::vector<StoryCopy> out;
  int rc;
  while ((rc = u.step()) == SQLITE_ROW)
    out.push_back({u.i64(0), u.text(1), u.text(2), u.text(3), u.text(4), u.i64(5)});
  if (rc != SQLITE_DONE) return sql_error(db_, "list story copies");
  return out;
}

Result<std::vector<Article>> SqliteStore::search(const std::string& fts_query, int limit) {
  static const std::string sql =
      "SELECT a.id, a.source, a.url, a.canonical, a.title, a.body, a.published, a.author, "
      "a.lang, a.story_id, a.fetched_at FROM articles_fts JOIN articles a ON a.id = "
      "articles_fts.rowid WHERE articles_fts MATCH ?1 ORDER BY a.id DESC LIMIT ?2";
  Use u(stmts_->cache, sql.c_str());
  u.bind(1, fts_query).bind(2, limit);
  std::vector<Article> out;
  int rc;
  while ((rc = u.step()) == SQLITE_ROW) out.push_back(read_article(u));
  if (rc != SQLITE_DONE) return sql_error(db_, "search articles");
  return out;
}

// ---- Outbox --------------------------------------------------------------------------------

Result<std::vector<OutboxRow>> SqliteStore::due_alerts(Millis now, int limit) {
  // The head of each webhook's pending queue (lowest id), and only if it is due: a row that
  // waits for its retry holds back the rows behind it, which keeps delivery in order.
  Use u(stmts_->cache, OUTBOX_HEADS
        "SELECT " OUTBOX_COLS
        " FROM outbox WHERE id IN heads AND next_attempt <= ?1 ORDER BY next_attempt, id LIMIT ?2");
  u.bind(1, now).bind(2, limit);
  std::vector<OutboxRow> out;
  int rc;
  while ((rc = u.step()) == SQLITE_ROW) out.push_back(read_outbox(u));
  if (rc != SQLITE_DONE) return sql_error(db_, "list due alerts");
  return out;
}

Result<std::optional<Millis>> SqliteStore::next_alert_due() {
  Use u(stmts_->cache, OUTBOX_HEADS "SELECT MIN(next_attempt) FROM outbox WHERE id IN heads");
  if (u.step() != SQLITE_ROW) return sql_error(db_, "next alert due");
  if (u.is_null(0)) return std::optional<Millis>();
  return std::optional<Millis>(u.i64(0));
}

Status SqliteStore::mark_delivered(std::int64_t id, Millis now) {
  Use u(stmts_->cache,
        "UPDATE outbox SET status = 'delivered', attempts = attempts + 1, delivered_at = ?2, "
        "last_error = '', hold = '' WHERE id = ?1");
  u.bind(1, id).bind(2, now);
  if (u.step() != SQLITE_DONE) return sql_error(db_, "mark alert delivered");
  return Ok{};
}

Status SqliteStore::mark_retry(std::int64_t id, const std::string& error, Millis next_attempt) {
  Use u(stmts_->cache,
        "UPDATE outbox SET attempts = attempts + 1, last_error = ?2, next_attempt = ?3, hold = '' "
        "WHERE id = ?1 AND status = 'pending'");
  u.bind(1, id).bind(2, error).bind(3, next_attempt);
  if (u.step() != SQLITE_DONE) return sql_error(db_, "schedule alert retry");
  return Ok{};
}

Status SqliteStore::mark_failed(std::int64_t id, const std::string& error, Millis next_probe) {
  Use u(stmts_->cache,
        "UPDATE outbox SET status = 'failed', attempts = attempts + 1, last_error = ?2, "
        "next_attempt = ?3, hold = '' WHERE id = ?1");
  u.bind(1, id).bind(2, error).bind(3, next_probe);
  if (u.step() != SQLITE_DONE) return sql_error(db_, "mark alert failed");
  return Ok{};
}

Status SqliteStore::reprobe(std::int64_t id, const std::string& error, Millis next_probe) {
  Use u(stmts_->cache,
        "UPDATE outbox SET last_error = ?2, next_attempt = ?3 WHERE id = ?1 AND status = 'failed'");
  u.bind(1, id).bind(2, error).bind(3, next_probe);
  if (u.step() != SQLITE_DONE) return sql_error(db_, "schedule the next probe");
  return Ok{};
}

Result<std::vector<OutboxRow>> SqliteStore::failed_heads() {
  Use u(stmts_->cache,
        "SELECT " OUTBOX_COLS
        " FROM outbox o WHERE status = 'failed' AND id = (SELECT MIN(id) FROM outbox f WHERE "
        "f.status = 'failed' AND f.webhook = o.webhook) AND NOT EXISTS (SELECT 1 FROM outbox p "
        "WHERE p.status = 'pending' AND p.webhook = o.webhook) ORDER BY next_attempt, id");
  std::vector<OutboxRow> out;
  int rc;
  while ((rc = u.step()) == SQLITE_ROW) out.push_back(read_outbox(u));
  if (rc != SQLITE_DONE) return sql_error(db_, "list failed queue heads");
  return out;
}

Status SqliteStore::defer(std::int64_t id, Millis next_attempt, Hold why, const std::string& note) {
  Use u(stmts_->cache,
        "UPDATE outbox SET next_attempt = ?2, last_error = CASE WHEN ?3 = '' THEN last_error "
        "ELSE ?3 END, hold = ?4 WHERE id = ?1 AND status = 'pending'");
  u.bind(1, id).bind(2, next_attempt).bind(3, note).bind(4, to_string(why));
  if (u.step() != SQLITE_DONE) return sql_error(db_, "defer alert");
  return Ok{};
}

Result<std::vector<OutboxRow>> SqliteStore::queue_heads(int limit) {
  Use u(stmts_->cache, OUTBOX_HEADS
        "SELECT " OUTBOX_COLS " FROM outbox WHERE id IN heads ORDER BY next_attempt, id LIMIT ?1");
  u.bind(1, limit);
  std::vector<OutboxRow> out;
  int rc;
  while ((rc = u.step()) == SQLITE_ROW) out.push_back(read_outbox(u));
  if (rc != SQLITE_DONE) return sql_error(db_, "list outbox queue heads");
  return out;
}

Result<std::optional<OutboxRow>> SqliteStore::queue_head(const std::string& webhook) {
  Use u(stmts_->cache,
        "SELECT " OUTBOX_COLS
        " FROM outbox WHERE webhook = ?1 AND status = 'pending' ORDER BY id LIMIT 1");
  u.bind(1, webhook);
  const int rc = u.step();
  if (rc == SQLITE_ROW) return std::optional<OutboxRow>(read_outbox(u));
  if (rc != SQLITE_DONE) return sql_error(db_, "read outbox queue head");
  return std::optional<OutboxRow>();
}

Result<std::vector<OutboxCounts>> SqliteStore::outbox_counts() {
  Use u(stmts_->cache,
        "SELECT webhook, SUM(status = 'pending'), SUM(status = 'delivered'), "
        "SUM(status = 'failed'), (SELECT last_error FROM outbox o2 WHERE o2.webhook = o.webhook "
        "AND o2.last_error <> '' ORDER BY o2.id DESC LIMIT 1) "
        "FROM outbox o GROUP BY webhook ORDER BY webhook");
  std::vector<OutboxCounts> out;
  int rc;
  while ((rc = u.step()) == SQLITE_ROW) {
    OutboxCounts c;
    c.webhook = u.text(0);
    c.pending = u.i32(1);
    c.delivered = u.i32(2);
    c.failed = u.i32(3);
    c.last_error = u.text(4);
    out.push_back(std::move(c));
  }
  if (rc != SQLITE_DONE) return sql_error(db_, "count outbox");
  return out;
}

Result<int> SqliteStore::retry_failed(const std::string& webhook) {
  Use u(stmts_->cache,
        "UPDATE outbox SET status = 'pending', attempts = 0, next_attempt = 0, hold = '' "
        "WHERE status = 'failed' AND (?1 = '' OR webhook = ?1)");
  u.bind(1, webhook);
  if (u.step() != SQLITE_DONE) return sql_error(db_, "re-queue failed alerts");
  const int requeued = sqlite3_changes(db_);
  // "Retry" means now: rows waiting for a backoff or a pause are made due as well.
  if (auto s = make_due(webhook); !s) return Error{s.error()};
  return requeued;
}

Status SqliteStore::make_due(const std::string& webhook) {
  Use now(stmts_->cache,
          "UPDATE outbox SET next_attempt = 0, hold = '' WHERE status = 'pending' "
          "AND next_attempt > 0 AND (?1 = '' OR webhook = ?1)");
  now.bind(1, webhook);
  if (now.step() != SQLITE_DONE) return sql_error(db_, "make pending alerts due");
  return Ok{};
}

Result<std::vector<OutboxRow>> SqliteStore::outbox_rows(const std::string& status,
                                                        const std::string& webhook, int limit) {
  Use u(stmts_->cache, "SELECT " OUTBOX_COLS
                       " FROM outbox WHERE (?1 = '' OR status = ?1) AND (?2 = '' OR webhook = ?2) "
                       "ORDER BY id LIMIT ?3");
  u.bind(1, status).bind(2, webhook).bind(3, limit);
  std::vector<OutboxRow> out;
  int rc;
  while ((rc = u.step()) == SQLITE_ROW) out.push_back(read_outbox(u));
  if (rc != SQLITE_DONE) return sql_error(db_, "list outbox");
  return out;
}

Result<int> SqliteStore::prune_delivered(Millis before) {
  Use u(stmts_->cache, "DELETE FROM outbox WHERE status = 'delivered' AND delivered_at < ?1");
  u.bind(1, before);
  if (u.step() != SQLITE_DONE) return sql_error(db_, "prune delivered alerts");
  return sqlite3_changes(db_);
}

// ---- Retention -----------------------------------------------------------------------------

Result<PruneCounts> SqliteStore::prune_articles(Millis before, int batch) {
  if (batch < 1) return Error{"storage: prune articles: batch must be at least 1"};
  PruneCounts out;
  for (;;) {
    Tx tx(stmts_->cache, db_);
    if (auto s = tx.begin(); !s) return Error{s.error()};
    std::vector<std::int64_t> ids;
    {
      // Oldest first (articles_fetched); an article an undelivered alert needs is skipped.
      Use u(stmts_->cache,
            "SELECT id FROM articles WHERE fetched_at < ?1 AND NOT EXISTS (SELECT 1 FROM outbox "
            "WHERE outbox.article_id = articles.id AND outbox.status <> 'delivered') "
            "ORDER BY fetched_at, id LIMIT ?2");
      u.bind(1, before).bind(2, static_cast<std::int64_t>(batch));
      int rc;
      while ((rc = u.step()) == SQLITE_ROW) ids.push_back(u.i64(0));
      if (rc != SQLITE_DONE) return sql_error(db_, "list articles to prune");
    }
    if (ids.empty()) break;
    for (std::int64_t id : ids) {
      {
        // The entry stays seen after its article is gone (seen() also reads articles).
        Use u(stmts_->cache,
              "INSERT INTO seen (source, entry_key, first_seen) SELECT source, entry_key, "
              "fetched_at FROM articles WHERE id = ?1 ON CONFLICT DO NOTHING");
        u.bind(1, id);
        if (u.step() != SQLITE_DONE) return sql_error(db_, "keep a pruned entry seen");
      }
      {
        // External-content FTS5: the index rows are deleted with the text they were made of.
        Use u(stmts_->cache,
              "INSERT INTO articles_fts (articles_fts, rowid, title, body) "
              "SELECT 'delete', id, title, body FROM articles WHERE id = ?1");
        u.bind(1, id);
        if (u.step() != SQLITE_DONE) return sql_error(db_, "prune article search rows");
      }
      {
        Use u(stmts_->cache, "DELETE FROM matches WHERE article_id = ?1");
        u.bind(1, id);
        if (u.step() != SQLITE_DONE) return sql_error(db_, "prune matches");
        out.matches += sqlite3_changes(db_);
      }
      {
        Use u(stmts_->cache, "DELETE FROM outbox WHERE article_id = ?1 AND status = 'delivered'");
        u.bind(1, id);
        if (u.step() != SQLITE_DONE) return sql_error(db_, "prune delivered alerts of an article");
        out.delivered += sqlite3_changes(db_);
      }
      {
        Use u(stmts_->cache, "DELETE FROM articles WHERE id = ?1");
        u.bind(1, id);
        if (u.step() != SQLITE_DONE) return sql_error(db_, "prune article");
        out.articles += sqlite3_changes(db_);
      }
    }
    if (auto s = tx.commit(); !s) return Error{s.error()};
    ++out.batches;
    if (static_cast<int>(ids.size()) < batch) break;
  }
  Use k(stmts_->cache,
        "SELECT COUNT(*) FROM articles WHERE fetched_at < ?1 AND EXISTS (SELECT 1 FROM outbox "
        "WHERE outbox.article_id = articles.id AND outbox.status <> 'delivered')");
  k.bind(1, before);
  if (k.step() != SQLITE_ROW) return sql_error(db_, "count kept articles");
  out.kept = k.i64(0);
  return out;
}

// ---- Backup --------------------------------------------------------------------------------

Status SqliteStore::backup(const std::string& file) {
  std::error_code ec;
  if (file.empty()) return Error{"storage: backup: no file named"};
  if (std::filesystem::exists(file, ec))
    return Error{"storage: backup " + file + ": the file exists; a backup never overwrites one"};
  const std::string tmp = file + ".part";
  std::filesystem::remove(tmp, ec);  // a previous backup interrupted
  sqlite3* dst = nullptr;
  auto fail = [&](const std::string& why) -> Status {
    if (dst) sqlite3_close_v2(dst);
    std::error_code ignored;
    std::filesystem::remove(tmp, ignored);
    std::filesystem::remove(tmp + "-journal", ignored);
    return Error{"storage: backup " + file + ": " + why};
  };
  if (sqlite3_open_v2(tmp.c_str(), &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) !=
      SQLITE_OK)
    return fail(dst ? sqlite3_errmsg(dst) : "out of memory");
  sqlite3_backup* b = sqlite3_backup_init(dst, "main", db_, "main");
  if (!b) return fail(sqlite3_errmsg(dst));
  // All pages in one step: one read transaction on the source, so the copy is the database as
  // of one commit; in WAL mode the daemon keeps writing meanwhile. A step that finds the source
  // locked (a checkpoint or another process's schema change) is tried again.
  int rc;
  int busy = 0;
  while ((rc = sqlite3_backup_step(b, -1)) == SQLITE_BUSY || rc == SQLITE_LOCKED) {
    if (++busy > 250) break;  // ~5 s, as writers wait
    sqlite3_sleep(20);
  }
  if (sqlite3_backup_finish(b) != SQLITE_OK || rc != SQLITE_DONE)
    return fail(std::string("copy: ") + sqlite3_errstr(rc));
  // The copy must read back as a database (the tokenizer is not needed to check its pages).
  sqlite3_stmt* st = nullptr;
  std::string check;
  if (sqlite3_prepare_v2(dst, "PRAGMA quick_check", -1, &st, nullptr) == SQLITE_OK &&
      sqlite3_step(st) == SQLITE_ROW)
    check = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
  sqlite3_finalize(st);
  if (check != "ok") return fail("the copy does not check: " + check);
  if (sqlite3_close_v2(dst) != SQLITE_OK) {
    dst = nullptr;
    return fail("close the copy");
  }
  dst = nullptr;
  // link(2), not rename: a FILE that appeared meanwhile is not overwritten.
  if (::link(tmp.c_str(), file.c_str()) != 0)
    return fail("name the copy " + file + ": " + std::strerror(errno));
  std::filesystem::remove(tmp, ec);
  return Ok{};
}

// Entry identity policy -------------------------------------------------------------------------

Result<std::string> SqliteStore::guid_distrust(const std::string& source) {
  Use u(stmts_->cache, "SELECT guid_distrust FROM source_identity WHERE source = ?1");
  u.bind(1, source);
  int rc = u.step();
  if (rc == SQLITE_DONE) return std::string();
  if (rc != SQLITE_ROW) return sql_error(db_, "read source identity");
  return u.text(0);
}

Status SqliteStore::set_guid_distrust(const std::string& source, const std::string& reason) {
  Use u(stmts_->cache,
        "INSERT INTO source_identity (source, guid_distrust, changed) VALUES (?1, ?2, ?3) "
        "ON CONFLICT (source) DO UPDATE SET guid_distrust = ?2, changed = ?3");
  u.bind(1, source).bind(2, reason).bind(3, now_ms());
  if (u.step() != SQLITE_DONE) return sql_error(db_, "save source identity");
  return Ok{};
}

Result<std::optional<std::string>> SqliteStore::site_template(const std::string& source) {
  Use u(stmts_->cache, "SELECT state FROM site_templates WHERE source = ?1");
  u.bind(1, source);
  int rc = u.step();
  if (rc == SQLITE_DONE) return std::optional<std::string>();
  if (rc != SQLITE_ROW) return sql_error(db_, "read site template");
  return std::optional<std::string>(u.blob(0));
}

Status SqliteStore::save_site_template(const std::string& source, std::string_view state,
                                       int pages) {
  Use u(stmts_->cache,
        "INSERT INTO site_templates (source, pages, state, updated) VALUES (?1, ?2, ?3, ?4) "
        "ON CONFLICT (source) DO UPDATE SET pages = ?2, state = ?3, updated = ?4");
  u.bind(1, source).bind(2, pages).bind_blob(3, state).bind(4, now_ms());
  if (u.step() != SQLITE_DONE) return sql_error(db_, "save site template");
  return Ok{};
}

Result<int> SqliteStore::site_template_pages(const std::string& source) {
  Use u(stmts_->cache, "SELECT pages FROM site_templates WHERE source = ?1");
  u.bind(1, source);
  int rc = u.step();
  if (rc == SQLITE_DONE) return 0;
  if (rc != SQLITE_ROW) return sql_error(db_, "read site template");
  return u.i32(0);
}

}  // namespace rasid::storage
