// parse/feed_html.cpp — fragment re-serialization, entity decoding and text extraction.
#include "parse/feed_html.h"

#include <libxml/HTMLparser.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <cstdio>
#include <cstring>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "parse/feed_internal.h"
#include "parse/parser.h"
#include "text/text.h"
#include "url/url.h"

namespace rasid::parse {
namespace {

bool is_name_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == ':' ||
         c == '.';
}
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }

template <std::size_t N>
bool in(const std::array<std::string_view, N>& set, std::string_view v) {
  return std::find(set.begin(), set.end(), v) != set.end();
}

constexpr std::array<std::string_view, 15> kVoid = {"area",  "base",   "br",    "col",  "embed",
                                                    "hr",    "img",    "input", "link", "meta",
                                                    "param", "source", "track", "wbr",  "basefont"};
// Dropped with everything inside them.
constexpr std::array<std::string_view, 11> kDropWithContent = {
    "script", "style",    "iframe",  "object",   "embed", "applet",
    "frame",  "frameset", "noembed", "template", "svg"};
// Dropped, content kept.
constexpr std::array<std::string_view, 13> kDropTag = {
    "html",     "head", "body", "form", "input", "button", "select",
    "textarea", "meta", "link", "base", "title", "option"};
constexpr std::array<std::string_view, 12> kUrlAttrs = {
    "href",   "src",    "cite",     "action", "background", "longdesc",
    "poster", "usemap", "codebase", "data",   "profile",    "dynsrc"};

struct Attr {
  std::string name;
  std::string value;
};

bool unsafe_url(std::string_view v) {
  std::string s;
  for (char c : v)
    if (!is_space(c) && static_cast<unsigned char>(c) > 0x1f)
      s += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s.starts_with("javascript:") || s.starts_with("vbscript:") ||
         s.starts_with("data:text/html");
}

// Parses a reference at s[i] == '&'; returns consumed length (0 = not a reference).
std::size_t parse_reference(std::string_view s, std::size_t i, unsigned long& cp) {
  std::size_t j = i + 1;
  if (j < s.size() && s[j] == '#') {
    ++j;
    bool hex = j < s.size() && (s[j] == 'x' || s[j] == 'X');
    if (hex) ++j;
    std::size_t start = j;
    unsigned long v = 0;
    while (j < s.size() && (hex ? std::isxdigit(static_cast<unsigned char>(s[j]))
                                : std::isdigit(static_cast<unsigned char>(s[j])))) {
      int d = std::isdigit(static_cast<unsigned char>(s[j]))
                  ? s[j] - '0'
                  : std::tolower(static_cast<unsigned char>(s[j])) - 'a' + 10;
      v = v * (hex ? 16 : 10) + static_cast<unsigned long>(d);
      if (v > 0x10FFFF) v = 0x110000;
      ++j;
    }
    if (j == start) return 0;
    if (j < s.size() && s[j] == ';') ++j;
    // Windows-1252 numeric references (&#150;) as browsers read them.
    if (v >= 0x80 && v < 0xA0) v = windows1252_c1(static_cast<unsigned>(v));
    if (v == 0) v = 0xFFFD;
    cp = v;
    return j - i;
  }
  std::size_t start = j;
  while (j < s.size() && std::isalnum(static_cast<unsigned char>(s[j])) && j - start < 10) ++j;
  if (j == start) return 0;
  std::string_view name = s.substr(start, j - start);
  bool semi = j < s.size() && s[j] == ';';
  // Without ';' only the references browsers have always read that way.
  if (!semi && name != "amp" && name != "lt" && name != "gt" && name != "quot" && name != "nbsp")
    return 0;
  unsigned named = html_entity(name);
  if (named == 0) return 0;
  cp = named;
  return j - i + (semi ? 1 : 0);
}

