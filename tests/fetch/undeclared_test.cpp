// Bodies compressed without Content-Encoding (fetch/content_coding.h), served over loopback:
// the Fetcher hands on the decoded bytes, under the same cap as a declared encoding. Before this,
// a feed.xml.gz served as the feed reached the parser as gzip bytes ("not a feed").
#include <brotli/encode.h>
#include <gtest/gtest.h>
#include <zlib.h>
#include <zstd.h>

#include <string>

#include "fetch/content_coding.h"
#include "fetch/fetcher.h"
#include "tests/support/compress.h"
#include "tests/support/http_server.h"

namespace rasid::fetch {
namespace {

using rasid::testing::HttpRequest;
using rasid::testing::HttpResponse;
using rasid::testing::HttpServer;

const std::string kFeed =
    "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<rss version=\"2.0\"><channel><title>"
    "\xd8\xae\xd8\xa8\xd8\xb1</title></channel></rss>\n";

using rasid::testing::gzip;

std::string zstd(const std::string& in) {
  std::string out(ZSTD_compressBound(in.size()), '\0');
  out.resize(ZSTD_compress(out.data(), out.size(), in.data(), in.size(), 19));
  return out;
}

std::string brotli(const std::string& in) {
  std::size_t n = BrotliEncoderMaxCompressedSize(in.size());
  std::string out(n, '\0');
  BrotliEncoderCompress(BROTLI_DEFAULT_QUALITY, BROTLI_DEFAULT_WINDOW, BROTLI_MODE_TEXT, in.size(),
                        reinterpret_cast<const uint8_t*>(in.data()), &n,
                        reinterpret_cast<uint8_t*>(out.data()));
  out.resize(n);
  return out;
}

Options loopback() {
  Options o;
  o.allow_private = {"127.0.0.0/8"};
  return o;
}

Response get(const std::string& url, const Options& o = loopback()) {
  Request r;
  r.url = url;
  return fetch_all({r}, o).at(0);
}

TEST(Undeclared, GzipAndZstdFeedsWithoutContentEncodingAreDecoded) {
  HttpServer server([](const HttpRequest& r) -> HttpResponse {
    std::vector<std::pair<std::string, std::string>> xml = {
        {"Content-Type", "application/rss+xml"}};
    if (r.path == "/feed.gz") return {200, xml, gzip(kFeed)};
    if (r.path == "/feed.zst") return {200, xml, zstd(kFeed)};
    // Two gzip members, one after the other (RFC 1952 §2.2): one stream.
    if (r.path == "/two") return {200, xml, gzip(kFeed.substr(0, 40)) + gzip(kFeed.substr(40))};
    // Labelled once, compressed twice: curl removes the declared layer, the sniff the other.
    if (r.path == "/twice")
      return {200, {{"Content-Type", "text/xml"}, {"Content-Encoding", "gzip"}}, gzip(gzip(kFeed))};
    return {404};
  });
  for (const char* path : {"/feed.gz", "/feed.zst", "/two", "/twice"}) {
    auto r = get(server.url(path));
    ASSERT_TRUE(r.ok()) << path << ": " << r.error_message;
    EXPECT_EQ(r.body, kFeed) << path;
  }
}

TEST(Undeclared, BrotliOnlyWhenTheAddressOrTypeNamesIt) {
  // Brotli has no magic number: bytes alone never make a body "brotli".
  std::string br = brotli(kFeed);
  HttpServer server([&](const HttpRequest& r) -> HttpResponse {
    if (r.path == "/feed.xml.br") return {200, {{"Content-Type", "text/xml"}}, br};
    if (r.path == "/typed") return {200, {{"Content-Type", "application/x-brotli"}}, br};
    return {200, {{"Content-Type", "text/xml"}}, br};
  });
  EXPECT_EQ(get(server.url("/feed.xml.br")).body, kFeed);
  EXPECT_EQ(get(server.url("/typed")).body, kFeed);
  EXPECT_EQ(get(server.url("/feed")).body, br) << "no hint: kept as received";
}

TEST(Undeclared, TheFetchersCapHoldsForUndeclaredBodies) {
  std::string big(3u << 20, 'a');
  std::string gz = gzip(big), zs = zstd(big);
  ASSERT_LT(gz.size(), 64u << 10);
  HttpServer server([&](const HttpRequest& r) -> HttpResponse {
    return {200, {{"Content-Type", "text/xml"}}, r.path == "/gz" ? gz : zs};
  });
  Options o = loopback();
  o.max_body_bytes = 1u << 20;
  for (const char* path : {"/gz", "/zst"}) {
    auto r = get(server.url(path), o);
    EXPECT_EQ(r.error, Error::too_large) << path;
    EXPECT_TRUE(r.body.empty()) << "no partial body";
    EXPECT_NE(r.error_message.find("without Content-Encoding"), std::string::npos)
        << r.error_message;
  }
  o.max_body_bytes = 3u << 20;  // exactly the decoded size: allowed
  EXPECT_EQ(get(server.url("/gz"), o).body.size(), big.size());
}

TEST(Undeclared, TextAndBrokenStreamsAreKeptAsReceived) {
  std::string body = kFeed;
  EXPECT_EQ(decode_undeclared(body, "https://ex.org/feed.br", "text/xml", 0).coding, "");
  EXPECT_EQ(body, kFeed) << "text that starts with '<' is never tried as brotli";
  std::string cut = gzip(kFeed);
  cut.resize(cut.size() / 2);
  std::string copy = cut;
  auto u = decode_undeclared(copy, "https://ex.org/feed", "", 0);
  EXPECT_EQ(u.coding, "gzip");
  EXPECT_FALSE(u.decoded);
  EXPECT_EQ(copy, cut) << "a truncated stream is not half-decoded";
  std::string junk = "\x28\xb5\x2f\xfd junk";
  EXPECT_FALSE(decode_undeclared(junk, "", "", 0).decoded);
}

}  // namespace
}  // namespace rasid::fetch
