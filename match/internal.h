// match/internal.h — the compiled query tree, Arabic clitic expansion and the analysed document
// shared by the parser, the evaluator and the presearcher (not part of the contract).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "match/matcher.h"

namespace rasid::match {

struct Query::Node {
  enum class Kind { kTerm, kPrefix, kPhrase, kAnd, kOr, kNot, kNear, kSource, kLang };
  Kind kind = Kind::kTerm;
  bool title_only = false;
  std::uint64_t key = 0;            // term / prefix: keys[0], kept inline for evaluation speed
  std::vector<std::uint64_t> keys;  // term: 1 key; phrase: one per word; prefix: presearch key
  std::vector<std::string> words;   // the normalized words (for presearch choice and debugging)
  std::string value;                // prefix: normalized prefix; source/lang: normalized value
  std::vector<std::shared_ptr<const Node>> kids;
  int distance = 0;  // NEAR/n
  bool ordered = false;
};

using NodePtr = std::shared_ptr<const Query::Node>;

namespace analysis {

std::uint64_t key_hash(std::string_view s);
std::uint64_t key_hash_continue(std::uint64_t h, std::string_view s);
// Presearch key of a prefix term: its first 2 to 4 characters.
inline constexpr std::size_t kPrefixKeyChars = 4;
std::uint64_t prefix_key(std::string_view norm_prefix);
std::size_t char_count(std::string_view s);

// Calls emit(hash) for every form a query term may take to match this (normalized) document word
// — the word itself and the word without proclitics / noun suffixes; and form(rest) for every
// proclitic-stripped form (what prefix terms are compared against).
template <class Emit, class Form>
void expand(std::string_view norm, Emit&& emit, Form&& form);

}  // namespace analysis

// A position of a word in the document. Title words are numbered from 0, body words from
// kBodyBase, so NEAR and phrases never join a title word to a body word.
inline constexpr std::uint32_t kBodyBase = 1u << 24;

struct Span {
  std::uint32_t start = 0;
  std::uint32_t end = 0;  // inclusive
};

class AnalyzedDoc {
 public:
  explicit AnalyzedDoc(const Document& doc);
  AnalyzedDoc(const AnalyzedDoc&) = delete;
  AnalyzedDoc& operator=(const AnalyzedDoc&) = delete;

  // Positions (ascending) of words one of whose forms hashes to h.
  std::pair<const std::uint32_t*, const std::uint32_t*> lookup(std::uint64_t h) const;
  // Positions whose proclitic-stripped form starts with `prefix`.
  std::vector<std::uint32_t> prefix_positions(std::string_view prefix) const;
  // Distinct key hashes present (for the presearcher).
  const std::vector<std::uint64_t>& distinct_keys() const { return distinct_; }

  const std::string& source() const { return source_; }
  const std::string& lang() const { return lang_; }
  Hit hit(const Span& s) const;
  std::uint32_t title_count() const { return title_count_; }