// Text of an HTML fragment: references are kept as written, a bare '&' becomes "&amp;", and
// Windows-1252 numeric references (&#146;) are rewritten to the code point they mean.
void append_text(std::string& out, std::string_view t) {
  for (std::size_t i = 0; i < t.size(); ++i) {
    if (t[i] != '&') {
      std::size_t amp = t.find('&', i);
      if (amp == std::string_view::npos) amp = t.size();
      out.append(t.substr(i, amp - i));
      i = amp - 1;
      continue;
    }
    unsigned long cp = 0;
    std::size_t n = parse_reference(t, i, cp);
    if (n == 0 || t[i + n - 1] != ';') {
      out += "&amp;";
      continue;
    }
    std::string_view ref = t.substr(i, n);
    if (ref.size() > 2 && ref[1] == '#') {
      // numeric: keep as written unless it was a Windows-1252 control-range reference
      unsigned long raw = 0;
      bool hex = ref[2] == 'x' || ref[2] == 'X';
      for (std::size_t k = hex ? 3 : 2; k + 1 < ref.size(); ++k) {
        char d = ref[k];
        raw = raw * (hex ? 16 : 10) +
              static_cast<unsigned long>(std::isdigit(static_cast<unsigned char>(d))
                                             ? d - '0'
                                             : std::tolower(static_cast<unsigned char>(d)) - 'a' +
                                                   10);
        if (raw > 0x10FFFF) break;
      }
      if (raw >= 0x80 && raw < 0xA0 && cp != raw) {
        char buf[16];
        std::snprintf(buf, sizeof buf, "&#x%lx;", cp);
        out += buf;
        i += n - 1;
        continue;
      }
    }
    out.append(ref);
    i += n - 1;
  }
}

}  // namespace

unsigned html_entity(std::string_view name) {
  // The names feeds use most, before libxml2's table (a linear scan of 253 names).
  if (name == "amp") return '&';
  if (name == "lt") return '<';
  if (name == "gt") return '>';
  if (name == "quot") return '"';
  if (name == "nbsp") return 0xA0;
  char buf[16];
  if (name.empty() || name.size() >= sizeof buf) return 0;
  name.copy(buf, name.size());
  buf[name.size()] = '\0';
  const htmlEntityDesc* e = htmlEntityLookup(reinterpret_cast<const xmlChar*>(buf));
  return e == nullptr ? 0 : e->value;
}

bool fast_valid_utf8(std::string_view s) {
  const unsigned char* p = reinterpret_cast<const unsigned char*>(s.data());
  const std::size_t n = s.size();
  std::size_t i = 0;
  while (i < n) {
#ifdef __SSE2__
    // 16 bytes at a time while the text is ASCII and two-byte sequences (Arabic, Latin-1
    // supplement, …): every continuation byte must follow a lead byte C2..DF and vice versa.
    while (i + 16 <= n) {
      __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
      unsigned high = static_cast<unsigned>(_mm_movemask_epi8(b));
      if (high == 0) {
        i += 16;
        continue;
      }
      __m128i cont = _mm_cmpeq_epi8(_mm_and_si128(b, _mm_set1_epi8(static_cast<char>(0xC0))),
                                    _mm_set1_epi8(static_cast<char>(0x80)));
      __m128i lead = _mm_cmpeq_epi8(_mm_and_si128(b, _mm_set1_epi8(static_cast<char>(0xE0))),
                                    _mm_set1_epi8(static_cast<char>(0xC0)));
      __m128i overlong = _mm_or_si128(_mm_cmpeq_epi8(b, _mm_set1_epi8(static_cast<char>(0xC0))),
                                      _mm_cmpeq_epi8(b, _mm_set1_epi8(static_cast<char>(0xC1))));
      unsigned cont_m = static_cast<unsigned>(_mm_movemask_epi8(cont));
      unsigned lead_m = static_cast<unsigned>(_mm_movemask_epi8(_mm_andnot_si128(overlong, lead)));
      if ((cont_m | lead_m) != high) break;           // 3/4-byte sequences or invalid bytes: scalar
      if (((lead_m << 1) & 0xFFFF) != cont_m) break;  // also catches a leading continuation
      i += (lead_m & 0x8000) ? 15 : 16;  // a pair split by the chunk end starts the next one
    }
    if (i >= n) break;
#endif
    unsigned char c = p[i];
    if (c < 0x80) {
      ++i;
      while (i + 8 <= n) {  // ASCII runs, 8 bytes at a time
        std::uint64_t w;
        std::memcpy(&w, p + i, 8);
        if (w & 0x8080808080808080ULL) break;
        i += 8;
      }
      continue;
    }
    if (c >= 0xC2 && c <= 0xDF) {  // Arabic and the rest of U+0080..U+07FF
      if (i + 1 >= n || (p[i + 1] & 0xC0) != 0x80) return false;
      i += 2;
      continue;
    }
    if (c >= 0xE0 && c <= 0xEF) {
      if (i + 2 >= n || (p[i + 1] & 0xC0) != 0x80 || (p[i + 2] & 0xC0) != 0x80) return false;
      unsigned cp = (c & 0x0Fu) << 12 | (p[i + 1] & 0x3Fu) << 6 | (p[i + 2] & 0x3Fu);
      if (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF) || cp == 0xFFFE || cp == 0xFFFF)
        return false;
      i += 3;
      continue;
    }
    if (c >= 0xF0 && c <= 0xF4) {
      if (i + 3 >= n || (p[i + 1] & 0xC0) != 0x80 || (p[i + 2] & 0xC0) != 0x80 ||
          (p[i + 3] & 0xC0) != 0x80)
        return false;
      unsigned long cp = (c & 0x07ul) << 18 | (p[i + 1] & 0x3Ful) << 12 | (p[i + 2] & 0x3Ful) << 6 |
                         (p[i + 3] & 0x3Ful);
      if (cp < 0x10000 || cp > 0x10FFFF) return false;
      i += 4;
      continue;
    }
    return false;
  }
  return true;
}

