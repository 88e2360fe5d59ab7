// match/matcher.h — the topic query language and matching many topics against one article.
//
// Language (precedence NOT > AND > OR; AND is implicit between adjacent terms):
//   term  "a phrase"  a AND b  a OR b  NOT a  -a  (a OR b) c
//   a NEAR/5 b   a ONEAR/5 b (ordered)   prefix*   =exact   title:term  source:name  lang:ar
// Terms are analysed like the text (text::normalize): an Arabic term matches a token that is the
// term with proclitics (و ف ب ك ل ال وال بال …) and, for nouns, common suffixes (ة/ه ية ي ين ون
// ات ان, ة-nouns as حكومات حكومتين حكومتها), possessive pronouns (جيشها حربهم اجتماعهم), tanwin
// with alef (اتفاقاً) and, for places, their nisba (روسيا: الروسي الروسية الروسيين; أمريكا:
// الأمريكي). What decides (text/clitics.h, text/lexicon.h): a word that is a word of its own in
// the lexicon (Ayaspell's Hunspell word list, Debian hunspell-ar) or a place of text/places.tsv
// keeps its letters — مال does not match كمال, لبن not لبنان, قطر not قطرات, حماس not
// حماسة, غداد not بغداد; without the word list only places are protected (text/lexicon.h).
// =term matches the word exactly as written after normalization (=مال: مال, مالٌ; not المال or
// كمال); ="a phrase" likewise each word. Latin terms are case-folded.
//
// Details: operators are upper-case (AND OR NOT; && || also accepted); "…", «…» and “…” quote
// phrases; a term the analyzer splits ("COVID-19", "وCOVID") is a phrase. NEAR/n: at most n words
// between the two sides (a side may be a word, phrase, prefix or an OR of those); title and body
// words are never near each other. prefix* needs ≥ 2 characters and keeps Arabic proclitics
// (اقتصاد* matches الاقتصادية). source:"Al Jazeera" compares the normalized source name; lang:ar
// also matches "ar-SA". A query whose every branch is negated is refused. Parsing is bounded
// (nesting depth 100, NEAR distance 1000).
//
// A Query is immutable once compiled and may be shared between threads. A Matcher is built once
// per configuration (add() then match() from one thread at a time; match() is const and safe to
// call concurrently once building has finished).
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace rasid::match {

// The article as the matcher sees it.
struct Document {
  std::string title;
  std::string body;
  std::string source;  // source name
  std::string lang;    // "ar", "en", …
};

// A compiled query. Parse errors read "position N: reason" (N is a 1-based character column).
class Query {
 public:
  static Result<Query> parse(std::string_view text);
  bool matches(const Document& doc) const;  // direct evaluation (no presearch)
  const std::string& text() const;

  // What every document the query matches must contain, for an index prefilter (rasid search
  // builds an FTS5 query from it, then confirms each candidate with matches()): an AND of
  // groups, each an OR of alternatives. An alternative is a run of normalized words that a
  // document word must equal one of its clitic forms of (text/clitics.h; several words: in
  // sequence), or with `prefix` a word that a proclitic-stripped form starts with. Negated parts,
  // source: and lang: require nothing; empty: no word is required (scan everything).
  struct Requirement {
    std::vector<std::string> words;
    bool prefix = false;
    bool title_only = false;
  };
  std::vector<std::vector<Requirement>> required() const;

  Query(const Query&);
  Query(Query&&) noexcept;
  Query& operator=(const Query&);
  Query& operator=(Query&&) noexcept;
  ~Query();

  struct Node;

 private:
  Query() = default;
  std::shared_ptr<const Node> root_;
  std::string text_;
  friend class Matcher;
};

// A span of the original text that a query term matched (byte offsets into title or body).
// `term` is the query term that matched it as written in the query (`مال`, `=مال`, `"a b"`,
// `اقتصاد*`): with the text of the span, the form a term matched («كمال» for مال).
struct Hit {
  bool in_title = false;
  std::size_t begin = 0;
  std::size_t end = 0;
  std::string term = {};
};

struct TopicMatch {
  int topic = 0;          // the id given to add()
  std::vector<Hit> hits;  // for highlighting: title hits first, then by offset, no duplicates
};

// Many topics against each article: topics are indexed by the terms they require (presearch),
// so only candidates are evaluated.
class Matcher {
 public:
  Matcher();
  ~Matcher();
  Matcher(Matcher&&) noexcept;
  Matcher& operator=(Matcher&&) noexcept;

  void add(int topic, const Query& query);
  std::size_t size() const;
  // Matching topics in the order they were added.
  std::vector<TopicMatch> match(const Document& doc) const;
  // How many topics the presearcher would evaluate for this document (for benchmarks).
  std::size_t count_candidates(const Document& doc) const;
  // Every topic evaluated directly (the baseline the benchmark compares against).
  std::vector<TopicMatch> match_brute_force(const Document& doc) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The forms a topic's terms matched in a document ("مال: المال 2, كمال 1"): one entry per
// (term, text of the hit) with how many hits it had, title hits first, in order of first
// appearance. `form` is the original text of the span (for a phrase, the words it covers).
struct MatchedForm {
  std::string term;
  std::string form;
  int count = 0;
};
std::vector<MatchedForm> matched_forms(const Document& doc, const TopicMatch& m);
// One line for people: "term: form, form ×3; term2: form" (a count only above 1), in the order
// given; at most `max_chars` bytes, cut at an entry boundary with "…".
std::string format_forms(const std::vector<MatchedForm>& forms, std::size_t max_chars = 300);

// A snippet of `text` around the first hits, with hits wrapped in `open`/`close` markers,
// cut on word boundaries to at most `max_chars` characters of `text` (markers and the "…" added
// at a cut end are not counted). Pass only the hits of that text (Hit::in_title tells which);
// hits off character boundaries or outside the text are ignored. No hits: the text's start.
std::string snippet(std::string_view text, const std::vector<Hit>& hits, std::size_t max_chars,
                    std::string_view open = "«", std::string_view close = "»");

}  // namespace rasid::match
