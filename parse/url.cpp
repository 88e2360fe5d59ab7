// parse/url.cpp — RFC 3986 reference resolution and the canonical form used for identity.
//
// Canonical form (decided once, tested in tests/parse/url_test.cpp): non-ASCII characters in
// path, query and fragment are percent-encoded UTF-8 with upper-case hex ("/أخبار" →
// "/%D8%A3%D8%AE%D8%A8%D8%A7%D8%B1"); percent-encoded unreserved characters are decoded; every
// other escape keeps its meaning with upper-case hex. Raw and encoded spellings of an Arabic path
// therefore map to the same string.
#include <algorithm>
#include <array>
#include <cctype>
#include <string>
#include <string_view>
#include <vector>

#include "parse/parser.h"
#include "parse/url_parts.h"

namespace rasid::parse {
namespace {

bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_unreserved(unsigned char c) {
  return is_alpha(static_cast<char>(c)) || is_digit(static_cast<char>(c)) || c == '-' || c == '.' ||
         c == '_' || c == '~';
}
int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
constexpr char kHex[] = "0123456789ABCDEF";

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view trim(std::string_view s) {
  auto is_space = [](char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
  };
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

// RFC 3986 5.2.4.
std::string remove_dot_segments(std::string_view in) {
  std::string input(in);
  std::string out;
  while (!input.empty()) {
    if (input.starts_with("../")) {
      input.erase(0, 3);
    } else if (input.starts_with("./")) {
      input.erase(0, 2);
    } else if (input.starts_with("/./")) {
      input.erase(0, 2);
    } else if (input == "/.") {
      input = "/";
    } else if (input.starts_with("/../") || input == "/..") {
      input = input.size() == 3 ? std::string("/") : input.substr(3);
      auto pos = out.rfind('/');
      out.erase(pos == std::string::npos ? 0 : pos);
    } else if (input == "." || input == "..") {
      input.clear();
    } else {
      std::size_t start = input[0] == '/' ? 1 : 0;
      std::size_t next = input.find('/', start);
      if (next == std::string::npos) next = input.size();
      out.append(input, 0, next);
      input.erase(0, next);
    }
  }
  return out;
}

std::string merge_paths(const UrlParts& base, std::string_view ref_path) {
  if (base.has_authority && base.path.empty()) return "/" + std::string(ref_path);
  auto pos = base.path.rfind('/');
  if (pos == std::string::npos) return std::string(ref_path);
  return base.path.substr(0, pos + 1) + std::string(ref_path);
}

// Normalizes percent-encoding of one component: decodes unreserved escapes, upper-cases hex,
// encodes raw bytes outside printable ASCII (UTF-8 stays UTF-8, just escaped) and spaces.
std::string normalize_escapes(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 && hex_value(s[i + 2]) >= 0) {
      unsigned char v = static_cast<unsigned char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
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

bool is_tracking_param(std::string_view name) {
  std::string n = lower(name);
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

}  // namespace

UrlParts split_url(std::string_view s) {
  UrlParts p;
  // scheme
  std::size_t i = 0;
  if (!s.empty() && is_alpha(s[0])) {
    std::size_t j = 1;
    while (j < s.size() &&
           (is_alpha(s[j]) || is_digit(s[j]) || s[j] == '+' || s[j] == '-' || s[j] == '.'))
      ++j;
    if (j < s.size() && s[j] == ':') {
      p.scheme = lower(s.substr(0, j));
      i = j + 1;
    }
  }
  std::string_view rest = s.substr(i);
  if (auto h = rest.find('#'); h != std::string_view::npos) {
    p.has_fragment = true;
    p.fragment = std::string(rest.substr(h + 1));
    rest = rest.substr(0, h);
  }
  if (auto q = rest.find('?'); q != std::string_view::npos) {
    p.has_query = true;
    p.query = std::string(rest.substr(q + 1));
    rest = rest.substr(0, q);
  }
  if (rest.starts_with("//")) {
    p.has_authority = true;
    rest.remove_prefix(2);
    auto slash = rest.find('/');
    p.authority = std::string(rest.substr(0, slash));
    rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash);
  }
  p.path = std::string(rest);
  return p;
}

std::string join_url(const UrlParts& p) {
  std::string out;
  if (!p.scheme.empty()) out += p.scheme + ":";
  if (p.has_authority) out += "//" + p.authority;
  out += p.path;
  if (p.has_query) out += "?" + p.query;
  if (p.has_fragment) out += "#" + p.fragment;
  return out;
}

std::string resolve_any(std::string_view base_in, std::string_view ref_in) {
  std::string_view ref = trim(ref_in);
  std::string_view base = trim(base_in);
  UrlParts r = split_url(ref);
  // Special-scheme quirk (WHATWG): "http:foo" with the base's scheme is relative.
  UrlParts b = split_url(base);
  if (!r.scheme.empty() && r.scheme == b.scheme && !r.has_authority &&
      (r.scheme == "http" || r.scheme == "https") && b.has_authority) {
    r.scheme.clear();
  }
  UrlParts t;
  if (!r.scheme.empty()) {
    t = r;
    t.path = remove_dot_segments(r.path);
    return join_url(t);
  }
  if (b.scheme.empty()) return std::string(ref);  // nothing to resolve against
  if (r.has_authority) {
    t = r;
    t.path = remove_dot_segments(r.path);
  } else {
    t.has_authority = b.has_authority;
    t.authority = b.authority;
    if (r.path.empty()) {
      t.path = b.path;
      t.has_query = r.has_query || b.has_query;
      t.query = r.has_query ? r.query : b.query;
    } else {
      t.path = r.path.starts_with('/') ? remove_dot_segments(r.path)
                                       : remove_dot_segments(merge_paths(b, r.path));
      t.has_query = r.has_query;
      t.query = r.query;
    }
  }
  t.scheme = b.scheme;
  t.has_fragment = r.has_fragment;
  t.fragment = r.fragment;
  if (t.has_authority && t.path.empty() && (t.scheme == "http" || t.scheme == "https"))
    t.path = "/";
  return join_url(t);
}

std::string resolve_url(std::string_view base, std::string_view ref) {
  std::string out = resolve_any(base, ref);
  UrlParts p = split_url(out);
  if ((p.scheme != "http" && p.scheme != "https") || !p.has_authority || p.authority.empty())
    return {};
  return out;
}

std::string url_host(std::string_view url) {
  UrlParts p = split_url(trim(url));
  if (!p.has_authority) return {};
  std::string_view a = p.authority;
  if (auto at = a.rfind('@'); at != std::string_view::npos) a = a.substr(at + 1);
  if (a.starts_with('[')) {
    auto close = a.find(']');
    return lower(a.substr(0, close == std::string_view::npos ? a.size() : close + 1));
  }
  if (auto colon = a.find(':'); colon != std::string_view::npos) a = a.substr(0, colon);
  std::string h = lower(a);
  while (!h.empty() && h.back() == '.') h.pop_back();
  return h;
}

std::string canonical_url(std::string_view url) {
  UrlParts p = split_url(trim(url));
  if (p.scheme.empty() || !p.has_authority) return std::string(trim(url));
  // authority: drop userinfo-less default ports, lower-case host
  std::string_view a = p.authority;
  std::string userinfo;
  if (auto at = a.rfind('@'); at != std::string_view::npos) {
    userinfo = std::string(a.substr(0, at + 1));
    a = a.substr(at + 1);
  }
  std::string host;
  std::string port;
  if (a.starts_with('[')) {
    auto close = a.find(']');
    host = lower(a.substr(0, close == std::string_view::npos ? a.size() : close + 1));
    if (close != std::string_view::npos && close + 1 < a.size() && a[close + 1] == ':')
      port = std::string(a.substr(close + 2));
  } else {
    auto colon = a.rfind(':');
    host = lower(a.substr(0, colon));
    if (colon != std::string_view::npos) port = std::string(a.substr(colon + 1));
  }
  while (!host.empty() && host.back() == '.') host.pop_back();
  while (port.size() > 1 && port[0] == '0') port.erase(0, 1);
  if ((p.scheme == "http" && port == "80") || (p.scheme == "https" && port == "443")) port.clear();
  p.authority = userinfo + host + (port.empty() ? "" : ":" + port);
  p.path = remove_dot_segments(normalize_escapes(p.path));
  if (p.path.empty()) p.path = "/";
  p.has_fragment = false;
  p.fragment.clear();
  if (p.has_query) {
    std::string q;
    std::size_t start = 0;
    std::string_view query = p.query;
    while (start <= query.size()) {
      std::size_t amp = query.find('&', start);
      if (amp == std::string_view::npos) amp = query.size();
      std::string_view param = query.substr(start, amp - start);
      std::string_view name = param.substr(0, param.find('='));
      if (!param.empty() && !is_tracking_param(name)) {
        if (!q.empty()) q += '&';
        q += normalize_escapes(param);
      }
      start = amp + 1;
    }
    p.query = q;
    p.has_query = !q.empty();
  }
  return join_url(p);
}

}  // namespace rasid::parse
