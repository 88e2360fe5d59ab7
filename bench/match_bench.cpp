// bench/match_bench.cpp — topics × articles/s on one core, presearcher vs brute force, memory.
//
// Extracts ../shared/corpus/ant/ant-v1.1.tar.gz into a temporary directory, generates topics
// from the corpus vocabulary (mid-frequency words, real bigrams for phrases) and the TREC 2002
// Arabic topic titles, then matches every article against 1k / 10k / 100k topics.
//   bench_match [--topics 1000,10000,100000] [--articles N] [--brute N] [--seed S]
#include <dirent.h>
#include <malloc.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <unordered_map>
#include <vector>

#include "bench/ant_corpus.h"
#include "match/matcher.h"
#include "text/text.h"

using namespace rasid;

namespace {

using Clock = std::chrono::steady_clock;

double secs(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

// CPU time of this thread: "articles/s on one core" even when the machine is busy.
double cpu_now() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

std::vector<std::string> trec_title_words(const std::string& path) {
  std::vector<std::string> out;
  std::istringstream in(rasid::bench::read_all(path));
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("<title>", 0) != 0) continue;
    for (auto& w : text::words(line.substr(7))) {
      if (text::is_arabic_word(w) && w.size() >= 6) out.push_back(w);
    }
  }
  return out;
}

struct Vocab {
  std::vector<std::string> words;                            // mid-frequency corpus words
  std::vector<std::pair<std::string, std::string>> bigrams;  // real adjacent word pairs
};

Vocab build_vocab(const std::vector<match::Document>& docs, const std::vector<std::string>& trec,
                  double max_df) {
  std::unordered_map<std::string, int> df;
  std::map<std::pair<std::string, std::string>, int> bi;
  for (std::size_t i = 0; i < docs.size(); ++i) {
    auto w = text::words(docs[i].body);
    std::set<std::string> seen(w.begin(), w.end());
    for (const auto& x : seen) ++df[x];
    if (i % 10 == 0) {
      for (std::size_t k = 1; k < w.size(); ++k) {
        if (w[k].size() >= 6 && w[k - 1].size() >= 6) ++bi[{w[k - 1], w[k]}];
      }
    }
  }
  Vocab v;
  const int lo = 3, hi = std::max(lo, static_cast<int>(static_cast<double>(docs.size()) * max_df));
  for (const auto& [w, n] : df) {
    if (n >= lo && n <= hi && w.size() >= 6 && text::is_arabic_word(w)) v.words.push_back(w);
  }
  std::sort(v.words.begin(), v.words.end());
  for (const auto& w : trec) v.words.push_back(w);
  for (const auto& [p, n] : bi) {
    if (n >= 2) v.bigrams.push_back(p);
  }
  return v;
}

std::string make_query(std::mt19937_64& rng, const Vocab& v) {
  auto w = [&] { return v.words[rng() % v.words.size()]; };
  auto ph = [&] {
    const auto& b = v.bigrams[rng() % v.bigrams.size()];
    return "\"" + b.first + " " + b.second + "\"";
  };
  switch (rng() % 10) {
    case 0:
    case 1:
      return w();
    case 2:
      return w() + " " + w();
    case 3:
      return w() + " OR " + w() + " OR " + w();
    case 4:
      return "(" + w() + " OR " + w() + ") " + w() + " -" + w();
    case 5:
      return ph();
    case 6:
      return ph() + " OR " + w();
    case 7:
      return w() + " NEAR/5 " + w();
    case 8: {
      // A stem-like prefix: the word without its article, first five characters, then *.
      std::string x = w();
      if (x.rfind("ال", 0) == 0 && x.size() > 10) x = x.substr(4);
      return x.substr(0, std::min<std::size_t>(x.size(), 10)) + "*";
    }
    default:
      return "title:" + w() + " OR " + ph();
  }
}

