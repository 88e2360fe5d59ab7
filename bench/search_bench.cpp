// bench/search_bench.cpp — search over history on the ANT corpus: indexing with the "rasid" FTS5
// tokenizer (vs unicode61), query latency of `rasid search` (top 20) and `rasid topics test`
// (count every match), and exactness against evaluating the query on every article.
//   cmake --build <build> --target bench_search && <build>/bench_search [--queries N] [--brute N]
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "bench/ant_corpus.h"
#include "daemon/commands.h"
#include "storage/sqlite_store.h"

using namespace rasid;
using Clock = std::chrono::steady_clock;

namespace {

double secs(Clock::time_point a) { return std::chrono::duration<double>(Clock::now() - a).count(); }

std::int64_t scalar(sqlite3* db, const std::string& sql) {
  sqlite3_stmt* st = nullptr;
  std::int64_t v = -1;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) == SQLITE_OK &&
      sqlite3_step(st) == SQLITE_ROW)
    v = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  return v;
}

double pct(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())))];
}

}  // namespace

int main(int argc, char** argv) {
  int nqueries = 300, nbrute = 60;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--queries") nqueries = std::atoi(argv[i + 1]);
    if (a == "--brute") nbrute = std::atoi(argv[i + 1]);
  }
  const std::string tarball = std::string(RASID_SHARED_DIR) + "/corpus/ant/ant-v1.1.tar.gz";
  auto docs = bench::load_ant(tarball);
  if (docs.empty()) {
    std::fprintf(stderr, "cannot load %s\n", tarball.c_str());
    return 1;
  }
  char tmpl[] = "/tmp/rasid-search-bench-XXXXXX";
  if (!mkdtemp(tmpl)) return 1;
  const std::string db_path = std::string(tmpl) + "/rasid.db";
  auto opened = storage::SqliteStore::open(db_path);
  if (!opened) {
    std::fprintf(stderr, "%s\n", opened.error().c_str());
    return 1;
  }
  auto store = std::move(opened).value();
  sqlite3* db = store->handle();

  // Indexing: every article through add_article (one transaction each, as the daemon does).
  auto t0 = Clock::now();
  for (std::size_t i = 0; i < docs.size(); ++i) {
    storage::NewArticle a;
    a.source = docs[i].source.empty() ? "ant" : docs[i].source;
    a.entry_key = std::to_string(i);
    a.url = a.canonical = "https://ant.test/" + std::to_string(i);
    a.title = docs[i].title;
    a.body = docs[i].body;
    a.lang = "ar";
    if (!store->add_article(a, {}, {})) return 1;
  }
  const double t_add = secs(t0);
  auto fts_bytes = [&](const char* like) {
    return scalar(db, std::string("SELECT sum(pgsize) FROM dbstat WHERE name LIKE '") + like + "'");
  };
  const auto rasid_bytes = fts_bytes("articles_fts%");
  const auto text_bytes = fts_bytes("articles");
  t0 = Clock::now();
  sqlite3_exec(db,
               "CREATE VIRTUAL TABLE u61 USING fts5(title, body, content='articles', "
               "content_rowid='id', tokenize='unicode61 remove_diacritics 2');"
               "INSERT INTO u61(u61) VALUES ('rebuild');",
               nullptr, nullptr, nullptr);
  const double t_u61 = secs(t0);
  t0 = Clock::now();
  sqlite3_exec(db, "INSERT INTO articles_fts(articles_fts) VALUES ('rebuild');", nullptr, nullptr,
               nullptr);
  const double t_rebuild = secs(t0);
  const auto u61_bytes = fts_bytes("u61%");
  std::printf("articles: %zu (text %.1f MB)\n", docs.size(), static_cast<double>(text_bytes) / 1e6);
  std::printf("add_article incl. rasid FTS: %.0f articles/s\n",
              static_cast<double>(docs.size()) / t_add);
  std::printf("FTS rebuild: rasid %.2f s (%.0f articles/s), unicode61 %.2f s\n", t_rebuild,
              static_cast<double>(docs.size()) / t_rebuild, t_u61);
  std::printf("FTS index size: rasid %.1f MB, unicode61 %.1f MB\n",
              static_cast<double>(rasid_bytes) / 1e6, static_cast<double>(u61_bytes) / 1e6);

  // Queries drawn from the corpus (seeded): words of ≥ 3 letters of random articles.
  std::mt19937 rng(42);
  auto pick_doc = [&]() -> const match::Document& {
    return docs[std::uniform_int_distribution<std::size_t>(0, docs.size() - 1)(rng)];
  };
  auto pick_words = [&](std::size_t n) {
    for (;;) {
      auto ws = text::words(pick_doc().body);
      if (ws.size() < n + 1) continue;
      std::size_t at = std::uniform_int_distribution<std::size_t>(0, ws.size() - n)(rng);
      std::vector<std::string> out(ws.begin() + static_cast<long>(at),
                                   ws.begin() + static_cast<long>(at + n));
      bool ok = std::all_of(out.begin(), out.end(), [](const std::string& w) {
        return text::is_arabic_word(w) && w.size() >= 6;  // ≥ 3 letters
      });
      if (ok) return out;
    }
  };
  struct Q {
    std::string text, shape;
  };
  std::vector<Q> queries;
  for (int i = 0; i < nqueries; ++i) {
    const int s = i % 10;
    if (s < 4) {
      queries.push_back({pick_words(1)[0], "word"});
    } else if (s < 6) {
      queries.push_back({pick_words(1)[0] + " " + pick_words(1)[0], "a b"});
    } else if (s < 8) {
      queries.push_back({pick_words(1)[0] + " OR " + pick_words(1)[0], "a OR b"});
    } else if (s == 8) {
      auto w = pick_words(2);
      queries.push_back({"\"" + w[0] + " " + w[1] + "\"", "phrase"});
    } else {
      auto w = pick_words(1)[0];
      queries.push_back({w.substr(0, std::min<std::size_t>(w.size(), 8)) + "*", "prefix"});
    }
  }

  std::vector<double> top_ms, all_ms, cand_share;
  long total_matched = 0, mismatches = 0, brute_done = 0, u61_words = 0, u61_found = 0,
       rasid_found = 0;
  double brute_ms = 0;
  for (std::size_t i = 0; i < queries.size(); ++i) {
    auto q = match::Query::parse(queries[i].text);
    if (!q) continue;
    t0 = Clock::now();
    auto top = daemon::search_history(*store, q.value(), 0, 20, false);
    top_ms.push_back(secs(t0) * 1000);
    t0 = Clock::now();
    auto all = daemon::search_history(*store, q.value(), 0, 0, true);
    all_ms.push_back(secs(t0) * 1000);
    if (!top || !all) {
      std::fprintf(stderr, "%s: %s\n", queries[i].text.c_str(),
                   (!top ? top.error() : all.error()).c_str());
      return 1;
    }
    total_matched += all->matched;
    cand_share.push_back(static_cast<double>(all->candidates) / static_cast<double>(docs.size()));
    if (queries[i].shape == "word") {
      // How many of these articles unicode61 finds for the same word as typed in the article.
      ++u61_words;
      u61_found +=
          scalar(db, "SELECT count(*) FROM u61 WHERE u61 MATCH '\"" + queries[i].text + "\"'");
      rasid_found += all->matched;
    }
    if (static_cast<long>(i) < nbrute) {
      t0 = Clock::now();
      long n = 0;
      for (const auto& d : docs) n += q->matches(d);
      brute_ms += secs(t0) * 1000;
      ++brute_done;
      if (n != all->matched) {
        ++mismatches;
        std::fprintf(stderr, "mismatch %s: brute %ld, search %d\n", queries[i].text.c_str(), n,
                     all->matched);
      }
    }
  }
  std::printf("queries: %zu (40%% word, 20%% a b, 20%% a OR b, 10%% phrase, 10%% prefix*)\n",
              top_ms.size());
  std::printf("rasid search (top 20): median %.2f ms, p95 %.2f ms\n", pct(top_ms, 0.5),
              pct(top_ms, 0.95));
  std::printf("topics test (count all): median %.2f ms, p95 %.2f ms, mean matches %.1f\n",
              pct(all_ms, 0.5), pct(all_ms, 0.95),
              static_cast<double>(total_matched) / static_cast<double>(top_ms.size()));
  std::printf("candidates / articles: median %.4f, p95 %.4f\n", pct(cand_share, 0.5),
              pct(cand_share, 0.95));
  std::printf("brute force (Query::matches on every article in memory): %.1f ms/query\n",
              brute_done ? brute_ms / static_cast<double>(brute_done) : 0.0);
  std::printf("exactness vs brute force: %ld mismatches / %ld queries\n", mismatches, brute_done);
  std::printf("one-word queries: rasid finds %ld articles, unicode61 %ld (%.0f%% of them)\n",
              rasid_found, u61_found,
              rasid_found
                  ? 100.0 * static_cast<double>(u61_found) / static_cast<double>(rasid_found)
                  : 0.0);
  store.reset();
  std::filesystem::remove_all(tmpl);
  return mismatches == 0 ? 0 : 2;
}
