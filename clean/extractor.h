// clean/extractor.h — main-content extraction: a page → the article (title, paragraphs,
// metadata) without the page chrome (navigation, share bars, related lists, comment forms,
// donation appeals, copyright lines, back-to-top links …).
//
// The extractor is general: it scores DOM blocks by text length, punctuation (Arabic ، ؛ ؟ as
// well as ASCII), link density, position, repetition and class/id hints, and recognises Arabic
// and English chrome vocabulary as one signal among these. Per-source rules (XPath to drop nodes
// or to pick the body) handle the rare site it gets wrong.
//
// Never empty (issue 13): hints may weigh but not veto the page's prose. When the chosen blocks
// hold under a third of the page's paragraph text, their nearest ancestor below <body> holding
// 60% of it is taken; when the first pass keeps under 50 words (or under 1/16 of the page's
// paragraph words), a second pass in which class/id hints, hidden markers and form controls remove
// nothing decides by density and position alone, and wins when it finds more (Readability's
// retry with relaxed flags and trafilatura's fallback cascade were the anchors). Figures:
// BENCHMARKS.md, Extraction.
//
// Thread-safe; no shared state. Never throws on any input; hostile pages (deep nesting, huge text,
// invalid bytes) end with a result or an error in bounded time and memory.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "parse/parser.h"
#include "text/date.h"

namespace rasid::clean {

// What the response is. Anything but `article` is a page that answered 200 without the article:
// the caller must not store, match or alert on it (issue 13: "responses that are not articles").
// Decided after extraction, and only when the article text is short (under 150 words; a paywall
// teaser counts), from the page's title, headings and text (vocab.h lists the phrases):
enum class PageKind : std::uint8_t {
  article,
  bot_challenge,  // "Just a moment…", "Checking your browser", DDoS-Guard, "verify you are human"
  consent_wall,   // a cookie/consent dialog standing in for the page
  not_found,   // a soft 404: "Page not found" / "الصفحة غير موجودة" served with 200
  login_wall,  // a sign-in or subscription stub ("subscribe to continue reading")
  script_shell,  // no visible text at all: the page is built by JavaScript
};
// "article", "bot_challenge", "consent_wall", "not_found", "login_wall", "script_shell".
std::string_view to_string(PageKind k);

struct Article {
  std::string url;        // the address it was read from
  std::string canonical;  // <link rel=canonical> / og:url, absolute; "" when absent
  std::string title;
  std::vector<std::string> paragraphs;  // body text, one paragraph each, whitespace collapsed
  // When it was published, as the page wrote it (text/date.h); nullopt when unknown. The
  // article's own dates (JSON-LD, article:published_time, its <time>, its byline) beat the
  // page's furniture (a header's "today", a sidebar).
  std::optional<text::Date> published;
  std::string author;
  std::string lang;  // "ar", "en", … ("" when unknown)
  std::string dir;   // "rtl" / "ltr"
  std::string site_name;
  // The parser's depth limit (256) cut the page: what follows the cut is missing.
  bool truncated = false;
  PageKind kind = PageKind::article;
  // Rules (below) whose XPath failed to evaluate on this page ("$undefinedvar", an unknown
  // function): skipped, the page cleaned without them, named here for the caller to report.
  std::vector<std::string> skipped_rules;

  std::string text() const;  // paragraphs joined by '\n'
};

// Per-source rules (config `[source.clean]`), for the rare site the generic cleaner gets wrong.
// XPath 1.0 over the parsed page (element and class names as written in the HTML, e.g.
// "//div[contains(@class,'promo')]"). `drop`: every matching element and its subtree is removed
// before anything is scored. `body`: the first matching element is the article container (no
// scoring); when it matches nothing the automatic choice is used. Compiled and evaluated by
// parse::select (parse/parser.h), checked at load by parse::valid_xpath; an expression that
// still fails on a page is skipped (the page is cleaned as without it, never left empty) and
// named in Article::skipped_rules.
struct Rules {
  std::vector<std::string> drop;  // XPath: remove these nodes first
  std::string body;               // XPath: the body container (automatic when empty)
};

// Extracts from a parsed page. Fails only when the document has no root; a page without any article
// text yields an Article with no paragraphs. When the page was cut by libxml2's depth limit
// (page.truncated()) the result holds what precedes the cut. The text is bounded (about 2 MiB of
// paragraphs) whatever the input.
Result<Article> extract(const parse::Html& page, const Rules& rules = {});
// Decodes (charset from content type, BOM, meta, detection), parses and extracts.
Result<Article> extract_bytes(std::string_view bytes, std::string_view url,
                              std::string_view content_type = {}, const Rules& rules = {});

// Paragraphs of an HTML fragment that is already an article's text: a feed entry's content or
// summary, the body kept when the article page cannot be had. The same libxml2 parse as a page
// (every HTML character reference, named or numeric, decoded exactly once; '>' inside an
// attribute value is markup, not the end of the tag) and the same walk into blocks and the same
// chrome filters (class words, vocabulary, link-dense lines, date and byline lines); no title,
// no metadata, no container choice: the whole fragment is the body. Never fails (input that
// yields no text gives no paragraphs); bounded like extract().
std::vector<std::string> fragment_paragraphs(std::string_view html, std::string_view url = {});

// The text a feed entry carries itself: its first content when it has one, else its summary.
// HTML and XHTML values go through fragment_paragraphs; a text/plain value is text (its '&' and
// '<' are characters, never markup), one paragraph per line, through the same filters.
std::vector<std::string> entry_paragraphs(const parse::Entry& entry, std::string_view url = {});

// One line of `rasid clean --json` output (no trailing newline):
//   {"file","url","title","text","published" (ISO 8601 as text::format_iso8601 writes it, null
//   when unknown),"author","lang","canonical"}
// plus "truncated":true when the page was cut by the depth limit; for a response that is not an
// article, {"file","url","kind","error":"clean: not an article (KIND)"} (no title or text: nothing
// of it is the article's); for a failed extraction, {"file","error"}. Always valid UTF-8 JSON.
std::string to_json_line(const std::string& file, const Result<Article>& article);

}  // namespace rasid::clean