void append_utf8(std::string& out, unsigned long cp) {
  if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) cp = 0xFFFD;
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

std::string decode_entities(std::string_view s) {
  if (s.find('&') == std::string_view::npos) return std::string(s);
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '&') {
      unsigned long cp = 0;
      if (std::size_t n = parse_reference(s, i, cp)) {
        append_utf8(out, cp);
        i += n - 1;
        continue;
      }
    }
    out += s[i];
  }
  return out;
}

bool looks_like_html(std::string_view s) {
  static constexpr std::array<std::string_view, 40> kTags = {
      "a",      "abbr",  "acronym", "address", "b",   "big", "blockquote", "br",
      "center", "cite",  "code",    "dd",      "del", "div", "dl",         "dt",
      "em",     "font",  "h1",      "h2",      "h3",  "h4",  "h5",         "h6",
      "hr",     "i",     "img",     "li",      "ol",  "p",   "pre",        "q",
      "s",      "small", "span",    "strong",  "sub", "sup", "table",      "u"};
  for (std::size_t i = s.find("</"); i != std::string_view::npos; i = s.find("</", i + 2)) {
    std::size_t j = i + 2;
    while (j < s.size() && std::isalnum(static_cast<unsigned char>(s[j]))) ++j;
    if (j < s.size() && s[j] == '>' && in(kTags, text::ascii_lower(s.substr(i + 2, j - i - 2))))
      return true;
  }
  for (std::size_t i = s.find('&'); i != std::string_view::npos; i = s.find('&', i + 1)) {
    unsigned long cp = 0;
    std::size_t n = parse_reference(s, i, cp);
    if (n > 0 && s[i + n - 1] == ';') return true;
  }
  for (std::size_t i = s.find('<'); i != std::string_view::npos; i = s.find('<', i + 1)) {
    std::size_t j = i + 1;
    while (j < s.size() && std::isalnum(static_cast<unsigned char>(s[j]))) ++j;
    std::string name = text::ascii_lower(s.substr(i + 1, j - i - 1));
    if ((name == "br" || name == "img" || name == "p") && j < s.size() &&
        (s[j] == '>' || s[j] == '/' || is_space(s[j])))
      return true;
  }
  return false;
}

namespace {

// True when an end tag "</name" (any case, then '>', a blank or '/') follows position `from`.
bool has_end_tag(std::string_view s, std::size_t from, std::string_view name) {
  for (std::size_t p = s.find("</", from); p != std::string_view::npos; p = s.find("</", p + 2)) {
    const std::size_t e = p + 2 + name.size();
    if (e > s.size() || text::ascii_lower(s.substr(p + 2, name.size())) != name) continue;
    if (e == s.size() || s[e] == '>' || s[e] == '/' || is_space(s[e])) return true;
  }
  return false;
}

}  // namespace

