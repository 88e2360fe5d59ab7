// Data-driven conformance against feedparser's own suite (../shared/corpus/feedparser): each
// listed file is parsed, dumped in feedparser's key shape and every {path, op, value} check of
// subset_checks.json is evaluated. Prints "N passed, N failed" per tier.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "tests/parse/feedparser_dump.h"
#include "tests/support/http_server.h"
#include "url/url.h"

namespace {

using nlohmann::json;
using rasid::testing::shared_available;
using rasid::testing::shared_path;

struct Case {
  std::string headers;
  json checks;
};

const std::map<std::string, Case>& cases() {
  static std::map<std::string, Case> all = [] {
    std::map<std::string, Case> m;
    std::ifstream in(shared_path("corpus/feedparser/subset_checks.json"));
    json j = json::parse(in, nullptr, false);
    if (!j.is_array()) return m;
    for (const auto& c : j) {
      std::string file = c.value("file", "");
      if (file.starts_with("tests/")) file = file.substr(6);
      m[file] = {c.value("http_headers", ""), c.contains("checks") ? c["checks"] : json()};
    }
    return m;
  }();
  return all;
}

const json* walk(const json& root, const json& path) {
  const json* cur = &root;
  for (const auto& p : path) {
    if (p.is_string()) {
      if (!cur->is_object()) return nullptr;
      auto it = cur->find(p.get<std::string>());
      if (it == cur->end()) return nullptr;
      cur = &*it;
    } else if (p.is_number_integer()) {
      auto i = p.get<long long>();
      if (!cur->is_array() || i < 0 || static_cast<std::size_t>(i) >= cur->size()) return nullptr;
      cur = &(*cur)[static_cast<std::size_t>(i)];
    } else {
      return nullptr;
    }
  }
  return cur;
}

bool check_one(const json& dump, const json& chk, std::string& why) {
  const json& path = chk["path"];
  const json& want = chk["value"];
  const json* got = walk(dump, path);
  if (got == nullptr) {
    why = path.dump() + " missing";
    return false;
  }
  bool ok;
  std::string last = path.empty() || !path.back().is_string() ? "" : path.back().get<std::string>();
  if (last.ends_with("_parsed") && want.is_array() && got->is_array() && got->size() >= 6 &&
      want.size() >= 6) {
    ok = true;
    for (std::size_t i = 0; i < 6; ++i) ok = ok && (*got)[i] == want[i];
  } else {
    ok = *got == want;
  }
  if (!ok) why = path.dump() + ": got " + got->dump() + ", want " + want.dump();
  return ok;
}

// Parses one file and evaluates its checks; "" when all pass, else the reason.
std::string run_case(const std::string& file) {
  auto it = cases().find(file);
  if (it == cases().end()) return "no checks for file";
  std::string bytes = rasid::testing::read_file(shared_path("corpus/feedparser/tests/" + file));
  std::string content_type, location;
  const std::string& h = it->second.headers;
  if (auto colon = h.find(':'); colon != std::string::npos) {
    std::string name = h.substr(0, colon);
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (name == "content-type") content_type = h.substr(colon + 1);
    if (name == "content-location") location = h.substr(colon + 1);
  }
  // feedparser's harness serves the http_* files from a local server; the others are read
  // from disk and have no base URL.
  std::string name = file.substr(file.rfind('/') + 1);
  std::string url = name.starts_with("http_") ? "http://127.0.0.1:8097/tests/" + file : "";
  if (!location.empty()) url = rasid::url::resolve_http(url, location);
  json dump = rasid::testing::feedparser_dump(bytes, content_type, url);
  const json& checks = it->second.checks;
  if (!checks.is_array()) return "";  // smoke: parsing without crashing is the check
  for (const auto& c : checks) {
    std::string why;
    if (!check_one(dump, c, why)) return why;
  }
  return "";
}

struct TierResult {
  int passed = 0, failed = 0;
  std::vector<std::string> failures;
};

TierResult run_tier(const std::string& list) {
  TierResult r;
  std::ifstream in(shared_path("corpus/feedparser/" + list));
  std::string line;
  while (std::getline(in, line)) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    if (line.empty()) continue;
    std::string why = run_case(line);
    if (why.empty()) {
      ++r.passed;
    } else {
      ++r.failed;
      r.failures.push_back(line + ": " + why);
    }
  }
  std::printf("%s: %d passed, %d failed\n", list.c_str(), r.passed, r.failed);
  for (const auto& f : r.failures) std::printf("  FAIL %s\n", f.c_str());
  return r;
}

class FeedparserTier : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!shared_available() || cases().empty()) GTEST_SKIP() << "../shared corpus not present";
  }
};

TEST_F(FeedparserTier, Tier1CoreAllPass) {
  TierResult r = run_tier("subset_tier1_core.txt");
  EXPECT_EQ(r.passed, 213);
  EXPECT_EQ(r.failed, 0);
}

void expect_95(const TierResult& r) {
  ASSERT_GT(r.passed + r.failed, 0);
  EXPECT_GE(r.passed * 100, (r.passed + r.failed) * 95);
}

TEST_F(FeedparserTier, Tier2Atom03) { expect_95(run_tier("subset_tier2_atom03.txt")); }
TEST_F(FeedparserTier, Tier2RelativeUrls) { expect_95(run_tier("subset_tier2_relative_urls.txt")); }
TEST_F(FeedparserTier, Tier2Encoding) { expect_95(run_tier("subset_tier2_encoding.txt")); }
TEST_F(FeedparserTier, Tier2Ampersands) { expect_95(run_tier("subset_tier2_amp_convention.txt")); }

TEST_F(FeedparserTier, SmokeNoCrash) {
  TierResult r = run_tier("subset_smoke_no_crash.txt");
  EXPECT_EQ(r.passed, 21);
}

}  // namespace
