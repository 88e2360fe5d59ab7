// bench/match_quality.cpp — precision and recall of topic-term matching on a table of
// (term, sentence, should-match, kind) pairs, for rasid and for the light10 baseline in one run.
//
//   bench_match_quality [--pairs bench/data/match_pairs.tsv] [--misses]
//   bench_match_quality --forms "words"     (the forms each word gives, for debugging)
//
// light10 (Larkey, Ballesteros, Connell, "Light Stemming for Arabic Information Retrieval", 2007;
// the stemmer of Lucene's ArabicAnalyzer): on normalized words (text::normalize, which folds
// alef forms, ة → ه, ى → ي, tashkeel), remove one prefix of وال بال كال فال لل ال (2 or more
// letters must remain) or و (3 or more must remain); then, once each in the order ها ان ات ون
// ين يه ه ي (ية and ة are يه and ه after normalization), remove each suffix found at the end
// when 2 or more letters remain. A term matches a sentence when the stem of one of its words
// equals the term's stem (every word of a multi-word term must match). It is implemented here
// only as the baseline: rasid never uses it. Terms of the exact-form operator (=…) are given to
// light10 without the "=".
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "match/matcher.h"
#include "text/clitics.h"
#include "text/lexicon.h"
#include "text/text.h"

using namespace rasid;

namespace {

struct Pair {
  std::string term, sentence, kind;
  bool should = false;
};

std::vector<Pair> read_pairs(const std::string& path) {
  std::vector<Pair> out;
  std::ifstream in(path);
  std::string line;
  bool header = true;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    if (header) {  // the column names
      header = false;
      continue;
    }
    std::vector<std::string> f;
    std::size_t at = 0;
    for (;;) {
      std::size_t tab = line.find('\t', at);
      f.push_back(line.substr(at, tab == std::string::npos ? std::string::npos : tab - at));
      if (tab == std::string::npos) break;
      at = tab + 1;
    }
    if (f.size() != 4) {
      std::fprintf(stderr, "skipping malformed line: %s\n", line.c_str());
      continue;
    }
    out.push_back({f[0], f[1], f[3], f[2] == "1"});
  }
  return out;
}

std::size_t chars(const std::string& s) {
  std::size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

bool starts(const std::string& s, const std::string& p) { return s.rfind(p, 0) == 0; }
bool ends(const std::string& s, const std::string& p) {
  return s.size() >= p.size() && s.compare(s.size() - p.size(), p.size(), p) == 0;
}

std::string light10(std::string w) {
  if (!text::is_arabic_word(w)) return w;
  static const char* const kPrefixes[] = {"وال", "بال", "كال", "فال", "لل", "ال", "و"};
  for (const char* p : kPrefixes) {
    const std::string ps(p);
    if (!starts(w, ps)) continue;
    const std::size_t need = ps == "و" ? 3 : 2;
    if (chars(w) - chars(ps) < need) continue;
    w = w.substr(ps.size());
    break;
  }
  static const char* const kSuffixes[] = {"ها", "ان", "ات", "ون", "ين", "يه", "ه", "ي"};
  for (const char* s : kSuffixes) {
    const std::string ss(s);
    if (ends(w, ss) && chars(w) - chars(ss) >= 2) w.resize(w.size() - ss.size());
  }
  return w;
}

bool light10_matches(const std::string& term, const std::string& sentence) {
  std::string t = term;
  if (!t.empty() && t[0] == '=') t = t.substr(1);
  std::vector<std::string> stems;
  for (const auto& w : text::words(sentence)) stems.push_back(light10(w));
  const auto tw = text::words(t);
  if (tw.empty()) return false;
  for (const auto& w : tw) {
    const std::string s = light10(w);
    bool found = false;
    for (const auto& x : stems) found = found || x == s;
    if (!found) return false;
  }
  return true;
}

struct Counts {
  int tp = 0, fp = 0, fn = 0, tn = 0;
  void add(bool should, bool got) {
    if (should && got) ++tp;
    if (!should && got) ++fp;
    if (should && !got) ++fn;
    if (!should && !got) ++tn;
  }
  std::string p() const { return tp + fp ? fmt(double(tp) / (tp + fp)) : "–"; }
  std::string r() const { return tp + fn ? fmt(double(tp) / (tp + fn)) : "–"; }
  static std::string fmt(double x) {
    char b[16];
    std::snprintf(b, sizeof b, "%.3f", x);
    return b;
  }
};

}  // namespace

