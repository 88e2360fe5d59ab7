// clean/extractor.h — main-content extraction: a page → the article (title, paragraphs,
// metadata) without the page chrome (navigation, share bars, related lists, comment forms,
// donation appeals, copyright lines, back-to-top links …).
//
// The extractor is general: it scores DOM blocks by text length, punctuation (Arabic ، ؛ ؟ as
// well as ASCII), link density, position, repetition and class/id hints, and recognises Arabic
// and English chrome vocabulary as one signal among these. Per-source rules (XPath to drop nodes
// or to pick the body) handle the rare site it gets wrong.
//
// Thread-safe; no shared state. Never throws on any input; hostile pages (deep nesting, huge text,
// invalid bytes) end with a result or an error in bounded time and memory.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "parse/parser.h"
#include "text/date.h"

namespace rasid::clean {

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

  std::string text() const;  // paragraphs joined by '\n'
};

// Per-source rules (config `[source.clean]`), for the rare site the generic cleaner gets wrong.
// XPath 1.0 over the parsed page (element and class names as written in the HTML, e.g.
// "//div[contains(@class,'promo')]"). `drop`: every matching element and its subtree is removed
// before anything is scored. `body`: the first matching element is the article container (no
// scoring); when it matches nothing the automatic choice is used. An expression libxml2 cannot
// compile makes extract() fail with "clean: invalid XPath rule: …", so a config loader can
// validate rules by extracting from an empty page.
struct Rules {
  std::vector<std::string> drop;  // XPath: remove these nodes first
  std::string body;               // XPath: the body container (automatic when empty)
};

// Extracts from a parsed page. Fails only when a rule's XPath is invalid or the document has no
// root; a page without any article text yields an Article with no paragraphs. When the page was
// cut by libxml2's depth limit (page.truncated()) the result holds what precedes the cut.
// The text is bounded (about 2 MiB of paragraphs) whatever the input.
Result<Article> extract(const parse::Html& page, const Rules& rules = {});
// Decodes (charset from content type, BOM, meta, detection), parses and extracts.
Result<Article> extract_bytes(std::string_view bytes, std::string_view url,
                              std::string_view content_type = {}, const Rules& rules = {});

// One line of `rasid clean --json` output (no trailing newline):
//   {"file","url","title","text","published" (ISO 8601 as text::format_iso8601 writes it, null
//   when unknown),"author","lang","canonical"}
// plus "truncated":true when the page was cut by the depth limit; or, for a failed extraction,
// {"file","error"}. Always valid UTF-8 JSON.
std::string to_json_line(const std::string& file, const Result<Article>& article);

}  // namespace rasid::clean
