// `rasid backup FILE` (issue 15): a copy of the configured SQLite database that opens as a rasid
// database with the same rows; on PostgreSQL a refusal that names pg_dump.

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "storage/store.h"
#include "tests/support/pg_cluster.h"
#include "tests/support/process.h"

namespace rasid::testing {
namespace {

TEST(BackupE2E, CopiesTheSqliteDatabaseAndNeverOverwrites) {
  const std::string dir = make_temp_dir();
  const std::string db = dir + "/rasid.db", cfg = dir + "/rasid.toml", copy = dir + "/copy.db";
  write_file(cfg, "[daemon]\ndatabase = \"" + db + "\"\n");
  {
    auto s = storage::Store::open(db);
    ASSERT_TRUE(s.ok()) << s.error();
    storage::NewArticle a;
    a.source = "khabar";
    a.entry_key = "k1";
    a.url = "https://example.net/1";
    a.title = "عنوان";
    a.body = "نص الخبر";
    ASSERT_TRUE(s.value()->add_article(a, {{"t", ""}}, {{"hook", "t", "msg_1", "{}"}}).ok());
  }
  auto r = run_process({RASID_BINARY, "backup", copy, "--config", cfg});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("backup: " + copy), std::string::npos) << r.out;
  auto c = storage::Store::open(copy);
  ASSERT_TRUE(c.ok()) << c.error();
  EXPECT_EQ(c.value()->recent_articles(0, 10).value().size(), 1u);
  EXPECT_EQ(c.value()->outbox_rows("", "", 10).value().size(), 1u);
  EXPECT_TRUE(c.value()->seen("khabar", "k1").value());
  auto again = run_process({RASID_BINARY, "backup", copy, "--config", cfg});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_NE(again.err.find("exists"), std::string::npos) << again.err;
}

TEST(BackupE2E, PostgresqlIsRefusedNamingPgDump) {
  std::string why;
  PgCluster* cluster = PgCluster::shared(&why);
  if (!cluster) GTEST_SKIP() << why;
  const std::string dir = make_temp_dir();
  const std::string cfg = dir + "/rasid.toml";
  write_file(cfg, "[daemon]\ndatabase = \"" + cluster->create_database() + "\"\n");
  auto r = run_process({RASID_BINARY, "backup", dir + "/copy.db", "--config", cfg});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("pg_dump"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir + "/copy.db"));
}

}  // namespace
}  // namespace rasid::testing
