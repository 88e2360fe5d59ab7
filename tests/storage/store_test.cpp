#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "storage/fts_tokenizer.h"
#include "storage/sqlite_store.h"
#include "tests/support/pg_cluster.h"

namespace rasid::storage {
namespace {

namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "rasid-store-XXXXXX").string();
    char* p = mkdtemp(tmpl.data());
    if (p) path_ = p;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  std::string file(const std::string& name) const { return (fs::path(path_) / name).string(); }

 private:
  std::string path_;
};

std::unique_ptr<Store> open_ok(const std::string& path) {
  auto r = Store::open(path);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error());
  return r.ok() ? std::move(r).value() : nullptr;
}

// Raw SQL on a separate connection, for checks the contract does not expose.
std::int64_t scalar(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  EXPECT_TRUE(detail::register_fts_tokenizer(db).ok());  // articles_fts uses tokenize='rasid'
  sqlite3_stmt* st = nullptr;
  std::int64_t v = -1;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) == SQLITE_OK &&
      sqlite3_step(st) == SQLITE_ROW)
    v = sqlite3_column_int64(st, 0);
  else
    ADD_FAILURE() << sql << ": " << sqlite3_errmsg(db);
  sqlite3_finalize(st);
  sqlite3_close(db);
  return v;
}

void exec_raw(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  char* err = nullptr;
  int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
  EXPECT_EQ(rc, SQLITE_OK) << (err ? err : "");
  sqlite3_free(err);
  sqlite3_close(db);
}

NewArticle article(const std::string& n, const std::string& source = "aljazeera") {
  NewArticle a;
  a.source = source;
  a.entry_key = "guid-" + n;
  a.url = "https://example.net/news/" + n + "?utm_source=rss";
  a.canonical = "https://example.net/news/" + n;
  a.title = "انفجار في مرفأ بيروت " + n;
  a.body = "قال مسؤولون إن الانفجار وقع صباح اليوم،\nوأدى إلى أضرار واسعة.";
  a.published = rasid::text::parse_date("2024-05-01T10:00:00Z");
  a.lang = "ar";
  return a;
}

NewAlert alert_for(const std::string& webhook, const std::string& topic, const std::string& id) {
  return NewAlert{webhook, topic, id, R"({"type":"article.matched","topic":")" + topic + "\"}"};
}

// The contract tests run on both backends (storage/store.h): a SQLite file in a temporary
// directory, and a fresh database of this binary's throwaway PostgreSQL cluster
// (tests/support/pg_cluster.h; skipped with the reason where PostgreSQL is missing).
class StoreBackend : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "postgresql") {
      std::string why;
      cluster_ = testing::PgCluster::shared(&why);
      if (!cluster_) GTEST_SKIP() << why;
      database_ = cluster_->create_database();
    } else {
      database_ = dir_.file("rasid.db");
    }
  }
  bool sqlite() const { return GetParam() == "sqlite"; }
  // What Store::open takes: the SQLite file's path or the PostgreSQL URI.
  const std::string& database() const { return database_; }
  // One number from raw SQL on a connection of its own, for checks the contract does not expose.
  std::int64_t count(const std::string& sql) {
    if (sqlite()) return scalar(database_, sql);
    return std::stoll("0" + cluster_->query(testing::PgCluster::database_name(database_), sql));
  }

 private:
  TempDir dir_;
  testing::PgCluster* cluster_ = nullptr;
  std::string database_;
};

class StoreArticles : public StoreBackend {};
class StoreSources : public StoreBackend {};
class StoreOutbox : public StoreBackend {};
class StorePersistence : public StoreBackend {};
class StoreConcurrency : public StoreBackend {};
class StoreStories : public StoreBackend {};
class StoreEngine : public StoreBackend {};

TEST(StoreMigrations, EmptyDatabaseGetsLatestSchemaInWalMode) {
  TempDir dir;
  const auto path = dir.file("rasid.db");
  auto store = open_ok(path);
  ASSERT_TRUE(store);
  EXPECT_EQ(store->schema_version(), SqliteStore::latest_schema());
  EXPECT_GE(SqliteStore::latest_schema(), 2);
  EXPECT_EQ(scalar(path, "PRAGMA user_version"), SqliteStore::latest_schema());
  sqlite3_stmt* st = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(static_cast<SqliteStore&>(*store).handle(), "PRAGMA journal_mode",
                               -1, &st, nullptr),
            SQLITE_OK);
  ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)), "wal");
  sqlite3_finalize(st);
  ASSERT_EQ(sqlite3_prepare_v2(static_cast<SqliteStore&>(*store).handle(), "PRAGMA foreign_keys",
                               -1, &st, nullptr),
            SQLITE_OK);
  ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_int(st, 0), 1);
  sqlite3_finalize(st);
  for (const char* t : {"sources", "seen", "articles", "matches", "outbox", "articles_fts"}) {
    EXPECT_EQ(
        scalar(path, std::string("SELECT count(*) FROM sqlite_schema WHERE name = '") + t + "'"), 1)
        << t;
  }
  // Reopening applies nothing and keeps the version.
  store.reset();
  store = open_ok(path);
  ASSERT_TRUE(store);
  EXPECT_EQ(store->schema_version(), SqliteStore::latest_schema());
}

// A database written by the first release (schema v1, created here by hand) is migrated in
// place: its rows stay, and the full-text index of migration 2 covers them.
TEST(StoreMigrations, ExistingVersionOneDatabaseIsUpgraded) {
  TempDir dir;
  const auto path = dir.file("old.db");
  exec_raw(path, R"sql(
CREATE TABLE sources (name TEXT PRIMARY KEY, etag TEXT NOT NULL DEFAULT '',
  last_modified TEXT NOT NULL DEFAULT '', next_check INTEGER NOT NULL DEFAULT 0,
  last_success INTEGER NOT NULL DEFAULT 0, last_attempt INTEGER NOT NULL DEFAULT 0,
  last_error TEXT NOT NULL DEFAULT '', consecutive_errors INTEGER NOT NULL DEFAULT 0,
  status TEXT NOT NULL DEFAULT 'new', initialized INTEGER NOT NULL DEFAULT 0,
  interval_s INTEGER NOT NULL DEFAULT 0);
CREATE TABLE seen (source TEXT NOT NULL, entry_key TEXT NOT NULL, first_seen INTEGER NOT NULL,
  PRIMARY KEY (source, entry_key)) WITHOUT ROWID;
CREATE TABLE articles (id INTEGER PRIMARY KEY, source TEXT NOT NULL, entry_key TEXT NOT NULL,
  url TEXT NOT NULL, canonical TEXT NOT NULL UNIQUE CHECK (canonical <> ''),
  title TEXT NOT NULL, body TEXT NOT NULL, published TEXT NOT NULL DEFAULT '',
  author TEXT NOT NULL DEFAULT '', lang TEXT NOT NULL DEFAULT '',
  story_id INTEGER NOT NULL DEFAULT 0, fetched_at INTEGER NOT NULL, UNIQUE (source, entry_key));
CREATE INDEX articles_story ON articles(story_id);
CREATE INDEX articles_fetched ON articles(fetched_at);
CREATE TABLE matches (id INTEGER PRIMARY KEY,
  article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
  topic TEXT NOT NULL CHECK (topic <> ''), snippet TEXT NOT NULL DEFAULT '',
  created INTEGER NOT NULL, UNIQUE (article_id, topic));
CREATE TABLE outbox (id INTEGER PRIMARY KEY,
  article_id INTEGER REFERENCES articles(id) ON DELETE SET NULL,
  webhook TEXT NOT NULL CHECK (webhook <> ''), topic TEXT NOT NULL,
  webhook_id TEXT NOT NULL UNIQUE CHECK (webhook_id <> ''), payload TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
  attempts INTEGER NOT NULL DEFAULT 0, next_attempt INTEGER NOT NULL DEFAULT 0,
  last_error TEXT NOT NULL DEFAULT '', created INTEGER NOT NULL, delivered_at INTEGER);
CREATE INDEX outbox_queue ON outbox(webhook, id) WHERE status = 'pending';
CREATE INDEX outbox_status ON outbox(status, webhook);
INSERT INTO articles (source, entry_key, url, canonical, title, body, story_id, fetched_at)
  VALUES ('bbc', 'g1', 'https://x.test/1', 'https://x.test/1', 'زلزال في تركيا',
          'ضرب زلزال قوي جنوب تركيا', 1, 1000);
INSERT INTO outbox (article_id, webhook, topic, webhook_id, payload, created)
  VALUES (1, 'ops', 'quakes', 'msg_old', '{}', 1000);
PRAGMA user_version = 1;
)sql");
  auto store = open_ok(path);
  ASSERT_TRUE(store);
  EXPECT_EQ(store->schema_version(), SqliteStore::latest_schema());
  EXPECT_EQ(scalar(path, "PRAGMA user_version"), SqliteStore::latest_schema());
  auto a = store->article(1);
  ASSERT_TRUE(a.ok());
  ASSERT_TRUE(a->has_value());
  EXPECT_EQ(a.value()->title, "زلزال في تركيا");
  auto found = store->search("تركيا", 10);
  ASSERT_TRUE(found.ok()) << found.error();
  ASSERT_EQ(found->size(), 1u);
  EXPECT_EQ(found->front().id, 1);
  auto due = store->due_alerts(now_ms(), 10);
  ASSERT_TRUE(due.ok());
  ASSERT_EQ(due->size(), 1u);
  EXPECT_EQ(due->front().webhook_id, "msg_old");
  // Migration 6 gave the old row its article's story: a copy finds the alert it gave.
  auto told = store->story_alerts(1);
  ASSERT_TRUE(told.ok()) << told.error();
  ASSERT_EQ(told->size(), 1u);
  EXPECT_EQ(told->front().webhook_id, "msg_old");
  EXPECT_EQ(told->front().webhook, "ops");
  EXPECT_EQ(told->front().topic, "quakes");
  // The old row and new rows coexist: a new article lands after it.
  auto added = store->add_article(article("1"), {{"quakes", "«زلزال»"}},
                                  {alert_for("ops", "quakes", "msg_new")});
  ASSERT_TRUE(added.ok()) << added.error();
  EXPECT_EQ(added->article_id, 2);
}

