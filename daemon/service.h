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

int run_service(const ServiceOptions& options);

// Scheduling policy, exposed for tests: the delay before the next poll of a source.
struct ScheduleInput {
  std::chrono::seconds interval;      // configured
  std::chrono::seconds min_interval;  // per-source lower bound
  std::chrono::seconds max_interval;
  int consecutive_errors = 0;
  bool dead = false;
  std::optional<std::chrono::seconds> retry_after;
  std::optional<std::chrono::seconds> server_min;  // ttl / max-age / updatePeriod
};
std::chrono::milliseconds next_delay(const ScheduleInput& in, double jitter_unit /*0..1*/);

// The adaptive polling interval after a successful poll: from the feed's publishing rate (poll
// about twice per median gap between items) when dates are known, else shrinking after polls
// that found something and growing after empty ones; always within [min_interval, max_interval].
std::chrono::seconds adapt_interval(std::chrono::seconds current, std::chrono::seconds min_interval,
                                    std::chrono::seconds max_interval,
                                    std::optional<std::chrono::seconds> publish_gap,
                                    int new_articles);

}  // namespace rasid::daemon
