// parse/feed_charset.cpp — feed bytes → UTF-8 by the rules for XML on the web.
//
// RFC 3023 (as feed readers apply it): an application/…xml type takes its charset parameter,
// else the XML declaration, else the byte order mark (or the first bytes' pattern), else UTF-8;
// a text/…xml type takes its charset parameter, else US-ASCII; a non-XML type (text/plain,
// text/html) is decoded like application/xml and flagged. XML 1.0 Appendix F gives the first-bytes
// patterns for UTF-16/32 without a BOM. When the chosen charset does not decode the bytes, the
// other candidates are tried; a declaration that turned out wrong is a warning, an undeclared
// guess is not, and when nothing was declared and the bytes are not UTF-8 the charset is detected.
#include <algorithm>
#include <array>
#include <cctype>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "parse/feed_html.h"
#include "parse/feed_internal.h"
#include "parse/parser.h"
#include "text/text.h"

namespace rasid::parse {
namespace {

// "UTF_16" and "utf-16" are the same label.
std::string label(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    c = c == '_' ? '-' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string trim_quotes(std::string_view s) {
  auto sp = [](char c) { return c == ' ' || c == '\t'; };
  while (!s.empty() && sp(s.front())) s.remove_prefix(1);
  while (!s.empty() && sp(s.back())) s.remove_suffix(1);
  if (s.size() >= 2 && (s.front() == '"' || s.front() == '\'') && s.back() == s.front())
    s = s.substr(1, s.size() - 2);
  return std::string(s);
}

struct ContentType {
  std::string media;  // lower-case, "" when absent
  std::string charset;
};

ContentType parse_content_type(std::string_view v) {
  ContentType ct;
  std::size_t semi = v.find(';');
  ct.media = text::ascii_lower(trim_quotes(v.substr(0, semi)));
  while (semi != std::string_view::npos) {
    std::size_t next = v.find(';', semi + 1);
    std::string_view param =
        v.substr(semi + 1, next == std::string_view::npos ? v.npos : next - semi - 1);
    std::size_t eq = param.find('=');
    if (eq != std::string_view::npos &&
        text::ascii_lower(trim_quotes(param.substr(0, eq))) == "charset")
      ct.charset = label(trim_quotes(param.substr(eq + 1)));
    semi = next;
  }
  return ct;
}

bool is_multibyte_unicode(std::string_view enc) {
  return enc.starts_with("utf-16") || enc.starts_with("utf-32") || enc == "ucs-2" ||
         enc == "ucs-4" || enc == "utf16" || enc == "utf32" || enc == "u16" || enc == "u32";
}

// Single-byte charsets (windows-1256, ISO-8859-6, windows-1252, …) decode through a 256-entry
// table built once per charset from ICU's own conversion (text::to_utf8, controls dropped by the
// decoders' rule): same result, a fraction of the cost.
struct SingleByte {
  std::array<std::array<char, 4>, 256> bytes{};  // UTF-8 of byte b in bytes[b][0..len[b])
  std::array<unsigned char, 256> len{};
  bool unmapped = false;  // some byte decodes to U+FFFD (ISO-8859-6's holes; none in windows-1256)
};

const SingleByte* single_byte_table(const std::string& canon) {
  thread_local std::map<std::string, std::unique_ptr<SingleByte>> cache;
  auto it = cache.find(canon);
  if (it != cache.end()) return it->second.get();
  auto t = std::make_unique<SingleByte>();
  std::string all;
  std::string joined;
  bool single = text::is_single_byte(canon);
  for (int b = 0; b < 256 && single; ++b) {
    char c = static_cast<char>(b);
    std::string u = text::to_utf8(std::string_view(&c, 1), canon);
    // A byte that decodes to nothing is one the charset maps to a C0 control the decoders drop
    // (text/text.h: 0x01 in most, 0x7F too in IBM866).
    single = u.size() <= 4;
    if (!single) break;
    std::memcpy(t->bytes[static_cast<std::size_t>(b)].data(), u.data(), u.size());
    t->len[static_cast<std::size_t>(b)] = static_cast<unsigned char>(u.size());
    t->unmapped = t->unmapped || u == "\xEF\xBF\xBD";
    all += c;
    joined += u;
  }
  // stateless single-byte: converting all bytes at once gives the same as one by one
  if (single) single = text::to_utf8(all, canon) == joined;
  const SingleByte* result = single ? t.get() : nullptr;
  cache.emplace(canon, single ? std::move(t) : nullptr);
  return result;
}

// Tries to decode `bytes` as `enc`; false when the charset is unknown or the bytes are not
// text in it. `*copied` is true when `out` is the bytes as they are (UTF-8, US-ASCII), which may
// hold C0 controls; every decoder drops them (text/text.h), and so do the single-byte tables.
bool try_decode(std::string_view bytes, const std::string& enc, std::string& out,
                bool* copied = nullptr) {
  if (copied) *copied = false;
  if (enc == "utf-16be" || enc == "utf-16le") {
    out = text::decode_as(bytes, enc == "utf-16be" ? "UTF-16BE" : "UTF-16LE");
    return true;
  }
  if (enc == "utf-32be" || enc == "utf-32le") {
    out = text::decode_as(bytes, enc == "utf-32be" ? "UTF-32BE" : "UTF-32LE");
    return true;
  }
  if (enc == "us-ascii" || enc == "ascii") {
    if (std::any_of(bytes.begin(), bytes.end(), [](char c) { return (c & 0x80) != 0; }))
      return false;
    out = std::string(bytes);
    if (copied) *copied = true;
    return true;
  }
  if (enc == "utf-8" || enc == "utf8") {
    if (!fast_valid_utf8(bytes)) return false;
    out = std::string(bytes);
    if (copied) *copied = true;
    return true;
  }
  std::string canon = text::canonical_charset(enc);
  if (canon.empty()) return false;
  // The charset does not decode the bytes when it made more U+FFFD than they already held.
  auto count_fffd = [](std::string_view s) {
    std::size_t n = 0;
    for (std::size_t p = s.find("\xEF\xBF\xBD"); p != std::string_view::npos;
         p = s.find("\xEF\xBF\xBD", p + 3))
      ++n;
    return n;
  };
  if (const SingleByte* table = single_byte_table(canon)) {
    std::size_t total = 0;
    for (char ch : bytes) total += table->len[static_cast<unsigned char>(ch)];
    out.resize(total + 4);  // +4: each copy writes 4 bytes, then advances by the real length
    char* w = out.data();
    for (char ch : bytes) {
      auto b = static_cast<unsigned char>(ch);
      std::memcpy(w, table->bytes[b].data(), 4);
      w += table->len[b];
    }
    out.resize(static_cast<std::size_t>(w - out.data()));
    return !table->unmapped || count_fffd(out) <= count_fffd(bytes);
  }
  std::size_t had = count_fffd(bytes);
  out = text::to_utf8(bytes, enc);
  return count_fffd(out) <= had;
}

}  // namespace

bool single_byte_charset(const std::string& canon) { return single_byte_table(canon) != nullptr; }

FeedText decode_feed(std::string_view bytes, std::string_view content_type) {
  bool without_controls = false;
  return decode_feed(bytes, content_type, &without_controls);
}

FeedText decode_feed(std::string_view bytes, std::string_view content_type,
                     bool* without_controls) {
  FeedText r;
  bool copied = false;
  // 1. byte order mark, or the first-bytes pattern of XML 1.0 Appendix F
  std::string bom_enc;
  std::size_t skip = 0;
  auto starts = [&](std::string_view p) { return bytes.substr(0, p.size()) == p; };
  using namespace std::string_view_literals;
  if (starts("\x00\x00\xFE\xFF"sv))
    bom_enc = "utf-32be", skip = 4;
  else if (starts("\xFF\xFE\x00\x00"sv))
    bom_enc = "utf-32le", skip = 4;
  else if (starts("\xEF\xBB\xBF"sv))
    bom_enc = "utf-8", skip = 3;
  else if (starts("\xFE\xFF"sv))
    bom_enc = "utf-16be", skip = 2;
  else if (starts("\xFF\xFE"sv))
    bom_enc = "utf-16le", skip = 2;
  else if (starts("\x00\x00\x00\x3C"sv))
    bom_enc = "utf-32be";
  else if (starts("\x3C\x00\x00\x00"sv))
    bom_enc = "utf-32le";
  else if (starts("\x00\x3C\x00\x3F"sv))
    bom_enc = "utf-16be";
  else if (starts("\x3C\x00\x3F\x00"sv))
    bom_enc = "utf-16le";
  std::string_view body = bytes.substr(skip);

  // 2. the XML declaration, read in the BOM's encoding when that is UTF-16/32
  std::string head;
  if (is_multibyte_unicode(bom_enc))
    try_decode(body.substr(0, 1024), bom_enc, head);
  else
    head = std::string(body.substr(0, 1024));
  std::string xml_enc;
  if (head.starts_with("<?xml")) {
    std::size_t end = head.find("?>");
    std::string decl = head.substr(0, end);
    std::size_t e = decl.find("encoding");
    if (e != std::string::npos) {
      std::size_t eq = decl.find('=', e);
      if (eq != std::string::npos) {
        std::size_t q = decl.find_first_of("\"'", eq);
        if (q != std::string::npos) {
          std::size_t q2 = decl.find(decl[q], q + 1);
          if (q2 != std::string::npos) xml_enc = label(trim_quotes(decl.substr(q + 1, q2 - q - 1)));
        }
      }
    }
  }
  if (!bom_enc.empty() && is_multibyte_unicode(bom_enc) &&
      (xml_enc.empty() || is_multibyte_unicode(xml_enc)))
    xml_enc = bom_enc;  // "utf-16" in the declaration: the BOM says which one
  if (xml_enc == "gb2312" || xml_enc == "gbk") xml_enc = "gb18030";

  // 3. the HTTP media type
  ContentType ct = parse_content_type(content_type);
  if (ct.charset == "gb2312" || ct.charset == "gbk") ct.charset = "gb18030";
  bool app_xml = ct.media == "application/xml" || ct.media == "application/xml-dtd" ||
                 ct.media == "application/xml-external-parsed-entity" ||
                 (ct.media.starts_with("application/") && ct.media.ends_with("+xml"));
  bool text_xml = ct.media == "text/xml" || ct.media == "text/xml-external-parsed-entity" ||
                  (ct.media.starts_with("text/") && ct.media.ends_with("+xml"));
  std::string chosen;
  bool declared = true;
  if (text_xml) {
    // RFC 3023's us-ascii default for text/xml is routinely wrong on the real web (UTF-8 feeds
    // served as text/xml): falling back from it is not worth a warning.
    chosen = !ct.charset.empty() ? ct.charset : "us-ascii";
    declared = !ct.charset.empty();
  } else {
    if (!ct.media.empty() && !app_xml)
      r.warnings.push_back("served as " + ct.media + ", not an XML media type");
    if (!ct.charset.empty())
      chosen = ct.charset;
    else if (!xml_enc.empty())
      chosen = xml_enc;
    else if (!bom_enc.empty())
      chosen = bom_enc;
    else
      chosen = "utf-8", declared = false;
  }
  // A BOM is physical evidence: it beats a declaration that disagrees with it.
  if (skip > 0 && chosen != bom_enc) {
    bool compatible = bom_enc == "utf-8" ? !is_multibyte_unicode(chosen) : false;
    if (!compatible || chosen != "utf-8") chosen = bom_enc;
  }

  // 4. decode, falling back on the other candidates
  if (try_decode(body, chosen, r.utf8, &copied)) {
    r.encoding = chosen;
  } else {
    bool known = is_multibyte_unicode(chosen) || chosen == "us-ascii" || chosen == "utf-8" ||
                 !text::canonical_charset(chosen).empty();
    std::vector<std::string> candidates;
    for (const std::string& c : {xml_enc, bom_enc, std::string("utf-8")})
      if (!c.empty() && c != chosen &&
          std::find(candidates.begin(), candidates.end(), c) == candidates.end())
        candidates.push_back(c);
    bool done = false;
    for (const auto& c : candidates) {
      if (try_decode(body, c, r.utf8, &copied)) {
        r.encoding = c;
        done = true;
        break;
      }
    }
    if (!done) {
      // Nothing declared decodes: detect (ICU), as a reader would guess.
      text::Decoded d = text::decode(body);
      r.utf8 = std::move(d.utf8);
      copied = false;
      r.encoding = text::ascii_lower(d.charset);
      r.guessed = d.how == "detected";
      if (!declared && (r.encoding == "windows-1252" || r.encoding == "iso-8859-1")) {
        r.guessed = false;  // undeclared Latin text: the usual fallback, not an error
      } else if (declared || r.guessed) {
        r.warnings.push_back(known ? "declared as " + chosen + " but decoded as " + r.encoding
                                   : "unknown encoding " + chosen + ", decoded as " + r.encoding);
      }
    } else if (declared) {
      r.warnings.push_back(known ? "declared as " + chosen + " but decoded as " + r.encoding
                                 : "unknown encoding " + chosen + ", decoded as " + r.encoding);
    }
  }
  if (r.utf8.starts_with("\xEF\xBB\xBF")) r.utf8.erase(0, 3);
  // No final validation pass: utf-8/us-ascii were validated by try_decode, ICU and the
  // single-byte tables yield valid UTF-8, the UTF-16/32 decoders substitute U+FFFD.
  *without_controls = !copied;
  return r;
}

Result<Feed> parse_feed_bytes(std::string_view bytes, std::string_view content_type,
                              std::string_view url, std::optional<Time> now) {
  bool without_controls = false;
  FeedText t = decode_feed(bytes, content_type, &without_controls);
  auto f = parse_feed_utf8(t.utf8, url, now,
                           without_controls ? Known::valid_without_controls : Known::valid);
  if (!f.ok()) return f;
  f->encoding = t.encoding;
  f->warnings.insert(f->warnings.begin(), t.warnings.begin(), t.warnings.end());
  return f;
}

}  // namespace rasid::parse