std::string clean_html_fragment(std::string_view s, std::string_view base) {
  std::string out;
  out.reserve(s.size() + 16);
  std::string skip_until;  // inside a dropped element: its name
  int skip_depth = 0;
  std::size_t i = 0;
  while (i < s.size()) {
    char c = s[i];
    if (c != '<') {
      std::size_t next = s.find('<', i);
      if (next == std::string_view::npos) next = s.size();
      if (skip_until.empty()) append_text(out, s.substr(i, next - i));
      i = next;
      continue;
    }
    // c == '<'
    if (s.substr(i, 4) == "<!--") {
      std::size_t end = s.find("-->", i + 4);
      i = end == std::string_view::npos ? s.size() : end + 3;
      continue;
    }
    if (i + 1 < s.size() && s[i + 1] == '!') {
      if (s.substr(i, 9) == "<![CDATA[") {
        std::size_t end = s.find("]]>", i + 9);
        std::string_view body =
            s.substr(i + 9, end == std::string_view::npos ? std::string_view::npos : end - i - 9);
        if (skip_until.empty()) out += text::escape_html(body);
        i = end == std::string_view::npos ? s.size() : end + 3;
        continue;
      }
      if (i + 2 < s.size() && std::isalpha(static_cast<unsigned char>(s[i + 2]))) {
        std::size_t end = s.find('>', i + 2);
        if (end == std::string_view::npos) {  // not a declaration after all: keep as text
          if (skip_until.empty()) out.append(s.substr(i));
          break;
        }
        i = end + 1;  // declarations (<!DOCTYPE …>) are dropped
        continue;
      }
      if (skip_until.empty()) out += "&lt;";
      ++i;
      continue;
    }
    if (i + 1 < s.size() && s[i + 1] == '?') {
      std::size_t end = s.find('>', i + 2);
      i = end == std::string_view::npos ? s.size() : end + 1;
      continue;
    }
    bool closing = i + 1 < s.size() && s[i + 1] == '/';
    std::size_t j = i + (closing ? 2 : 1);
    if (j >= s.size() || !std::isalpha(static_cast<unsigned char>(s[j]))) {
      if (skip_until.empty()) out += "&lt;";
      ++i;
      continue;
    }
    std::size_t name_start = j;
    while (j < s.size() && is_name_char(s[j])) ++j;
    std::string name = text::ascii_lower(s.substr(name_start, j - name_start));
    if (auto colon = name.find(':'); colon != std::string::npos) name = name.substr(colon + 1);
    // attributes
    std::vector<Attr> attrs;
    bool self_close = false;
    while (j < s.size() && s[j] != '>') {
      if (is_space(s[j])) {
        ++j;
        continue;
      }
      if (s[j] == '/') {
        self_close = true;
        ++j;
        continue;
      }
      self_close = false;
      std::size_t an = j;
      while (j < s.size() && !is_space(s[j]) && s[j] != '=' && s[j] != '>' &&
             !(s[j] == '/' && j + 1 < s.size() && s[j + 1] == '>'))
        ++j;
      std::string aname = text::ascii_lower(s.substr(an, j - an));
      while (j < s.size() && is_space(s[j])) ++j;
      std::string value;
      bool has_value = false;
      if (j < s.size() && s[j] == '=') {
        ++j;
        while (j < s.size() && is_space(s[j])) ++j;
        has_value = true;
        if (j < s.size() && (s[j] == '"' || s[j] == '\'')) {
          char q = s[j];
          std::size_t end = s.find(q, j + 1);
          if (end == std::string_view::npos) end = s.size();
          value = std::string(s.substr(j + 1, end - j - 1));
          j = end < s.size() ? end + 1 : end;
        } else {
          std::size_t vs = j;
          while (j < s.size() && !is_space(s[j]) && s[j] != '>') ++j;
          value = std::string(s.substr(vs, j - vs));
        }
      }
      if (aname.empty()) {
        ++j;
        continue;
      }
      if (!has_value) value = aname;
      attrs.push_back({std::move(aname), std::move(value)});
    }
    i = j < s.size() ? j + 1 : s.size();

    if (!skip_until.empty()) {
      if (name == skip_until) {
        if (closing) {
          if (--skip_depth == 0) skip_until.clear();
        } else if (!self_close) {
          ++skip_depth;
        }
      }
      continue;
    }
    if (in(kDropWithContent, name)) {
      // Its content goes with it up to its end tag; a start tag whose end tag never comes is
      // dropped alone ("Breaking <script>alert(1) news after</b>": the text after it stays text).
      if (!closing && !self_close && name != "embed" && has_end_tag(s, i, name)) {
        skip_until = name;
        skip_depth = 1;
      }
      continue;
    }
    if (in(kDropTag, name)) continue;
    if (closing) {
      if (!in(kVoid, name)) out += "</" + name + ">";
      continue;
    }
    std::stable_sort(attrs.begin(), attrs.end(),
                     [](const Attr& a, const Attr& b) { return a.name < b.name; });
    out += '<';
    out += name;
    std::string_view prev;
    for (auto& a : attrs) {
      if (a.name == prev) continue;
      prev = a.name;
      if (a.name == "xmlns" || a.name.starts_with("xmlns:") || a.name.starts_with("on") ||
          a.name == "style" || a.name.starts_with("xml:"))
        continue;
      if (in(kUrlAttrs, a.name)) {
        if (unsafe_url(a.value)) continue;
        if (!base.empty()) a.value = url::resolve(base, a.value);
      }
      out += ' ';
      out += a.name;
      out += "=\"";
      for (char ch : a.value) {
        if (ch == '<')
          out += "&lt;";
        else if (ch == '>')
          out += "&gt;";
        else if (ch == '"')
          out += "&quot;";
        else
          out += ch;
      }
      out += '"';
    }
    out += in(kVoid, name) ? " />" : ">";
  }
  return out;
}

