// Read-only views for the status page, its JSON API, the CLI and the metrics. Kept apart from
// store.cpp: these statements are prepared per call (they run a few times a minute at most).
#include <sqlite3.h>

#include <map>
#include <utility>

#include "storage/sqlite.h"
#include "storage/sqlite_store.h"

namespace rasid::storage {

namespace {

// One statement prepared for one call; finalized when it goes out of scope.
class Stmt {
 public:
  Stmt(sqlite3* db, const std::string& sql) {
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st_, nullptr) != SQLITE_OK) {
      sqlite3_finalize(st_);
      st_ = nullptr;
    }
  }
  ~Stmt() { sqlite3_finalize(st_); }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  bool ok() const { return st_ != nullptr; }
  void bind(int i, std::int64_t v) { sqlite3_bind_int64(st_, i, v); }
  void bind(int i, const std::string& v) {
    sqlite3_bind_text64(st_, i, v.data(), v.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  }
  int step() { return st_ ? sqlite3_step(st_) : SQLITE_ERROR; }
  void reset() {
    sqlite3_reset(st_);
    sqlite3_clear_bindings(st_);
  }
  std::int64_t i64(int c) const { return sqlite3_column_int64(st_, c); }
  std::string text(int c) const {
    auto p = reinterpret_cast<const char*>(sqlite3_column_text(st_, c));
    return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(st_, c)))
             : std::string();
  }

 private:
  sqlite3_stmt* st_ = nullptr;
};

}  // namespace

Result<std::vector<ArticleWithMatches>> SqliteStore::articles_with_matches(const ArticleQuery& q) {
  // Filters are bound parameters; only the presence of each clause changes the SQL text.
  std::string sql =
      "SELECT a.id, a.source, a.url, a.canonical, a.title, a.body, a.published, a.author, "
      "a.lang, a.story_id, a.fetched_at FROM articles a WHERE a.fetched_at >= ?1";
  if (!q.topic.empty())
    sql += " AND EXISTS (SELECT 1 FROM matches m WHERE m.article_id = a.id AND m.topic = ?2)";
  else if (q.matched_only)
    sql += " AND EXISTS (SELECT 1 FROM matches m WHERE m.article_id = a.id)";
  if (!q.fts.empty())
    sql += " AND a.id IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?3)";
  sql += " ORDER BY a.id DESC LIMIT ?4";
  std::vector<ArticleWithMatches> out;
  {
    Stmt st(db_, sql);
    if (!st.ok()) return detail::sql_error(db_, "prepare article listing");
    st.bind(1, q.since);
    if (!q.topic.empty()) st.bind(2, q.topic);
    if (!q.fts.empty()) st.bind(3, q.fts);
    st.bind(4, static_cast<std::int64_t>(q.limit));
    int rc;
    while ((rc = st.step()) == SQLITE_ROW) {
      ArticleWithMatches r;
      Article& a = r.article;
      a.id = st.i64(0);
      a.source = st.text(1);
      a.url = st.text(2);
      a.canonical = st.text(3);
      a.title = st.text(4);
      a.body = st.text(5);
      a.published = text::parse_date(st.text(6));
      a.author = st.text(7);
      a.lang = st.text(8);
      a.story_id = st.i64(9);
      a.fetched_at = st.i64(10);
      out.push_back(std::move(r));
    }
    if (rc != SQLITE_DONE) return detail::sql_error(db_, "list articles");
  }
  if (out.empty()) return out;
  Stmt m(db_,
         "SELECT topic, snippet, created, forms FROM matches WHERE article_id = ?1 ORDER BY topic");
  if (!m.ok()) return detail::sql_error(db_, "prepare match listing");
  for (auto& r : out) {
    m.bind(1, r.article.id);
    int rc;
    while ((rc = m.step()) == SQLITE_ROW)
      r.matches.push_back({m.text(0), m.text(1), m.i64(2), m.text(3)});
    if (rc != SQLITE_DONE) return detail::sql_error(db_, "list matches");
    m.reset();
  }
  return out;
}

