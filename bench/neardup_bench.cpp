// bench/neardup_bench.cpp — "one alert per story" on ANT: MinHash + LSH candidates, exact Jaccard
// check, union-find clusters. Reports the exact-duplicate groups caught, LSH recall against an
// exhaustive check on a sample, cluster figures, and prints merged non-identical pairs for a
// check by hand.
//   bench_neardup [--threshold 0.5] [--k 3] [--sample 2000] [--show 25]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <random>
#include <unordered_map>

#include "bench/ant_corpus.h"

using namespace rasid;

namespace {

struct UnionFind {
  std::vector<std::size_t> p;
  explicit UnionFind(std::size_t n) : p(n) {
    for (std::size_t i = 0; i < n; ++i) p[i] = i;
  }
  std::size_t find(std::size_t x) {
    while (p[x] != x) x = p[x] = p[p[x]];
    return x;
  }
  void unite(std::size_t a, std::size_t b) { p[find(a)] = find(b); }
};

std::string head(const std::string& s, std::size_t chars) {
  std::size_t i = 0, n = 0;
  while (i < s.size() && n < chars) {
    ++i;
    while (i < s.size() && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) ++i;
    ++n;
  }
  return s.substr(0, i);
}

}  // namespace

int main(int argc, char** argv) {
  double threshold = 0.5;
  std::size_t k = 3, sample = 2000, show = 25;
  std::string tarball = std::string(RASID_SHARED_DIR) + "/corpus/ant/ant-v1.1.tar.gz";
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string { return i + 1 < argc ? argv[++i] : "0"; };
    if (a == "--threshold") {
      threshold = std::atof(next().c_str());
    } else if (a == "--k") {
      k = std::strtoul(next().c_str(), nullptr, 10);
    } else if (a == "--sample") {
      sample = std::strtoul(next().c_str(), nullptr, 10);
    } else if (a == "--show") {
      show = std::strtoul(next().c_str(), nullptr, 10);
    } else if (a == "--corpus") {
      tarball = next();
    } else {
      std::fprintf(stderr,
                   "usage: bench_neardup [--threshold 0.5] [--k 3] [--sample N] [--show N]\n");
      return 2;
    }
  }
  std::vector<std::string> ids;
  std::vector<match::Document> docs = bench::load_ant(tarball, &ids);
  if (docs.empty()) {
    std::fprintf(stderr, "no articles in %s\n", tarball.c_str());
    return 1;
  }
  const std::size_t n = docs.size();

  // Fingerprints.
  auto t0 = std::chrono::steady_clock::now();
  std::vector<std::vector<std::uint64_t>> sh(n);
  std::vector<std::vector<std::uint64_t>> bands(n);
  std::vector<std::string> joined(n);
  for (std::size_t i = 0; i < n; ++i) {
    std::vector<std::string> w = text::words(docs[i].body);
    for (const auto& x : w) joined[i] += x + " ";
    sh[i] = text::shingles(w, k);
    if (!sh[i].empty()) bands[i] = text::lsh_bands(text::minhash(sh[i]));
  }
  auto t1 = std::chrono::steady_clock::now();

  // LSH candidates → exact Jaccard → clusters.
  std::unordered_map<std::uint64_t, std::vector<std::uint32_t>> buckets;
  for (std::size_t i = 0; i < n; ++i) {
    for (std::uint64_t b : bands[i]) buckets[b].push_back(static_cast<std::uint32_t>(i));
  }
  std::map<std::pair<std::uint32_t, std::uint32_t>, double> checked;
  std::size_t candidate_pairs = 0;
  UnionFind uf(n);
  for (const auto& [key, list] : buckets) {
    for (std::size_t a = 0; a < list.size(); ++a) {
      for (std::size_t b = a + 1; b < list.size(); ++b) {
        auto p = std::make_pair(list[a], list[b]);
        if (checked.count(p)) continue;
        ++candidate_pairs;
        const double j = text::jaccard(sh[p.first], sh[p.second]);
        checked[p] = j;
        if (j >= threshold) uf.unite(p.first, p.second);
      }
    }
  }
  auto t2 = std::chrono::steady_clock::now();

  // Exact-duplicate groups: identical normalized text.
  std::unordered_map<std::string, std::vector<std::size_t>> exact;
  for (std::size_t i = 0; i < n; ++i) {
    if (!joined[i].empty()) exact[joined[i]].push_back(i);
  }
  std::size_t groups = 0, caught = 0, dup_docs = 0;
  for (const auto& [t, g] : exact) {
    if (g.size() < 2) continue;
    ++groups;
    dup_docs += g.size();
    bool same = true;
    for (std::size_t x : g) same = same && uf.find(x) == uf.find(g[0]);
    caught += same;
  }
  std::unordered_map<std::size_t, std::vector<std::size_t>> clusters;
  for (std::size_t i = 0; i < n; ++i) clusters[uf.find(i)].push_back(i);
  std::size_t multi = 0, in_multi = 0, biggest = 0;
  for (const auto& [r, c] : clusters) {
    if (c.size() < 2) continue;
    ++multi;
    in_multi += c.size();
    biggest = std::max(biggest, c.size());
  }

  // Recall of LSH against exhaustive Jaccard on a random sample of documents.
  std::mt19937 rng(3);
  std::vector<std::size_t> idx(n);
  for (std::size_t i = 0; i < n; ++i) idx[i] = i;
  std::shuffle(idx.begin(), idx.end(), rng);
  idx.resize(std::min(sample, n));
  std::size_t truth = 0, found = 0;
  std::map<int, std::size_t> bins;  // Jaccard decile → pairs above threshold in the sample
  for (std::size_t a = 0; a < idx.size(); ++a) {
    for (std::size_t b = a + 1; b < idx.size(); ++b) {
      std::uint32_t x = static_cast<std::uint32_t>(std::min(idx[a], idx[b]));
      std::uint32_t y = static_cast<std::uint32_t>(std::max(idx[a], idx[b]));
      if (sh[x].empty() || sh[y].empty()) continue;
      const double j = text::jaccard(sh[x], sh[y]);
      if (j < threshold) continue;
      ++truth;
      ++bins[static_cast<int>(j * 10)];
      found += checked.count({x, y}) > 0;
    }
  }

  std::printf(
      "ANT: %zu articles; k=%zu word shingles, MinHash %zu, LSH %zu bands × %zu rows, "
      "Jaccard ≥ %.2f\n",
      n, k, text::kMinHashSize, text::kLshBands, text::kMinHashSize / text::kLshBands, threshold);
  std::printf(
      "fingerprints: %.2f s (%.0f articles/s); LSH + exact check: %.2f s, %zu candidate "
      "pairs\n",
      std::chrono::duration<double>(t1 - t0).count(),
      n / std::chrono::duration<double>(t1 - t0).count(),
      std::chrono::duration<double>(t2 - t1).count(), candidate_pairs);
  std::printf(
      "exact-duplicate groups (identical normalized text): %zu groups, %zu articles; "
      "caught whole in one cluster: %zu/%zu\n",
      groups, dup_docs, caught, groups);
  std::printf("clusters with ≥ 2 articles: %zu (%zu articles, largest %zu)\n", multi, in_multi,
              biggest);
  std::printf(
      "LSH recall on a %zu-article sample (all pairs checked exactly): %zu/%zu pairs ≥ "
      "%.2f found\n",
      idx.size(), found, truth, threshold);

  // Merged pairs that are not identical texts, for a check by hand.
  std::vector<std::tuple<double, std::uint32_t, std::uint32_t>> merged;
  for (const auto& [p, j] : checked) {
    if (j >= threshold && joined[p.first] != joined[p.second])
      merged.emplace_back(j, p.first, p.second);
  }
  std::sort(merged.begin(), merged.end());
  std::printf("merged non-identical pairs: %zu; lowest-similarity ones first:\n", merged.size());
  for (std::size_t i = 0; i < merged.size() && i < show; ++i) {
    auto [j, a, b] = merged[i];
    std::printf("  J=%.2f  %s | %s\n    A: %s\n    B: %s\n", j, ids[a].c_str(), ids[b].c_str(),
                head(docs[a].title + " — " + docs[a].body, 110).c_str(),
                head(docs[b].title + " — " + docs[b].body, 110).c_str());
  }
  return 0;
}
