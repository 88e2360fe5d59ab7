// bench/feed_bench.cpp — feed parsing speed: rasid (decode_feed + parse_feed) against Debian's
// python3-feedparser over the same files in the same run.
//
//   cmake --build build-parse --target feed_bench && build-parse/feed_bench
//
// Sets: ../shared/corpus/feeds-ar (two 50-item Arabic feeds, UTF-8 and windows-1256) and the
// feedparser tier1 list (213 small files). Each set is parsed repeatedly for at least
// --seconds (default 2) by each side; the figure is the best pass. feedparser runs in one
// python3 process that times only feedparser.parse() over bytes already in memory.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "parse/parser.h"

namespace {

std::string read(const std::string& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct Set {
  std::string name;
  std::vector<std::string> paths;
  std::vector<std::string> bytes;
  std::size_t total = 0;
};

double rasid_pass_seconds(const Set& s, double min_seconds, std::size_t& entries) {
  using clock = std::chrono::steady_clock;
  double best = 1e9, spent = 0;
  int passes = 0;
  while (spent < min_seconds || passes < 3) {
    auto t0 = clock::now();
    std::size_t n = 0;
    for (const auto& b : s.bytes) {
      auto f = rasid::parse::parse_feed_bytes(b, "", "https://example.com/feed");
      if (f.ok()) n += f->entries.size();
    }
    double dt = std::chrono::duration<double>(clock::now() - t0).count();
    best = std::min(best, dt);
    spent += dt;
    ++passes;
    entries = n;
  }
  return best;
}

double feedparser_pass_seconds(const Set& s, double min_seconds, std::string& version) {
  std::string list = "/tmp/rasid_feed_bench_" + s.name + ".txt";
  {
    std::ofstream out(list);
    for (const auto& p : s.paths) out << p << "\n";
  }
  std::string script = "/tmp/rasid_feed_bench.py";
  {
    std::ofstream py(script);
    py << "import sys, time, feedparser\n"
          "paths = [l.strip() for l in open(sys.argv[1]) if l.strip()]\n"
          "data = [open(p, 'rb').read() for p in paths]\n"
          "best, spent, passes = 1e9, 0.0, 0\n"
          "while spent < float(sys.argv[2]) or passes < 3:\n"
          "    t0 = time.perf_counter()\n"
          "    for d in data: feedparser.parse(d)\n"
          "    dt = time.perf_counter() - t0\n"
          "    best = min(best, dt); spent += dt; passes += 1\n"
          "print(best, feedparser.__version__)\n";
  }
  std::string cmd = "/usr/bin/python3 " + script + " " + list + " " + std::to_string(min_seconds);
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return -1;
  char buf[256] = {0};
  double secs = -1;
  if (std::fgets(buf, sizeof buf, p) != nullptr) {
    char ver[64] = {0};
    if (std::sscanf(buf, "%lf %63s", &secs, ver) >= 1) version = ver;
  }
  if (pclose(p) != 0) secs = -1;
  return secs;
}

}  // namespace

int main(int argc, char** argv) {
  std::string shared = RASID_SHARED_DIR;
  double seconds = 2.0;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--seconds" && i + 1 < argc)
      seconds = std::atof(argv[++i]);
    else if (a == "--shared" && i + 1 < argc)
      shared = argv[++i];
    else {
      std::printf("usage: feed_bench [--seconds S] [--shared DIR]\n");
      return 2;
    }
  }
  std::vector<Set> sets;
  Set ar{"feeds-ar", {}, {}, 0};
  for (const char* f : {"arabic_rss_50items.xml", "arabic_rss_50items_cp1256.xml"})
    ar.paths.push_back(shared + "/corpus/feeds-ar/" + f);
  sets.push_back(ar);
  Set t1{"tier1", {}, {}, 0};
  {
    std::ifstream in(shared + "/corpus/feedparser/subset_tier1_core.txt");
    std::string line;
    while (std::getline(in, line))
      if (!line.empty()) t1.paths.push_back(shared + "/corpus/feedparser/tests/" + line);
  }
  sets.push_back(t1);
  std::printf(
      "| set | files | bytes | rasid ms/pass | rasid MB/s | feedparser ms/pass | speed-up |\n");
  std::printf("|---|---:|---:|---:|---:|---:|---:|\n");
  std::string version;
  for (auto& s : sets) {
    for (const auto& p : s.paths) {
      s.bytes.push_back(read(p));
      s.total += s.bytes.back().size();
    }
    if (s.total == 0) {
      std::fprintf(stderr, "%s: corpus missing under %s\n", s.name.c_str(), shared.c_str());
      return 1;
    }
    std::size_t entries = 0;
    double r = rasid_pass_seconds(s, seconds, entries);
    double fp = feedparser_pass_seconds(s, seconds, version);
    char fp_ms[32] = "n/a", ratio[32] = "n/a";
    if (fp > 0) {
      std::snprintf(fp_ms, sizeof fp_ms, "%.2f", fp * 1e3);
      std::snprintf(ratio, sizeof ratio, "%.0f×", fp / r);
    }
    std::printf("| %s (%zu entries) | %zu | %zu | %.3f | %.1f | %s | %s |\n", s.name.c_str(),
                entries, s.paths.size(), s.total, r * 1e3, s.total / r / 1e6, fp_ms, ratio);
  }
  std::printf("\nfeedparser %s (python3 %s)\n", version.empty() ? "not installed" : version.c_str(),
              "/usr/bin/python3");
  return 0;
}
