// fetch/content_coding.h — bodies compressed without saying so.
//
// libcurl decodes what Content-Encoding declares (gzip, deflate, br, zstd). Some servers send a
// compressed body without the header: a pre-compressed feed.xml.gz served as the feed, a
// gzip_static or CDN misconfiguration, a body compressed twice and labelled once. Such a body is
// recognised here and decoded once; every body the Fetcher hands on has passed through it.
//
//   gzip  — magic 1F 8B (RFC 1952 §2.3.1); concatenated members are read as one stream (§2.2).
//   zstd  — magic 28 B5 2F FD (RFC 8878 §3.1.1); skippable frames are skipped.
//   brotli — RFC 7932 defines no magic number, and many short byte strings are valid brotli
//           streams (0x06 alone is an empty one), so bytes alone cannot say "brotli". It is tried
//           only when the address or the media type names it (a path ending ".br", Content-Type
//           application/x-brotli or application/brotli) and the body does not already begin like
//           text (XML, HTML, JSON, a byte order mark); a body that does not decode completely is
//           kept as received.
//
// Limit: the decoded size is capped by the caller's cap (the Fetcher passes
// Options::max_body_bytes, the same cap as for declared encodings); beyond it the result is
// too_large and no partial body is kept. A gzip or zstd body that is corrupt or truncated is
// kept as received (coding names what was recognised, decoded stays false): the consumer then
// fails on it as on any other unreadable body.
//
// Thread-safe, no shared state; never throws except std::bad_alloc. Libraries: zlib (zlib1g),
// libzstd, libbrotlidec (Debian packages zlib1g-dev, libzstd-dev, libbrotli-dev).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace rasid::fetch {

struct Undeclared {
  std::string coding;      // "gzip", "zstd", "br"; "" when the body is not compressed
  bool decoded = false;    // body now holds the decoded bytes
  bool too_large = false;  // decoding would exceed the cap: body cleared
};

// Decodes `body` in place when it is compressed without a declared Content-Encoding (see
// above). `url` and `content_type` are only hints for brotli. cap = 0: no cap.
Undeclared decode_undeclared(std::string& body, std::string_view url, std::string_view content_type,
                             std::size_t cap);

}  // namespace rasid::fetch