 private:
  struct Word {
    std::size_t begin, end;
    bool in_title;
  };
  std::vector<Word> words_;  // title words then body words
  std::uint32_t title_count_ = 0;
  std::vector<std::pair<std::uint64_t, std::uint32_t>> entries_;  // while building, pos order
  struct Slot {
    static constexpr std::uint32_t kEmpty = 0xFFFFFFFFu;
    std::uint64_t key = 0;
    std::uint32_t begin = kEmpty, end = 0;  // positions pos_[begin, end)
  };
  std::vector<Slot> slots_;  // open addressing, linear probing
  std::size_t mask_ = 0;
  std::vector<std::uint32_t> pos_;  // positions grouped by key, ascending within a key
  std::vector<std::uint64_t> distinct_;
  std::vector<std::string> norms_;  // normalized words, by index
  // Proclitic-stripped forms (views into norms_) sorted, built lazily by prefix_positions().
  // An AnalyzedDoc lives inside one match() call, so the lazy cache is never shared.
  mutable std::vector<std::pair<std::string_view, std::uint32_t>> forms_;
  mutable bool forms_built_ = false;
  std::string source_, lang_;
};

// Evaluation over an analysed document.
bool evaluate(const Query::Node& n, const AnalyzedDoc& d);
void collect_hits(const Query::Node& n, const AnalyzedDoc& d, std::vector<Hit>& out);
// What the presearcher requires of a document: every group must have at least one of its keys
// present (an AND of ORs, at most kMaxGroups groups). Empty: nothing can be required (e.g. a
// query of source:/lang: only) and the topic is evaluated for every document.
inline constexpr std::size_t kMaxGroups = 8;
using Groups = std::vector<std::vector<std::uint64_t>>;
Groups required_groups(const Query::Node& n);

// ---- template implementation -------------------------------------------------------------------

namespace analysis {

struct Affix {
  std::string_view s;
  std::size_t min_rest;  // characters that must remain after removing it
};

// Normalized proclitics (ة → ه, أ → ا already folded). Order: longest first is not needed since
// every applicable one is tried.
inline constexpr Affix kProclitics[] = {
    {"و", 2},   {"ف", 3},    {"ب", 3},    {"ك", 3},    {"ل", 3},    {"ال", 2},
    {"وال", 2}, {"فال", 2},  {"بال", 2},  {"كال", 2},  {"لل", 2},   {"ولل", 2},
    {"فلل", 2}, {"وبال", 2}, {"فبال", 2}, {"وكال", 2}, {"فكال", 2}, {"وب", 3},
    {"فب", 3},  {"ول", 3},   {"فل", 3},   {"وك", 3},   {"فك", 3},
};

// Noun suffixes (normalized: ة/ه is "ه", ية is "يه").
inline constexpr Affix kSuffixes[] = {
    {"ه", 3},
    {"يه", 3},
    {"ي", 3},
    {"ين", 3},
    {"ون", 3},
    {"ات", 3},
    {"ان", 3},
    {"يين", 3},
    {"يون", 3},
    {"يات", 3},
    {"يان", 3},
    {"تين", 2},
    {"تان", 2},
    // A noun in ة with a possessive pronoun: حكومته، حكومتها، حكومتهم → حكومه.
    {"ته", 2},
    {"تها", 2},
    {"تهم", 2},
    {"تهما", 2},
    {"تنا", 2},
    {"تك", 2},
};

// Suffixes that only exist after a ة turned ت: the stem is rebuilt with ه, never used bare.
inline bool taa_only(std::string_view s) {
  return s == "تين" || s == "تان" || s == "ته" || s == "تها" || s == "تهم" || s == "تهما" ||
         s == "تنا" || s == "تك";
}

inline bool starts_with(std::string_view s, std::string_view p) {
  return s.size() >= p.size() && s.compare(0, p.size(), p) == 0;
}
inline bool ends_with(std::string_view s, std::string_view p) {
  return s.size() >= p.size() && s.compare(s.size() - p.size(), p.size(), p) == 0;
}

bool is_arabic_norm(std::string_view norm);

template <class Emit>
void expand_suffixes(std::uint64_t base, std::string_view rest, Emit& emit) {
  emit(key_hash_continue(base, rest));
  const std::size_t n = char_count(rest);
  for (const Affix& a : kSuffixes) {
    if (!ends_with(rest, a.s)) continue;
    const std::size_t sn = char_count(a.s);
    if (n < sn + a.min_rest) continue;
    std::string_view stem = rest.substr(0, rest.size() - a.s.size());
    // A feminine plural, dual or possessed noun in ة: حكومات / حكومتين / حكومتها → حكومه.
    const bool taa = a.s == "ات" || taa_only(a.s);
    if (!taa_only(a.s)) emit(key_hash_continue(base, stem));
    if (taa) emit(key_hash_continue(key_hash_continue(base, stem), "ه"));
  }
}

template <class Emit, class Form>
void expand(std::string_view norm, Emit&& emit, Form&& form) {
  if (!is_arabic_norm(norm)) {
    emit(key_hash(norm));
    form(norm);
    return;
  }
  const std::uint64_t empty = key_hash("");
  expand_suffixes(empty, norm, emit);
  form(norm);
  const std::size_t n = char_count(norm);
  for (const Affix& p : kProclitics) {
    if (!starts_with(norm, p.s)) continue;
    const std::size_t pn = char_count(p.s);
    if (n < pn + p.min_rest) continue;
    std::string_view rest = norm.substr(p.s.size());
    expand_suffixes(empty, rest, emit);
    form(rest);
    // لل is ل + ال: للرئيس is a form of الرئيس.
    if (ends_with(p.s, "لل")) expand_suffixes(key_hash("ال"), rest, emit);
  }
}

}  // namespace analysis

}  // namespace rasid::match
