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
#include "text/clitics.h"

namespace rasid::match {

struct Query::Node {
  enum class Kind { kTerm, kPrefix, kPhrase, kAnd, kOr, kNot, kNear, kSource, kLang };
  // What evaluation reads comes first, so that it shares the node's first cache line (walking
  // scattered topic trees is the presearch's main cost at 100k topics).
  Kind kind = Kind::kTerm;
  bool title_only = false;
  bool exact = false;  // =term: the document word must equal the normalized word
  bool ordered = false;
  int distance = 0;                               // NEAR/n
  std::uint64_t key = 0;                          // term / prefix: keys[0], kept inline
  std::vector<std::shared_ptr<const Node>> kids;  // AND / OR / NOT / NEAR
  std::vector<std::uint64_t> keys;  // term: 1 key; phrase: one per word; prefix: presearch key
  std::vector<std::string> words;   // the normalized words (for presearch choice and debugging)
  // prefix: normalized prefix; source/lang: normalized value; term / phrase: the term as written
  // in the query, for Hit::term (kept here so that nodes do not grow: evaluation walks them)
  std::string value;
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
  // The normalized word at a position.
  const std::string& norm(std::uint32_t pos) const {
    return norms_[pos >= kBodyBase ? title_count_ + (pos - kBodyBase) : pos];
  }
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
// A hit before its term is copied out: the span and the node whose term matched (Hit::term is
// made from it only for the hits that survive sorting and de-duplication).
struct HitRef {
  bool in_title = false;
  std::size_t begin = 0;
  std::size_t end = 0;
  const Query::Node* node = nullptr;
};
void collect_hits(const Query::Node& n, const AnalyzedDoc& d, std::vector<HitRef>& out);
// Hit::term of a node: the term as written, a prefix with its "*".
std::string hit_term(const Query::Node& n);
// What the presearcher requires of a document: every group must have at least one of its keys
// present (an AND of ORs, at most kMaxGroups groups). Empty: nothing can be required (e.g. a
// query of source:/lang: only) and the topic is evaluated for every document.
inline constexpr std::size_t kMaxGroups = 8;
using Groups = std::vector<std::vector<std::uint64_t>>;
Groups required_groups(const Query::Node& n);

// ---- template implementation -------------------------------------------------------------------

namespace analysis {

// The clitic rules live in text/clitics.h (shared with storage's FTS5 tokenizer); here each form
// is hashed piecewise (FNV-1a is sequential, so this equals key_hash of the whole form).
bool is_arabic_norm(std::string_view norm);
using text::clitics::starts_with;

template <class Emit, class Form>
void expand(std::string_view norm, Emit&& emit, Form&& form) {
  text::clitics::expand(
      norm,
      [&](std::string_view a, std::string_view b, std::string_view c) {
        emit(key_hash_continue(key_hash_continue(key_hash(a), b), c));
      },
      form);
}

}  // namespace analysis

}  // namespace rasid::match