TEST(StoreMigrations, NewerSchemaIsRefused) {
  TempDir dir;
  const auto path = dir.file("future.db");
  exec_raw(path, "CREATE TABLE x (y); PRAGMA user_version = 999;");
  auto r = Store::open(path);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().find("newer"), std::string::npos) << r.error();
  EXPECT_NE(r.error().find("999"), std::string::npos) << r.error();
}

TEST(StoreMigrations, UnopenablePathIsAnError) {
  auto r = Store::open("/nonexistent-dir-rasid/sub/rasid.db");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().find("/nonexistent-dir-rasid/sub/rasid.db"), std::string::npos);
}

TEST_P(StoreArticles, AddWritesArticleMatchesAndAlertsTogether) {
  const auto path = database();
  auto store = open_ok(path);
  ASSERT_TRUE(store);
  auto r = store->add_article(
      article("1"), {{"beirut", "«بيروت»"}, {"ports", "«مرفأ»"}},
      {alert_for("ops", "beirut", "msg_a"), alert_for("slack", "beirut", "msg_b"),
       alert_for("ops", "ports", "msg_c")});
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_FALSE(r->duplicate);
  EXPECT_GT(r->article_id, 0);
  EXPECT_EQ(r->story_id, r->article_id);  // a new story is its own id
  EXPECT_EQ(r->alerts_added, 3);
  EXPECT_EQ(count("SELECT count(*) FROM matches"), 2);
  EXPECT_EQ(count("SELECT count(*) FROM outbox WHERE status = 'pending'"), 3);
  auto a = store->article(r->article_id);
  ASSERT_TRUE(a.ok());
  ASSERT_TRUE(a->has_value());
  EXPECT_EQ(a.value()->canonical, "https://example.net/news/1");
  EXPECT_EQ(a.value()->body, article("1").body);
  EXPECT_GT(a.value()->fetched_at, 0);
  auto seen = store->seen("aljazeera", "guid-1");
  ASSERT_TRUE(seen.ok());
  EXPECT_TRUE(seen.value());
  auto canon = store->canonical_exists("https://example.net/news/1");
  ASSERT_TRUE(canon.ok());
  EXPECT_TRUE(canon.value());
  auto none = store->article(9999);
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
}

// One failing insert (an alert without an id violates a CHECK) undoes the article, the FTS row,
// the seen mark and the matches written before it in the same call.
TEST_P(StoreArticles, FailingInsertRollsBackEverything) {
  const auto path = database();
  auto store = open_ok(path);
  ASSERT_TRUE(store);
  auto r =
      store->add_article(article("1"), {{"beirut", "x"}},
                         {alert_for("ops", "beirut", "msg_a"), alert_for("ops", "beirut", "")});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().find("insert alert"), std::string::npos) << r.error();
  for (const char* t : {"articles", "matches", "outbox", "seen"})
    EXPECT_EQ(count(std::string("SELECT count(*) FROM ") + t), 0) << t;
  if (sqlite()) {
    EXPECT_EQ(count("SELECT count(*) FROM articles_fts"), 0);
  }
  auto seen = store->seen("aljazeera", "guid-1");
  ASSERT_TRUE(seen.ok());
  EXPECT_FALSE(seen.value());
  // A failing match insert (empty topic) rolls back too.
  auto r2 = store->add_article(article("1"), {{"", "x"}}, {});
  ASSERT_FALSE(r2.ok());
  EXPECT_EQ(count("SELECT count(*) FROM articles"), 0);
  // The connection is usable afterwards and the same article can be stored.
  auto ok =
      store->add_article(article("1"), {{"beirut", "x"}}, {alert_for("ops", "beirut", "msg_a")});
  ASSERT_TRUE(ok.ok()) << ok.error();
  EXPECT_EQ(ok->alerts_added, 1);
  EXPECT_EQ(count("SELECT count(*) FROM articles"), 1);
}

TEST_P(StoreArticles, DuplicatesWriteNothing) {
  const auto path = database();
  auto store = open_ok(path);
  ASSERT_TRUE(store);
  auto first =
      store->add_article(article("1"), {{"beirut", "x"}}, {alert_for("ops", "beirut", "msg_a")});
  ASSERT_TRUE(first.ok());
  // Same canonical URL from another source and entry key.
  auto other = article("1", "bbc");
  other.entry_key = "bbc-77";
  auto d1 = store->add_article(other, {{"beirut", "x"}}, {alert_for("ops", "beirut", "msg_z")});
  ASSERT_TRUE(d1.ok()) << d1.error();
  EXPECT_TRUE(d1->duplicate);
  EXPECT_EQ(d1->article_id, first->article_id);
  EXPECT_EQ(d1->story_id, first->story_id);
  EXPECT_EQ(d1->alerts_added, 0);
  // Same (source, entry key) with a different canonical URL (the site changed its URL scheme).
  auto moved = article("1");
  moved.canonical = "https://example.net/v2/news/1";
  auto d2 = store->add_article(moved, {}, {alert_for("ops", "beirut", "msg_y")});
  ASSERT_TRUE(d2.ok());
  EXPECT_TRUE(d2->duplicate);
  EXPECT_EQ(count("SELECT count(*) FROM articles"), 1);
  EXPECT_EQ(count("SELECT count(*) FROM matches"), 1);
  EXPECT_EQ(count("SELECT count(*) FROM outbox"), 1);
  EXPECT_EQ(count("SELECT count(*) FROM seen"), 1);
}

TEST_P(StoreArticles, RepeatedWebhookIdIsIgnoredAndStoriesGroupSources) {
  auto store = open_ok(database());
  ASSERT_TRUE(store);
  auto first = store->add_article(article("1"), {{"beirut", "x"}},
                                  {alert_for("ops", "beirut", "msg_story1")});
  ASSERT_TRUE(first.ok());
  auto second_article = article("2", "bbc");
  second_article.story_id = first->story_id;  // the same story, reported by another source
  auto second = store->add_article(second_article, {{"beirut", "y"}},
                                   {alert_for("ops", "beirut", "msg_story1")});
  ASSERT_TRUE(second.ok()) << second.error();
  EXPECT_FALSE(second->duplicate);
  EXPECT_EQ(second->story_id, first->story_id);
  EXPECT_EQ(second->alerts_added, 0);
  auto sources = store->story_sources(first->story_id);
  ASSERT_TRUE(sources.ok());
  EXPECT_EQ(sources.value(), (std::vector<std::string>{"aljazeera", "bbc"}));
  auto pending = store->pending();
  ASSERT_TRUE(pending.ok());
  EXPECT_EQ(pending->size(), 1u);
}

TEST_P(StoreArticles, EmptyCanonicalFallsBackToUrl) {
  auto store = open_ok(database());
  ASSERT_TRUE(store);
  auto a = article("1");
  a.canonical.clear();
  auto r = store->add_article(a, {}, {});
  ASSERT_TRUE(r.ok()) << r.error();
  auto got = store->article(r->article_id);
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ(got.value()->canonical, a.url);
  a.url.clear();
  a.entry_key = "other";
  auto bad = store->add_article(a, {}, {});
  EXPECT_FALSE(bad.ok());
}

TEST_P(StoreArticles, RecentAndSearch) {
  auto store = open_ok(database());
  ASSERT_TRUE(store);
  for (int i = 0; i < 5; ++i)
    ASSERT_TRUE(store->add_article(article(std::to_string(i)), {}, {}).ok());
  auto other = article("x");
  other.title = "مباراة كرة القدم";
  other.body = "فاز الفريق في المباراة النهائية";
  ASSERT_TRUE(store->add_article(other, {}, {}).ok());
  auto recent = store->recent_articles(0, 3);
  ASSERT_TRUE(recent.ok());
  ASSERT_EQ(recent->size(), 3u);
  EXPECT_EQ(recent->front().title, "مباراة كرة القدم");  // newest first
  auto none = store->recent_articles(now_ms() + 60000, 10);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
  auto hits = store->search("المباراة", 10);
  ASSERT_TRUE(hits.ok()) << hits.error();
  ASSERT_EQ(hits->size(), 1u);
  EXPECT_EQ(hits->front().canonical, "https://example.net/news/x");
  auto many = store->search("بيروت", 10);
  ASSERT_TRUE(many.ok());
  EXPECT_EQ(many->size(), 5u);
  auto bad = store->search("\"unterminated", 10);
  EXPECT_FALSE(bad.ok());
}

