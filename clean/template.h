// clean/template.h — site templates learned from repetition: per source, the lines that recur
// at the same place on a large share of that source's pages are page chrome (support appeals,
// slogans, "SITE - SECTION" lines, "related" headings, footers, app pitches, mission statements,
// a correspondent's sign-off), whatever their wording, and are removed from the article text.
//
// What a page contributes (observe()): every line of the page — the text of a block element up
// to the next nested block or <br>, as the extractor cuts its paragraphs — normalized with
// text::normalize and keyed by (structural path, text). The structural path is the chain of
// element names from the root to the line's block element, in the style of the site-style tree
// (Yi, Liu & Li, "Eliminating noisy information in web pages for data mining", KDD 2003): a
// line is chrome when the same text sits at the same path on many pages. Short lines split at
// " - ", " | ", " – ", " — " also key their first and last segment, so "SITE - SECTION" lines
// whose section varies are recognised by the recurring "SITE" part.
//
// The decision (SiteTemplate): a sliding window of the source's last kWindow distinct pages
// (a page seen again replaces its earlier sample). A line key is chrome when it occurs on
//   * at least max(3, 40% of the window) pages, or
//   * for a short line (≤ 12 words): at least max(3, 20% of the window) pages.
// Shared real text recurs on few pages: a quoted sentence two stories share (2 pages) is kept,
// unlike trafilatura's duplicate filter (an LRU of segments: anything seen twice goes). The
// window makes it follow a redesign: new chrome is learned once it reaches the share above among
// the last kWindow pages, old chrome is forgotten when it falls out of the window. Thresholds
// and window are this module's own figures, set on bench/template_corpus.py (BENCHMARKS.md).
//
// apply() removes a paragraph of the extracted article when its normalized text is one of the
// page's lines whose key is chrome (or, for a short line, whose first or last segment is). It
// never empties an article: when every paragraph would go, the article is returned unchanged.
// Fewer than 3 learned pages: nothing is removed.
//
// Threads: a SiteTemplate is a value with no shared state (one per source, used by one thread at
// a time). observe()/extract_observed() are thread-safe. Units: counts of pages. Failure kinds:
// deserialize() rejects bytes that are not a serialized template (Error "template: …");
// extract_observed() fails as extract_bytes() does. Never throws.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "clean/extractor.h"
#include "common/result.h"
#include "parse/parser.h"

namespace rasid::clean {

// The lines of one page, as hashes (the text itself is not kept).
struct PageSample {
  std::uint64_t page = 0;  // the page's identity (canonical or URL): counted once per window
  struct Line {
    std::uint64_t text = 0;       // hash of the normalized text
    std::uint64_t key = 0;        // hash of (path, normalized text)
    std::uint64_t first_seg = 0;  // hash of (path, first segment); 0 when not split
    std::uint64_t last_seg = 0;   // hash of (path, last segment); 0 when not split
    std::uint32_t words = 0;
  };
  std::vector<Line> lines;  // document order, at most kMaxLines
  // Every key the page contributes (line keys and segment keys), sorted, unique.
  std::vector<std::uint64_t> keys() const;
};

constexpr std::size_t kMaxLines = 5000;  // a hostile page contributes at most this many lines

// The lines of a parsed page. `page_id` identifies the page in the window (see extract_observed).
PageSample observe(const parse::Html& page, std::uint64_t page_id);

// The extractor's article and the page's sample from one parse.
struct Observed {
  Article article;
  PageSample sample;
};
// Decodes, parses and extracts like extract_bytes(), and observes the same parsed page. The page
// id is the hash of the article's canonical URL, else of the URL and the article's text.
Result<Observed> extract_observed(std::string_view bytes, std::string_view url,
                                  std::string_view content_type = {}, const Rules& rules = {});

class SiteTemplate {
 public:
  static constexpr std::size_t kWindow = 24;  // pages remembered
  static constexpr std::size_t kMinPages = 3;

  // Adds a page to the window (replacing an earlier sample with the same page id); the oldest
  // page leaves when the window is full.
  void learn(const PageSample& sample);
  // The paragraphs without the chrome lines (see above). `removed`, when given, receives the
  // paragraphs taken out.
  std::vector<std::string> apply(const PageSample& sample, std::vector<std::string> paragraphs,
                                 std::vector<std::string>* removed = nullptr) const;
  // Number of pages the template is learned from (at most kWindow).
  std::size_t pages() const { return window_.size(); }
  // Whether a key (PageSample::Line::key or a segment key) counts as chrome, for a line of
  // `words` words.
  bool chrome(std::uint64_t key, std::uint32_t words) const;

  // A compact binary form for storage, and back.
  std::string serialize() const;
  static Result<SiteTemplate> deserialize(std::string_view bytes);

 private:
  struct Page {
    std::uint64_t id = 0;
    std::vector<std::uint64_t> keys;
  };
  void forget(const Page& p);
  std::deque<Page> window_;
  std::unordered_map<std::uint64_t, std::uint32_t> counts_;  // key → pages in the window
};

}  // namespace rasid::clean
