// alert/alert.h — delivering outbox rows to webhooks: payloads, Standard Webhooks signatures,
// target formats (generic JSON, Slack, Discord, Telegram, ntfy) and the retry schedule.
//
// The outbox row holds the generic JSON payload (schema "rasid.alert.v1", see README); the
// target format is rendered from it at send time, so a row survives a config change of format.
// Delivery is at-least-once; the `webhook-id` header is deterministic per (webhook, topic, story)
// so a receiver that drops repeats sees each alert exactly once.
//
// Threads: a Deliverer is used from the io_context thread that runs its Fetcher.
// Failures are never lost: a failed POST stays pending with the next attempt scheduled
// (immediately, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h with jitter; 429/503
// Retry-After honoured); 410 Gone marks the row failed with the reason (the endpoint is gone).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "fetch/fetcher.h"
#include "storage/store.h"

namespace rasid::alert {

enum class Format { json, slack, discord, telegram, ntfy };

struct Endpoint {
  std::string name;
  std::string url;
  Format format = Format::json;
  std::string secret;  // "whsec_…" (empty = unsigned); never logged
  std::string telegram_chat_id;
  std::chrono::milliseconds timeout{15000};
};

// What an alert says (rendered into the stored JSON payload).
struct Alert {
  std::string event = "article.matched";
  std::string topic;
  std::int64_t story_id = 0;
  std::string title, url, canonical, source, published, lang, dir;
  std::string snippet;  // matched terms marked «…»
  std::vector<std::string> also_reported_by;  // other sources of the same story
};

std::string webhook_id(const std::string& webhook, const std::string& topic,
                       std::int64_t story_id);
std::string payload_json(const Alert& alert);  // generic JSON, schema rasid.alert.v1

// Standard Webhooks: "v1,<base64 HMAC-SHA256(key, id + "." + timestamp + "." + body)>" where key
// is the base64 part of "whsec_<base64>". Returns "" when the secret is malformed.
std::string sign(const std::string& secret, const std::string& id, long long timestamp,
                 const std::string& body);

// The HTTP request for one stored row in the endpoint's format (headers incl. signature).
fetch::Request render(const Endpoint& endpoint, const storage::OutboxRow& row, long long now_s);

// Retry schedule: delay before attempt number `attempt` (1 = the first retry), with ±10% jitter.
std::chrono::milliseconds retry_delay(int attempt, std::uint64_t jitter_seed = 0);
constexpr int kMaxAttempts = 11;  // the first try + 10 retries, then the row is failed

class Deliverer {
 public:
  Deliverer(storage::Store& store, fetch::Fetcher& fetcher, std::vector<Endpoint> endpoints);
  ~Deliverer();
  // Sends every due row (at most one in flight per endpoint, in order). `done` is called when the
  // rows picked in this pass have all been answered.
  void pump(std::function<void()> done = {});
  bool busy() const;
  // Time of the next due row, if any (for the daemon's timer).
  std::optional<storage::Millis> next_due();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace rasid::alert
