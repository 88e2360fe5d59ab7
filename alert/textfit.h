// alert/textfit.h — internal: fitting text into a target's limits without breaking characters,
// and the escaping each target needs. Not part of the contract.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace rasid::alert::detail {

// How a target counts length.
enum class Measure { bytes, utf16, codepoints };
std::size_t measure(std::string_view utf8, Measure m);

// Cuts `utf8` so that escape(result) measured in `m` fits `budget`, cutting only on extended
// grapheme cluster boundaries (ICU character break iterator: a letter keeps its tashkeel, an emoji
// sequence stays whole) and appending `ellipsis` when something was cut. Trailing spaces before
// the ellipsis are dropped. Returns the *unescaped* text; the caller escapes it.
using Escape = std::string (*)(std::string_view);
std::string fit(std::string_view utf8, std::size_t budget, Measure m, Escape escape = nullptr,
                std::string_view ellipsis = "…");

// Escapes (HTML: text::escape_html).
std::string escape_slack(std::string_view s);    // Slack mrkdwn: & < >
std::string escape_discord(std::string_view s);  // Discord markdown: \ * _ ~ ` | > [ ] ( ) # - @
// A header value: control characters (CR, LF, …) become spaces; non-ASCII text becomes an
// RFC 2047 encoded word (=?UTF-8?B?…?=), which ntfy decodes.
std::string header_value(std::string_view s);
// An URL made safe for a header: controls dropped, non-ASCII bytes percent-encoded.
std::string header_url(std::string_view s);

}  // namespace rasid::alert::detail
