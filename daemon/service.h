// daemon/service.h — the long-running daemon (`rasid run`) and the one-shot pass (`rasid once`).
//
// One io_context thread owns everything: the Fetcher, the Store, the Pipeline, the Deliverer and
// every timer. Signals arrive through asio: SIGTERM/SIGINT stop scheduling, let in-flight writes
// finish (all SQLite writes happen on this thread, so no write is ever interrupted) and exit 0;
// SIGHUP reloads the config and keeps the old one if the new one is invalid.
// systemd: READY=1 once the database is open and the config valid, STATUS= lines, WATCHDOG=1
// only while the loop turns and the database answers, RELOADING=1/READY=1 around reloads,
// STOPPING=1 on shutdown.
#pragma once

#include <chrono>
#include <optional>
#include <string>

namespace rasid::daemon {

struct ServiceOptions {
  std::string config_path;
  bool once = false;  // poll every source once, deliver what is due, exit
};

// The process exit code: 0, 1 (invalid config, database or status port unusable, another daemon
// holds the database), or kExitAllSourcesFailed when `once` saw every source fail.
constexpr int kExitAllSourcesFailed = 3;
int run_service(const ServiceOptions& options);

// Scheduling policy, exposed for tests: the delay before the next poll of a source.
struct ScheduleInput {
  std::chrono::seconds interval;      // the adaptive interval (configured until one is learned)
  std::chrono::seconds min_interval;  // per-source lower bound
  std::chrono::seconds max_interval;
  int consecutive_errors = 0;
  bool dead = false;
  std::optional<std::chrono::seconds> retry_after;
  std::optional<std::chrono::seconds> server_min;  // ttl / max-age / updatePeriod
  std::chrono::seconds configured{0};  // config::Source::interval (caps the error back-off)
};
// The interval in force (before jitter) and why, in words for `rasid sources` ("" = nothing
// beyond the adaptive interval applies), and the bounds the jitter keeps to (0 = none): a
// server's Retry-After or ttl is a floor (never polled earlier, RFC 9110 §10.2.3); the error
// back-off's cap a ceiling (the promise's bound needs the poll by then).
struct ScheduleDecision {
  std::chrono::seconds interval;
  std::string reason;
  std::chrono::seconds at_least{0}, at_most{0};
};
ScheduleDecision decide_schedule(const ScheduleInput& in);
// decide_schedule() with ±10% jitter (jitter_unit 0 → 0.9×, 0.5 → 1×, 1 → 1.1×), kept within
// the decision's at_least and at_most.
std::chrono::milliseconds next_delay(const ScheduleInput& in, double jitter_unit /*0..1*/);

// The adaptive polling interval after a successful poll. The promise: every new article is
// seen within about its source's configured interval. So:
//  - a poll that found new entries never lengthens the interval: it comes back to at most the
//    configured one, and shortens toward the rate at which entries first appear to rasid
//    (time since the previous poll / new entries), never below min_interval;
//  - a poll that found nothing lengthens it by a quarter, up to max_interval (by default 4 × the
//    configured interval, config/config.h), and no further than half the pubDate gap when the
//    feed's dates say it publishes more often: pubDates are a hint that can only hold the
//    interval short, never stretch it (they are often old, wrong or republished);
//  - the first poll (everything is new) teaches nothing: the configured interval stays.
struct AdaptInput {
  std::chrono::seconds current;     // the adaptive interval before this poll
  std::chrono::seconds configured;  // config::Source::interval
  std::chrono::seconds min_interval, max_interval;
  int new_entries = 0;  // entries seen for the first time in this poll
  bool first_poll = false;
  std::optional<std::chrono::seconds> since_last_poll;  // since the previous successful poll
  std::optional<std::chrono::seconds> publish_gap;      // median pubDate gap (a hint)
};
ScheduleDecision adapt_interval(const AdaptInput& in);

}  // namespace rasid::daemon
