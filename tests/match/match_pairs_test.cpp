// The measured table (bench/data/match_pairs.tsv, bench/match_quality.cpp) as a regression test:
// precision ≥ 0.97 and recall ≥ 0.95 over all pairs, with the word list installed. Without it
// (hunspell-ar absent: the documented fallback of text/lexicon.h) the targets do not apply.
#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

#include "match/matcher.h"
#include "text/lexicon.h"

namespace {

struct Pair {
  std::string term, sentence, kind;
  bool should = false;
};

std::vector<Pair> pairs() {
  std::vector<Pair> out;
  std::ifstream in(RASID_SOURCE_DIR "/bench/data/match_pairs.tsv");
  std::string line;
  bool header = true;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    if (header) {
      header = false;
      continue;
    }
    std::vector<std::string> f;
    std::size_t at = 0;
    for (;;) {
      const std::size_t tab = line.find('\t', at);
      f.push_back(line.substr(at, tab == std::string::npos ? std::string::npos : tab - at));
      if (tab == std::string::npos) break;
      at = tab + 1;
    }
    if (f.size() == 4) out.push_back({f[0], f[1], f[3], f[2] == "1"});
  }
  return out;
}

TEST(MatchPairs, TableMeetsPrecisionAndRecallTargets) {
  if (!rasid::text::default_lexicon().has_words())
    GTEST_SKIP() << "no Arabic word list (install hunspell-ar): the fallback has no target";
  const auto table = pairs();
  ASSERT_GE(table.size(), 400u);
  int tp = 0, fp = 0, fn = 0;
  std::string wrong;
  for (const auto& p : table) {
    auto q = rasid::match::Query::parse(p.term);
    ASSERT_TRUE(q) << p.term << ": " << q.error();
    const bool got = q->matches(rasid::match::Document{"", p.sentence, "", "ar"});
    tp += p.should && got;
    fp += !p.should && got;
    fn += p.should && !got;
    if (got != p.should)
      wrong +=
          std::string(got ? "FP " : "FN ") + p.kind + ": " + p.term + " | " + p.sentence + "\n";
  }
  const double precision = double(tp) / (tp + fp), recall = double(tp) / (tp + fn);
  EXPECT_GE(precision, 0.97) << wrong;
  EXPECT_GE(recall, 0.95) << wrong;
}

}  // namespace
