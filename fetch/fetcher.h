// fetch/fetcher.h — HTTP for rasid: libcurl's multi interface driven by one Boost.Asio io_context.
//
// Ownership and threads: a Fetcher belongs to the io_context it is constructed with and must be
// used only from that context's thread. fetch() never blocks; the callback runs later on the same
// thread, exactly once per request, also when the Fetcher is destroyed first (with
// error = Error::cancelled). The body is capped while it is received (decoded bytes, after
// gzip/br/zstd), so a compression bomb or an endless chunked stream ends as Error::too_large.
// A 2xx body compressed without Content-Encoding (gzip, zstd by magic bytes; brotli when the
// URL or type names it) is decoded once under the same cap: fetch/content_coding.h.
//
// Safety: only http/https at every redirect hop (max 5), CURLOPT_NOSIGNAL, CURLOPT_QUICK_EXIT, and
// a guard on the *resolved* address (CURLOPT_OPENSOCKETFUNCTION) that refuses loopback, private,
// link-local, CGNAT, multicast and metadata addresses unless Options::allow_private lists them.
//
// Limits: at most Options::max_total transfers run at once and Options::max_per_host per host
// name; the rest wait in per-host queues served round-robin (a busy host cannot starve the
// others), optionally spaced by Options::min_host_interval. Keep-alive connections are reused;
// HTTP/2 is allowed but never multiplexed. Retry-After is reported (Response::retry_after), not
// enforced here: the scheduler decides when a source is asked again.
//
// TLS: certificates are always verified — the chain up to a trusted root, validity dates and
// the host name (or IP address) in the URL; nothing here or in Options turns that off. Trust
// comes from the system store (libcurl's CA path /etc/ssl/certs on Debian, kept by
// update-ca-certificates) plus, when set, Options::ca_file: a private CA is added, never put in
// the system store's place. A refused certificate is error == tls and no request is sent; its
// error_message begins with what is wrong, then curl's detail in parentheses:
//   "certificate has expired (…)", "certificate is not yet valid (is the clock right?) (…)",
//   "certificate is for another host name (…)",
//   "certificate not trusted (self-signed or unknown CA) (…)",
//   "certificate has been revoked (…)", "certificate rejected (…)" (another verify failure),
//   "cannot read the CA file (…)", "handshake failed (…)" (no certificate problem: protocol
//   version, cipher, a peer that is not TLS).
//
// Failure model: every outcome is a Response. status is the HTTP status (0 when no response);
// error classifies what went wrong at the transport level; a 4xx/5xx is error == http_status;
// a 304 is error == not_modified. A too_large response never carries a partial body.
#pragma once

// clang-format off
#include <utility>  // before asio (asio issue #944 with g++ 12 + C++20)
// clang-format on
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace rasid::fetch {

enum class Error {
  none,
  not_modified,  // 304 on a conditional request: an ordinary outcome, not a failure
  http_status,   // the server answered >= 400
  dns,
  connect,
  tls,
  timeout,
  too_large,
  too_many_redirects,
  blocked_address,  // SSRF guard
  bad_url,
  protocol,
  cancelled,
  other,
};
const char* to_string(Error e);

struct Request {
  std::string url;
  std::string method = "GET";                                // GET or POST
  std::vector<std::pair<std::string, std::string>> headers;  // extra request headers
  std::string body;                                          // for POST
  std::string etag;                                          // sent as If-None-Match when set
  std::string last_modified;                                 // sent as If-Modified-Since when set
  std::chrono::milliseconds timeout{0};                      // 0 = Options::total_timeout
  std::string tag;  // who asked (source name / endpoint), for log lines only
  // "" = the URL's host name: crawl politeness applies (max_per_host, min_host_interval shared
  // by every request to that host). A caller with a policy of its own (the Deliverer: one POST
  // in flight per webhook endpoint, its own rate limit) names its queue: max_per_host still
  // bounds it, but it is not spaced and does not wait behind crawling or other endpoints.
  std::string queue;
};

struct Response {
  long status = 0;
  Error error = Error::none;
  std::string error_message;  // human-readable reason when error != none
  std::string final_url;
  std::map<std::string, std::string> headers;  // last response's headers, names lower-case
  std::string body;  // raw (content-decoded, also when undeclared) bytes; text::decode → UTF-8
  std::string content_type;
  std::string etag;
  std::string last_modified;
  std::chrono::milliseconds elapsed{0};  // from fetch() to completion, queueing included
  std::size_t bytes = 0;                 // body bytes received
  long connects = 0;  // new connections opened (0 = a kept-alive connection was reused)

  bool ok() const { return error == Error::none && status >= 200 && status < 300; }
  // Body decoded to UTF-8 using Content-Type, BOM, XML/meta declarations, then detection.
  std::string utf8() const;
  // Retry-After in seconds (delta or HTTP-date), if present.
  std::optional<std::chrono::seconds> retry_after() const;
};

// How long a response stays fresh (RFC 9111 §4.2.1): Cache-Control s-maxage, else max-age, else
// Expires relative to the server's Date (or `now` without one). nullopt: no-store/no-cache, no
// freshness information, or already expired. The scheduler takes it as a lower bound on a
// source's polling interval.
std::optional<std::chrono::seconds> freshness_lifetime(
    const std::map<std::string, std::string>& headers, std::chrono::sys_seconds now);

struct Options {
  std::string user_agent = "rasid/0.1";
  std::chrono::milliseconds connect_timeout{10000};
  std::chrono::milliseconds total_timeout{30000};
  long low_speed_bytes = 100;               // abort when below this many bytes/s …
  std::chrono::seconds low_speed_time{20};  // … for this long
  std::size_t max_body_bytes = 8u << 20;
  int max_redirects = 5;
  std::string proxy;  // "" = none; http_proxy & co from the environment are ignored
  // PEM file of extra CA certificates to trust (a private CA), besides the system store; read by
  // libcurl when a connection is made, so an unreadable file fails each HTTPS transfer as
  // tls "cannot read the CA file" (config/ checks it first). "" = the system store only.
  std::string ca_file;
  // "127.0.0.0/8", "::1/128", "10.1.2.3", …; empty = guard fully on. A malformed entry makes the
  // Fetcher constructor throw std::invalid_argument (config/ should have refused it first).
  // With a proxy, the guard sees the proxy's address, not the target's.
  std::vector<std::string> allow_private;
  int max_total = 16;    // global in-flight transfers; more are queued
  int max_per_host = 2;  // in-flight transfers per host; more are queued
  // Politeness: at least this long between the starts of two transfers to one host (0 = off).
  // Hosts are told apart by url::host (lower-case, punycode, no trailing dot: the key the service
  // gives Retry-After); "www.a.com" and "a.com" are two.
  std::chrono::milliseconds min_host_interval{0};
};

class Fetcher {
 public:
  Fetcher(boost::asio::io_context& io, Options options);
  ~Fetcher();
  Fetcher(const Fetcher&) = delete;
  Fetcher& operator=(const Fetcher&) = delete;

  using Callback = std::function<void(Response)>;
  void fetch(Request request, Callback done);
  std::size_t in_flight() const;  // running + queued

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Convenience for CLI commands and tests: runs its own io_context until all requests completed.
std::vector<Response> fetch_all(const std::vector<Request>& requests, const Options& options);

}  // namespace rasid::fetch
