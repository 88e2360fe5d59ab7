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
#pragma once

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "daemon/metrics.h"
#include "daemon/runtime.h"
#include "storage/store.h"

namespace boost::asio {
class io_context;
}

namespace rasid::daemon {

struct Health {
  bool loop = true;
  bool database = true;
  bool scheduler = true;
  std::string detail;  // why not healthy ("" when healthy)
  bool ok() const { return loop && database && scheduler; }
};

struct StatusContext {
  storage::Store* store = nullptr;
  Metrics* metrics = nullptr;
  std::function<std::shared_ptr<const Runtime>()> runtime;  // the current one (reloads swap it)
  std::function<Health()> health;  // database and scheduler; the server judges the loop itself
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

  struct Impl;  // internal (daemon/status.cpp); public so its connections can name it

 private:
  std::shared_ptr<Impl> impl_;
};

// ---- overall health: one verdict for /api/health, the page's banner and systemd's STATUS= ----
//
// Derived from the database (source states, the outbox) and the running configuration, plus the
// liveness Health, so every asker gets the same answer. Rules (README "Status page"):
//   failing  — the service is not live (loop, database, scheduler) or the database cannot be
//              read; a configured endpoint has failed alerts (given up, or 410 Gone); a
//              configured endpoint's queue head has failed 3 attempts or more in a row (every
//              recent attempt failed), or the endpoint is paused after a 410; every configured
//              source is failing or dead (no news comes in).
//   degraded — some source is failing (errors in a row) or dead (410); an endpoint's head failed
//              1–2 attempts and waits for its retry; pending alerts due more than 2 minutes ago
//              and not sent (stalled); alerts waiting longer than their endpoint's rate limit or
//              digest explains (10 minutes of grace) without any failed attempt (backlog).
//   ok       — none of these.
// Rows of webhooks no longer configured are not judged. Recovery is automatic: a source that
// succeeds is "ok" again, a delivered (or operator-retried) alert leaves the counts.
enum class HealthLevel { ok, degraded, failing };
const char* to_string(HealthLevel level);  // "ok", "degraded", "failing"

struct HealthReason {
  HealthLevel level = HealthLevel::degraded;
  std::string kind;  // "service", "source" or "delivery"
  std::string name;  // the source or endpoint ("" for the service)
  // service: "loop", "database", "scheduler"; source: "failing", "dead", "all_sources";
  // delivery: "failed", "retrying", "paused", "stalled", "backlog".
  std::string problem;
  int count = 0;           // errors in a row (source) or alerts concerned (delivery)
  int attempts = 0;        // delivery: attempts of the queue head
  std::string error;       // the last error as recorded (outside text: escape it)
  storage::Millis at = 0;  // retrying/paused: next attempt; stalled: due since; backlog: oldest
                           // queued; source: last success (0 = never)
  std::string detail;      // one English sentence naming the count and the error
};

struct OverallHealth {
  HealthLevel status = HealthLevel::ok;
  std::vector<HealthReason> reasons;  // failing ones first, then in configuration order
  int sources = 0, sources_failing = 0, alerts_pending = 0, alerts_failed = 0;
};

OverallHealth assess_health(storage::Store& store, const Runtime& rt, const Health& live,
                            storage::Millis now);
// {"status": …, "reasons": [{"kind","level","problem","source"|"endpoint","count","detail",…}]}
nlohmann::json health_json(const OverallHealth& health);
// One line for systemd's STATUS=: "degraded: desk: 1 alert pending, … (+2 more) | 3 sources…".
std::string health_line(const OverallHealth& health);

// ---- the pieces, exposed for the CLI and tests -----------------------------------------------

// One answer of the endpoint, before it is put on the wire.
struct StatusReply {
  int status = 200;
  std::string content_type;
  std::string body;
  std::string www_authenticate;  // set on 401
};

// Routes one request (method, target as sent, Authorization header value).
StatusReply handle_status_request(const StatusContext& ctx, std::string_view method,
                                  std::string_view target, std::string_view authorization);

// "24h", "7d", "30m", "90s", "2024-05-01", "2024-05-01T10:00:00Z", or Unix seconds → Unix ms.
// "" → now - default_window. nullopt when malformed.
std::optional<storage::Millis> parse_since(std::string_view text, storage::Millis now,
                                           storage::Millis default_window);
// Words typed by a person → an FTS5 query that cannot be malformed (each word a quoted
// string, all required). "" when there is no word.
std::string fts_query_from_words(std::string_view words);

// JSON used by both the API and the CLI (`rasid sources --json`, `rasid articles --json`).
nlohmann::json sources_json(storage::Store& store, const Runtime& rt);
Result<nlohmann::json> articles_json(storage::Store& store, const storage::ArticleQuery& query);

}  // namespace rasid::daemon
