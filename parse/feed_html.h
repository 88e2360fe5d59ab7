// parse/feed_html.h — internal: the small HTML tools the feed parser needs for text constructs.
// They work on fragments (a description, a title), never on whole pages (that is parse::Html).
#pragma once

#include <string>
#include <string_view>

#include "text/text.h"

namespace rasid::parse {

// Re-serializes an HTML fragment: tag and attribute names lower-cased, attributes sorted and
// double-quoted (< > " escaped inside values), void elements written "<br />", relative URLs
// in href/src/… resolved against `base`, comments and processing instructions dropped, unsafe
// elements (script, style, iframe, object, embed, …) dropped with their content (one whose end
// tag never comes is dropped alone: the text after it is kept, as text), on*/style
// attributes and javascript:/vbscript: URLs dropped. Text and character references are kept as
// written, except a '<' that starts no tag, which becomes "&lt;".
std::string clean_html_fragment(std::string_view html, std::string_view base);

// Plain text of an HTML fragment, read by libxml2's HTML parser (parse::Html): tags stripped
// (script/style content dropped), character references decoded once, whitespace collapsed.
// Text, references and inline phrasing tags only (the usual HTML title) are read without a
// parse, where libxml2 provably reads the same text; the rest by html_to_text_parsed.
std::string html_to_text(std::string_view html);
// html_to_text through libxml2 always (for the test that pins the two readings equal).
std::string html_to_text_parsed(std::string_view html);

// Decodes HTML character references (numeric, and every name of libxml2's HTML 4 table:
// html_entity). Invalid code points become U+FFFD.
std::string decode_entities(std::string_view s);

// What a C1 code point stands for as a Windows-1252 byte: text/text.h owns the table.
using text::windows1252_c1;

// The code point of a named HTML character reference ("hellip" → U+2026), from libxml2's
// table of the HTML 4.01 entities (htmlEntityLookup, the table its HTML parser reads pages
// with); 0 when the name is not one of them. Case-sensitive, as HTML is.
unsigned html_entity(std::string_view name);

// True when a value marked as plain text is really HTML (a closing tag of a known element, or
// an entity/character reference), the guess feed readers make for RSS titles.
bool looks_like_html(std::string_view s);

// True when `s` is valid UTF-8 without surrogates or U+FFFE/U+FFFF (ASCII runs checked 8 bytes
// at a time).
bool fast_valid_utf8(std::string_view s);

// Appends the UTF-8 encoding of a code point (U+FFFD for surrogates and out-of-range values).
void append_utf8(std::string& out, unsigned long cp);

}  // namespace rasid::parse