TEST_P(StoreSources, FreshStateRoundTripAndSeenKeys) {
  auto store = open_ok(database());
  ASSERT_TRUE(store);
  auto fresh = store->source("bbc");
  ASSERT_TRUE(fresh.ok());
  EXPECT_EQ(fresh->name, "bbc");
  EXPECT_EQ(fresh->status, "new");
  EXPECT_FALSE(fresh->initialized);
  SourceState s;
  s.name = "bbc";
  s.etag = "\"abc\"";
  s.last_modified = "Wed, 21 Oct 2015 07:28:00 GMT";
  s.next_check = 123456;
  s.last_success = 111;
  s.last_attempt = 222;
  s.last_error = "HTTP 503";
  s.consecutive_errors = 3;
  s.status = "failing";
  s.initialized = true;
  s.interval_s = 900;
  ASSERT_TRUE(store->save_source(s).ok());
  s.consecutive_errors = 4;  // upsert overwrites
  ASSERT_TRUE(store->save_source(s).ok());
  auto got = store->source("bbc");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->etag, s.etag);
  EXPECT_EQ(got->last_modified, s.last_modified);
  EXPECT_EQ(got->next_check, 123456);
  EXPECT_EQ(got->last_success, 111);
  EXPECT_EQ(got->last_attempt, 222);
  EXPECT_EQ(got->last_error, "HTTP 503");
  EXPECT_EQ(got->consecutive_errors, 4);
  EXPECT_EQ(got->status, "failing");
  EXPECT_TRUE(got->initialized);
  EXPECT_EQ(got->interval_s, 900);
  SourceState t;
  t.name = "aljazeera";
  ASSERT_TRUE(store->save_source(t).ok());
  auto all = store->sources();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ(all.value()[0].name, "aljazeera");
  EXPECT_EQ(all.value()[1].name, "bbc");

  ASSERT_TRUE(store->mark_seen("bbc", {"a", "b", "a"}).ok());
  ASSERT_TRUE(store->mark_seen("bbc", {"b", "c"}).ok());
  ASSERT_TRUE(store->mark_seen("bbc", {}).ok());
  for (const char* k : {"a", "b", "c"}) {
    auto r = store->seen("bbc", k);
    ASSERT_TRUE(r.ok());
    EXPECT_TRUE(r.value()) << k;
  }
  auto other = store->seen("aljazeera", "a");
  ASSERT_TRUE(other.ok());
  EXPECT_FALSE(other.value());
}

TEST_P(StoreOutbox, OnlyTheOldestPendingRowPerWebhookIsDue) {
  auto store = open_ok(database());
  ASSERT_TRUE(store);
  // ops gets rows from articles 1..3, chat one row from article 2.
  ASSERT_TRUE(store->add_article(article("1"), {{"t", ""}}, {alert_for("ops", "t", "o1")}).ok());
  ASSERT_TRUE(store
                  ->add_article(article("2"), {{"t", ""}},
                                {alert_for("ops", "t", "o2"), alert_for("chat", "t", "c2")})
                  .ok());
  ASSERT_TRUE(store->add_article(article("3"), {{"t", ""}}, {alert_for("ops", "t", "o3")}).ok());

  auto due = store->due_alerts(1000, 10);
  ASSERT_TRUE(due.ok());
  ASSERT_EQ(due->size(), 2u);
  std::map<std::string, OutboxRow> by_hook;
  for (auto& r : due.value()) by_hook[r.webhook] = r;
  EXPECT_EQ(by_hook["ops"].webhook_id, "o1");
  EXPECT_EQ(by_hook["chat"].webhook_id, "c2");
  EXPECT_EQ(by_hook["ops"].status, "pending");
  EXPECT_EQ(by_hook["ops"].attempts, 0);

  // o1 fails and waits until t=5000: o2 and o3 stay behind it (order per endpoint).
  ASSERT_TRUE(store->mark_retry(by_hook["ops"].id, "HTTP 500", 5000).ok());
  ASSERT_TRUE(store->mark_delivered(by_hook["chat"].id, 1000).ok());
  due = store->due_alerts(2000, 10);
  ASSERT_TRUE(due.ok());
  EXPECT_TRUE(due->empty());
  auto next = store->next_alert_due();
  ASSERT_TRUE(next.ok());
  ASSERT_TRUE(next->has_value());
  EXPECT_EQ(next.value().value(), 5000);

  due = store->due_alerts(5000, 10);
  ASSERT_TRUE(due.ok());
  ASSERT_EQ(due->size(), 1u);
  EXPECT_EQ(due->front().webhook_id, "o1");
  EXPECT_EQ(due->front().attempts, 1);
  EXPECT_EQ(due->front().last_error, "HTTP 500");
  ASSERT_TRUE(store->mark_delivered(due->front().id, 5001).ok());

  due = store->due_alerts(5001, 10);
  ASSERT_TRUE(due.ok());
  ASSERT_EQ(due->size(), 1u);
  EXPECT_EQ(due->front().webhook_id, "o2");
  // A failed row (given up) no longer blocks the queue.
  ASSERT_TRUE(store->mark_failed(due->front().id, "endpoint gone (410)").ok());
  due = store->due_alerts(5001, 10);
  ASSERT_TRUE(due.ok());
  ASSERT_EQ(due->size(), 1u);
  EXPECT_EQ(due->front().webhook_id, "o3");
  ASSERT_TRUE(store->mark_delivered(due->front().id, 6000).ok());
  due = store->due_alerts(1LL << 60, 10);
  ASSERT_TRUE(due.ok());
  EXPECT_TRUE(due->empty());
  next = store->next_alert_due();
  ASSERT_TRUE(next.ok());
  EXPECT_FALSE(next->has_value());

  auto counts = store->outbox_counts();
  ASSERT_TRUE(counts.ok());
  ASSERT_EQ(counts->size(), 2u);
  EXPECT_EQ(counts.value()[0].webhook, "chat");
  EXPECT_EQ(counts.value()[0].delivered, 1);
  EXPECT_EQ(counts.value()[1].webhook, "ops");
  EXPECT_EQ(counts.value()[1].delivered, 2);
  EXPECT_EQ(counts.value()[1].failed, 1);
  EXPECT_EQ(counts.value()[1].pending, 0);
  EXPECT_EQ(counts.value()[1].last_error, "endpoint gone (410)");

  auto failed = store->outbox_rows("failed", "", 10);
  ASSERT_TRUE(failed.ok());
  ASSERT_EQ(failed->size(), 1u);
  EXPECT_EQ(failed->front().webhook_id, "o2");
  EXPECT_EQ(failed->front().attempts, 1);

  auto none = store->retry_failed("chat");
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none.value(), 0);
  auto requeued = store->retry_failed("");
  ASSERT_TRUE(requeued.ok());
  EXPECT_EQ(requeued.value(), 1);
  due = store->due_alerts(7000, 10);
  ASSERT_TRUE(due.ok());
  ASSERT_EQ(due->size(), 1u);
  EXPECT_EQ(due->front().webhook_id, "o2");
  EXPECT_EQ(due->front().attempts, 0);

  // "Retry now" also makes a pending row that waits for its backoff due at once.
  ASSERT_TRUE(store->mark_retry(due->front().id, "HTTP 500", 1LL << 50).ok());
  EXPECT_TRUE(store->due_alerts(7000, 10)->empty());
  ASSERT_TRUE(store->retry_failed("ops").ok());
  due = store->due_alerts(7000, 10);
  ASSERT_TRUE(due.ok());
  ASSERT_EQ(due->size(), 1u);
  EXPECT_EQ(due->front().next_attempt, 0);

  auto pruned = store->prune_delivered(5500);
  ASSERT_TRUE(pruned.ok());
  EXPECT_EQ(pruned.value(), 2);  // c2 (1000) and o1 (5001); o3 (6000) stays
  auto all = store->outbox_rows("", "", 100);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 2u);
}

TEST_P(StoreOutbox, DueLimitIsHonoured) {
  auto store = open_ok(database());
  ASSERT_TRUE(store);
  std::vector<NewAlert> alerts;
  for (int i = 0; i < 5; ++i)
    alerts.push_back(alert_for("hook" + std::to_string(i), "t", "id" + std::to_string(i)));
  ASSERT_TRUE(store->add_article(article("1"), {{"t", ""}}, alerts).ok());
  auto due = store->due_alerts(0, 3);
  ASSERT_TRUE(due.ok());
  EXPECT_EQ(due->size(), 3u);
}

