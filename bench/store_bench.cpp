// store_bench — throughput of the storage paths the daemon uses per article and per alert.
// Usage: store_bench [articles=5000] [dir=/tmp | postgresql://… URI of an empty database]
// Each article: ~3 KB of Arabic body, 2 matches, 2 outbox rows, written with add_article (one
// transaction each: article + FTS row + seen mark + matches + outbox). Then: seen() lookups,
// duplicate add_article, and draining the outbox with queue_heads + mark_delivered.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <string>

#include "storage/store.h"

using namespace rasid::storage;
using Clock = std::chrono::steady_clock;

static double secs(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}
static double cpu(std::clock_t a, std::clock_t b) {
  return static_cast<double>(b - a) / CLOCKS_PER_SEC;
}

int main(int argc, char** argv) {
  const int n = argc > 1 ? std::atoi(argv[1]) : 5000;
  const std::string dir = argc > 2 ? argv[2] : "/tmp";
  // A postgresql:// URI benchmarks the PostgreSQL backend instead (an empty database).
  const bool pg = dir.rfind("postgres", 0) == 0;
  const std::string path =
      pg ? dir : dir + "/rasid-store-bench-" + std::to_string(getpid()) + ".db";
  auto opened = Store::open(path);
  if (!opened.ok()) {
    std::fprintf(stderr, "%s\n", opened.error().c_str());
    return 1;
  }
  auto& store = *opened.value();
  std::string body;
  while (body.size() < 3000)
    body +=
        "قال مسؤولون في وزارة الخارجية إن المحادثات بين الوفدين استمرت ساعات طويلة، "
        "وتناولت ملفات الإعمار والطاقة والحدود.\n";

  auto t0 = Clock::now();
  const auto c0 = std::clock();
  for (int i = 0; i < n; ++i) {
    NewArticle a;
    a.source = "src" + std::to_string(i % 20);
    a.entry_key = "guid-" + std::to_string(i);
    a.url = a.canonical = "https://example.net/news/" + std::to_string(i);
    a.title = "محادثات سورية إيرانية رقم " + std::to_string(i);
    a.body = body;
    a.lang = "ar";
    std::vector<NewAlert> alerts;
    for (const char* hook : {"desk", "ops"})
      alerts.push_back({hook, "syria", std::string(hook) + "-" + std::to_string(i),
                        R"({"type":"article.matched","version":1})"});
    auto r = store.add_article(a, {{"syria", "«سوريا»"}, {"iran", "«إيران»"}}, alerts);
    if (!r.ok()) {
      std::fprintf(stderr, "%s\n", r.error().c_str());
      return 1;
    }
  }
  auto t1 = Clock::now();
  const auto c1 = std::clock();
  int hits = 0;
  for (int i = 0; i < n; ++i) {
    auto s = store.seen("src" + std::to_string(i % 20), "guid-" + std::to_string(i));
    hits += s.ok() && s.value();
  }
  auto t2 = Clock::now();
  const auto c2 = std::clock();
  int dups = 0;
  for (int i = 0; i < n; i += 5) {
    NewArticle a;
    a.source = "other";
    a.entry_key = "x" + std::to_string(i);
    a.url = a.canonical = "https://example.net/news/" + std::to_string(i);
    a.title = "dup";
    auto r = store.add_article(a, {}, {});
    dups += r.ok() && r.value().duplicate;
  }
  auto t3 = Clock::now();
  const auto c3 = std::clock();
  int delivered = 0;
  for (;;) {
    auto heads = store.queue_heads(100);
    if (!heads.ok() || heads.value().empty()) break;
    for (const auto& h : heads.value()) delivered += store.mark_delivered(h.id, 1).ok();
  }
  auto t4 = Clock::now();
  const auto c4 = std::clock();
  const auto size = pg ? 0 : std::filesystem::file_size(path);
  std::printf(
      "add_article (2 matches, 2 alerts, 3 KB body): %d in %.2f s = %.0f articles/s "
      "(CPU %.2f s = %.0f us/article)\n",
      n, secs(t0, t1), n / secs(t0, t1), cpu(c0, c1), 1e6 * cpu(c0, c1) / n);
  std::printf("seen() lookups: %d hits in %.3f s = %.0f/s (CPU %.1f us each)\n", hits, secs(t1, t2),
              n / secs(t1, t2), 1e6 * cpu(c1, c2) / n);
  std::printf("duplicate add_article: %d in %.3f s = %.0f/s (CPU %.1f us each)\n", dups,
              secs(t2, t3), dups / secs(t2, t3), 1e6 * cpu(c2, c3) / dups);
  std::printf(
      "outbox drain (queue_heads + mark_delivered): %d rows in %.2f s = %.0f rows/s "
      "(CPU %.0f us/row)\n",
      delivered, secs(t3, t4), delivered / secs(t3, t4), 1e6 * cpu(c3, c4) / delivered);
  if (!pg) std::printf("database size: %.1f MB (%s)\n", size / 1e6, path.c_str());
  opened.value().reset();
  if (!pg)
    for (const char* ext : {"", "-wal", "-shm"}) std::filesystem::remove(path + ext);
  return hits == n && dups == (n + 4) / 5 && delivered == 2 * n ? 0 : 1;
}
