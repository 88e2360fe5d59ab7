// daemon/status.h — what rasid sees, over HTTP: a read-only status endpoint on the daemon's own
// io_context (Boost.Beast), bound to 127.0.0.1 by default (`daemon.status_listen`).
//
//   GET /healthz       liveness: 200 {"status":"ok",…} only when the loop, the database and the
//                      scheduler are healthy; 503 with the reason otherwise. Never needs the token.
//   GET /api/health    is rasid doing its job: {"status":"ok"|"degraded"|"failing","reasons":[…]}
//                      from assess_health() below; 200 for ok and degraded, 503 for failing.
//   GET /metrics       Prometheus text format (daemon/metrics.h).
//   GET /api/sources   state of each configured source (JSON array, configuration order).
//   GET /api/articles  ?topic=NAME&since=24h|7d|2024-05-01|2024-05-01T10:00:00Z&q=words&limit=N
//                      &matched=1: recent articles (default: the last 7 days, 50), newest first,
//                      with their matches, "also reported by" and "copies" (the story's other
//                      articles: id, source, url, title; at most 20). No topic: every article
//                      (matched=1: only matched ones). q: words that must all appear (FTS5,
//                      each word quoted, so typed text is never query syntax).
//   GET /api/topics    configured topics with match counts.
//   GET /api/instances the live `rasid run` on this database (heartbeat within a minute): id,
//                      host, pid, started, heartbeat, sources leased in the last minute, config
//                      fingerprint and whether it is this instance's (daemon/status_json.h).
//   GET /              the status page: server-rendered HTML, dir="rtl" lang="ar", English with
//                      ?lang=en, ?topic=NAME to filter; failing sources first, recent matched
//                      articles with the matched terms in <mark> (one card per story: its
//                      newest matched copy, listing the story's other copies with their
//                      outlets and links), pending and failed alerts (story updates marked).
//                      Its banner is assess_health()'s status and reasons. No script at all; a
//                      strict Content-Security-Policy; <meta http-equiv="refresh"> every 30 s.
//
// Only GET and HEAD are served (405 otherwise). With a token configured (status_token_file or
// status_token_credential), every path but /healthz needs "Authorization: Bearer TOKEN" (401
// otherwise; compared in constant time). Everything that came from the outside web (titles,
// snippets, URLs, error texts) is escaped for its context; links are emitted only for http(s).
//
// status_listen is read once at start (a reload does not rebind); the token and everything
// shown follow reloads. A port that cannot be bound stops `rasid run` (exit 1, the address and
// the key named): whoever configured a status page relies on it.
//
// Threads: the server, its handlers and every Store read run on the io_context thread that runs
// the Service, so reads never race the pipeline's writes. Limits: 8 KiB of request head, no
// body, 10 s per request, 64 connections at once (more are closed at accept).
//
// Files, one concern each: daemon/status_server.cpp (socket, HTTP parsing, routing, auth: this
// header), daemon/status_health.h (the health rules), daemon/status_json.h (the /api/* views and
// the query syntax), daemon/status_page.h (the HTML page and its CSS). Escaping is text/'s
// (text::escape_html), the URL codec url/'s (url::decode, url::encode), JSON nlohmann's.
//
// Failure kinds: a bad request is answered (400, 401, 404, 405, 431) and never throws; a Store
// read that fails shows as a 500 JSON error (/api/articles) or as an error line on the page; a
// listen address that cannot be bound is an Error from start().
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "common/result.h"
#include "daemon/metrics.h"
#include "daemon/runtime.h"
#include "daemon/status_health.h"
#include "daemon/status_json.h"
#include "storage/store.h"

namespace boost::asio {
class io_context;
}

namespace rasid::daemon {

struct StatusContext {
  storage::Store* store = nullptr;
  Metrics* metrics = nullptr;
  std::function<std::shared_ptr<const Runtime>()> runtime;  // the current one (reloads swap it)
  std::function<Health()> health;  // database and scheduler; the server judges the loop itself
  std::string instance_id;         // this process among the instances (daemon/instance.h)
};

class StatusServer {
 public:
  StatusServer(boost::asio::io_context& io, StatusContext context);
  ~StatusServer();
  StatusServer(const StatusServer&) = delete;
  StatusServer& operator=(const StatusServer&) = delete;

  // Binds "host:port" ("[::1]:port" for IPv6; port 0 = any free port) and starts accepting.
  // Returns the bound address as "host:port".
  Result<std::string> start(const std::string& listen);
  // Stops accepting and closes idle connections (shutdown); requests being answered finish.
  void stop();

  struct Impl;  // internal (daemon/status_server.cpp); public so its connections can name it

 private:
  std::shared_ptr<Impl> impl_;
};

// One answer of the endpoint, before it is put on the wire.
struct StatusReply {
  int status = 200;
  std::string content_type;
  std::string body;
  std::string www_authenticate;  // set on 401
};

// Routes one request (method, target as sent, Authorization header value): auth, then the
// path. Exposed for the tests and the fuzzer (fuzz/status_fuzz.cpp).
StatusReply handle_status_request(const StatusContext& ctx, std::string_view method,
                                  std::string_view target, std::string_view authorization);

}  // namespace rasid::daemon
