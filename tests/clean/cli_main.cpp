// clean_cli — the `rasid clean` behaviour for benchmarks before the daemon wires the command:
//   clean_cli [--url URL] [--json] [--threads N] FILE...
// With --json: one JSON object per file per line (clean::to_json_line), in argument order.
// Without: title, blank line, paragraphs. Files are processed on a few threads.
#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "clean/extractor.h"

namespace {

bool read_all(const std::string& path, std::string& out) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return false;
  std::ostringstream ss;
  ss << f.rdbuf();
  out = std::move(ss).str();
  return true;
}

std::string render(const std::string& file, const std::string& url, bool as_json) {
  std::string bytes;
  rasid::Result<rasid::clean::Article> r = rasid::Error{"cannot read file"};
  if (read_all(file, bytes)) r = rasid::clean::extract_bytes(bytes, url);
  if (as_json) return rasid::clean::to_json_line(file, r) + "\n";
  if (!r.ok()) return file + ": error: " + r.error() + "\n";
  std::string out = r->title + "\n\n";
  for (const auto& p : r->paragraphs) out += p + "\n";
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  std::string url;
  bool as_json = false;
  unsigned threads = std::max(1u, std::thread::hardware_concurrency());
  std::vector<std::string> files;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--json") {
      as_json = true;
    } else if (a == "--url" && i + 1 < argc) {
      url = argv[++i];
    } else if (a == "--threads" && i + 1 < argc) {
      threads = static_cast<unsigned>(std::max(1, std::atoi(argv[++i])));
    } else {
      files.push_back(a);
    }
  }
  if (files.empty()) {
    std::fprintf(stderr, "usage: clean_cli [--url URL] [--json] [--threads N] FILE...\n");
    return 2;
  }
  std::vector<std::string> out(files.size());
  std::vector<char> done(files.size(), 0);
  std::mutex mu;
  std::condition_variable cv;
  std::atomic<std::size_t> next{0};
  auto worker = [&] {
    for (std::size_t i; (i = next.fetch_add(1)) < files.size();) {
      std::string line = render(files[i], url, as_json);
      std::lock_guard<std::mutex> l(mu);
      out[i] = std::move(line);
      done[i] = 1;
      cv.notify_all();
    }
  };
  std::vector<std::thread> pool;
  threads = std::min<unsigned>(threads, static_cast<unsigned>(files.size()));
  for (unsigned t = 0; t < threads; ++t) pool.emplace_back(worker);
  for (std::size_t i = 0; i < files.size(); ++i) {
    std::string line;
    {
      std::unique_lock<std::mutex> l(mu);
      cv.wait(l, [&] { return done[i] != 0; });
      line = std::move(out[i]);
      out[i].clear();
      out[i].shrink_to_fit();
    }
    std::fwrite(line.data(), 1, line.size(), stdout);
  }
  for (auto& t : pool) t.join();
  return 0;
}
