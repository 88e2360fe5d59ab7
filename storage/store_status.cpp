// Read-only views for the status page, its JSON API, the CLI and the metrics. Kept apart from
// store.cpp: these statements are prepared per call (they run a few times a minute at most).
#include <sqlite3.h>

#include <map>
#include <utility>

#include "storage/sqlite.h"
#include "storage/store.h"

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

Result<std::vector<ArticleWithMatches>> Store::articles_with_matches(const ArticleQuery& q) {
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
      a.published = st.text(6);
      a.author = st.text(7);
      a.lang = st.text(8);
      a.story_id = st.i64(9);
      a.fetched_at = st.i64(10);
      out.push_back(std::move(r));
    }
    if (rc != SQLITE_DONE) return detail::sql_error(db_, "list articles");
  }
  if (out.empty()) return out;
  Stmt m(db_, "SELECT topic, snippet, created FROM matches WHERE article_id = ?1 ORDER BY topic");
  if (!m.ok()) return detail::sql_error(db_, "prepare match listing");
  for (auto& r : out) {
    m.bind(1, r.article.id);
    int rc;
    while ((rc = m.step()) == SQLITE_ROW) r.matches.push_back({m.text(0), m.text(1), m.i64(2)});
    if (rc != SQLITE_DONE) return detail::sql_error(db_, "list matches");
    m.reset();
  }
  return out;
}

Result<std::vector<Delivery>> Store::delivered_since(Millis since, int limit) {
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

Result<std::vector<std::pair<std::string, int>>> Store::match_counts(Millis since) {
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

}  // namespace rasid::storage
