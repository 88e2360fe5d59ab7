// bench/ant_corpus.h — loading the ANT corpus (TREC-style files in a tar.gz) for benchmarks.
#pragma once

#include <dirent.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "match/matcher.h"
#include "text/text.h"

namespace rasid::bench {

inline long status_kb(const char* key) {
  std::ifstream f("/proc/self/status");
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind(key, 0) == 0) return std::atol(line.c_str() + std::strlen(key));
  }
  return 0;
}

inline std::string read_all(const std::string& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

inline std::string between(const std::string& s, const std::string& a, const std::string& b) {
  std::size_t i = s.find(a);
  if (i == std::string::npos) return {};
  i += a.size();
  std::size_t j = s.find(b, i);
  if (j == std::string::npos) return {};
  return s.substr(i, j - i);
}

inline void list_files(const std::string& dir, std::vector<std::string>& out) {
  DIR* d = opendir(dir.c_str());
  if (!d) return;
  while (dirent* e = readdir(d)) {
    std::string n = e->d_name;
    if (n == "." || n == "..") continue;
    std::string p = dir + "/" + n;
    if (e->d_type == DT_DIR) {
      list_files(p, out);
    } else if (n.size() > 4 && n.substr(n.size() - 4) == ".txt") {
      out.push_back(p);
    }
  }
  closedir(d);
}

// Extracts the tarball into a temporary directory (removed afterwards); documents with neither
// title nor text are skipped. Sorted by file name, so runs are repeatable.
inline std::vector<match::Document> load_ant(const std::string& tarball,
                                             std::vector<std::string>* ids = nullptr) {
  char tmpl[] = "/tmp/rasid-ant-XXXXXX";
  if (!mkdtemp(tmpl)) return {};
  std::string dir = tmpl;
  std::string cmd = "tar xzf '" + tarball + "' -C '" + dir + "'";
  if (std::system(cmd.c_str()) != 0) return {};
  std::vector<std::string> files;
  list_files(dir, files);
  std::sort(files.begin(), files.end());
  std::vector<match::Document> docs;
  for (const auto& f : files) {
    std::string s = read_all(f);
    match::Document d;
    d.title = text::collapse_space(between(s, "<TITLE>", "</TITLE>"));
    d.body = text::collapse_space(between(s, "<TEXT>", "</TEXT>"));
    d.source = text::collapse_space(between(s, "<SRC>", "</SRC>"));
    d.lang = "ar";
    if (d.body.empty() && d.title.empty()) continue;
    if (ids) ids->push_back(text::collapse_space(between(s, "<DOCNO>", "</DOCNO>")));
    docs.push_back(std::move(d));
  }
  std::system(("rm -rf '" + dir + "'").c_str());
  return docs;
}

}  // namespace rasid::bench
