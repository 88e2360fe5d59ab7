// SqliteStore::scan_articles: candidates for search and back-testing, streamed (never all in
// memory).
#include <sqlite3.h>

#include "storage/sqlite.h"
#include "storage/sqlite_store.h"

namespace rasid::storage {

Status SqliteStore::scan_articles(const std::string& fts_query, Millis since,
                                  const std::function<bool(const Article&)>& fn) {
  std::string sql =
      "SELECT a.id, a.source, a.url, a.canonical, a.title, a.body, a.published, a.author, "
      "a.lang, a.story_id, a.fetched_at FROM articles a WHERE a.fetched_at >= ?1";
  if (!fts_query.empty())
    sql += " AND a.id IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?2)";
  sql += " ORDER BY a.id DESC";
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &st, nullptr) != SQLITE_OK) {
    sqlite3_finalize(st);
    return detail::sql_error(db_, "prepare article scan");
  }
  sqlite3_bind_int64(st, 1, since);
  if (!fts_query.empty())
    sqlite3_bind_text(st, 2, fts_query.data(), static_cast<int>(fts_query.size()),
                      SQLITE_TRANSIENT);
  auto text = [&](int c) {
    auto p = reinterpret_cast<const char*>(sqlite3_column_text(st, c));
    return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(st, c)))
             : std::string();
  };
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    Article a;
    a.id = sqlite3_column_int64(st, 0);
    a.source = text(1);
    a.url = text(2);
    a.canonical = text(3);
    a.title = text(4);
    a.body = text(5);
    a.published = rasid::text::parse_date(text(6));
    a.author = text(7);
    a.lang = text(8);
    a.story_id = sqlite3_column_int64(st, 9);
    a.fetched_at = sqlite3_column_int64(st, 10);
    if (!fn(a)) {
      rc = SQLITE_DONE;
      break;
    }
  }
  Status result = Ok{};
  if (rc != SQLITE_DONE) result = detail::sql_error(db_, "scan articles");
  sqlite3_finalize(st);
  return result;
}

}  // namespace rasid::storage
