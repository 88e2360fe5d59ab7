// alert/alert.h — delivering outbox rows to webhooks: payloads, Standard Webhooks signatures,
// target formats (generic JSON, Slack, Discord, Telegram, ntfy) and the retry schedule.
//
// The outbox row holds the generic JSON payload (schema "rasid.alert.v1", see README); the
// target format is rendered from it at send time, so a row survives a config change of format.
// Two events: "article.matched" and the optional "story.updated" (see Alert below); both travel
// the same outbox, order, retries and signatures. Slack, Discord, Telegram and ntfy render a
// story.updated as a short text: the story's title and the outlets that now carry it.
// Delivery is at-least-once; the `webhook-id` header is deterministic per (webhook, topic, story)
// so a receiver that drops repeats sees each alert exactly once.
//
// Threads: a Deliverer is used from the io_context thread that runs its Fetcher.
// Failures are never lost: a failed POST stays pending with the next attempt scheduled
// (immediately, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h with jitter). A 429/503
// Retry-After (header, or a JSON body's retry_after) is a floor on that delay, capped at 24 h,
// never a shortcut (RFC 9110 §10.2.3: the minimum time the client should wait). 410 Gone marks
// the row failed with the reason (the endpoint is gone), and so does running out of attempts.
// Failed rows are not the end: when their endpoint next answers 2xx, every failed row of it is
// queued again by itself (original order, same webhook-id, attempts reset), so a receiver that
// recovers gets every alert; one that never recovers keeps them failed and visible. While an
// endpoint has failed rows and nothing pending, its oldest failed row is sent again as a probe
// every 10 minutes (× retry_scale), so recovery needs no new alert (Store::failed_heads).
// An answer that cannot be recorded is not sent again: when the receiver accepted an alert (2xx)
// but Store::mark_delivered fails (SQLite file write-locked by another connection, PostgreSQL
// away), the Deliverer remembers the row in memory and records it again (1 s, doubling up to
// 30 s) until the store accepts; meanwhile its endpoint sends nothing else (order is kept). The
// memory dies with the process: after a restart such a row is sent again with its webhook-id
// (at-least-once). Test: Deliverer.AcceptedAlertIsRecordedNotSentAgainWhileTheStoreIsLocked.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fetch/fetcher.h"
#include "storage/store.h"
#include "text/date.h"

