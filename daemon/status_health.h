// daemon/status_health.h — the daemon's health policy: one verdict for /api/health, the status
// page's banner and systemd's STATUS= (daemon/status.h serves it, daemon/service.cpp notifies it).
//
// Owner: daemon/ (these are the daemon's rules about its own sources and endpoints, read from
// the Store and the running configuration; no other module judges health).
//
// Threads: assess_health() reads the Store, so it runs where the Store is used (the io_context
// thread of the Service, or a CLI process with its own Store). The rest is pure.
//
// Failure kinds: a Store read that fails is itself a reason ("service"/"database", failing);
// nothing is thrown. Error texts in reasons are recorded as written (outside text: escape it).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "daemon/runtime.h"
#include "storage/store.h"

namespace rasid::daemon {

// Liveness: the loop, the database and the scheduler answer (GET /healthz).
struct Health {
  bool loop = true;
  bool database = true;
  // A database server that does not answer while the store reconnects (PostgreSQL restarted):
  // live, and degraded until it answers again.
  bool database_reconnecting = false;
  bool scheduler = true;
  std::string detail;  // why not healthy ("" when healthy)
  bool ok() const { return loop && database && scheduler; }
};

// ---- overall health ----------------------------------------------------------------------------
//
// Derived from the database (source states, the outbox) and the running configuration, plus the
// liveness Health, so every asker gets the same answer. Rules (README "Status page"):
//   failing  — the service is not live (loop, database, scheduler) or the database cannot be
//              read; a configured endpoint has failed alerts (given up, or 410 Gone); a
//              configured endpoint's queue head has failed 3 attempts or more in a row (every
//              recent attempt failed), or the endpoint is paused after a 410 (the head's hold is
//              storage::Hold::endpoint_gone, as the deliverer recorded it); every configured
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

}  // namespace rasid::daemon
