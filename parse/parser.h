// parse/parser.h — outside bytes → neutral structures: feeds (RSS 0.9x/1.0/2.0, Atom 0.3/1.0,
// JSON Feed) → Feed/Entry; HTML → a libxml2 DOM; section pages → article links; URL helpers.
//
// Input must already be UTF-8 (text::decode); the XML declaration's encoding is ignored.
// A feed with errors yields what could be recovered plus warnings ("bozo"), not nothing; only
// input with no recognisable feed at all is an Error. All strings in the result are valid UTF-8
// (numeric character references such as &#xD800; are sanitized) without C0 control characters
// (XML 1.0 forbids all but tab, LF and CR: they are dropped, the entry kept), titles are plain
// text (entities decoded, tags stripped), links are absolute (xml:base and the feed URL applied).
// Named HTML references XML does not define (&nbsp; &laquo; &hellip; &rsquo; …) are read as
// HTML's (libxml2's HTML 4 table), in well-formed and in recovered feeds alike.
//
// Thread-safe: no shared state; each call owns its documents.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "text/date.h"

typedef struct _xmlDoc xmlDoc;
typedef struct _xmlNode xmlNode;

namespace rasid::parse {

using Time = std::chrono::sys_seconds;

struct Enclosure {
  std::string url;
  std::string type;
  long long length = 0;
};

// A text construct as the feed gave it. `type` is "text/plain", "text/html" or
// "application/xhtml+xml"; for HTML and XHTML `value` is HTML with relative URLs resolved,
// unsafe elements (script, style, iframe, on* attributes, javascript: URLs) removed, attributes
// sorted and quoted ("<a href=\"…\">", "<br />"); for text/plain it is the decoded text.
struct TextDetail {
  std::string value;
  std::string type;
};

struct Link {
  std::string href;  // absolute
  std::string rel;   // "alternate" when the feed gave none
  std::string type;
  std::string title;
  long long length = 0;
};

struct Person {
  std::string name;
  std::string email;
  std::string uri;  // absolute
};

struct Entry {
  std::string id;  // guid / atom:id / JSON id, as given ("" when absent)
  bool id_is_permalink = false;
  std::string link;     // absolute
  std::string title;    // plain text
  std::string summary;  // HTML or text as given (description / summary)
  std::string content;  // content:encoded / atom:content (HTML), may be empty
  std::string author;   // "Name" or "Name (email)" or "email"
  std::optional<Time> published;
  // `published` as it was written (the writer's UTC offset, whether only a day was written),
  // the same reading of the same text: what is stored and alerted, as the page path stores a
  // page's date. `published_date->at == *published` always (read_entry_dates).
  std::optional<text::Date> published_date;
  std::optional<Time> updated;
  std::vector<std::string> categories;
  std::vector<Enclosure> enclosures;
  std::string image;  // media:content / media:thumbnail / enclosure image

  // Detail, for consumers that need more than the neutral fields above.
  std::optional<Time> created;
  std::string published_text, updated_text, created_text;  // dates as written in the feed
  TextDetail title_detail;                                 // title as given (maybe HTML)
  TextDetail summary_detail;                               // .value == summary
  std::vector<TextDetail> contents;                        // [0].value == content
  std::vector<Link> links;
  std::vector<Person> authors;
};

struct Feed {
  std::string format;   // "rss20", "rss10", "rss09x", "atom10", "atom03", "json"
  std::string version;  // finer, feedparser's names: "rss091u", "rss092", "rss", "json11", …
  std::string title;    // plain text
  std::string link;
  std::string language;
  std::optional<int> ttl_minutes;                     // RSS <ttl>
  std::optional<std::chrono::seconds> update_period;  // sy:updatePeriod / sy:updateFrequency
  std::vector<Entry> entries;
  std::vector<std::string> warnings;  // non-empty = "bozo": recovered from errors
  // "" = the whole document was read. Otherwise the XML error that stopped the reading (also
  // among `warnings`): `entries` are those before it, and whatever followed it (more entries,
  // or the rest of a body cut short) is unknown — a broken feed, which the daemon counts as a
  // failed poll that still stores what was read (daemon/pipeline.h PollFailure::parse).
  std::string stopped;

