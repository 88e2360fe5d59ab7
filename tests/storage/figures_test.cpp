// Figures for BENCHMARKS (issue 15), not a check: skipped unless RASID_FIGURES_N is set.
//   RASID_FIGURES_N=5000 build/storage_tests --gtest_filter='Figures.*'
// N articles (~3 KB Arabic body, 2 matches, 1 delivered alert each) in a SQLite file; then the
// time to migrate them into an empty PostgreSQL database (the test cluster) and to prune them
// all with prune_articles(…, 500) on each backend.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "storage/migrate.h"
#include "storage/store.h"
#include "tests/support/pg_cluster.h"

namespace rasid::storage {
namespace {

double since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

void fill(Store& s, int n) {
  std::string body;
  while (body.size() < 3000)
    body += "قال مسؤولون إن الانفجار وقع صباح اليوم وأدى إلى أضرار واسعة. ";
  for (int i = 0; i < n; ++i) {
    NewArticle a;
    a.source = "src" + std::to_string(i % 50);
    a.entry_key = "k" + std::to_string(i);
    a.url = "https://example.net/" + std::to_string(i);
    a.title = "خبر رقم " + std::to_string(i);
    a.body = body;
    auto r = s.add_article(a, {{"t1", "«x»"}, {"t2", "«y»"}},
                           {{"hook", "t1", "id" + std::to_string(i), "{}"}});
    ASSERT_TRUE(r.ok()) << r.error();
  }
  for (;;) {
    auto rows = s.outbox_rows("pending", "", 1000).value();
    if (rows.empty()) break;
    for (const auto& r : rows) ASSERT_TRUE(s.mark_delivered(r.id, now_ms()).ok());
  }
}

TEST(Figures, PruneAndMigrate) {
  const char* env = std::getenv("RASID_FIGURES_N");
  if (!env) GTEST_SKIP() << "set RASID_FIGURES_N to measure";
  const int n = std::atoi(env);
  std::string why;
  auto* cluster = testing::PgCluster::shared(&why);
  if (!cluster) GTEST_SKIP() << why;
  const std::string dir = "/tmp/rasid-figures-" + std::to_string(getpid());
  std::filesystem::create_directories(dir);
  const std::string lite = dir + "/rasid.db";
  {
    auto s = Store::open(lite);
    ASSERT_TRUE(s.ok());
    fill(*s.value(), n);
  }
  const std::string uri = cluster->create_database();
  auto t0 = std::chrono::steady_clock::now();
  auto m = migrate_to_postgresql(lite, uri);
  ASSERT_TRUE(m.ok()) << m.error();
  std::printf("migrate %d articles (%lld matches, %lld outbox rows) SQLite -> PostgreSQL: %.2f s\n",
              n, static_cast<long long>(m->tables[3].copied),
              static_cast<long long>(m->tables[4].copied), since(t0));
  t0 = std::chrono::steady_clock::now();
  ASSERT_TRUE(migrate_to_postgresql(lite, uri).ok());
  std::printf("migrate again (nothing to copy): %.2f s\n", since(t0));
  for (const std::string& db : {lite, uri}) {
    auto s = Store::open(db);
    ASSERT_TRUE(s.ok());
    t0 = std::chrono::steady_clock::now();
    auto p = s.value()->prune_articles(now_ms() + 1, 500);
    ASSERT_TRUE(p.ok()) << p.error();
    EXPECT_EQ(p->articles, n);
    std::printf("prune %lld articles on %s (%d batches of 500): %.2f s\n",
                static_cast<long long>(p->articles), s.value()->engine(), p->batches, since(t0));
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace rasid::storage