TEST_P(StorePersistence, ReopenKeepsEverything) {
  const auto path = database();
  std::int64_t id = 0;
  {
    auto store = open_ok(path);
    ASSERT_TRUE(store);
    SourceState s;
    s.name = "bbc";
    s.etag = "W/\"1\"";
    s.initialized = true;
    ASSERT_TRUE(store->save_source(s).ok());
    ASSERT_TRUE(store->mark_seen("bbc", {"k1"}).ok());
    auto r = store->add_article(article("1", "bbc"), {{"t", "«بيروت»"}},
                                {alert_for("ops", "t", "msg_1")});
    ASSERT_TRUE(r.ok());
    id = r->article_id;
    auto due = store->due_alerts(0, 10);
    ASSERT_TRUE(due.ok() && due->size() == 1);
    ASSERT_TRUE(store->mark_retry(due->front().id, "timeout", 777).ok());
  }
  auto store = open_ok(path);
  ASSERT_TRUE(store);
  auto s = store->source("bbc");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->etag, "W/\"1\"");
  EXPECT_TRUE(s->initialized);
  auto seen = store->seen("bbc", "k1");
  ASSERT_TRUE(seen.ok());
  EXPECT_TRUE(seen.value());
  auto a = store->article(id);
  ASSERT_TRUE(a.ok() && a->has_value());
  EXPECT_EQ(a.value()->title, article("1").title);
  auto due = store->due_alerts(777, 10);
  ASSERT_TRUE(due.ok());
  ASSERT_EQ(due->size(), 1u);
  EXPECT_EQ(due->front().attempts, 1);
  EXPECT_EQ(due->front().last_error, "timeout");
  // The article is still a duplicate after the restart: nothing is written twice.
  auto again = store->add_article(article("1", "bbc"), {{"t", ""}}, {alert_for("ops", "t", "x")});
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->duplicate);
}

// Two connections on one file (daemon + CLI, or two daemons by mistake) write at the same time:
// busy_timeout + BEGIN IMMEDIATE serialize them without errors or lost rows.
TEST_P(StoreConcurrency, TwoConnectionsWriteWithoutBusyErrors) {
  const auto path = database();
  ASSERT_TRUE(open_ok(path));
  auto writer = [&](const std::string& source, int* failures) {
    auto store = Store::open(path);
    if (!store.ok()) {
      ++*failures;
      return;
    }
    for (int i = 0; i < 150; ++i) {
      auto a = article(source + std::to_string(i), source);
      auto r = store.value()->add_article(
          a, {{"t", ""}}, {alert_for("ops", "t", source + "-" + std::to_string(i))});
      if (!r.ok() || r->duplicate) ++*failures;
      if (i % 10 == 0 && !store.value()->due_alerts(now_ms(), 5).ok()) ++*failures;
    }
  };
  int f1 = 0, f2 = 0;
  std::thread t1(writer, "a", &f1);
  std::thread t2(writer, "b", &f2);
  t1.join();
  t2.join();
  EXPECT_EQ(f1, 0);
  EXPECT_EQ(f2, 0);
  EXPECT_EQ(count("SELECT count(*) FROM articles"), 300);
  EXPECT_EQ(count("SELECT count(*) FROM outbox"), 300);
}

}  // namespace
}  // namespace rasid::storage

namespace rasid::storage {
namespace {

TEST_P(StoreOutbox, QueueHeadsAndDeferDoNotCountAttempts) {
  auto store = open_ok(database());
  ASSERT_TRUE(store);
  ASSERT_TRUE(store
                  ->add_article(article("1"), {{"t", ""}},
                                {alert_for("ops", "t", "o1"), alert_for("chat", "t", "c1")})
                  .ok());
  ASSERT_TRUE(store->add_article(article("2"), {{"t", ""}}, {alert_for("ops", "t", "o2")}).ok());
  auto heads = store->queue_heads(10);
  ASSERT_TRUE(heads.ok());
  ASSERT_EQ(heads->size(), 2u);
  auto ops = store->queue_head("ops");
  ASSERT_TRUE(ops.ok() && ops->has_value());
  EXPECT_EQ(ops.value()->webhook_id, "o1");
  ASSERT_TRUE(store->defer(ops.value()->id, 9000, Hold::rate_limit, "rate limited").ok());
  ASSERT_TRUE(store->defer(ops.value()->id, 9500, Hold::rate_limit).ok());  // keeps the note
  ops = store->queue_head("ops");
  ASSERT_TRUE(ops.ok() && ops->has_value());
  EXPECT_EQ(ops.value()->attempts, 0);
  EXPECT_EQ(ops.value()->next_attempt, 9500);
  EXPECT_EQ(ops.value()->last_error, "rate limited");
  heads = store->queue_heads(10);
  ASSERT_TRUE(heads.ok());
  ASSERT_EQ(heads->size(), 2u);
  EXPECT_EQ(heads->front().webhook_id, "c1");  // soonest first
  auto none = store->queue_head("nobody");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
}

// Why a row waits is data (outbox.hold), read back by every view of the row, whatever its note
// says; a row that is tried, or made due, is no longer held.
TEST_P(StoreOutbox, DeferRecordsWhyARowWaits) {
  const std::string path = database();
  {
    auto store = open_ok(path);
    ASSERT_TRUE(store);
    ASSERT_TRUE(store->add_article(article("1"), {{"t", ""}}, {alert_for("ops", "t", "o1")}).ok());
    auto head = store->queue_head("ops");
    ASSERT_TRUE(head.ok() && head->has_value());
    EXPECT_EQ(head.value()->hold, Hold::none) << "a new row is not held";
    // A note worded like something else does not change the kind.
    ASSERT_TRUE(
        store->defer(head.value()->id, 9000, Hold::endpoint_gone, "paused: 410 from the proxy")
            .ok());
  }
  auto store = open_ok(path);  // kept across a restart
  ASSERT_TRUE(store);
  auto head = store->queue_head("ops");
  ASSERT_TRUE(head.ok() && head->has_value());
  EXPECT_EQ(head.value()->hold, Hold::endpoint_gone);
  EXPECT_EQ(store->queue_heads(10).value().front().hold, Hold::endpoint_gone);
  EXPECT_EQ(store->outbox_rows("pending", "ops", 10).value().front().hold, Hold::endpoint_gone);
  auto queues = store->endpoint_queues();
  ASSERT_TRUE(queues.ok() && queues->size() == 1u && queues->front().head);
  EXPECT_EQ(queues->front().head->hold, Hold::endpoint_gone);

  const auto id = head.value()->id;
  ASSERT_TRUE(store->make_due("ops"));
  EXPECT_EQ(store->queue_head("ops").value()->hold, Hold::none) << "due: not held";
  ASSERT_TRUE(store->defer(id, 9000, Hold::unknown_webhook, "endpoint disabled: no such webhook"));
  EXPECT_EQ(store->queue_head("ops").value()->hold, Hold::unknown_webhook);
  ASSERT_TRUE(store->mark_retry(id, "HTTP 503", 9500));
  EXPECT_EQ(store->queue_head("ops").value()->hold, Hold::none) << "an attempt: not held";
  ASSERT_TRUE(store->defer(id, 9900, Hold::rate_limit));
  ASSERT_TRUE(store->mark_failed(id, "gave up"));
  EXPECT_EQ(store->outbox_rows("failed", "ops", 10).value().front().hold, Hold::none);

  EXPECT_EQ(hold_from_string(to_string(Hold::endpoint_gone)), Hold::endpoint_gone);
  EXPECT_EQ(hold_from_string("from a newer rasid"), Hold::none);
}

// Migration 9 marks, once, the rows a deliverer before it paused after a 410 (its note then was
// the only record); other rows are not held.
TEST(StoreMigrations, NineMarksOutboxRowsPausedBeforeIt) {
  TempDir dir;
  const std::string path = dir.file("rasid.db");
  {
    auto store = open_ok(path);
    ASSERT_TRUE(store);
    ASSERT_TRUE(store
                    ->add_article(article("1"), {{"t", ""}},
                                  {alert_for("ops", "t", "o1"), alert_for("chat", "t", "c1")})
                    .ok());
    const auto ops = store->queue_head("ops").value()->id;
    const auto chat = store->queue_head("chat").value()->id;
    ASSERT_TRUE(
        store->defer(ops, 9000, Hold::none,
                     "endpoint disabled: it answered 410 Gone; next probe at 1700000000 (Unix s)"));
    ASSERT_TRUE(store->defer(chat, 9000, Hold::none, "no webhook named \"chat\""));
  }
  // The same database as schema 8 left it: no hold column.
  exec_raw(path,
           "DROP INDEX outbox_article; ALTER TABLE outbox DROP COLUMN hold; ALTER TABLE sources "
           "DROP COLUMN url; PRAGMA user_version = 8;");
  auto store = open_ok(path);
  ASSERT_TRUE(store);
  EXPECT_EQ(store->schema_version(), SqliteStore::latest_schema());
  EXPECT_EQ(store->queue_head("ops").value()->hold, Hold::endpoint_gone);
  EXPECT_EQ(store->queue_head("chat").value()->hold, Hold::none);
}

}  // namespace
}  // namespace rasid::storage