namespace rasid::alert {

enum class Format { json, slack, discord, telegram, ntfy };
const char* to_string(Format f);
std::optional<Format> parse_format(std::string_view name);  // "json", "slack", … ; nullopt else

constexpr int kMaxAttempts = 11;  // the first try + 10 retries, then the row is failed

struct Endpoint {
  std::string name;
  std::string url;
  Format format = Format::json;
  std::string secret;  // "whsec_…" (empty = unsigned); never logged
  std::string telegram_chat_id;
  std::chrono::milliseconds timeout{15000};
  double retry_scale = 1.0;  // multiplies the retry schedule (tests shrink it)
  // Own retry schedule: delay before retry 1, 2, … (the last repeats; ±10% jitter applies).
  // Empty = the Standard Webhooks-like default of retry_delay().
  std::vector<std::chrono::milliseconds> schedule;
  int max_attempts = kMaxAttempts;
  // Rate limit: at least this long between two sends to this endpoint (0 = no limit).
  std::chrono::milliseconds min_interval{0};
  // Digest mode (0 = off): at most one message per this period, carrying every pending alert
  // of the endpoint (up to kDigestMax); each row is marked with the digest's outcome.
  std::chrono::milliseconds digest{0};
};
constexpr int kDigestMax = 50;

// One stored copy of a story: the outlet (source name) that carries it, where, under what title.
struct Outlet {
  std::string source, url, title;
};

// What an alert says (rendered into the stored JSON payload).
//
// event "article.matched" (the default): the first article of a story that matched the topic.
// event "story.updated": later copies joined a story this (webhook, topic) was alerted about —
// sent only to webhooks with `story_updates = true` (config/config.h), never before the alert
// it refers to exists. Its title, url, … describe the copy that joined; refers_to is the
// webhook-id of the article.matched alert; outlets lists every copy, first stored first.
struct Alert {
  std::string event = "article.matched";
  std::string topic;
  std::int64_t story_id = 0;
  std::string title, url, canonical, source, lang, dir;
  std::optional<text::Date> published;  // "published" in the payload: ISO 8601, "" when unknown
  std::string snippet;                  // matched terms marked «…»
  std::vector<std::string> also_reported_by;  // other sources of the same story
  std::string refers_to;                      // story.updated only
  std::vector<Outlet> outlets;                // story.updated only
};

std::string webhook_id(const std::string& webhook, const std::string& topic, std::int64_t story_id);
// The webhook-id of a story.updated: per (webhook, topic, story, the outlet that joined), so the
// same outlet joining again is no news (the repeat is ignored by the outbox), and a retry keeps
// the id (it is stored with the row). Never equal to a webhook_id() of an alert.
std::string story_update_id(const std::string& webhook, const std::string& topic,
                            std::int64_t story_id, const std::string& outlet);
// Generic JSON, schema rasid.alert.v1: article.matched as in README; story.updated as
// {"type":"story.updated","version":1,"topic","story_id","refers_to","article":{…the copy…},
//  "outlets":[{"source","url","title"},…]}.
std::string payload_json(const Alert& alert);

// Standard Webhooks: "v1,<base64 HMAC-SHA256(key, id + "." + timestamp + "." + body)>" where key
// is the base64 part of "whsec_<base64>". Returns "" when the secret is malformed.
std::string sign(const std::string& secret, const std::string& id, long long timestamp,
                 const std::string& body);

// The HTTP request for one stored row in the endpoint's format (headers incl. signature).
fetch::Request render(const Endpoint& endpoint, const storage::OutboxRow& row, long long now_s);

// Digest: one request for several stored rows of the same endpoint (digest mode). The
// webhook-id is derived from the rows' ids, so a retried digest keeps its id.
fetch::Request render_digest(const Endpoint& endpoint, const std::vector<storage::OutboxRow>& rows,
                             long long now_s);

// For `rasid alerts test NAME`: a signed test event ("type": "test") rendered for the endpoint.
fetch::Request render_test(const Endpoint& endpoint, long long now_s);

// Retry schedule: delay before attempt number `attempt` (1 = the first retry), with ±10% jitter
// derived from `jitter_seed` (the row id), so rows failing together spread out.
// 0 → 0, 1 → 5 s, 2 → 5 min, 3 → 30 min, 4 → 2 h, 5 → 5 h, 6 → 10 h, 7 → 14 h, 8 → 20 h,
// 9 and later → 24 h.
std::chrono::milliseconds retry_delay(int attempt, std::uint64_t jitter_seed = 0);
// The endpoint's delay before retry `attempt`: its own schedule or the default, times
// retry_scale.
std::chrono::milliseconds retry_delay(const Endpoint& endpoint, int attempt,
                                      std::uint64_t jitter_seed);

// What a delivery outcome means for the row (exposed for tests and the CLI's `alerts test`).
struct Outcome {
  enum Kind { delivered, retry, failed, cancelled } kind = retry;
  std::string error;                                     // "" when delivered
  std::optional<std::chrono::milliseconds> retry_after;  // from Retry-After (429/503) or body
};
Outcome classify(const fetch::Response& response);

// An outbox row's last_error as people read it (`rasid alerts`, the status page). The deliverer
// writes its notes readable; this only translates what an older one wrote: a 410 pause noted
// before schema 9 as "…; next probe at 1700000000 (Unix s)" reads "…; next probe at
// 2023-11-14T22:13:20Z". Other text is returned as it is. Done at read time: no migration
// rewrites a row (CliTest.AlertsShowsAnOldPauseNoteWithADate).
std::string readable_note(std::string_view last_error);

class Deliverer {
 public:
  Deliverer(storage::Store& store, fetch::Fetcher& fetcher, std::vector<Endpoint> endpoints);
  ~Deliverer();
  // Sends every due row (at most one in flight per endpoint, in order). After a success the
  // endpoint's next row is sent at once when it is due, so a backlog drains within one pass.
  // `done` is called when the rows picked in this pass have all been answered (synchronously,
  // from inside pump(), when nothing was due). Rows of a webhook missing from `endpoints` are
  // deferred by an hour with a note, never dropped.
  void pump(std::function<void()> done = {});
  bool busy() const;
  // Called after each answer (delivered, retry scheduled, failed) is recorded, from the io
  // thread: the caller re-arms its timer for next_due(), so one endpoint's retry never waits for
  // another endpoint's slow request. pump() may be called while requests are in flight: busy
  // endpoints are skipped.
  void set_on_answer(std::function<void()> f);
  // Shutdown: no request is started any more (a backlog is not drained into the stop's grace
  // period, where a cut request would be sent again after the restart); those in flight finish
  // and are recorded.
  void stop();
  // Time of the next due row of an endpoint that is not in flight, if any (for the daemon's
  // timer); a time in the past means "pump now".
  std::optional<storage::Millis> next_due();
  // Replaces the endpoints (config reload); rows in flight finish with their old settings.
  // Also re-enables endpoints disabled by a 410 (after a 410 the row is failed and the
  // endpoint's other rows wait, pending, for an hour before the endpoint is probed again).
  void set_endpoints(std::vector<Endpoint> endpoints);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace rasid::alert