std::vector<int> ids(const std::vector<match::TopicMatch>& v) {
  std::vector<int> out;
  for (const auto& m : v) out.push_back(m.topic);
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<int> topic_counts{1000, 10000, 100000};
  std::size_t max_articles = 0, brute = 300;
  unsigned seed = 1;
  double max_df = 0.005;
  std::string tarball = std::string(RASID_SHARED_DIR) + "/corpus/ant/ant-v1.1.tar.gz";
  std::string trec =
      std::string(RASID_SHARED_DIR) + "/corpus/trec02-arabic-topics/topics.trec02ar-ar.txt";
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (a == "--topics") {
      topic_counts.clear();
      std::stringstream ss(next());
      std::string x;
      while (std::getline(ss, x, ',')) topic_counts.push_back(std::atoi(x.c_str()));
    } else if (a == "--articles") {
      max_articles = std::strtoul(next().c_str(), nullptr, 10);
    } else if (a == "--brute") {
      brute = std::strtoul(next().c_str(), nullptr, 10);
    } else if (a == "--seed") {
      seed = static_cast<unsigned>(std::atoi(next().c_str()));
    } else if (a == "--max-df") {
      max_df = std::atof(next().c_str());
    } else if (a == "--corpus") {
      tarball = next();
    } else {
      std::fprintf(stderr,
                   "usage: bench_match [--topics 1000,10000,100000] [--articles N] [--brute N] "
                   "[--seed S] [--max-df 0.005] [--corpus ant.tar.gz]\n");
      return 2;
    }
  }

  auto t0 = Clock::now();
  std::vector<match::Document> docs = rasid::bench::load_ant(tarball);
  if (docs.empty()) {
    std::fprintf(stderr, "no articles in %s\n", tarball.c_str());
    return 1;
  }
  if (max_articles && docs.size() > max_articles) docs.resize(max_articles);
  std::size_t bytes = 0;
  for (const auto& d : docs) bytes += d.title.size() + d.body.size();
  auto t1 = Clock::now();
  Vocab vocab = build_vocab(docs, trec_title_words(trec), max_df);
  auto t2 = Clock::now();
  std::printf(
      "corpus: %zu articles, %.1f MB text (load %.1fs); vocabulary %zu words (document frequency "
      "3..%.2f%%, plus TREC 2002 title words), %zu bigrams (%.1fs)\n",
      docs.size(), bytes / 1e6, secs(t0, t1), vocab.words.size(), max_df * 100,
      vocab.bigrams.size(), secs(t1, t2));

  // Analysis alone (tokenize + normalize), the floor under any matcher.
  {
    const double a = cpu_now();
    std::size_t toks = 0;
    for (const auto& d : docs)
      toks += text::tokenize(d.title).size() + text::tokenize(d.body).size();
    const double b = cpu_now();
    std::printf("tokenize+normalize only: %.0f articles/s, %.1f MB/s, %zu words (CPU time)\n",
                docs.size() / (b - a), bytes / 1e6 / (b - a), toks);
  }

  std::printf(
      "\n| topics | presearch articles/s | brute force articles/s | speed-up | "
      "candidates/article | matches/article | build s | topics heap MB | peak RSS MB | "
      "mismatches |\n|---|---|---|---|---|---|---|---|---|---|\n");
  for (int n : topic_counts) {
    std::mt19937_64 rng(seed);
    const std::size_t heap0 = mallinfo2().uordblks;
    auto b0 = Clock::now();
    match::Matcher m;
    {
      std::vector<match::Query> qs;
      for (int i = 0; i < n; ++i) {
        auto q = match::Query::parse(make_query(rng, vocab));
        if (q.ok()) m.add(i, q.value());
      }
    }
    auto b1 = Clock::now();
    const std::size_t heap1 = mallinfo2().uordblks;

    std::size_t matches = 0;
    const double p0 = cpu_now();
    for (const auto& d : docs) matches += m.match(d).size();
    const double pres = static_cast<double>(docs.size()) / (cpu_now() - p0);

    std::size_t cands = 0;
    const std::size_t nb = std::min(brute, docs.size());
    for (std::size_t i = 0; i < nb; ++i) cands += m.count_candidates(docs[i * (docs.size() / nb)]);
    std::size_t mismatches = 0;
    const double f0 = cpu_now();
    for (std::size_t i = 0; i < nb; ++i) {
      auto slow = m.match_brute_force(docs[i * (docs.size() / nb)]);
      (void)slow;
    }
    const double bf = static_cast<double>(nb) / (cpu_now() - f0);
    for (std::size_t i = 0; i < nb; ++i) {
      const auto& d = docs[i * (docs.size() / nb)];
      if (ids(m.match(d)) != ids(m.match_brute_force(d))) ++mismatches;
    }
    std::printf("| %d | %.0f | %.1f | %.1f× | %.1f | %.2f | %.2f | %.1f | %.1f | %zu/%zu |\n", n,
                pres, bf, pres / bf, static_cast<double>(cands) / nb,
                static_cast<double>(matches) / docs.size(), secs(b0, b1),
                (static_cast<double>(heap1) - static_cast<double>(heap0)) / 1e6,
                rasid::bench::status_kb("VmHWM:") / 1024.0, mismatches, nb);
    std::fflush(stdout);
  }
  return 0;
}