namespace rasid::storage {
namespace {

// Several processes (daemon + CLI) may open a fresh file at the same moment: the migrations run
// once, under the write lock, and every opener sees the latest schema.
TEST(StoreMigrations, ConcurrentOpenersOfAFreshFileMigrateOnce) {
  for (int round = 0; round < 5; ++round) {
    TempDir dir;
    const auto path = dir.file("fresh.db");
    std::atomic<int> ok{0};
    std::mutex mu;
    std::string errors;
    std::vector<std::thread> threads;
    for (int i = 0; i < 4; ++i)
      threads.emplace_back([&] {
        auto s = Store::open(path);
        if (s.ok() && s.value()->schema_version() == SqliteStore::latest_schema()) ++ok;
        if (!s.ok()) {
          std::lock_guard<std::mutex> l(mu);
          errors += s.error() + "\n";
        }
      });
    for (auto& t : threads) t.join();
    EXPECT_EQ(ok.load(), 4) << round << "\n" << errors;
    EXPECT_EQ(scalar(path, "SELECT count(*) FROM sqlite_schema WHERE name = 'articles'"), 1);
  }
}

}  // namespace
}  // namespace rasid::storage

namespace rasid::storage {
namespace {

// Source leases (issue 15): granted only when due (or when not asked to be), to one owner until
// it runs out or the poll that held it is recorded; the grant carries the stored state. SQLite
// has one daemon per file, so there the lease never excludes anyone.
TEST_P(StoreSources, LeaseGrantedWhenDueToOneOwnerAndReleasedByTheRecord) {
  auto store = open_ok(database());
  ASSERT_TRUE(store);
  auto l = store->lease_source("a", "i1", 1000, 5000, true);
  ASSERT_TRUE(l.ok()) << l.error();
  ASSERT_TRUE(l->granted) << "a new source is due at once";
  EXPECT_EQ(l->state.name, "a");
  EXPECT_EQ(l->state.status, "new");

  auto other = store->lease_source("a", "i2", 2000, 5000, true);
  ASSERT_TRUE(other.ok()) << other.error();
  if (sqlite()) {
    EXPECT_TRUE(other->granted);
  } else {
    EXPECT_FALSE(other->granted) << "i1's lease runs until 6000";
    EXPECT_EQ(other->holder, "i1");
    EXPECT_EQ(other->retry_at, 6000);
    auto again = store->lease_source("a", "i1", 2000, 5000, true);
    ASSERT_TRUE(again.ok()) << again.error();
    EXPECT_TRUE(again->granted) << "the holder renews its own lease";
    EXPECT_EQ(count("SELECT lease_until FROM sources WHERE name = 'a'"), 7000);
  }

  // The poll is recorded: the lease ends, and the state says when the source is due again.
  PollRecord rec;
  rec.state = l->state;
  rec.state.etag = "\"v1\"";
  rec.state.next_check = 100000;
  rec.lease_owner = "i1";
  ASSERT_TRUE(store->record_poll(rec).ok());
  auto early = store->lease_source("a", "i2", 3000, 5000, true);
  ASSERT_TRUE(early.ok()) << early.error();
  EXPECT_FALSE(early->granted) << "not due before next_check, whoever asks";
  EXPECT_EQ(early->holder, "");
  EXPECT_EQ(early->retry_at, 100000);

  // rasid once asks without due_only; the grant carries what the record wrote.
  auto once = store->lease_source("a", "i2", 3000, 5000, false);
  ASSERT_TRUE(once.ok()) << once.error();
  ASSERT_TRUE(once->granted);
  EXPECT_EQ(once->state.etag, "\"v1\"");
  EXPECT_EQ(once->state.next_check, 100000);
  if (!sqlite()) {
    EXPECT_FALSE(store->lease_source("a", "i1", 3000, 5000, false)->granted) << "i2 holds it";
    // i2 dies holding it: once its lease runs out, the source is another's.
    auto after = store->lease_source("a", "i1", 8001, 5000, false);
    ASSERT_TRUE(after.ok()) << after.error();
    EXPECT_TRUE(after->granted) << "i2's lease ran out at 8000";
    // A record carrying a lease its owner lost leaves the new holder's lease alone.
    PollRecord late;
    late.state = once->state;
    late.lease_owner = "i2";
    ASSERT_TRUE(store->record_poll(late).ok());
    EXPECT_EQ(count("SELECT COUNT(*) FROM sources WHERE name = 'a' AND lease_owner = 'i1'"), 1);
  }
}

// The scheduler's claims (issue 15): due sources, earliest first, to one owner at a time, up to
// the room it asked for, only among the names it runs; the answer says when to ask next. The
// lease ends with the poll's record, or runs out. Both engines answer the same.
TEST_P(StoreSources, ClaimDueGivesDueSourcesEarliestFirstToOneOwnerUntilRecorded) {
  auto store = open_ok(database());
  ASSERT_TRUE(store);
  ASSERT_TRUE(store
                  ->register_sources({{"a", "https://a.example/feed", 2000},
                                      {"b", "https://b.example/feed", 1000},
                                      {"c", "https://c.example/feed", 5000},
                                      {"x", "https://x.example/feed", 0}},
                                     500)
                  .ok());
  const std::vector<std::string> mine{"a", "b", "c"};  // "x" runs elsewhere
  auto first = store->claim_due(mine, "i1", 2500, 10000, 10);
  ASSERT_TRUE(first.ok()) << first.error();
  ASSERT_EQ(first->due.size(), 2u);
  EXPECT_EQ(first->due[0].name, "b") << "the earliest due first";
  EXPECT_EQ(first->due[1].name, "a");
  EXPECT_EQ(first->next_due, 5000) << "c is due next";

  auto other = store->claim_due(mine, "i2", 2600, 10000, 10);
  ASSERT_TRUE(other.ok()) << other.error();
  EXPECT_TRUE(other->due.empty()) << "a and b are claimed until 12500, c is not due";
  EXPECT_EQ(other->next_due, 5000);

  // a's poll is recorded: its lease ends and its schedule is what the record says.
  PollRecord rec;
  rec.state = first->due[1];
  rec.state.next_check = 100000;
  rec.lease_owner = "i1";
  ASSERT_TRUE(store->record_poll(rec).ok());
  // b's poll never is (its instance died): at 12500 its lease has run out.
  auto later = store->claim_due(mine, "i2", 13000, 10000, 1);
  ASSERT_TRUE(later.ok()) << later.error();
  ASSERT_EQ(later->due.size(), 1u) << "the room asked for";
  EXPECT_EQ(later->due[0].name, "b") << "due at 1000, its lease ran out";
  EXPECT_EQ(later->next_due, 0) << "the room is full: ask again when there is more";
  auto rest = store->claim_due(mine, "i2", 13000, 10000, 5);
  ASSERT_TRUE(rest.ok()) << rest.error();
  ASSERT_EQ(rest->due.size(), 1u);
  EXPECT_EQ(rest->due[0].name, "c");
  EXPECT_EQ(rest->next_due, 100000) << "a, as its record scheduled it";

  // Given back unpolled (a host's Retry-After): due again when asked, nobody's until then, and
  // the source says why (`rasid sources`).
  ASSERT_TRUE(store->defer_source("c", "i2", 50000, "the host asked to wait").ok());
  auto deferred = store->claim_due(mine, "i1", 14000, 10000, 5);
  ASSERT_TRUE(deferred.ok()) << deferred.error();
  EXPECT_TRUE(deferred->due.empty());
  EXPECT_EQ(deferred->next_due, sqlite() ? 50000 : 23000) << "b's lease (PostgreSQL) or c";
  auto c = store->source("c");
  ASSERT_TRUE(c.ok()) << c.error();
  EXPECT_EQ(c->next_check, 50000);
  EXPECT_EQ(c->interval_reason, "the host asked to wait");
}

// A source whose feed URL changes in the configuration starts again as a new feed: a 410 verdict,
// validators and the back-off were about the old URL (issue 14). A restart with the same URL
// keeps everything; a row written before URLs were registered is adopted as it is.
TEST_P(StoreSources, ARegisteredSourceWhoseUrlChangesStartsAgainAsANewFeed) {
  auto store = open_ok(database());
  ASSERT_TRUE(store);
  SourceState gone;
  gone.name = "a";
  gone.etag = "\"old\"";
  gone.status = "dead";
  gone.last_error = "HTTP 410 Gone";
  gone.consecutive_errors = 3;
  gone.initialized = true;
  gone.next_check = 90000000;
  gone.in_force_s = 86400;
  gone.interval_reason = "the feed is gone (410)";
  ASSERT_TRUE(store->save_source(gone).ok());
  ASSERT_TRUE(store->register_sources({{"a", "https://old.example/feed", 1500}}, 1000).ok());
  auto kept = store->source("a");
  ASSERT_TRUE(kept.ok());
  EXPECT_EQ(kept->status, "dead") << "an older row is adopted as it is";
  EXPECT_EQ(kept->next_check, 90000000);
  ASSERT_TRUE(store->register_sources({{"a", "https://old.example/feed", 1500}}, 1000).ok());
  EXPECT_EQ(store->source("a")->status, "dead") << "same URL: nothing changes";

  ASSERT_TRUE(store->register_sources({{"a", "https://new.example/rss", 1500}}, 1000).ok());
  auto fresh = store->source("a");
  ASSERT_TRUE(fresh.ok());
  EXPECT_EQ(fresh->status, "new");
  EXPECT_EQ(fresh->etag, "");
  EXPECT_EQ(fresh->last_error, "");
  EXPECT_EQ(fresh->consecutive_errors, 0);
  EXPECT_EQ(fresh->in_force_s, 0);
  EXPECT_EQ(fresh->interval_reason, "");
  EXPECT_EQ(fresh->next_check, 1500) << "polled at once, not in a day";
  EXPECT_FALSE(fresh->initialized) << "its first poll is a new feed's: no flood of old entries";
  auto c = store->claim_due({"a"}, "i1", 2000, 10000, 5);
  ASSERT_TRUE(c.ok()) << c.error();
  ASSERT_EQ(c->due.size(), 1u);
}

// A poll of the URL a source had before a reload (or an instance on an older configuration)
// ends after the new URL is registered: its verdict is about the old URL — a 410 there must not
// make the new feed dead, nor its "first poll done" spoil the new feed's first poll — so the
// source's state is left as the registration made it; the poll's entries and its lease end as
// usual. Found by a tester: SIGHUP to a new URL while the old one's poll ran, then 410.
TEST_P(StoreSources, APollOfTheUrlASourceNoLongerHasLeavesItsStateAlone) {
  auto store = open_ok(database());
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->register_sources({{"r", "https://old.example/feed", 1000}}, 500).ok());
  auto c = store->claim_due({"r"}, "i1", 2000, 60000, 5);
  ASSERT_TRUE(c.ok() && c->due.size() == 1u);
  PollRecord first;
  first.state = c->due[0];
  first.state.initialized = true;
  first.state.status = "ok";
  first.state.next_check = 3000;
  first.lease_owner = "i1";
  first.polled_url = "https://old.example/feed";
  ASSERT_TRUE(store->record_poll(first).ok());

