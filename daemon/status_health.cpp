// The daemon's health rules (daemon/status_health.h).
#include "daemon/status_health.h"

#include <algorithm>
#include <map>
#include <utility>

#include "daemon/status_json.h"

namespace rasid::daemon {

const char* to_string(HealthLevel level) {
  switch (level) {
    case HealthLevel::ok:
      return "ok";
    case HealthLevel::degraded:
      return "degraded";
    case HealthLevel::failing:
      return "failing";
  }
  return "failing";
}

namespace {

// The rule's constants (status_health.h, README "Status page").
constexpr int kFailingAttempts = 3;                  // a head failing this often: failing
constexpr storage::Millis kStallGrace = 2 * 60'000;  // due and not sent for longer: stalled
constexpr storage::Millis kBacklogGrace = 10 * 60'000;

std::string counted(long long n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

std::string iso_or(storage::Millis t, const char* none) { return t > 0 ? iso_ms(t) : none; }

}  // namespace

OverallHealth assess_health(storage::Store& store, const Runtime& rt, const Health& live,
                            storage::Millis now) {
  OverallHealth h;
  auto add = [&h](HealthLevel level, std::string kind, std::string name, std::string problem) {
    HealthReason r;
    r.level = level;
    r.kind = std::move(kind);
    r.name = std::move(name);
    r.problem = std::move(problem);
    h.reasons.push_back(std::move(r));
    return &h.reasons.back();
  };
  if (!live.ok()) {
    auto* r = add(HealthLevel::failing, "service", "",
                  !live.database ? "database"
                  : !live.loop   ? "loop"
                                 : "scheduler");
    r->detail = live.detail.empty() ? "the service is not live" : live.detail;
  }
  if (live.database_reconnecting) {
    add(HealthLevel::degraded, "service", "", "database")->detail =
        "the database server does not answer; reconnecting (nothing is lost: polls and alerts "
        "wait)";
    h.sources = static_cast<int>(rt.config.sources.size());
  }
  // A database that does not answer cannot be read either: the liveness reason says it all.
  if (live.database && !live.database_reconnecting) {
    h.sources = static_cast<int>(rt.config.sources.size());
    if (auto states = store.sources(); !states) {
      add(HealthLevel::failing, "service", "", "database")->detail = "database: " + states.error();
    } else {
      std::map<std::string, const storage::SourceState*> by_name;
      for (const auto& st : states.value()) by_name[st.name] = &st;
      for (const auto& src : rt.config.sources) {
        auto it = by_name.find(src.name);
        if (it == by_name.end()) continue;
        const storage::SourceState& st = *it->second;
        if (st.status != "failing" && st.status != "dead") continue;
        h.sources_failing++;
        auto* r = add(HealthLevel::degraded, "source", src.name, st.status);
        r->count = st.consecutive_errors;
        r->error = st.last_error;
        r->at = st.last_success;
        if (st.status == "dead")
          r->detail = "gone (HTTP 410), checked once a day; last error: " + st.last_error;
        else
          r->detail = counted(st.consecutive_errors, "error", "errors") +
                      " in a row; last error: " + st.last_error +
                      "; last success: " + iso_or(st.last_success, "never");
      }
      if (h.sources > 0 && h.sources_failing == h.sources) {
        auto* r = add(HealthLevel::failing, "source", "", "all_sources");
        r->count = h.sources;
        r->detail = h.sources == 1 ? "the only source is failing: no news comes in"
                                   : "all " + std::to_string(h.sources) +
                                         " sources are failing: no news comes in";
      }
    }

    if (auto queues = store.endpoint_queues(); !queues) {
      add(HealthLevel::failing, "service", "", "database")->detail = "database: " + queues.error();
    } else {
      for (const auto& ep : rt.endpoints) {
        auto q = std::find_if(queues->begin(), queues->end(), [&](const storage::EndpointQueue& e) {
          return e.webhook == ep.name;
        });
        if (q == queues->end()) continue;
        h.alerts_pending += q->pending;
        h.alerts_failed += q->failed;
        if (q->failed > 0) {
          auto* r = add(HealthLevel::failing, "delivery", ep.name, "failed");
          r->count = q->failed;
          r->error = q->last_failed_error;
          r->detail = counted(q->failed, "alert", "alerts") +
                      " failed; last error: " + q->last_failed_error;
        }
        if (!q->head) continue;
        const storage::OutboxRow& head = *q->head;
        const std::string pending = counted(q->pending, "alert", "alerts") + " pending";
        const bool waiting = head.next_attempt > now;
        // Why the head waits, as the deliverer recorded it (never read from the note's words).
        const bool paused = head.hold == storage::Hold::endpoint_gone;
        HealthReason* r = nullptr;
        if (waiting && paused) {
          r = add(HealthLevel::failing, "delivery", ep.name, "paused");
          r->detail =
              "paused after 410 Gone; " + pending + "; next probe at " + iso_ms(head.next_attempt);
        } else if (waiting && head.attempts > 0) {
          const bool all_failed = head.attempts >= kFailingAttempts;
          r = add(all_failed ? HealthLevel::failing : HealthLevel::degraded, "delivery", ep.name,
                  "retrying");
          r->detail = pending + " (oldest queued " + iso_ms(q->oldest_pending) + "); " +
                      (all_failed ? "all " + std::to_string(head.attempts) + " attempts failed"
                                  : counted(head.attempts, "attempt", "attempts") + " failed") +
                      ", last error: " + head.last_error + "; next retry at " +
                      iso_ms(head.next_attempt);
        } else if (!waiting && head.next_attempt > 0 && now - head.next_attempt > kStallGrace) {
          r = add(HealthLevel::degraded, "delivery", ep.name, "stalled");
          r->detail = pending + ", due since " + iso_ms(head.next_attempt) + " but not sent";
        } else if (waiting && head.attempts == 0 && q->oldest_pending > 0) {
          // Waiting without a failed attempt: only the rate limit or the digest period explain it.
          const long long n = q->pending;
          const storage::Millis explained =
              kBacklogGrace +
              (ep.digest.count() > 0
                   ? ep.digest.count() * ((n + alert::kDigestMax - 1) / alert::kDigestMax)
                   : ep.min_interval.count() * n);
          if (now - q->oldest_pending > explained) {
            r = add(HealthLevel::degraded, "delivery", ep.name, "backlog");
            r->detail = pending + " without a failed attempt, the oldest queued " +
                        iso_ms(q->oldest_pending) + "; next attempt at " +
                        iso_ms(head.next_attempt) +
                        (head.last_error.empty() ? "" : " (" + head.last_error + ")");
          }
        }
        if (r) {
          r->count = q->pending;
          r->attempts = head.attempts;
          r->error = head.last_error;
          r->at = r->problem == "backlog" ? q->oldest_pending : head.next_attempt;
        }
      }
    }
  }
  std::stable_sort(h.reasons.begin(), h.reasons.end(),
                   [](const HealthReason& a, const HealthReason& b) { return a.level > b.level; });
  for (const auto& r : h.reasons) h.status = std::max(h.status, r.level);
  return h;
}

nlohmann::json health_json(const OverallHealth& health) {
  nlohmann::json reasons = nlohmann::json::array();
  for (const auto& r : health.reasons) {
    nlohmann::json j{{"kind", r.kind},
                     {"level", to_string(r.level)},
                     {"problem", r.problem},
                     {"detail", r.detail}};
    if (r.kind == "source" && !r.name.empty()) j["source"] = r.name;
    if (r.kind == "delivery") j["endpoint"] = r.name;
    if (r.kind != "service") j["count"] = r.count;
    if (!r.error.empty()) j["last_error"] = r.error;
    if (r.kind == "delivery") j["attempts"] = r.attempts;
    if (r.at > 0) {
      const char* key = r.kind == "source"       ? "last_success"
                        : r.problem == "stalled" ? "due_since"
                        : r.problem == "backlog" ? "oldest_queued"
                                                 : "next_attempt";
      j[key] = iso_ms(r.at);
    }
    reasons.push_back(std::move(j));
  }
  return {{"status", to_string(health.status)},
          {"reasons", std::move(reasons)},
          {"sources", {{"configured", health.sources}, {"failing", health.sources_failing}}},
          {"alerts", {{"pending", health.alerts_pending}, {"failed", health.alerts_failed}}}};
}

std::string health_line(const OverallHealth& health) {
  std::string line = to_string(health.status);
  if (!health.reasons.empty()) {
    const auto& r = health.reasons.front();
    line += ": " + (r.name.empty() ? r.detail : r.name + ": " + r.detail);
    if (health.reasons.size() > 1)
      line += " (+" + std::to_string(health.reasons.size() - 1) + " more)";
  }
  line += " | " + std::to_string(health.sources) + " sources, " +
          std::to_string(health.sources_failing) + " failing, " +
          std::to_string(health.alerts_pending) + " alerts pending, " +
          std::to_string(health.alerts_failed) + " failed";
  // systemd shows one line: no newline from an error text may break it.
  for (char& c : line)
    if (c == '\n' || c == '\r') c = ' ';
  return line;
}

}  // namespace rasid::daemon
