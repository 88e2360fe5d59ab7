// SIGKILL at random moments while a child process writes articles with their matches and
// alerts: after every kill the file is intact, each article has exactly its matches and alerts
// (none without the other), and restarting the writer never stores anything twice.
#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <random>
#include <string>

#include "storage/store.h"

namespace rasid::storage {
namespace {

namespace fs = std::filesystem;

constexpr int kArticles = 3000;
constexpr int kKills = 30;

// The writer: the same deterministic stream every time, as a restarted daemon re-polling the
// same feed would produce it.
[[noreturn]] void writer(const std::string& path) {
  auto store = Store::open(path);
  if (!store.ok()) _exit(2);
  for (int i = 0; i < kArticles; ++i) {
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
    const pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) writer(path);
    usleep(std::uniform_int_distribution<int>(2000, 60000)(rng));
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
  EXPECT_GE(grew, kKills / 2) << "most kills should land while the writer is storing";
  // The last writer runs to the end: everything is there exactly once.
  const pid_t last = fork();
  ASSERT_GE(last, 0);
  if (last == 0) writer(path);
  int status = 0;
  ASSERT_EQ(waitpid(last, &status, 0), last);
  ASSERT_TRUE(WIFEXITED(status));
  ASSERT_EQ(WEXITSTATUS(status), 0);
  auto store = Store::open(path);
  ASSERT_TRUE(store.ok());
  sqlite3* db = store.value()->handle();
  EXPECT_EQ(scalar(db, "SELECT count(*) FROM articles"), kArticles);
  EXPECT_EQ(scalar(db, "SELECT count(*) FROM outbox"), 2 * kArticles);
  EXPECT_EQ(scalar(db, "SELECT count(DISTINCT webhook_id) FROM outbox"), 2 * kArticles);
  RecordProperty("kills", kills);
  std::printf("kills=%d, kills that interrupted new writes=%lld\n", kills,
              static_cast<long long>(grew));
  std::error_code ec;
  fs::remove_all(dir, ec);
}

}  // namespace
}  // namespace rasid::storage
