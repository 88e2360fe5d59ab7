// url/url.cpp — URLs on libcurl's URL API; rasid's own policy (tracking parameters, the
// canonical spelling, IDN via ICU UTS #46) on top. Contract: url/url.h.
#include "url/url.h"

#include <curl/curl.h>
#include <unicode/uidna.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <memory>

#include "text/text.h"

namespace rasid::url {
namespace {

using Handle = std::unique_ptr<CURLU, decltype(&curl_url_cleanup)>;
constexpr unsigned kParse = CURLU_NON_SUPPORT_SCHEME | CURLU_URLENCODE;
constexpr char kHex[] = "0123456789ABCDEF";

std::string_view trim(std::string_view s) {
  auto is_space = [](char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
  };
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool is_unreserved(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

// Spaces and control bytes escaped before libcurl sees the text: its CURLU_URLENCODE would
// write a space in a query as "+", which is a different URL.
std::string escape_controls(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    if (c <= 0x20 || c == 0x7f) {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += ch;
    }
  }
  return out;
}

// libcurl writes the escapes it makes with lower-case hex; RFC 3986 6.2.2.1 prefers upper.
std::string upper_hex(std::string s) {
  for (std::size_t i = s.find('%'); i != std::string::npos && i + 2 < s.size();
       i = s.find('%', i + 1)) {
    if (hex_value(s[i + 1]) < 0 || hex_value(s[i + 2]) < 0) continue;
    for (std::size_t k = i + 1; k <= i + 2; ++k)
      if (s[k] >= 'a' && s[k] <= 'f') s[k] = static_cast<char>(s[k] - 'a' + 'A');
    i += 2;
  }
  return s;
}

Handle parse(std::string_view text, CURLUcode* rc = nullptr) {
  Handle u(curl_url(), &curl_url_cleanup);
  if (!u) {
    if (rc) *rc = CURLUE_OUT_OF_MEMORY;
    return Handle(nullptr, &curl_url_cleanup);
  }
  CURLUcode r = curl_url_set(u.get(), CURLUPART_URL, escape_controls(text).c_str(), kParse);
  if (rc) *rc = r;
  if (r != CURLUE_OK) return Handle(nullptr, &curl_url_cleanup);
  return u;
}

// One part of a parsed URL; false when absent.
bool get(CURLU* u, CURLUPart part, std::string* out, unsigned flags = 0) {
  char* s = nullptr;
  if (curl_url_get(u, part, &s, flags) != CURLUE_OK || s == nullptr) return false;
  *out = s;
  curl_free(s);
  return true;
}

// Lower-case A-label form of a host as libcurl returned it; false when an internationalized
// name is not valid under UTS #46.
bool host_key(std::string_view raw, std::string* out) {
  std::string h = text::ascii_lower(raw);
  while (!h.empty() && h.back() == '.') h.pop_back();
  bool ascii =
      std::all_of(h.begin(), h.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
  if (ascii) {
    *out = std::move(h);
    return true;
  }
  static UIDNA* const idna = [] {
    UErrorCode ec = U_ZERO_ERROR;
    UIDNA* p = uidna_openUTS46(UIDNA_NONTRANSITIONAL_TO_ASCII | UIDNA_CHECK_BIDI, &ec);
    return U_SUCCESS(ec) ? p : nullptr;
  }();
  if (idna == nullptr) return false;
  std::array<char, 256> buf{};
  UErrorCode ec = U_ZERO_ERROR;
  UIDNAInfo info = UIDNA_INFO_INITIALIZER;
  int32_t n = uidna_nameToASCII_UTF8(idna, h.data(), static_cast<int32_t>(h.size()), buf.data(),
                                     static_cast<int32_t>(buf.size()), &info, &ec);
  if (U_FAILURE(ec) || info.errors != 0 || n <= 0 || n >= static_cast<int32_t>(buf.size()))
    return false;
  *out = text::ascii_lower(std::string_view(buf.data(), static_cast<std::size_t>(n)));
  return true;
}

// Replaces the host of `u` by its key (host_key) and parses the result again, so that what
// libcurl's URL parser makes of the host (a numeric host "80" is the address 0.0.0.80) is the
// key too: url::host and the host of url::request_form never differ. False when there is no
// host or it is not a valid name.
bool key_host(Handle& u, std::string* key) {
  std::string raw;
  std::string text;
  if (!get(u.get(), CURLUPART_HOST, &raw) || raw.empty() || !host_key(raw, key)) return false;
  if (curl_url_set(u.get(), CURLUPART_HOST, key->c_str(), 0) != CURLUE_OK) return false;
  if (!get(u.get(), CURLUPART_URL, &text)) return false;
  Handle again(curl_url(), &curl_url_cleanup);
  if (!again || curl_url_set(again.get(), CURLUPART_URL, text.c_str(), kParse) != CURLUE_OK ||
      !get(again.get(), CURLUPART_HOST, key) || key->empty())
    return false;
  u = std::move(again);
  return true;
}

// Decodes escaped unreserved characters, upper-cases hex, escapes raw bytes outside printable
// ASCII and the characters RFC 3986 never allows raw.
std::string normalize_escapes(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 && hex_value(s[i + 2]) >= 0) {
      auto v = static_cast<unsigned char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
      if (is_unreserved(v)) {
        out += static_cast<char>(v);
      } else {
        out += '%';
        out += kHex[v >> 4];
        out += kHex[v & 15];
      }
      i += 2;
    } else if (c <= 0x20 || c >= 0x7f || c == '"' || c == '<' || c == '>' || c == '\\' ||
               c == '^' || c == '`' || c == '{' || c == '|' || c == '}') {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

// Parameters that only say where a reader came from (Google Analytics utm_*, ad click ids,
// mail campaign ids); they never name a different article.
bool is_tracking_param(std::string_view name) {
  std::string n = text::ascii_lower(name);
  if (n.starts_with("utm_")) return true;
  static constexpr std::array<std::string_view, 17> kNames = {"fbclid",
                                                              "gclid",
                                                              "dclid",
                                                              "msclkid",
                                                              "mc_cid",
                                                              "mc_eid",
                                                              "igshid",
                                                              "ref_src",
                                                              "ref_url",
                                                              "yclid",
                                                              "_hsenc",
                                                              "_hsmi",
                                                              "mkt_tok",
                                                              "oly_anon_id",
                                                              "oly_enc_id",
                                                              "wt.mc_id",
                                                              "__twitter_impression"};
  return std::find(kNames.begin(), kNames.end(), n) != kNames.end();
}

bool is_http(std::string_view scheme) { return scheme == "http" || scheme == "https"; }

// An absolute http(s) reference that libcurl would write back unchanged: lower-case scheme, a
// host of ASCII letters, digits, dots and hyphens whose last label begins with a letter, with
// no port or user, a path, printable ASCII
// without backslash, no dot segment, no empty query or fragment. Such a reference (most links in
// feeds) is returned as given: parsing it cost a fifth of a feed's parse time
// (bench/feed_bench.cpp). Anything else goes through libcurl.
bool written_as_libcurl_writes(std::string_view s) {
  std::size_t start = s.starts_with("http://") ? 7 : s.starts_with("https://") ? 8 : 0;
  if (start == 0) return false;
  std::size_t slash = s.find('/', start);
  if (slash == std::string_view::npos || slash == start) return false;
  for (std::size_t i = start; i < slash; ++i) {
    char c = s[i];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
          c == '-'))
      return false;
  }
  // A host whose last label starts with a digit may be an IPv4 address libcurl rewrites
  // ("9" → "0.0.0.9", "0x7f.1" → "127.0.0.1").
  std::size_t last_label = s.rfind('.', slash);
  last_label = last_label == std::string_view::npos || last_label < start ? start : last_label + 1;
  if (last_label >= slash || !((s[last_label] >= 'a' && s[last_label] <= 'z') ||
                               (s[last_label] >= 'A' && s[last_label] <= 'Z')))
    return false;
  if (s.back() == '?' || s.back() == '#' || s.find("?#") != std::string_view::npos) return false;
  std::size_t path_end = std::min(s.find_first_of("?#", slash), s.size());
  for (std::size_t i = slash; i < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c <= 0x20 || c >= 0x7f || c == '\\') return false;
    if (i < path_end && c == '/' && i + 1 < path_end && s[i + 1] == '.') {
      std::size_t after = i + 2 < path_end && s[i + 2] == '.' ? i + 3 : i + 2;
      if (after >= path_end || s[after] == '/') return false;  // "/." or "/.." segment
    }
  }
  return true;
}

// A relative reference of plain path segments: "a.html", "dir/a.html", "/dir/a.html", "dir/"
// — segments of RFC 3986 unreserved characters (which libcurl writes as they are), none "." or
// ".." and none empty but the last, no query or fragment. RFC 3986 5.2 merges such a reference
// with the base's directory (or, after "/", its origin) by plain concatenation: there is no dot
// segment for 5.2.4 to remove and nothing for libcurl to escape.
bool plain_relative(std::string_view s) {
  if (s.starts_with('/')) {
    if (s.starts_with("//")) return false;
    s.remove_prefix(1);
  }
  if (s.empty()) return true;  // "/" alone
  std::size_t seg = 0;
  for (std::size_t i = 0; i <= s.size(); ++i) {
    if (i == s.size() || s[i] == '/') {
      std::string_view segment = s.substr(seg, i - seg);
      if (segment == "." || segment == "..") return false;
      if (segment.empty() && i != s.size()) return false;
      seg = i + 1;
      continue;
    }
    if (!is_unreserved(static_cast<unsigned char>(s[i]))) return false;
  }
  return true;
}

// The base last parsed on this thread: a feed resolves all its links against one base, and
// parsing it once per link cost more than the rest of resolve() (bench/feed_bench.cpp).
struct ParsedBase {
  std::string text;
  Handle handle{nullptr, &curl_url_cleanup};  // null when `text` does not parse
  // The base as libcurl writes it without its fragment, asked when an empty or fragment-only
  // reference first comes; "" with `fragment_failed` when libcurl could not write it.
  bool fragment_asked = false;
  bool fragment_failed = false;
  std::string without_fragment;
  // What libcurl writes before a plain_relative reference against this base: the directory
  // (for "a.html") and the origin with its "/" (for "/dir/a.html"). Each is read off the first
  // such reference libcurl resolves here (its answer is prefix + reference), "" until then.
  std::string dir;
  std::string root;
};

ParsedBase& parsed_base(std::string_view base) {
  thread_local ParsedBase cache;
  thread_local bool filled = false;
  if (filled && cache.text == base) return cache;
  cache.text = base;
  cache.handle = parse(base);
  cache.fragment_asked = false;
  cache.fragment_failed = false;
  cache.without_fragment.clear();
  cache.dir.clear();
  cache.root.clear();
  filled = true;
  return cache;
}

}  // namespace

std::string scheme(std::string_view url) {
  url = trim(url);
  auto alpha = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
  if (url.empty() || !alpha(url[0])) return {};
  for (std::size_t j = 1; j < url.size(); ++j) {
    char c = url[j];
    if (c == ':') return text::ascii_lower(url.substr(0, j));
    if (!alpha(c) && !(c >= '0' && c <= '9') && c != '+' && c != '-' && c != '.') return {};
  }
  return {};
}

std::string resolve(std::string_view base_in, std::string_view ref_in) {
  const std::string_view given = trim(ref_in);
  std::string_view ref = given;
  const std::string_view base = trim(base_in);
  std::string rs = scheme(ref);
  std::string bs = scheme(base);
  // WHATWG special-scheme rule: "http:foo" against an http base is the relative "foo".
  if (!rs.empty() && rs == bs && is_http(bs) && ref.substr(rs.size() + 1, 2) != "//") {
    ref.remove_prefix(rs.size() + 1);
    rs.clear();
  }
  if (!rs.empty() && !is_http(rs)) return std::string(given);
  if (rs.empty() && !is_http(bs)) return std::string(given);  // nothing to resolve against
  Handle u(nullptr, &curl_url_cleanup);
  std::string out;
  ParsedBase* plain = nullptr;  // set when `ref` is plain_relative and its prefix is not known
  if (rs.empty()) {
    ParsedBase& b = parsed_base(base);
    if (!b.handle) return std::string(given);
    // RFC 3986 5.2.2: an empty reference, or one of only a fragment, keeps the base's path and
    // query; libcurl 7.88 drops the last segment and the query in both cases.
    if (ref.empty() || ref[0] == '#') {
      if (!b.fragment_asked) {
        b.fragment_asked = true;
        Handle copy(curl_url_dup(b.handle.get()), &curl_url_cleanup);
        b.fragment_failed = !copy ||
                            curl_url_set(copy.get(), CURLUPART_FRAGMENT, nullptr, 0) != CURLUE_OK ||
                            !get(copy.get(), CURLUPART_URL, &b.without_fragment);
      }
      if (b.fragment_failed) return std::string(given);
      return upper_hex(b.without_fragment + escape_controls(ref));
    }
    if (plain_relative(ref)) {
      if (ref[0] == '/' && !b.root.empty()) return b.root + std::string(ref.substr(1));
      if (ref[0] != '/' && !b.dir.empty()) return b.dir + std::string(ref);
      plain = &b;
    }
    u.reset(curl_url_dup(b.handle.get()));
    if (!u ||
        curl_url_set(u.get(), CURLUPART_URL, escape_controls(ref).c_str(), kParse) != CURLUE_OK)
      return std::string(given);
  } else {
    if (written_as_libcurl_writes(ref)) return upper_hex(std::string(ref));
    u = parse(ref);
    if (!u) return std::string(given);
  }
  if (!get(u.get(), CURLUPART_URL, &out)) return std::string(given);
  // libcurl decodes a percent-escape in a host ("example.%8c.com") into its raw byte: such a
  // result is not text, and no host; keep the reference as written (found by fuzz/feed_fuzz).
  if (!text::is_valid_utf8(out))
    return text::is_valid_utf8(given) ? std::string(given) : std::string();
  out = upper_hex(std::move(out));
  if (plain != nullptr) {
    // libcurl's answer is prefix + reference ("/" + rest for "/rest"); the prefix ends in '/'.
    const std::string_view tail = ref[0] == '/' ? ref.substr(1) : ref;
    if (out.size() > tail.size() && out.ends_with(tail) && out[out.size() - tail.size() - 1] == '/')
      (ref[0] == '/' ? plain->root : plain->dir) = out.substr(0, out.size() - tail.size());
  }
  return out;
}

std::string resolve_http(std::string_view base, std::string_view ref) {
  std::string out = resolve(base, ref);
  if (!is_http(scheme(out)) || host(out).empty()) return {};
  return out;
}

std::string host(std::string_view url) {
  Handle u = parse(trim(url));
  std::string key;
  if (!u || !key_host(u, &key)) return {};
  return key;
}

int port(std::string_view url) {
  Handle u = parse(trim(url));
  std::string p;
  if (!u || !get(u.get(), CURLUPART_PORT, &p, CURLU_DEFAULT_PORT)) return 0;
  return std::atoi(p.c_str());
}

Location location(std::string_view url) {
  Location l;
  Handle u = parse(trim(url));
  if (!u) return l;
  get(u.get(), CURLUPART_PATH, &l.path);
  l.has_query = get(u.get(), CURLUPART_QUERY, &l.query) && !l.query.empty();
  return l;
}

std::string canonical(std::string_view url_in) {
  std::string_view url = trim(url_in);
  Handle u = parse(url);
  std::string raw;
  std::string key;
  if (!u || !get(u.get(), CURLUPART_HOST, &raw) || raw.empty()) return std::string(url);
  if (!host_key(raw, &key)) key = text::ascii_lower(raw);
  if (curl_url_set(u.get(), CURLUPART_HOST, key.c_str(), 0) != CURLUE_OK) return std::string(url);
  std::string path;
  if (get(u.get(), CURLUPART_PATH, &path))
    curl_url_set(u.get(), CURLUPART_PATH, normalize_escapes(path).c_str(), 0);
  std::string query;
  if (get(u.get(), CURLUPART_QUERY, &query)) {
    std::string kept;
    std::size_t start = 0;
    while (start <= query.size()) {
      std::size_t amp = std::min(query.find('&', start), query.size());
      std::string_view param = std::string_view(query).substr(start, amp - start);
      if (!param.empty() && !is_tracking_param(param.substr(0, param.find('=')))) {
        if (!kept.empty()) kept += '&';
        kept += normalize_escapes(param);
      }
      start = amp + 1;
    }
    curl_url_set(u.get(), CURLUPART_QUERY, kept.empty() ? nullptr : kept.c_str(), 0);
  }
  curl_url_set(u.get(), CURLUPART_FRAGMENT, nullptr, 0);
  std::string out;
  if (!get(u.get(), CURLUPART_URL, &out, CURLU_NO_DEFAULT_PORT)) return std::string(url);
  // Parsed once more so that dot segments the escape normalization revealed ("%2E%2E") go.
  Handle again(curl_url(), &curl_url_cleanup);
  if (again &&
      curl_url_set(again.get(), CURLUPART_URL, out.c_str(), CURLU_NON_SUPPORT_SCHEME) == CURLUE_OK)
    get(again.get(), CURLUPART_URL, &out, CURLU_NO_DEFAULT_PORT);
  return upper_hex(std::move(out));
}

std::string request_form(std::string_view url, std::string* why) {
  if (!is_http(scheme(url))) {
    *why = "must be an http:// or https:// URL";
    return {};
  }
  CURLUcode rc = CURLUE_OK;
  Handle u = parse(trim(url), &rc);
  std::string raw;
  if (rc == CURLUE_NO_HOST || (u && (!get(u.get(), CURLUPART_HOST, &raw) || raw.empty()))) {
    *why = "has no host";
    return {};
  }
  if (rc == CURLUE_BAD_PORT_NUMBER) {
    *why = "malformed port";
    return {};
  }
  if (!u) {
    *why = std::string("libcurl refuses the URL: ") + curl_url_strerror(rc);
    return {};
  }
  std::string key;
  if (!key_host(u, &key)) {
    *why = "host is not a valid domain name (IDNA UTS #46)";
    return {};
  }
  std::string out;
  if (!get(u.get(), CURLUPART_URL, &out)) {
    *why = "libcurl cannot write the URL";
    return {};
  }
  // The host is ASCII now; libcurl's CURLU_URLENCODE leaves raw bytes in a user name.
  std::string ascii;
  for (char ch : out) {
    auto c = static_cast<unsigned char>(ch);
    if (c >= 0x80) {
      ascii += '%';
      ascii += kHex[c >> 4];
      ascii += kHex[c & 15];
    } else {
      ascii += ch;
    }
  }
  return upper_hex(std::move(ascii));
}

bool has_credentials(std::string_view url) {
  Handle u = parse(trim(url));
  std::string s;
  return u && (get(u.get(), CURLUPART_USER, &s) || get(u.get(), CURLUPART_PASSWORD, &s));
}

std::string decode(std::string_view s, bool plus_is_space) {
  std::string in(s);
  if (plus_is_space) std::replace(in.begin(), in.end(), '+', ' ');
  int n = 0;
  char* d = curl_easy_unescape(nullptr, in.data(), static_cast<int>(in.size()), &n);
  if (d == nullptr) return {};
  std::string out(d, static_cast<std::size_t>(n));
  curl_free(d);
  return out;
}

std::string encode(std::string_view s) {
  char* e = curl_easy_escape(nullptr, s.data(), static_cast<int>(s.size()));
  if (e == nullptr) return {};
  std::string out(e);
  curl_free(e);
  return out;
}

}  // namespace rasid::url