  auto old_poll = store->claim_due({"r"}, "i1", 4000, 60000, 5);
  ASSERT_TRUE(old_poll.ok() && old_poll->due.size() == 1u);
  // The reload: the source is now another feed.
  ASSERT_TRUE(store->register_sources({{"r", "https://new.example/rss", 4500}}, 4100).ok());
  // The old URL's poll ends: 410.
  PollRecord gone;
  gone.state = old_poll->due[0];
  gone.state.status = "dead";
  gone.state.last_error = "HTTP 410 Gone";
  gone.state.consecutive_errors = 1;
  gone.state.next_check = 90000000;
  gone.lease_owner = "i1";
  gone.polled_url = "https://old.example/feed";
  gone.seen = {"old-entry"};
  ASSERT_TRUE(store->record_poll(gone).ok());

  auto st = store->source("r");
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->status, "new") << "the 410 was the old URL's";
  EXPECT_EQ(st->last_error, "");
  EXPECT_FALSE(st->initialized) << "the new feed's first poll is still to come";
  EXPECT_EQ(st->next_check, 4500) << "due at once, not in a day";
  auto seen = store->seen_keys("r", {"old-entry"});
  ASSERT_TRUE(seen.ok());
  EXPECT_EQ(seen->size(), 1u) << "the poll's entries are recorded";
  auto next = store->claim_due({"r"}, "i2", 5000, 60000, 5);
  ASSERT_TRUE(next.ok()) << next.error();
  ASSERT_EQ(next->due.size(), 1u) << "the old poll's lease ended with its record";

  // The new URL's poll writes as usual.
  PollRecord fresh;
  fresh.state = next->due[0];
  fresh.state.status = "ok";
  fresh.state.initialized = true;
  fresh.lease_owner = "i2";
  fresh.polled_url = "https://new.example/rss";
  ASSERT_TRUE(store->record_poll(fresh).ok());
  EXPECT_EQ(store->source("r")->status, "ok");
}

// Instances report themselves (issue 15): the live ones are listed by id; silent ones are not.
// SQLite has one daemon per file: its one instance is the last heartbeat.
TEST_P(StoreSources, HeartbeatsListTheLiveInstances) {
  auto store = open_ok(database());
  ASSERT_TRUE(store);
  EXPECT_TRUE(store->instances(0)->empty());
  InstanceInfo a{"h:1:aa", "h", 1, 1000, 5000, "f1", 3};
  ASSERT_TRUE(store->heartbeat(a).ok());
  a.heartbeat = 15000;
  a.sources_leased = 4;
  ASSERT_TRUE(store->heartbeat(a).ok());  // the same row, written again
  auto one = store->instances(10000);
  ASSERT_TRUE(one.ok()) << one.error();
  ASSERT_EQ(one->size(), 1u);
  EXPECT_EQ(one->at(0).id, "h:1:aa");
  EXPECT_EQ(one->at(0).host, "h");
  EXPECT_EQ(one->at(0).pid, 1);
  EXPECT_EQ(one->at(0).started, 1000);
  EXPECT_EQ(one->at(0).heartbeat, 15000);
  EXPECT_EQ(one->at(0).config_fingerprint, "f1");
  EXPECT_EQ(one->at(0).sources_leased, 4);
  EXPECT_TRUE(store->instances(15001)->empty()) << "silent since 15000";
  if (sqlite()) return;
  auto other = open_ok(database());  // another instance, its own connection
  ASSERT_TRUE(other);
  ASSERT_TRUE(other->heartbeat({"g:2:bb", "g", 2, 2000, 16000, "f2", 0}).ok());
  auto both = store->instances(10000);
  ASSERT_TRUE(both.ok()) << both.error();
  ASSERT_EQ(both->size(), 2u);
  EXPECT_EQ(both->at(0).id, "g:2:bb");
  EXPECT_EQ(both->at(1).id, "h:1:aa");
  // A day of silence: the next heartbeat of anyone forgets the row.
  ASSERT_TRUE(
      other->heartbeat({"g:2:bb", "g", 2, 2000, 15000 + 24LL * 3600 * 1000 + 1, "f2", 0}).ok());
  EXPECT_EQ(count("SELECT COUNT(*) FROM instances"), 1);
}

TEST_P(StoreSources, GuidDistrustPolicyPersists) {
  const auto path = database();
  {
    auto store = open_ok(path);
    ASSERT_TRUE(store);
    auto none = store->guid_distrust("bbc");
    ASSERT_TRUE(none.ok());
    EXPECT_EQ(none.value(), "");  // trusted by default
    ASSERT_TRUE(store->set_guid_distrust("bbc", "GUIDs repeat across different links").ok());
  }
  auto store = open_ok(path);
  ASSERT_TRUE(store);
  auto r = store->guid_distrust("bbc");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value(), "GUIDs repeat across different links");
  ASSERT_TRUE(store->set_guid_distrust("bbc", "").ok());
  EXPECT_EQ(store->guid_distrust("bbc").value(), "");
}

TEST_P(StoreSources, SiteTemplateBytesRoundTripAcrossReopen) {
  const auto path = database();
  // Binary bytes as SiteTemplate::serialize() writes them: NULs and bytes that are not UTF-8.
  std::string state("RSTM\x01\x00\x00\xff\xfe", 9);
  for (int i = 0; i < 4000; ++i) state.push_back(static_cast<char>(i * 37));
  {
    auto store = open_ok(path);
    ASSERT_TRUE(store);
    auto none = store->site_template("enab");
    ASSERT_TRUE(none.ok());
    EXPECT_FALSE(none->has_value());
    EXPECT_EQ(store->site_template_pages("enab").value(), 0);
    ASSERT_TRUE(store->save_site_template("enab", "old", 3).ok());
    ASSERT_TRUE(store->save_site_template("enab", state, 12).ok());  // replaces
  }
  auto store = open_ok(path);
  ASSERT_TRUE(store);
  auto back = store->site_template("enab");
  ASSERT_TRUE(back.ok()) << back.error();
  ASSERT_TRUE(back->has_value());
  EXPECT_EQ(back->value(), state);
  EXPECT_EQ(store->site_template_pages("enab").value(), 12);
  EXPECT_EQ(store->site_template_pages("other").value(), 0);
}

}  // namespace
}  // namespace rasid::storage