Result<std::vector<Delivery>> SqliteStore::delivered_since(Millis since, int limit) {
  Stmt st(db_,
          "SELECT id, webhook, topic, created, delivered_at FROM outbox WHERE status = "
          "'delivered' AND delivered_at >= ?1 ORDER BY delivered_at, id LIMIT ?2");
  if (!st.ok()) return detail::sql_error(db_, "prepare delivery listing");
  st.bind(1, since);
  st.bind(2, static_cast<std::int64_t>(limit));
  std::vector<Delivery> out;
  int rc;
  while ((rc = st.step()) == SQLITE_ROW)
    out.push_back({st.i64(0), st.text(1), st.text(2), st.i64(3), st.i64(4)});
  if (rc != SQLITE_DONE) return detail::sql_error(db_, "list deliveries");
  return out;
}

Result<std::vector<std::pair<std::string, int>>> SqliteStore::match_counts(Millis since) {
  Stmt st(db_,
          "SELECT topic, COUNT(*) FROM matches WHERE created >= ?1 GROUP BY topic ORDER BY topic");
  if (!st.ok()) return detail::sql_error(db_, "prepare match counts");
  st.bind(1, since);
  std::vector<std::pair<std::string, int>> out;
  int rc;
  while ((rc = st.step()) == SQLITE_ROW) out.emplace_back(st.text(0), static_cast<int>(st.i64(1)));
  if (rc != SQLITE_DONE) return detail::sql_error(db_, "count matches");
  return out;
}

Result<std::vector<EndpointQueue>> SqliteStore::endpoint_queues() {
  std::vector<EndpointQueue> out;
  {
    Stmt st(db_,
            "SELECT webhook, SUM(status = 'pending'), SUM(status = 'failed'), "
            "MIN(CASE WHEN status = 'pending' THEN created END) FROM outbox "
            "WHERE status IN ('pending', 'failed') GROUP BY webhook ORDER BY webhook");
    if (!st.ok()) return detail::sql_error(db_, "prepare endpoint queues");
    int rc;
    while ((rc = st.step()) == SQLITE_ROW) {
      EndpointQueue q;
      q.webhook = st.text(0);
      q.pending = static_cast<int>(st.i64(1));
      q.failed = static_cast<int>(st.i64(2));
      q.oldest_pending = st.i64(3);
      out.push_back(std::move(q));
    }
    if (rc != SQLITE_DONE) return detail::sql_error(db_, "list endpoint queues");
  }
  if (out.empty()) return out;
  Stmt head(db_,
            "SELECT id, topic, webhook_id, attempts, next_attempt, created, last_error, hold "
            "FROM outbox "
            "WHERE webhook = ?1 AND status = 'pending' ORDER BY id LIMIT 1");
  Stmt failed(db_,
              "SELECT last_error FROM outbox WHERE webhook = ?1 AND status = 'failed' "
              "ORDER BY id DESC LIMIT 1");
  Stmt delivered(db_,
                 "SELECT delivered_at FROM outbox WHERE webhook = ?1 AND status = 'delivered' "
                 "ORDER BY id DESC LIMIT 1");
  if (!head.ok() || !failed.ok() || !delivered.ok())
    return detail::sql_error(db_, "prepare endpoint queue details");
  for (auto& q : out) {
    head.bind(1, q.webhook);
    int rc = head.step();
    if (rc == SQLITE_ROW) {
      OutboxRow r;
      r.id = head.i64(0);
      r.webhook = q.webhook;
      r.topic = head.text(1);
      r.webhook_id = head.text(2);
      r.attempts = static_cast<int>(head.i64(3));
      r.next_attempt = head.i64(4);
      r.created = head.i64(5);
      r.last_error = head.text(6);
      r.hold = hold_from_string(head.text(7));
      r.status = "pending";
      q.head = std::move(r);
    } else if (rc != SQLITE_DONE) {
      return detail::sql_error(db_, "read queue head");
    }
    head.reset();
    failed.bind(1, q.webhook);
    rc = failed.step();
    if (rc == SQLITE_ROW)
      q.last_failed_error = failed.text(0);
    else if (rc != SQLITE_DONE)
      return detail::sql_error(db_, "read newest failure");
    failed.reset();
    delivered.bind(1, q.webhook);
    rc = delivered.step();
    if (rc == SQLITE_ROW)
      q.last_delivered = delivered.i64(0);
    else if (rc != SQLITE_DONE)
      return detail::sql_error(db_, "read newest delivery");
    delivered.reset();
  }
  return out;
}

}  // namespace rasid::storage
