// storage/migrate.h (issue 15): what crosses over, and figures for BENCHMARKS (Figures.*, not a
// check: skipped unless RASID_FIGURES_N is set).
//   RASID_FIGURES_N=5000 build/storage_tests --gtest_filter='Figures.*'
// N articles (~3 KB Arabic body, 2 matches, 1 delivered alert each) in a SQLite file; then the
// time to migrate them into an empty PostgreSQL database (the test cluster) and to prune them
// all with prune_articles(…, 500) on each backend.
#include "storage/migrate.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

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

namespace rasid::storage {
namespace {

// Everything a source learned crosses over as it was: its state, the keys it saw without an
// article, its GUID verdict, its site template's bytes, and the stories its articles form.
TEST(Migrate, LearnedStateAndStoriesCrossOverByteForByte) {
  std::string why;
  auto* cluster = testing::PgCluster::shared(&why);
  if (!cluster) GTEST_SKIP() << why;
  const std::string dir = "/tmp/rasid-migrate-" + std::to_string(getpid());
  std::filesystem::create_directories(dir);
  const std::string lite = dir + "/rasid.db";
  const std::string bytes("RSTM\x01\x00\x00\xff\xfe\"\\{", 12);
  SourceState st;
  st.name = "khabar";
  st.etag = "\"v1\"";
  st.next_check = 12345;
  st.status = "ok";
  st.initialized = true;
  st.interval_s = 600;
  st.in_force_s = 900;
  st.interval_reason = "backoff";
  std::int64_t first = 0;
  {
    auto s = Store::open(lite).value();
    ASSERT_TRUE(s->save_source(st).ok());
    ASSERT_TRUE(s->mark_seen("khabar", {"old-1", "old-2"}).ok());
    ASSERT_TRUE(s->set_guid_distrust("khabar", "GUIDs change on every fetch").ok());
    ASSERT_TRUE(s->save_site_template("khabar", bytes, 7).ok());
    NewArticle a;
    a.source = "khabar";
    a.entry_key = "a";
    a.url = "https://example.net/a";
    a.title = "اتفاق بين سوريا وإيران";
    a.body = "نص";
    auto r1 = s->add_article(a, {{"t", ""}}, {{"hook", "t", "w-1", "{}"}});
    ASSERT_TRUE(r1.ok());
    first = r1->article_id;
    a.entry_key = "b";
    a.url = "https://example.net/b";
    a.story_id = r1->story_id;  // a copy of the same story
    ASSERT_TRUE(s->add_article(a, {}, {}).ok());
  }
  const std::string uri = cluster->create_database();
  auto m = migrate_to_postgresql(lite, uri);
  ASSERT_TRUE(m.ok()) << m.error();
  auto p = Store::open(uri).value();
  auto got = p->source("khabar").value();
  EXPECT_EQ(got.etag, st.etag);
  EXPECT_EQ(got.next_check, st.next_check);
  EXPECT_EQ(got.status, "ok");
  EXPECT_TRUE(got.initialized);
  EXPECT_EQ(got.in_force_s, 900);
  EXPECT_EQ(got.interval_reason, "backoff");
  EXPECT_EQ(p->seen_keys("khabar", {"old-1", "old-2", "a", "b", "new"}).value(),
            (std::vector<std::string>{"old-1", "old-2", "a", "b"}));
  EXPECT_EQ(p->guid_distrust("khabar").value(), "GUIDs change on every fetch");
  EXPECT_EQ(p->site_template("khabar").value().value_or(""), bytes);
  EXPECT_EQ(p->site_template_pages("khabar").value(), 7);
  EXPECT_EQ(p->story_copies(first, 10).value().size(), 2u);
  ASSERT_EQ(p->story_alerts(first).value().size(), 1u);
  EXPECT_EQ(p->story_alerts(first).value()[0].webhook_id, "w-1");
  EXPECT_EQ(p->search("سوريا", 10).value().size(), 2u);  // tokens made as PgStore makes them
  // New rows continue after the copied ids.
  NewArticle c;
  c.source = "khabar";
  c.entry_key = "c";
  c.url = "https://example.net/c";
  c.title = "جديد";
  auto r = p->add_article(c, {}, {});
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_GT(r->article_id, first + 1);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace rasid::storage
