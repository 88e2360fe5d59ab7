// What the PostgreSQL store (storage/pg_store.h) must do beyond the shared contract: several
// instances on one database store an entry once and an alert once, search answers as SQLite's
// does, and a restarted server costs at most the call it cut (which writes nothing). Against a
// real throwaway cluster (tests/support/pg_cluster.h); skipped with the reason without one.
#include "storage/pg_store.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "storage/store.h"
#include "tests/support/pg_cluster.h"
#include "tests/support/process.h"

namespace rasid::storage {
namespace {

using testing::PgCluster;

NewArticle news(const std::string& n, const std::string& source = "aljazeera") {
  NewArticle a;
  a.source = source;
  a.entry_key = "guid-" + n;
  a.url = "https://example.net/news/" + n;
  a.canonical = a.url;
  a.title = "خبر " + n;
  a.body = "نص الخبر";
  a.lang = "ar";
  return a;
}

class PgStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why;
    cluster_ = PgCluster::shared(&why);
    if (!cluster_) GTEST_SKIP() << why;
    uri_ = cluster_->create_database();
  }
  std::unique_ptr<PgStore> open() {
    auto s = PgStore::open(uri_);
    EXPECT_TRUE(s.ok()) << s.error();
    return s.ok() ? std::move(s).value() : nullptr;
  }
  PgCluster* cluster_ = nullptr;
  std::string uri_;
};

