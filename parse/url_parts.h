// parse/url_parts.h — internal: a URL split into RFC 3986 components, for the parse module.
#pragma once

#include <string>
#include <string_view>

namespace rasid::parse {

struct UrlParts {
  std::string scheme;  // lower-case, "" when relative
  bool has_authority = false;
  std::string authority;
  std::string path;
  bool has_query = false;
  std::string query;
  bool has_fragment = false;
  std::string fragment;
};

UrlParts split_url(std::string_view s);
std::string join_url(const UrlParts& p);
// RFC 3986 resolution for any scheme (tag:, urn:, mailto: are returned as given); `ref` is
// returned unchanged when `base` is not absolute.
std::string resolve_any(std::string_view base, std::string_view ref);

}  // namespace rasid::parse
