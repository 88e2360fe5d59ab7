// libFuzzer target: response bytes → the Fetcher's undeclared-compression sniff (gzip, zstd,
// brotli when the URL names it) → decode_feed → parse_feed → each entry's own text through the
// cleaner (clean::entry_paragraphs, the body kept when the page is gone). Invariants checked: no
// crash, the decoded body stays within its cap, every string of a parsed feed is valid UTF-8
// (numeric references such as &#xD800; must never leak invalid UTF-8) without C0 controls in
// titles, links are absolute or empty, paragraphs are valid UTF-8.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "clean/extractor.h"
#include "fetch/content_coding.h"
#include "parse/parser.h"
#include "text/text.h"
#include "url/url.h"

namespace {
void require_utf8(const std::string& s) {
  if (!rasid::text::is_valid_utf8(s)) std::abort();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  // The first byte picks a content type so the charset rules are explored too.
  static constexpr std::string_view kTypes[] = {"", "application/rss+xml", "text/xml",
                                                "text/html; charset=windows-1256",
                                                "application/atom+xml; charset=utf-16"};
  std::string_view ct = size > 0 ? kTypes[data[0] % 5] : "";
  // The second byte's low bit names brotli in the URL, so that path is explored too.
  std::string url =
      size > 1 && (data[1] & 1) ? "https://example.com/feed.br" : "https://example.com/feed/";
  constexpr std::size_t kCap = 1u << 20;
  std::string body(in);
  auto u = rasid::fetch::decode_undeclared(body, url, ct, kCap);
  if (body.size() > kCap && u.decoded) std::abort();
  if (u.too_large && !body.empty()) std::abort();
  if (!u.decoded && !u.too_large && body != in) std::abort();
  auto f = rasid::parse::parse_feed_bytes(body, ct, url);
  if (!f.ok()) return 0;
  require_utf8(f->title);
  require_utf8(f->link);
  for (const auto& e : f->entries) {
    require_utf8(e.id);
    require_utf8(e.link);
    require_utf8(e.title);
    require_utf8(e.summary);
    require_utf8(e.content);
    require_utf8(e.author);
    for (const auto& c : e.categories) require_utf8(c);
    for (const auto& l : e.links) require_utf8(l.href);
    if (!e.link.empty() && e.link.find(':') == std::string::npos) std::abort();
    for (char c : e.title)
      if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n' && c != '\r') std::abort();
    for (const auto& p : rasid::clean::entry_paragraphs(e, e.link)) require_utf8(p);
  }
  // The url module on what feeds give it: canonical form is a fixed point, a request URL is
  // ASCII, a host key never has upper case.
  for (const auto& e : f->entries) {
    std::string c = rasid::url::canonical(e.link);
    if (rasid::url::canonical(c) != c) std::abort();
    std::string h = rasid::url::host(e.link);
    for (char ch : h)
      if (ch >= 'A' && ch <= 'Z') std::abort();
    std::string why;
    for (char ch : rasid::url::request_form(e.link, &why))
      if (static_cast<unsigned char>(ch) >= 0x80 || ch == ' ') std::abort();
    rasid::url::resolve(e.link, e.id);
  }
  return 0;
}