int main(int argc, char** argv) {
  std::string path = RASID_SOURCE_DIR "/bench/data/match_pairs.tsv";
  bool misses = false;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--pairs") && i + 1 < argc) {
      path = argv[++i];
    } else if (!std::strcmp(argv[i], "--misses")) {
      misses = true;
    } else if (!std::strcmp(argv[i], "--forms") && i + 1 < argc) {
      // The forms a document word gives (what a term must equal to match it).
      for (const auto& w : text::words(argv[++i])) {
        std::printf("%s:", w.c_str());
        text::clitics::expand(
            w,
            [](std::string_view a, std::string_view b, std::string_view c) {
              const std::string f = std::string(a) + std::string(b) + std::string(c);
              std::printf(" %s", f.c_str());
            },
            [](std::string_view) {});
        std::printf("\n");
      }
      return 0;
    } else {
      std::fprintf(stderr,
                   "usage: bench_match_quality [--pairs FILE.tsv] [--misses] | --forms WORDS\n");
      return 2;
    }
  }
  const auto pairs = read_pairs(path);
  if (pairs.empty()) {
    std::fprintf(stderr, "no pairs in %s\n", path.c_str());
    return 1;
  }
  const auto& lex = text::default_lexicon();
  std::printf("pairs: %zu from %s\nlexicon: %s (%zu entries)\n\n", pairs.size(), path.c_str(),
              lex.has_words() ? lex.source().c_str() : "none (places only: the fallback)",
              lex.size());
  std::map<std::string, std::pair<Counts, Counts>> by_kind;  // kind → (rasid, light10)
  Counts all_r, all_l;
  for (const auto& p : pairs) {
    auto q = match::Query::parse(p.term);
    if (!q) {
      std::fprintf(stderr, "bad term %s: %s\n", p.term.c_str(), q.error().c_str());
      return 1;
    }
    const bool r = q->matches(match::Document{"", p.sentence, "", "ar"});
    const bool l = light10_matches(p.term, p.sentence);
    by_kind[p.kind].first.add(p.should, r);
    by_kind[p.kind].second.add(p.should, l);
    all_r.add(p.should, r);
    all_l.add(p.should, l);
    if (misses && r != p.should)
      std::printf("rasid %s: %s | %s (%s)\n", r ? "FP" : "FN", p.term.c_str(), p.sentence.c_str(),
                  p.kind.c_str());
  }
  if (misses) std::printf("\n");
  std::printf(
      "| kind | pairs (+/−) | rasid P | rasid R | rasid FP/FN | light10 P | light10 R | light10 "
      "FP/FN |\n");
  std::printf("|---|---:|---:|---:|---:|---:|---:|---:|\n");
  for (const auto& [kind, c] : by_kind) {
    const auto& [r, l] = c;
    std::printf("| %s | %d (%d/%d) | %s | %s | %d/%d | %s | %s | %d/%d |\n", kind.c_str(),
                r.tp + r.fp + r.fn + r.tn, r.tp + r.fn, r.fp + r.tn, r.p().c_str(), r.r().c_str(),
                r.fp, r.fn, l.p().c_str(), l.r().c_str(), l.fp, l.fn);
  }
  std::printf("| **all** | %d (%d/%d) | **%s** | **%s** | %d/%d | %s | %s | %d/%d |\n",
              all_r.tp + all_r.fp + all_r.fn + all_r.tn, all_r.tp + all_r.fn, all_r.fp + all_r.tn,
              all_r.p().c_str(), all_r.r().c_str(), all_r.fp, all_r.fn, all_l.p().c_str(),
              all_l.r().c_str(), all_l.fp, all_l.fn);
  return 0;
}