namespace rasid::storage {
namespace {

NewAlert story_update(const std::string& webhook, const std::string& id,
                      const std::string& refers_to) {
  NewAlert u{webhook, "beirut", id, R"({"type":"story.updated","topic":"beirut"})"};
  u.event = "story.updated";
  u.refers_to = refers_to;
  return u;
}

// A copy joining a story queues its story.updated rows with it: only behind an alert the story
// gave (refers_to exists), once per id, and in queue order after that alert.
// Found by a fresh try: after an outage the alert had failed (attempts used up) while its update
// was still pending, so the update reached the receiver first. Queuing an update now queues its
// failed alert again, ahead of it.
TEST_P(StoreStories, AnUpdateNeverOvertakesItsFailedAlert) {
  const auto path = database();
  auto store = open_ok(path);
  ASSERT_TRUE(store);
  auto first = store->add_article(article("1"), {{"beirut", "x"}},
                                  {alert_for("ops", "beirut", "msg_alert")});
  ASSERT_TRUE(first.ok()) << first.error();
  auto head = store->due_alerts(now_ms(), 10);
  ASSERT_TRUE(head.ok());
  ASSERT_EQ(head->size(), 1u);
  ASSERT_TRUE(store->mark_failed(head->front().id, "HTTP 503", now_ms() + 600000).ok());

  auto copy = article("2", "bbc");
  copy.story_id = first->story_id;
  auto second = store->add_article(copy, {}, {story_update("ops", "msg_update_bbc", "msg_alert")});
  ASSERT_TRUE(second.ok()) << second.error();
  auto due = store->due_alerts(now_ms(), 10);
  ASSERT_TRUE(due.ok());
  ASSERT_EQ(due->size(), 1u);
  EXPECT_EQ(due->front().webhook_id, "msg_alert") << "the alert goes first, then its update";
  auto pending = store->pending("ops");
  ASSERT_TRUE(pending.ok());
  ASSERT_EQ(pending->size(), 2u);
  EXPECT_EQ(pending->at(1).webhook_id, "msg_update_bbc");
}

TEST_P(StoreStories, StoryUpdateNeedsItsAlertAndARepeatIsIgnored) {
  const auto path = database();
  auto store = open_ok(path);
  ASSERT_TRUE(store);
  auto first = store->add_article(article("1"), {{"beirut", "x"}},
                                  {alert_for("ops", "beirut", "msg_alert")});
  ASSERT_TRUE(first.ok()) << first.error();
  const auto story = first->story_id;
  auto told = store->story_alerts(story);
  ASSERT_TRUE(told.ok()) << told.error();
  ASSERT_EQ(told->size(), 1u);
  EXPECT_EQ(told->front().webhook_id, "msg_alert");

  auto copy = article("2", "bbc");
  copy.story_id = story;
  auto second = store->add_article(copy, {},
                                   {story_update("ops", "msg_update_bbc", "msg_alert"),
                                    story_update("desk", "msg_orphan", "msg_never_sent")});
  ASSERT_TRUE(second.ok()) << second.error();
  EXPECT_EQ(second->alerts_added, 1) << "no update without the alert it refers to";
  EXPECT_EQ(count("SELECT count(*) FROM outbox WHERE webhook_id = 'msg_orphan'"), 0);
  EXPECT_EQ(count("SELECT story_id FROM outbox WHERE webhook_id = 'msg_update_bbc'"), story);
  EXPECT_EQ(count("SELECT count(*) FROM outbox WHERE webhook_id = 'msg_update_bbc' AND "
                  "event = 'story.updated'"),
            1);
  told = store->story_alerts(story);
  ASSERT_TRUE(told.ok());
  EXPECT_EQ(told->size(), 1u) << "updates are not alerts a later copy refers to";

  // The same update again (another copy from the same outlet): ignored.
  auto again = article("3", "bbc");
  again.story_id = story;
  auto third = store->add_article(again, {}, {story_update("ops", "msg_update_bbc", "msg_alert")});
  ASSERT_TRUE(third.ok()) << third.error();
  EXPECT_EQ(third->alerts_added, 0);

  // The update waits behind its alert in the webhook's queue.
  auto pending = store->pending("ops");
  ASSERT_TRUE(pending.ok());
  ASSERT_EQ(pending->size(), 2u);
  EXPECT_EQ(pending->at(0).webhook_id, "msg_alert");
  EXPECT_EQ(pending->at(1).webhook_id, "msg_update_bbc");
  auto due = store->due_alerts(now_ms(), 10);
  ASSERT_TRUE(due.ok());
  ASSERT_EQ(due->size(), 1u);
  EXPECT_EQ(due->front().webhook_id, "msg_alert");

  // The story's copies, first stored first, with their outlets and links.
  auto copies = store->story_copies(story, 10);
  ASSERT_TRUE(copies.ok()) << copies.error();
  ASSERT_EQ(copies->size(), 3u);
  EXPECT_EQ(copies->at(0).source, "aljazeera");
  EXPECT_EQ(copies->at(1).source, "bbc");
  EXPECT_EQ(copies->at(1).url, "https://example.net/news/2?utm_source=rss");
  EXPECT_EQ(copies->at(2).title, "انفجار في مرفأ بيروت 3");
  EXPECT_EQ(store->story_copies(story, 2)->size(), 2u) << "the limit holds";
  EXPECT_TRUE(store->story_alerts(story + 1000)->empty());
}

// One poll in one transaction (Store::record_poll): everything it learned is written, or — when
// any write fails — nothing of it, so the next poll fetches the same entries again. `prepare`
// runs first, inside the transaction, and what it decides is written.
TEST_P(StoreArticles, RecordPollWritesAllOrNothing) {
  auto store = open_ok(database());
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->add_article(article("old"), {}, {}).ok());
  PollRecord poll;
  poll.state.name = "aljazeera";
  poll.state.status = "ok";
  poll.state.next_check = 123456;
  poll.seen = {"guid-gone"};
  poll.articles.push_back({article("1"),
                           {{"beirut", "x"}},
                           {alert_for("ops", "beirut", "p1")},
                           {"https://example.net/alias-1"}});
  poll.articles.push_back({article("old"), {}, {}, {}});  // already stored: a duplicate
  poll.guid_distrust = "guids repeat";
  poll.site_template = std::string("\0tpl", 4);
  poll.site_template_pages = 7;
  int prepared = 0;
  auto done = store->record_poll(poll, [&](PollRecord& r) {
    ++prepared;
    r.articles[0].article.title = "decided inside";  // what prepare decides is written
  });
  ASSERT_TRUE(done.ok()) << done.error();
  EXPECT_EQ(prepared, 1);
  ASSERT_EQ(done->articles.size(), 2u);
  EXPECT_FALSE(done->articles[0].duplicate);
  EXPECT_EQ(done->articles[0].alerts_added, 1);
  EXPECT_TRUE(done->articles[1].duplicate);
  auto stored = store->article(done->articles[0].article_id);
  ASSERT_TRUE(stored.ok() && stored->has_value());
  EXPECT_EQ(stored.value()->title, "decided inside");
  auto seen = store->seen_keys(
      "aljazeera", {"guid-nope", "guid-gone", "guid-1", "guid-old", "https://example.net/alias-1"});
  ASSERT_TRUE(seen.ok()) << seen.error();
  EXPECT_EQ(seen.value(), (std::vector<std::string>{"guid-gone", "guid-1", "guid-old",
                                                    "https://example.net/alias-1"}));
  EXPECT_EQ(store->guid_distrust("aljazeera").value(), "guids repeat");
  EXPECT_EQ(store->site_template("aljazeera").value(), std::string("\0tpl", 4));
  EXPECT_EQ(store->site_template_pages("aljazeera").value(), 7);
  EXPECT_EQ(store->source("aljazeera").value().next_check, 123456);

