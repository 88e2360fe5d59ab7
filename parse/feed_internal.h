// parse/feed_internal.h — internal: pieces of parse_feed shared between the format parsers.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "parse/parser.h"
#include "text/text.h"

namespace rasid::parse {

// JSON Feed 1.0 / 1.1 (https://jsonfeed.org/version/1.1).
Result<Feed> parse_json_feed(std::string_view utf8, std::string_view url, std::optional<Time> now);

// What is already known of the text given to parse_feed_utf8.
enum class Known {
  nothing,
  valid,                   // valid UTF-8 (decode_feed output)
  valid_without_controls,  // and no C0 controls but \t \n \r (a decoder's output, text/text.h)
};

// parse_feed, told what is known of the input; what is known is not checked again.
Result<Feed> parse_feed_utf8(std::string_view utf8, std::string_view url, std::optional<Time> now,
                             Known known);

// decode_feed, also saying whether the text came from a decoder, which drops C0 controls
// (text/text.h), rather than being the bytes as they are (UTF-8, US-ASCII), which may hold some.
FeedText decode_feed(std::string_view bytes, std::string_view content_type, bool* without_controls);

// C0 controls other than tab, LF and CR are dropped before a feed is read: text/text.h owns
// the rule (the page path applies the same one); every feed format calls it.
using text::drop_controls;

// A numeric character reference whose '#' is at s[hash] ("#1575;", "#x627;"): its code point
// and the index of its ';'. nullopt when it is not one: no digits, more than `max_digits`, no
// ';' right after them, or an upper-case X when `upper_x` is false.
struct CharRef {
  unsigned long code_point = 0;
  std::size_t semicolon = 0;
};
std::optional<CharRef> numeric_char_ref(std::string_view s, std::size_t hash,
                                        std::size_t max_digits, bool upper_x = true);

// The entry's dates from its *_text fields, the one way every feed format reads them: each
// through text::parse_date; `published` falls back on created, then updated; a date more than a
// day after `now` becomes `now` (written as UTC). Sets published_date alongside published.
void read_entry_dates(Entry& e, std::optional<Time> now);

// True when feeds in `canon` (an ICU charset name, text::canonical_charset: "windows-1256",
// "ISO-8859-6") decode through a 256-entry table built once per charset and thread from
// text::to_utf8 — the same text as ICU gives, without ICU per feed (decode_feed). False for
// charsets that are not stateless single-byte ones.
bool single_byte_charset(const std::string& canon);

// Makes every string of the feed valid UTF-8 without C0 controls (other than \t \n \r).
void sanitize_feed(Feed& f);

}  // namespace rasid::parse