// Instances racing on the same entries: each article is stored once, each alert queued once,
// and every loser learns the winner's ids (duplicate = true).
TEST_F(PgStoreTest, RacingInstancesStoreEachEntryAndAlertOnce) {
  constexpr int kInstances = 4, kArticles = 40;
  std::vector<std::unique_ptr<PgStore>> stores;
  for (int i = 0; i < kInstances; ++i) {
    stores.push_back(open());
    ASSERT_TRUE(stores.back());
  }
  std::atomic<int> stored{0}, duplicates{0}, alerts{0}, errors{0};
  std::vector<std::vector<std::int64_t>> ids(kInstances, std::vector<std::int64_t>(kArticles));
  std::vector<std::thread> threads;
  for (int i = 0; i < kInstances; ++i)
    threads.emplace_back([&, i] {
      for (int n = 0; n < kArticles; ++n) {
        const std::string key = std::to_string(n);
        auto r = stores[i]->add_article(news(key), {{"topic", "«خبر»"}},
                                        {NewAlert{"ops", "topic", "wid-" + key, "{}"}});
        if (!r) {
          ++errors;
          ADD_FAILURE() << r.error();
          continue;
        }
        ids[i][n] = r->article_id;
        (r->duplicate ? duplicates : stored)++;
        alerts += r->alerts_added;
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(stored.load(), kArticles);
  EXPECT_EQ(duplicates.load(), kArticles * (kInstances - 1));
  EXPECT_EQ(alerts.load(), kArticles);
  for (int n = 0; n < kArticles; ++n)
    for (int i = 1; i < kInstances; ++i) EXPECT_EQ(ids[i][n], ids[0][n]) << "article " << n;
  auto rows = stores[0]->outbox_rows("", "", 1000);
  ASSERT_TRUE(rows.ok()) << rows.error();
  EXPECT_EQ(rows->size(), static_cast<std::size_t>(kArticles));
}

// Instances whose timers fire together on the same due sources: each source is granted to
// exactly one of them (FOR UPDATE SKIP LOCKED + the lease), new sources included.
TEST_F(PgStoreTest, RacingInstancesLeaseEachDueSourceOnce) {
  constexpr int kInstances = 6, kSources = 30;
  std::vector<std::unique_ptr<PgStore>> stores;
  for (int i = 0; i < kInstances; ++i) {
    stores.push_back(open());
    ASSERT_TRUE(stores.back());
  }
  // Half the sources exist already (due), half are new.
  for (int n = 0; n < kSources; n += 2) {
    SourceState s;
    s.name = "s" + std::to_string(n);
    s.next_check = 1;
    ASSERT_TRUE(stores[0]->save_source(s).ok());
  }
  std::vector<std::atomic<int>> grants(kSources);
  std::atomic<int> errors{0}, denied{0};
  std::atomic<bool> go{false};
  const Millis now = now_ms();
  std::vector<std::thread> threads;
  for (int i = 0; i < kInstances; ++i)
    threads.emplace_back([&, i] {
      while (!go) std::this_thread::yield();
      for (int n = 0; n < kSources; ++n) {
        auto l = stores[i]->lease_source("s" + std::to_string(n), "inst" + std::to_string(i), now,
                                         60000, true);
        if (!l) {
          ++errors;
          ADD_FAILURE() << l.error();
        } else if (l->granted) {
          ++grants[n];
        } else {
          ++denied;
          EXPECT_GT(l->retry_at, now);
        }
      }
    });
  go = true;
  for (auto& t : threads) t.join();
  EXPECT_EQ(errors.load(), 0);
  for (int n = 0; n < kSources; ++n) EXPECT_EQ(grants[n].load(), 1) << "source s" << n;
  EXPECT_EQ(denied.load(), kSources * (kInstances - 1));
}

// Instances claiming due sources at the same instant, in batches smaller than the backlog:
// every source is claimed exactly once (FOR UPDATE SKIP LOCKED), none is lost, and none waits
// on another instance's row lock.
TEST_F(PgStoreTest, RacingInstancesClaimEachDueSourceOnce) {
  constexpr int kInstances = 6, kSources = 300, kRoom = 7;
  std::vector<std::unique_ptr<PgStore>> stores;
  for (int i = 0; i < kInstances; ++i) {
    stores.push_back(open());
    ASSERT_TRUE(stores.back());
  }
  std::vector<SourceSlot> slots;
  std::vector<std::string> names;
  for (int n = 0; n < kSources; ++n) {
    names.push_back("s" + std::to_string(n));
    slots.push_back({names.back(), "https://example.com/" + names.back(), 1});
  }
  ASSERT_TRUE(stores[0]->register_sources(slots, 0).ok());
  std::vector<std::atomic<int>> claims(kSources);
  std::atomic<int> errors{0};
  std::atomic<bool> go{false};
  const Millis now = now_ms();
  std::vector<std::thread> threads;
  for (int i = 0; i < kInstances; ++i)
    threads.emplace_back([&, i] {
      while (!go) std::this_thread::yield();
      for (;;) {
        auto c = stores[i]->claim_due(names, "inst" + std::to_string(i), now, 60000, kRoom);
        if (!c) {
          ++errors;
          ADD_FAILURE() << c.error();
          return;
        }
        for (const auto& st : c->due) ++claims[std::stoi(st.name.substr(1))];
        if (c->due.empty()) return;
      }
    });
  go = true;
  for (auto& t : threads) t.join();
  EXPECT_EQ(errors.load(), 0);
  for (int n = 0; n < kSources; ++n) EXPECT_EQ(claims[n].load(), 1) << "source s" << n;
}

// record_poll's `prepare` (story ids, alerts) runs after every other instance's poll that
// began before it has committed: it sees their articles (the writers' advisory lock).
TEST_F(PgStoreTest, RecordPollPrepareSeesWhatAnotherInstanceCommittedBefore) {
  auto a = open();
  auto b = open();
  ASSERT_TRUE(a && b);
  std::atomic<bool> a_inside{false};
  std::thread first([&] {
    PollRecord r;
    r.state.name = "one";
    r.articles.push_back({news("a", "one"), {}, {}, {}});
    auto res = a->record_poll(r, [&](PollRecord&) {
      a_inside = true;
      std::this_thread::sleep_for(std::chrono::milliseconds(300));
    });
    EXPECT_TRUE(res.ok()) << res.error();
  });
  while (!a_inside) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  std::size_t seen_by_b = 99;
  PollRecord r;
  r.state.name = "two";
  r.articles.push_back({news("b", "two"), {}, {}, {}});
  auto res = b->record_poll(r, [&](PollRecord&) {
    auto recent = b->recent_articles(0, 10);
    if (recent.ok()) seen_by_b = recent->size();
  });
  first.join();
  ASSERT_TRUE(res.ok()) << res.error();
  EXPECT_EQ(seen_by_b, 1u) << "the second poll's prepare ran before the first committed";
}

// The same articles and queries on both backends give the same answers: the tsquery over rasid's
// own terms finds what the FTS5 "rasid" tokenizer finds, for the queries rasid writes.
TEST_F(PgStoreTest, SearchAnswersAsSqliteDoes) {
  auto pg = open();
  ASSERT_TRUE(pg);
  const std::string dir = testing::make_temp_dir();
  auto lite = Store::open(dir + "/rasid.db");
  ASSERT_TRUE(lite.ok()) << lite.error();
  const std::vector<std::pair<std::string, std::string>> texts = {
      {"وإيران تعلن", "قالت طهران إن الاتفاق قائم"},
      {"الإيرانية", "المفاوضات النووية مستمرة"},
      {"مباراة كرة القدم", "فاز الفريق في المباراة النهائية"},
      {"إيـــران", "COVID-19 و G20"},
      {"Paris", "Le président a parlé à Beyrouth"},
  };
  int n = 0;
  for (const auto& [title, body] : texts) {
    NewArticle a = news(std::to_string(n++));
    a.title = title;
    a.body = body;
    ASSERT_TRUE(pg->add_article(a, {}, {}).ok());
    ASSERT_TRUE(lite.value()->add_article(a, {}, {}).ok());
  }
  auto canon = [](const std::vector<Article>& v) {
    std::vector<std::string> out;
    for (const auto& a : v) out.push_back(a.canonical);
    return out;
  };
  for (const std::string q :
       {"\"ايران\"", "\"إيران\"", "\"المباراة\"", "\"مباراة\" OR \"paris\"", "\"نووي\" *",
        "\"g20\"", "\"covid\"", "\"طهران\" \"الاتفاق\"", "(\"ايران\") AND (\"قائم\")",
        "\"الاتفاق\" NOT \"طهران\"", "\"beyrouth\""}) {
    auto a = pg->search(q, 50);
    auto b = lite.value()->search(q, 50);
    ASSERT_TRUE(a.ok()) << q << ": " << a.error();
    ASSERT_TRUE(b.ok()) << q << ": " << b.error();
    EXPECT_EQ(canon(a.value()), canon(b.value())) << q;
    std::vector<std::string> scanned;
    ASSERT_TRUE(pg->scan_articles(q, 0, [&](const Article& x) {
                    scanned.push_back(x.canonical);
                    return true;
                  }).ok());
    EXPECT_EQ(scanned, canon(b.value())) << q;
  }
  auto bad = pg->search("\"unterminated", 10);
  EXPECT_FALSE(bad.ok());
  std::filesystem::remove_all(dir);
}

// scan_articles pages through ids: every article once, newest first, and stopping works.
TEST_F(PgStoreTest, ScanStreamsEveryArticleOnceNewestFirst) {
  auto pg = open();
  ASSERT_TRUE(pg);
  constexpr int kArticles = 450;  // more than two pages
  for (int i = 0; i < kArticles; ++i)
    ASSERT_TRUE(pg->add_article(news(std::to_string(i)), {}, {}).ok());
  std::vector<std::int64_t> ids;
  ASSERT_TRUE(pg->scan_articles("", 0, [&](const Article& a) {
                  ids.push_back(a.id);
                  return true;
                }).ok());
  ASSERT_EQ(ids.size(), static_cast<std::size_t>(kArticles));
  EXPECT_TRUE(std::is_sorted(ids.rbegin(), ids.rend()));
  EXPECT_EQ(std::adjacent_find(ids.begin(), ids.end()), ids.end());
  int seen = 0;
  ASSERT_TRUE(pg->scan_articles("", 0, [&](const Article&) { return ++seen < 3; }).ok());
  EXPECT_EQ(seen, 3);
}

// A server restart: an idle store carries on with the next write. A write while the server is
// down fails with the reason, and the same write succeeds once the server is back.
TEST(PgStoreRestart, WritesCarryOnAcrossARestartAndAnOutage) {
  std::string why;
  auto cluster = PgCluster::start_new(&why);
  if (!cluster) GTEST_SKIP() << why;
  auto opened = PgStore::open(cluster->create_database());
  ASSERT_TRUE(opened.ok()) << opened.error();
  auto& store = *opened.value();
  ASSERT_TRUE(store.add_article(news("1"), {}, {}).ok());
  cluster->restart();
  auto after = store.add_article(news("2"), {{"t", "s"}}, {NewAlert{"ops", "t", "w2", "{}"}});
  ASSERT_TRUE(after.ok()) << after.error();
  EXPECT_FALSE(after->duplicate);
  auto recent = store.recent_articles(0, 10);
  ASSERT_TRUE(recent.ok()) << recent.error();
  EXPECT_EQ(recent->size(), 2u);

  cluster->stop();
  auto down = store.add_article(news("3"), {}, {});
  ASSERT_FALSE(down.ok());
  EXPECT_NE(down.error().find("storage: "), std::string::npos) << down.error();
  cluster->start();
  Result<AddResult> back = Error{"not tried"};
  // Attempts back off (100 ms doubling): the store is back within a few seconds of the server.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  while (!(back = store.add_article(news("3"), {}, {})).ok() &&
         std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  ASSERT_TRUE(back.ok()) << back.error();
  EXPECT_FALSE(back->duplicate);
  auto all = store.recent_articles(0, 10);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 3u);
}

}  // namespace
}  // namespace rasid::storage