  TextDetail title_detail;
  TextDetail subtitle_detail;  // RSS description / atom:subtitle / tagline
  std::vector<Link> links;
  std::vector<Person> authors;
  std::optional<Time> published, updated;
  std::string published_text, updated_text;
  std::string image;     // channel image / atom logo / icon
  std::string encoding;  // set by parse_feed_bytes ("" from parse_feed: input was UTF-8)
};

// Parses a feed document. `url` is the address it was fetched from (base for relative links).
// `now` clamps future dates (entries dated more than a day ahead get `now`).
Result<Feed> parse_feed(std::string_view utf8, std::string_view url,
                        std::optional<Time> now = std::nullopt);

// Feed bytes → UTF-8 by the rules for XML on the web (RFC 3023 media types, XML declaration,
// byte order mark / XML 1.0 Appendix F patterns), falling back on the other candidates and
// then on detection when the chosen charset does not decode. `encoding` is the lower-case name
// used ("utf-8", "us-ascii", "windows-1256", "utf-16le", "gb18030" for gb2312, …); `guessed`
// when it was detected; `warnings` when a declaration was wrong or the media type is not XML.
struct FeedText {
  std::string utf8;
  std::string encoding;
  bool guessed = false;
  std::vector<std::string> warnings;
};
FeedText decode_feed(std::string_view bytes, std::string_view content_type = {});

// decode_feed + parse_feed: the decoding warnings lead Feed::warnings; Feed::encoding is set.
Result<Feed> parse_feed_bytes(std::string_view bytes, std::string_view content_type,
                              std::string_view url, std::optional<Time> now = std::nullopt);

// Median gap between consecutive publication dates (the newest 20 dated entries), if at least
// 3 are dated: how often the feed says it publishes (a scheduling hint, daemon/service.h).
std::optional<std::chrono::seconds> publish_gap(const std::vector<Entry>& entries);

// Dates in feeds and HTTP headers, as instants: the one date reader of text/date.h (RFC 822 and
// its real-world variants, ISO 8601 / RFC 3339, the Arabic month vocabulary, Hijri calendars);
// a missing zone is taken as UTC.
inline std::optional<Time> parse_date(std::string_view s) {
  auto d = text::parse_date(s);
  return d ? std::optional<Time>(d->at) : std::nullopt;
}
using text::format_iso8601;  // "2015-11-23T17:41:00Z"

// ---- HTML ---------------------------------------------------------------------------------

// An HTML document parsed by libxml2 (UTF-8 in, recovering from errors, no network, no DTD).
class Html {
 public:
  static Result<Html> parse(std::string_view utf8, std::string_view url);
  Html(Html&&) noexcept;
  Html& operator=(Html&&) noexcept;
  ~Html();

  xmlDoc* doc() const { return doc_; }
  xmlNode* root() const;  // <html> element (never null for a successful parse)
  const std::string& url() const { return url_; }
  // libxml2 stops nesting at depth 256 and drops deeper content: true when that happened.
  bool truncated() const { return truncated_; }

 private:
  Html() = default;
  xmlDoc* doc_ = nullptr;
  std::string url_;
  bool truncated_ = false;
};

// XPath 1.0 over an Html page, as libxml2 reads it: the one place rasid compiles and evaluates
// the XPath of a configuration (clean.drop, clean.body, link_selector). libxml2's messages are
// kept off stderr; a bad expression is an Error ("invalid XPath \"EXPR\"").
// `valid_xpath`: the expression compiles, names no variable (rasid defines none) and no function
// beyond XPath 1.0's core library, and evaluates without error on a small page (an unbound
// namespace prefix): what `rasid check` and a reload verify, so that no source's rule fails on
// every page. `select`: the nodes it matches,
// in document order (empty when it yields a number, string or boolean).
bool valid_xpath(std::string_view expr);
Result<std::vector<xmlNode*>> select(const Html& page, std::string_view expr);

// Article links on a section page (no feed): same site, article-like paths, not navigation,
// tag, author or category pages; resolved, canonicalized, in page order, no repeats.
// `selector` (optional XPath) restricts the search to matching <a> elements (and <a> inside
// matching elements); an invalid selector yields no links.
std::vector<std::string> article_links(const Html& page, std::string_view selector = {});

// Feeds a page advertises (<link rel="alternate" type="application/rss+xml" …), absolute.
std::vector<std::string> feed_links(const Html& page);

// ---- OPML ------------------------------------------------------------------------------------

// One feed of an OPML subscription list. `category` is the folder path ("أخبار/سياسة": nested
// outline titles joined by '/'), else the outline's own category attribute ("" when none).
struct OpmlFeed {
  std::string title;
  std::string xml_url;   // the feed (absolute)
  std::string html_url;  // the site, may be empty
  std::string category;
};

// Reads OPML 1.0/2.0 (UTF-8). Outlines without xmlUrl are folders; `url` resolves relative
// addresses. Error when the document is not OPML; an OPML without feeds is an empty list.
Result<std::vector<OpmlFeed>> parse_opml(std::string_view utf8, std::string_view url = {});
// Writes OPML 2.0: one folder outline per category (nested by '/'), feeds in the given order.
std::string write_opml(const std::vector<OpmlFeed>& feeds, std::string_view title);

}  // namespace rasid::parse
