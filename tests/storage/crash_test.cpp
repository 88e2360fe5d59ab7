// SIGKILL at random moments while a child process writes articles with their matches and
// alerts: after every kill the file is intact, each article has exactly its matches and alerts
// (none without the other), and restarting the writer never stores anything twice.
#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>

#include "storage/fts_tokenizer.h"
#include "storage/sqlite_store.h"

namespace rasid::storage {
namespace {

namespace fs = std::filesystem;

constexpr int kArticles = 1000;
constexpr int kKills = 30;
constexpr int kKillStream = 1000000;

// The writer: the same deterministic stream every time, as a restarted daemon re-polling the
// same feed would produce it.
// `ready_fd` (if >= 0) gets one byte once the writer has stored its first new article, so the
// parent's kill lands while new rows are being written, not while the restart skips duplicates.
// `count` articles of the stream are written; the killed rounds use a stream long enough that a
// fast machine cannot finish it before the kill (the kill, not the stream's end, ends a round).
[[noreturn]] void writer(const std::string& path, int ready_fd, int count) {
  auto store = Store::open(path);
  if (!store.ok()) _exit(2);
  bool told = false;
  for (int i = 0; i < count; ++i) {
    NewArticle a;
    a.source = "src" + std::to_string(i % 3);
    a.entry_key = "k" + std::to_string(i);
    a.url = a.canonical = "https://example.net/" + std::to_string(i);
    a.title = "خبر " + std::to_string(i);
    a.body = std::string(2000, 'x');
    std::vector<NewAlert> alerts;
    for (const char* h : {"desk", "ops"})
      alerts.push_back({h, "t", std::string(h) + "-" + std::to_string(i), "{}"});
    auto r = store.value()->add_article(a, {{"t", "s"}, {"u", "s"}}, alerts);
    if (!r.ok()) _exit(3);
    if (!told && !r.value().duplicate && ready_fd >= 0) {
      told = write(ready_fd, "r", 1) == 1;
    }
    if (i % 7 == 0) {
      auto due = store.value()->due_alerts(now_ms(), 5);
      if (!due.ok()) _exit(4);
      for (const auto& row : due.value())
        if (!store.value()->mark_delivered(row.id, now_ms()).ok()) _exit(5);
    }
  }
  _exit(0);
}

std::int64_t scalar(sqlite3* db, const char* sql) {
  sqlite3_stmt* st = nullptr;
  std::int64_t v = -1;
  if (sqlite3_prepare_v2(db, sql, -1, &st, nullptr) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
    v = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  return v;
}

TEST(StoreCrash, SigkillNeverSplitsAnArticleFromItsAlerts) {
  std::string dir = (fs::temp_directory_path() / "rasid-crash-XXXXXX").string();
  ASSERT_NE(mkdtemp(dir.data()), nullptr);
  const std::string path = dir + "/rasid.db";
  { ASSERT_TRUE(Store::open(path).ok()); }
  std::mt19937 rng(12345);
  int kills = 0;
  std::int64_t grew = 0;  // rounds in which the killed writer had stored something new
  std::int64_t before = 0;
  while (kills < kKills) {
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    const pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      close(fds[0]);
      writer(path, fds[1], kKillStream);
    }
    close(fds[1]);
    char byte;
    const bool writing = read(fds[0], &byte, 1) == 1;  // EOF when the writer exits first
    close(fds[0]);
    if (writing) usleep(std::uniform_int_distribution<int>(0, 20000)(rng));
    kill(pid, SIGKILL);
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    if (WIFEXITED(status)) {
      ASSERT_EQ(WEXITSTATUS(status), 0) << "writer failed";
      break;  // it wrote everything before the kill came
    }
    ++kills;
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    ASSERT_TRUE(storage::detail::register_fts_tokenizer(db).ok());  // tokenize='rasid'
    sqlite3_busy_timeout(db, 5000);
    const auto articles = scalar(db, "SELECT count(*) FROM articles");
    grew += articles > before;
    before = articles;
    EXPECT_EQ(scalar(db, "SELECT count(*) FROM matches"), 2 * articles) << kills;
    EXPECT_EQ(scalar(db, "SELECT count(*) FROM outbox"), 2 * articles) << kills;
    EXPECT_EQ(scalar(db,
                     "SELECT count(*) FROM outbox o LEFT JOIN articles a ON a.id = "
                     "o.article_id WHERE a.id IS NULL"),
              0);
    EXPECT_EQ(scalar(db, "SELECT count(*) FROM articles_fts"), articles);
    EXPECT_EQ(scalar(db,
                     "SELECT count(*) FROM articles a LEFT JOIN seen s ON s.source = "
                     "a.source AND s.entry_key = a.entry_key WHERE s.source IS NULL"),
              0);
    sqlite3_stmt* st = nullptr;
    ASSERT_EQ(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, nullptr), SQLITE_OK);
    ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
    EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)), "ok");
    sqlite3_finalize(st);
    sqlite3_close(db);
  }
  EXPECT_GE(kills, kKills);
  EXPECT_EQ(grew, kills) << "every kill lands after the restarted writer stored something new";
  // The last writer runs to the end of a stream at least kArticles long that covers everything
  // the killed rounds wrote: everything is there exactly once.
  std::int64_t total = kArticles;
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    total = std::max<std::int64_t>(total, scalar(db, "SELECT count(*) FROM articles"));
    sqlite3_close(db);
  }
  const pid_t last = fork();
  ASSERT_GE(last, 0);
  if (last == 0) writer(path, -1, static_cast<int>(total));
  int status = 0;
  ASSERT_EQ(waitpid(last, &status, 0), last);
  ASSERT_TRUE(WIFEXITED(status));
  ASSERT_EQ(WEXITSTATUS(status), 0);
  auto store = SqliteStore::open(path);
  ASSERT_TRUE(store.ok());
  sqlite3* db = store.value()->handle();
  EXPECT_EQ(scalar(db, "SELECT count(*) FROM articles"), total);
  EXPECT_EQ(scalar(db, "SELECT count(*) FROM outbox"), 2 * total);
  EXPECT_EQ(scalar(db, "SELECT count(DISTINCT webhook_id) FROM outbox"), 2 * total);
  RecordProperty("kills", kills);
  std::printf("kills=%d, kills that interrupted new writes=%lld\n", kills,
              static_cast<long long>(grew));
  std::error_code ec;
  fs::remove_all(dir, ec);
}

}  // namespace
}  // namespace rasid::storage