namespace {

// Text of a libxml2 HTML subtree; block elements and <br> separate words.
void collect_text(const xmlNode* n, std::string& out) {
  for (const xmlNode* c = n->children; c != nullptr; c = c->next) {
    if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) {
      if (c->content != nullptr) out += reinterpret_cast<const char*>(c->content);
      continue;
    }
    if (c->type != XML_ELEMENT_NODE || c->name == nullptr) continue;
    std::string_view name = reinterpret_cast<const char*>(c->name);
    if (name == "script" || name == "style") continue;
    static constexpr std::array<std::string_view, 16> kBlock = {
        "br", "p",  "div", "li", "tr", "td",         "th", "h1",
        "h2", "h3", "h4",  "h5", "h6", "blockquote", "hr", "dd"};
    bool block = in(kBlock, name);
    if (block) out += ' ';
    collect_text(c, out);
    if (block) out += ' ';
  }
}

bool blank(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// The usual markup of a feed title — text, character references and inline phrasing tags
// ("Example <b>Atom</b>", "<a href=\"…\">…</a>") — read without a libxml2 parse (a few µs per
// title, most of the feed's time on small feeds), only where libxml2's HTML parser yields the
// same text: every text segment is kept in order (libxml2 keeps blanks by default, and these
// elements and its implied <p> all allow text), inline tags add nothing, <p> and <br> a word
// break where they stand (libxml2 may move an implied end, never across text), and the only
// references accepted are those both read alike — a named one of the HTML 4 table with ';'
// (html_entity is libxml2's own htmlEntityLookup) and a decimal or &#x…; one with ';' to a
// character XML allows outside the C1 range. Anything else (another element, a comment, a '<' or
// '&' that starts no such construct, an attribute libxml2 could read differently, invalid UTF-8, a
// control) is left to libxml2: false. Pinned against libxml2 by
// FeedHtml.InlineFastPathMatchesLibxml2.
bool inline_text(std::string_view s, std::string& raw) {
  static constexpr std::array<std::string_view, 16> kInline = {
      "a", "abbr", "b", "big",   "cite", "code",   "em", "font",
      "i", "q",    "s", "small", "span", "strong", "tt", "u"};
  if (!fast_valid_utf8(s)) return false;
  for (char c : s)
    if (static_cast<unsigned char>(c) < 0x20 && !blank(c)) return false;
  raw.reserve(s.size());
  int tags = 0;
  std::size_t i = 0;
  while (i < s.size()) {
    char c = s[i];
    if (c == '&') {
      std::size_t j = i + 1;
      if (j < s.size() && s[j] == '#') {
        auto ref = numeric_char_ref(s, j, 7, /*upper_x=*/false);
        const unsigned long v = ref ? ref->code_point : 0;
        bool ok = ref && ((v >= 0x20 && v < 0x7F) || (v >= 0xA0 && v < 0xD800) ||
                          (v >= 0xE000 && v < 0xFFFE) || (v >= 0x10000 && v <= 0x10FFFF));
        if (!ok) return false;
        append_utf8(raw, v);
        i = ref->semicolon + 1;
        continue;
      }
      std::size_t k = j;
      while (k < s.size() && k - j < 10 && std::isalnum(static_cast<unsigned char>(s[k]))) ++k;
      if (k == j || k >= s.size() || s[k] != ';') return false;
      unsigned cp = html_entity(s.substr(j, k - j));
      if (cp == 0) return false;
      append_utf8(raw, cp);
      i = k + 1;
      continue;
    }
    if (c != '<') {
      raw += c;
      ++i;
      continue;
    }
    // A tag: "<name attrs>", "<name attrs/>" or "</name>", name one of kInline.
    std::size_t j = i + 1;
    bool end = j < s.size() && s[j] == '/';
    if (end) ++j;
    std::size_t ns = j;
    while (j < s.size() && alpha(s[j])) ++j;
    if (j == ns) return false;
    std::string name = text::ascii_lower(s.substr(ns, j - ns));
    // <p> and <br> separate words (collect_text's blocks); <img> holds no text. A </br> or
    // </img> is libxml2's to read.
    bool block = name == "p" || name == "br";
    bool is_void = name == "br" || name == "img";
    if (!in(kInline, name) && !block && !is_void) return false;
    if (end && is_void) return false;
    if (!end && ++tags > 200) return false;  // far from libxml2's depth limit (256)
    if (block) raw += ' ';
    if (end) {
      while (j < s.size() && blank(s[j])) ++j;
      if (j >= s.size() || s[j] != '>') return false;
      i = j + 1;
      continue;
    }
    // Attributes: blank+ name [blank* = blank* ("…" | '…' | unquoted)], strictly.
    while (true) {
      std::size_t b = j;
      while (j < s.size() && blank(s[j])) ++j;
      if (j >= s.size()) return false;
      if (s[j] == '>') break;
      if (s[j] == '/' && j + 1 < s.size() && s[j + 1] == '>') {
        ++j;
        break;
      }
      if (j == b || !alpha(s[j])) return false;
      while (j < s.size() && (std::isalnum(static_cast<unsigned char>(s[j])) || s[j] == '-')) ++j;
      std::size_t e = j;
      while (e < s.size() && blank(s[e])) ++e;
      if (e >= s.size() || s[e] != '=') continue;  // a name without value
      j = e + 1;
      while (j < s.size() && blank(s[j])) ++j;
      if (j >= s.size()) return false;
      if (s[j] == '"' || s[j] == '\'') {
        std::size_t q = s.find(s[j], j + 1);
        if (q == std::string_view::npos) return false;
        j = q + 1;
        if (j < s.size() && !blank(s[j]) && s[j] != '>' && s[j] != '/') return false;
      } else {
        std::size_t v = j;
        while (j < s.size() && !blank(s[j]) && s[j] != '>' && s[j] != '"' && s[j] != '\'' &&
               s[j] != '<' && s[j] != '=' && s[j] != '`' && s[j] != '/')
          ++j;
        if (j == v) return false;
      }
    }
    i = j + 1;
  }
  return true;
}

}  // namespace

std::string html_to_text(std::string_view s) {
  if (s.find('<') == std::string_view::npos)
    return text::collapse_space(s.find('&') == std::string_view::npos ? std::string(s)
                                                                      : decode_entities(s));
  std::string fast;
  if (inline_text(s, fast)) return text::collapse_space(fast);
  return html_to_text_parsed(s);
}

std::string html_to_text_parsed(std::string_view s) {
  // Markup: libxml2's HTML parser, as for pages ('>' inside attribute values, comments,
  // unclosed tags and every character reference read the way browsers read them).
  auto doc = Html::parse(s, {});
  if (!doc.ok()) return text::collapse_space(decode_entities(s));
  std::string raw;
  raw.reserve(s.size());
  collect_text(doc->root(), raw);
  return text::collapse_space(raw);
}

}  // namespace rasid::parse
