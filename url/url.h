// url/url.h — the contract of the url module: every URL rasid parses, resolves, keys or
// canonicalizes goes through these functions, on libcurl's URL API (curl_url, RFC 3986 with
// WHATWG leniency). What stays here as rasid's own code is policy: which parameters are
// tracking noise, the canonical spelling used for entry identity, and the IDN rule.
//
// Owns: parsing (libcurl), relative resolution (libcurl, plus the two RFC 3986 5.2.2 cases
// curl 7.88 gets wrong: an empty reference and a fragment-only reference keep the base's path
// and query), host keys, the http(s) check of configured URLs, percent-decoding of query text.
// IDN: hosts are converted to A-labels (punycode) with ICU's UTS #46 (uidna_nameToASCII,
// non-transitional), not libcurl's CURLU_PUNYCODE, whose libidn2 call depends on the process
// locale (it fails under LANG=C, which is how systemd starts the daemon).
// Threads: every function is pure and thread-safe (a CURLU and a UIDNA per call).
// Failure kinds: functions return "" (or false with a reason for people in *why) when the input
// is not a URL of the kind asked; they never throw.
#pragma once

#include <string>
#include <string_view>

namespace rasid::url {

// RFC 3986 resolution of `ref` against `base`. A `ref` with a scheme other than http(s)
// (tag:, urn:, mailto:) is returned as given; so is any `ref` when `base` is not an absolute
// http(s) URL. Surrounding whitespace is ignored (WHATWG); "http:foo" with an http base is
// relative (WHATWG special-scheme rule). Dot segments are removed ("dir/../x" → "x").
std::string resolve(std::string_view base, std::string_view ref);
// resolve(), keeping only absolute http(s) URLs with a host; "" otherwise.
std::string resolve_http(std::string_view base, std::string_view ref);

// The host that keys per-host politeness (fetch queues, Retry-After): lower-case, A-label
// (punycode) form, no trailing dot, IPv6 in brackets ("[::1]"); "" when the URL has none.
std::string host(std::string_view url);

// Path and query of an absolute URL as libcurl parsed them (escapes kept); empty when the URL
// does not parse. has_query is false when there is no query or it is empty.
struct Location {
  std::string path;
  std::string query;
  bool has_query = false;
};
Location location(std::string_view url);

// The port a connection to the URL uses (the scheme's default when none is written); 0 when
// the URL does not parse or its scheme has no known default.
int port(std::string_view url);

// Lower-case scheme of an absolute URL ("tag", "https"), "" for a relative reference.
std::string scheme(std::string_view url);

// Identity form: scheme and host lower-case (host in A-labels), default port and trailing
// host dot dropped, dot segments removed, fragment dropped, tracking parameters (utm_*, fbclid,
// gclid …) dropped, percent-encoding normalized: non-ASCII and spaces escaped as UTF-8 with
// upper-case hex, escaped unreserved characters decoded ("/%7e" → "/~"), every other escape
// kept with upper-case hex. Raw and escaped spellings of an Arabic path give the same string.
// Input that is not an absolute URL with a host is returned trimmed.
std::string canonical(std::string_view url);

// The URL a request is made with: an http(s) URL with a host, host in A-labels, spaces and
// non-ASCII bytes in path and query percent-encoded. "" with a reason for people in *why
// ("must be an http:// or https:// URL", "has no host", "malformed port", "host is not a valid
// domain name", or libcurl's own words).
std::string request_form(std::string_view url, std::string* why);
// True when the URL carries a user name or password ("https://user:pw@host/").
bool has_credentials(std::string_view url);

// Percent-decodes `s` (libcurl's curl_easy_unescape); with `plus_is_space`, "+" is a space
// first (application/x-www-form-urlencoded query strings).
std::string decode(std::string_view s, bool plus_is_space);

// Percent-encodes every byte but RFC 3986 unreserved ones (libcurl's curl_easy_escape), for a
// query value or a path segment.
std::string encode(std::string_view s);

}  // namespace rasid::url