  // A poll whose second article cannot be written (an alert without an id) writes nothing.
  PollRecord bad;
  bad.state.name = "aljazeera";
  bad.state.next_check = 999;
  bad.seen = {"guid-bad-seen"};
  bad.articles.push_back({article("2"), {{"beirut", "x"}}, {alert_for("ops", "beirut", "p2")}, {}});
  bad.articles.push_back({article("3"), {}, {alert_for("ops", "beirut", "")}, {}});
  bad.guid_distrust = "";
  auto failed = store->record_poll(bad);
  ASSERT_FALSE(failed.ok());
  EXPECT_NE(failed.error().find("example.net/news/3"), std::string::npos) << failed.error();
  EXPECT_EQ(count("SELECT count(*) FROM articles"), 2);
  EXPECT_EQ(count("SELECT count(*) FROM outbox"), 1);
  EXPECT_TRUE(store->seen_keys("aljazeera", {"guid-2", "guid-bad-seen"}).value().empty());
  EXPECT_EQ(store->guid_distrust("aljazeera").value(), "guids repeat");
  EXPECT_EQ(store->source("aljazeera").value().next_check, 123456);
  // The store is usable afterwards, and the same poll goes through without the bad entry.
  bad.articles.pop_back();
  auto again = store->record_poll(bad);
  ASSERT_TRUE(again.ok()) << again.error();
  EXPECT_EQ(count("SELECT count(*) FROM articles"), 3);
  EXPECT_EQ(store->source("aljazeera").value().next_check, 999);
}

// Retention (issue 15, [daemon] keep): old articles go with their search rows, matches and
// delivered alerts; an article whose alert is pending or failed stays whole; the entries stay seen
// so a feed that still lists them does not alert them again; newer articles are untouched.
TEST_P(StoreArticles, PruneArticlesKeepsWhatAlertsNeedAndRemembersEntries) {
  auto store = open_ok(database());
  ASSERT_TRUE(store);
  auto add = [&](const std::string& n, const std::string& word, std::vector<NewAlert> alerts) {
    NewArticle a = article(n);
    a.title += " " + word;
    auto r = store->add_article(a, {{"beirut", "«بيروت»"}, {"ports", "«مرفأ»"}}, alerts);
    EXPECT_TRUE(r.ok() && !r->duplicate) << (r.ok() ? "" : r.error());
    return r.ok() ? r->article_id : 0;
  };
  const auto delivered = add("1", "زلزال", {alert_for("ops", "beirut", "id-1")});
  const auto pending = add("2", "فيضان", {alert_for("ops", "beirut", "id-2")});
  const auto failed = add("3", "إعصار", {alert_for("slack", "beirut", "id-3")});
  const auto quiet = add("4", "بركان", {});
  auto rows = store->outbox_rows("", "", 10);
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 3u);
  ASSERT_TRUE(store->mark_delivered(rows.value()[0].id, now_ms()).ok());
  ASSERT_TRUE(store->mark_failed(rows.value()[2].id, "gone").ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  const Millis cut = now_ms();
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  const auto fresh = add("5", "زلزال", {alert_for("ops", "ports", "id-5")});

  auto p = store->prune_articles(cut, 1);  // one article per transaction
  ASSERT_TRUE(p.ok()) << p.error();
  EXPECT_EQ(p->articles, 2);   // 1 (its alert delivered) and 4 (no alert)
  EXPECT_EQ(p->matches, 4);    // two each
  EXPECT_EQ(p->delivered, 1);  // id-1
  EXPECT_EQ(p->kept, 2);       // 2 (pending) and 3 (failed)
  EXPECT_EQ(p->batches, 2);
  for (auto id : {delivered, quiet}) EXPECT_FALSE(store->article(id).value().has_value()) << id;
  for (auto id : {pending, failed, fresh})
    EXPECT_TRUE(store->article(id).value().has_value()) << id;
  EXPECT_EQ(count("SELECT count(*) FROM articles"), 3);
  EXPECT_EQ(count("SELECT count(*) FROM matches"), 6);
  EXPECT_EQ(count("SELECT count(*) FROM matches WHERE article_id IN (" + std::to_string(delivered) +
                  ", " + std::to_string(quiet) + ")"),
            0);
  EXPECT_EQ(count("SELECT count(*) FROM outbox"), 3);  // id-2 pending, id-3 failed, id-5
  EXPECT_EQ(count("SELECT count(*) FROM outbox WHERE webhook_id = 'id-1'"), 0);
  // The search rows went with the text: the index finds only the new article's word.
  auto hits = store->search("زلزال", 10);
  ASSERT_TRUE(hits.ok()) << hits.error();
  ASSERT_EQ(hits->size(), 1u);
  EXPECT_EQ(hits.value()[0].id, fresh);
  EXPECT_TRUE(store->search("بركان", 10).value().empty());
  if (sqlite()) {
    EXPECT_EQ(count("SELECT count(*) FROM articles_fts WHERE articles_fts MATCH 'بركان'"), 0);
    EXPECT_EQ(count("SELECT count(*) FROM articles_fts WHERE articles_fts MATCH 'زلزال'"), 1);
  } else {
    EXPECT_EQ(count("SELECT count(*) FROM articles WHERE tokens @@ 'بركان'::tsquery"), 0);
  }
  // The entries stay seen: a feed still listing them does not make them new.
  EXPECT_TRUE(store->seen("aljazeera", "guid-1").value());
  EXPECT_TRUE(store->seen("aljazeera", "guid-4").value());
  auto keys = store->seen_keys("aljazeera", {"guid-1", "guid-4", "guid-9"});
  ASSERT_TRUE(keys.ok());
  EXPECT_EQ(keys.value(), (std::vector<std::string>{"guid-1", "guid-4"}));
  EXPECT_FALSE(store->canonical_exists("https://example.net/news/1").value());

  // Again: nothing more to prune until the pending alert is delivered.
  auto q = store->prune_articles(cut, 100);
  ASSERT_TRUE(q.ok()) << q.error();
  EXPECT_EQ(q->articles, 0);
  EXPECT_EQ(q->kept, 2);
  ASSERT_TRUE(store->mark_delivered(rows.value()[1].id, now_ms()).ok());
  auto r = store->prune_articles(cut, 100);
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_EQ(r->articles, 1);
  EXPECT_EQ(r->delivered, 1);
  EXPECT_EQ(r->kept, 1);
  EXPECT_FALSE(store->article(pending).value().has_value());
  EXPECT_TRUE(store->seen("aljazeera", "guid-2").value());
  EXPECT_FALSE(store->prune_articles(cut, 0).ok());  // a batch of nothing is a caller's error
}

// `rasid backup` (issue 15): the copy is the database as of one commit even while another
// connection keeps writing (every article in it has its match and its alert), opens as a rasid
// database, and never overwrites a file. PostgreSQL refuses and names pg_dump.
TEST_P(StorePersistence, BackupIsConsistentWhileAnotherConnectionWrites) {
  auto store = open_ok(database());
  ASSERT_TRUE(store);
  const std::string copy = fs::path(sqlite() ? database() : std::string("/tmp/x.db"))
                               .replace_filename("copy.db")
                               .string();
  if (!sqlite()) {
    auto s = store->backup(copy);
    ASSERT_FALSE(s.ok());
    EXPECT_NE(s.error().find("pg_dump"), std::string::npos) << s.error();
    EXPECT_FALSE(fs::exists(copy));
    return;
  }
  const std::string long_body(20000, 'x');
  for (int i = 0; i < 400; ++i) {
    NewArticle a = article("seed-" + std::to_string(i));
    a.body += "\n" + long_body;
    ASSERT_TRUE(store
                    ->add_article(a, {{"beirut", ""}},
                                  {alert_for("ops", "beirut", "s" + std::to_string(i))})
                    .ok());
  }
  std::atomic<bool> stop{false};
  std::atomic<int> written{0};
  std::thread writer([&] {
    auto w = open_ok(database());
    for (int i = 0; w && !stop; ++i) {
      NewArticle a = article("live-" + std::to_string(i));
      a.body += "\n" + long_body;
      if (w->add_article(a, {{"beirut", ""}}, {alert_for("ops", "beirut", "l" + std::to_string(i))})
              .ok())
        ++written;
    }
  });
  while (written < 20) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  const int before = written;
  const auto t0 = std::chrono::steady_clock::now();
  auto s = store->backup(copy);
  const auto took = std::chrono::steady_clock::now() - t0;
  const int during = written;
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  stop = true;
  writer.join();
  ASSERT_TRUE(s.ok()) << s.error();
  EXPECT_GT(during, before) << "the writer is not blocked by the backup";
  std::printf(
      "backup of 420+ articles: %lld ms, %d articles written meanwhile\n",
      static_cast<long long>(std::chrono::duration_cast<std::chrono::milliseconds>(took).count()),
      during - before);
  EXPECT_FALSE(fs::exists(copy + ".part"));
  const std::int64_t n = scalar(copy, "SELECT count(*) FROM articles");
  EXPECT_GE(n, 420);
  EXPECT_LE(n, 400 + written.load());
  EXPECT_EQ(scalar(copy, "SELECT count(*) FROM matches"), n);
  EXPECT_EQ(scalar(copy, "SELECT count(*) FROM outbox"), n);
  EXPECT_EQ(scalar(copy, "SELECT count(*) FROM seen"), n);
  {
    auto c = SqliteStore::open(copy);
    ASSERT_TRUE(c.ok()) << c.error();
    EXPECT_EQ(c.value()->schema_version(), SqliteStore::latest_schema());
    EXPECT_EQ(sqlite3_exec(c.value()->handle(),
                           "INSERT INTO articles_fts(articles_fts) VALUES ('integrity-check')",
                           nullptr, nullptr, nullptr),
              SQLITE_OK);
    EXPECT_EQ(c.value()->search("انفجار", 1000).value().size(), static_cast<std::size_t>(n));
  }
  auto again = store->backup(copy);
  ASSERT_FALSE(again.ok());
  EXPECT_NE(again.error().find("exists"), std::string::npos) << again.error();
  EXPECT_EQ(scalar(copy, "SELECT count(*) FROM articles"), n) << "not overwritten";
}

// Store::open picks the engine from what it is given, migrates it, and the store answers ping().
TEST_P(StoreEngine, OpenPicksTheEngineAndMigrates) {
  auto store = open_ok(database());
  ASSERT_TRUE(store);
  EXPECT_EQ(std::string(store->engine()), GetParam());
  EXPECT_TRUE(store->ping());
  EXPECT_EQ(store->schema_version(), store->latest_version());
  EXPECT_GE(store->latest_version(), 1);
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreEngine, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& info) { return info.param; });
INSTANTIATE_TEST_SUITE_P(Backends, StoreArticles, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& info) { return info.param; });
INSTANTIATE_TEST_SUITE_P(Backends, StoreSources, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& info) { return info.param; });
INSTANTIATE_TEST_SUITE_P(Backends, StoreOutbox, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& info) { return info.param; });
INSTANTIATE_TEST_SUITE_P(Backends, StorePersistence, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& info) { return info.param; });
INSTANTIATE_TEST_SUITE_P(Backends, StoreConcurrency, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& info) { return info.param; });
INSTANTIATE_TEST_SUITE_P(Backends, StoreStories, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace rasid::storage
