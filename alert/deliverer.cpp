// Deliverer: drains the outbox, one request in flight per endpoint, in order.
#include <algorithm>
#include <map>
#include <optional>

#include "alert/alert.h"
#include "common/log.h"
#include "text/date.h"

namespace rasid::alert {

using storage::Millis;
using storage::OutboxRow;

namespace {

constexpr int kHeadsLimit = 10000;
constexpr Millis kUnknownWebhookDelay = 3600 * 1000;
constexpr std::chrono::hours kMaxRetryAfter{24};
// After a 410 the endpoint is left alone this long (its other rows wait, pending), then probed.
// Rows queued for it later, while none are pending, go out as probes of their own.
constexpr Millis kGonePause = 3600 * 1000;
constexpr int kPauseBatch = 100000;  // pending rows of one endpoint deferred by a 410
// An endpoint with failed alerts and nothing pending is probed this often (its oldest failed
// alert is sent again; times the endpoint's retry_scale), so one that recovers gets them all.
constexpr double kProbeMs = 10 * 60 * 1000;
// An accepted alert the store could not record as delivered (database locked, server away) is
// recorded again after this delay, doubling up to kRecordRetryMaxMs; it is never sent again
// while this process runs.
constexpr Millis kRecordRetryMs = 1000;
constexpr Millis kRecordRetryMaxMs = 30 * 1000;

Millis probe_delay(const Endpoint& ep) {
  return std::max<Millis>(1, static_cast<Millis>(kProbeMs * ep.retry_scale));
}

}  // namespace

struct Core : std::enable_shared_from_this<Core> {
  Core(storage::Store& s, fetch::Fetcher& f) : store(s), fetcher(f) {}

  struct Pass {
    std::function<void()> done;
    int outstanding = 0;
  };
  struct State {
    bool in_flight = false;
    Millis last_send = 0;
    // The endpoint may have failed rows (unknown after a start: another run may have left
    // some). The first delivery that succeeds queues them again.
    bool may_have_failed = true;
    // Rows the receiver accepted (2xx) whose delivery the store did not record yet, with the
    // time of the answer. While any is left the endpoint sends nothing: its head is one of them.
    std::vector<std::pair<std::int64_t, Millis>> unrecorded;
    Millis record_at = 0;  // when to try recording them again
    Millis record_backoff = kRecordRetryMs;
    // The endpoint's claim (Store::claim_endpoint) is kept while `unrecorded` is not empty:
    // another instance would find those rows pending and send them again.
    bool claim_held = false;
  };

  storage::Store& store;
  fetch::Fetcher& fetcher;
  std::map<std::string, Endpoint> endpoints;
  std::map<std::string, State> state;
  std::function<void()> on_answer;
  bool stopping = false;  // stop(): nothing new is sent; requests in flight finish

  void set_endpoints(std::vector<Endpoint> eps) {
    std::map<std::string, Endpoint> next;
    for (auto& e : eps) next[e.name] = std::move(e);
    // Rows of a webhook that was unknown were deferred; now that it exists they are due.
    for (const auto& [name, ep] : next)
      if (!endpoints.count(name)) check(store.make_due(name));
    endpoints = std::move(next);
  }

  static void release(const std::shared_ptr<Pass>& pass) {
    if (--pass->outstanding == 0 && pass->done) {
      auto done = std::move(pass->done);
      pass->done = nullptr;
      done();
    }
  }

  static void check(const Status& s) {
    if (!s.ok()) log::error("alert: " + s.error());
  }

  // Records the endpoint's accepted-but-unrecorded rows as delivered, oldest first; true when
  // none is left. The receiver has them: they are never sent again by this process (only after
  // a restart, which forgets them: delivery stays at-least-once, same webhook-id).
  bool record_accepted(const std::string& webhook, Millis now) {
    State& st = state[webhook];
    if (st.unrecorded.empty()) return true;
    if (now < st.record_at) return false;
    auto& rows = st.unrecorded;
    std::size_t done = 0;
    for (; done < rows.size(); ++done) {
      const Status s = store.mark_delivered(rows[done].first, rows[done].second);
      if (!s.ok()) {
        st.record_at = storage::now_ms() + st.record_backoff;
        log::error("alert: endpoint=" + webhook + " " + std::to_string(rows.size() - done) +
                   " accepted alerts not recorded as delivered (" + s.error() +
                   "); recording again in " + std::to_string(st.record_backoff) +
                   " ms, not sending them again");
        st.record_backoff = std::min(st.record_backoff * 2, kRecordRetryMaxMs);
        break;
      }
    }
    rows.erase(rows.begin(), rows.begin() + static_cast<std::ptrdiff_t>(done));
    if (!rows.empty()) return false;
    if (st.claim_held) check(store.release_endpoint(webhook));  // recorded: another may send
    st.claim_held = false;
    st.record_at = 0;
    st.record_backoff = kRecordRetryMs;
    if (st.may_have_failed) requeue_failed(webhook);
    st.may_have_failed = false;
    return true;
  }

  // The endpoint delivers again: alerts that failed on it (attempts spent during an outage, a
  // 410 before it came back) go back to the queue in their original order with their webhook-id,
  // with a fresh schedule, so a recovered receiver gets everything without an operator.
  void requeue_failed(const std::string& webhook) {
    auto n = store.retry_failed(webhook);
    if (!n)
      log::error("alert: " + n.error());
    else if (n.value() > 0)
      log::warn("alert: endpoint=" + webhook + " delivers again; " + std::to_string(n.value()) +
                " failed alerts queued again");
  }

  // A 410: the endpoint's pending rows wait until `until` (then the first is the probe). The
  // pause is data on the rows (Hold::endpoint_gone), not state of this process, so `rasid alerts
  // retry` (another process) resumes the endpoint at once, and every instance sees the pause.
  void pause(const std::string& webhook, Millis until) {
    auto rows = store.outbox_rows("pending", webhook, kPauseBatch);
    if (!rows) return log::error("alert: " + rows.error());
    for (const auto& row : rows.value())
      check(store.defer(
          row.id, until, storage::Hold::endpoint_gone,
          "endpoint disabled: it answered 410 Gone; next probe at " +
              text::format_iso8601(std::chrono::sys_seconds(std::chrono::seconds(until / 1000)))));
  }

  // `head` as it is stored now, if it is still the row to send: the oldest pending row of its
  // webhook and due, or (a probe) still the oldest failed row while nothing is pending.
  std::optional<OutboxRow> current(const OutboxRow& head, Millis now) {
    auto pending = store.queue_head(head.webhook);
    if (!pending) {
      log::error("alert: " + pending.error());
      return std::nullopt;
    }
    if (head.status != "failed") {
      if (pending->has_value() && pending->value().id == head.id &&
          pending->value().next_attempt <= now)
        return pending->value();
      return std::nullopt;
    }
    if (pending->has_value()) return std::nullopt;
    auto failed = store.outbox_rows("failed", head.webhook, 1);
    if (failed && !failed->empty() && failed->front().id == head.id) return failed->front();
    return std::nullopt;
  }

  // Starts sending `head` (the oldest pending row of its webhook) unless its endpoint is busy,
  // unknown, rate-limited or waiting for its digest period.
  void try_start(const OutboxRow& head, const std::shared_ptr<Pass>& pass, Millis now) {
    if (stopping) return;
    State& st = state[head.webhook];
    if (st.in_flight) return;
    // Accepted rows still to be recorded come first: the head may be one of them.
    if (!record_accepted(head.webhook, now)) return;
    auto it = endpoints.find(head.webhook);
    if (it == endpoints.end()) {
      log::warn("alert: endpoint=" + head.webhook + " not configured; alerts wait");
      check(store.defer(head.id, now + kUnknownWebhookDelay, storage::Hold::unknown_webhook,
                        "no webhook named \"" + head.webhook + "\" in the configuration"));
      return;
    }
    const Endpoint& ep = it->second;
    const Millis gap = std::max(ep.min_interval.count(), ep.digest.count());
    if (gap > 0 && st.last_send != 0 && now < st.last_send + gap) {
      check(store.defer(head.id, st.last_send + gap, storage::Hold::rate_limit));
      return;
    }
    // One instance at a time per endpoint (storage: claim_endpoint); under the claim the head is
    // read again, since another instance may have sent it meanwhile.
    auto claim = store.claim_endpoint(ep.name);
    if (!claim) return log::error("alert: " + claim.error());
    if (!claim.value()) return;  // another instance is sending to this endpoint
    std::optional<OutboxRow> fresh = current(head, now);
    if (!fresh) return check(store.release_endpoint(ep.name));
    std::vector<OutboxRow> rows;
    fetch::Request req;
    const long long now_s = now / 1000;
    if (ep.digest.count() > 0 && fresh->status != "failed") {
      auto pending = store.outbox_rows("pending", ep.name, kDigestMax);
      if (!pending.ok() || pending->empty()) {
        if (!pending.ok()) log::error("alert: " + pending.error());
        return check(store.release_endpoint(ep.name));
      }
      rows = std::move(pending).value();
      req = render_digest(ep, rows, now_s);
    } else {
      rows.push_back(*fresh);
      req = render(ep, *fresh, now_s);
    }
    st.in_flight = true;
    st.last_send = now;
    ++pass->outstanding;
    std::weak_ptr<Core> weak = weak_from_this();
    fetcher.fetch(std::move(req), [weak, ep, rows = std::move(rows), pass](fetch::Response r) {
      if (auto self = weak.lock()) self->finish(ep, rows, r, pass);
    });
  }

  void finish(const Endpoint& ep, const std::vector<OutboxRow>& rows, const fetch::Response& r,
              const std::shared_ptr<Pass>& pass) {
    const Outcome o = classify(r);
    const Millis now = storage::now_ms();
    State& st = state[ep.name];
    st.in_flight = false;
    st.last_send = now;  // the rate limit counts from the answer: the receiver sees the full gap
    const std::string what = "alert: endpoint=" + ep.name + " id=" + rows.front().webhook_id +
                             (rows.size() > 1 ? " (+" + std::to_string(rows.size() - 1) + ")" : "");
    const bool probe = rows.size() == 1 && rows.front().status == "failed";
    if (probe && o.kind != Outcome::delivered && o.kind != Outcome::cancelled) {
      check(store.reprobe(rows.front().id, "still failing (probe): " + o.error,
                          now + probe_delay(ep)));
      log::warn(what + " probe of a failed alert: " + o.error + "; next probe in " +
                std::to_string(probe_delay(ep) / 1000) + " s");
      if (o.kind == Outcome::failed) pause(ep.name, now + kGonePause);
      check(store.release_endpoint(ep.name));  // the answer is recorded: another may send
      if (on_answer) on_answer();
      release(pass);
      return;
    }
    switch (o.kind) {
      case Outcome::cancelled:
        break;  // shutting down: the row stays as it was and is sent after the restart
      case Outcome::delivered:
        log::info(what + " delivered");
        // Remembered before recording: a row the store cannot mark now stays pending there, and
        // must not be sent again (it would reach the receiver once per attempt, same id).
        for (const auto& row : rows) st.unrecorded.emplace_back(row.id, now);
        st.record_at = 0;
        record_accepted(ep.name, now);
        break;
      case Outcome::failed:
        st.may_have_failed = true;
        for (const auto& row : rows)
          check(store.mark_failed(row.id, o.error, now + probe_delay(ep)));
        pause(ep.name, now + kGonePause);
        log::error(what + " failed: " + o.error + "; endpoint disabled for an hour");
        break;
      case Outcome::retry:
        for (const auto& row : rows) {
          const int attempts = row.attempts + 1;
          if (attempts >= ep.max_attempts) {
            st.may_have_failed = true;
            check(store.mark_failed(
                row.id, "gave up after " + std::to_string(attempts) + " attempts: " + o.error,
                now + probe_delay(ep)));
            log::error(what + " gave up after " + std::to_string(attempts) +
                       " attempts: " + o.error);
            continue;
          }
          // The server's Retry-After is a floor on the schedule's delay, never a shortcut: a
          // receiver answering "Retry-After: 1" through a long outage must not spend every
          // attempt in seconds (RFC 9110 §10.2.3 makes it the minimum time to wait).
          std::chrono::milliseconds delay =
              retry_delay(ep, attempts, static_cast<std::uint64_t>(row.id));
          if (o.retry_after)
            delay = std::max(delay,
                             std::min<std::chrono::milliseconds>(*o.retry_after, kMaxRetryAfter));
          check(store.mark_retry(row.id, o.error, now + delay.count()));
          log::warn(what + " attempt " + std::to_string(attempts) + " failed: " + o.error +
                    "; retry in " + std::to_string(delay.count()) + " ms");
        }
        break;
    }
    if (st.unrecorded.empty())
      check(store.release_endpoint(ep.name));  // the answer is recorded: another may send
    else
      st.claim_held = true;  // released once recorded (record_accepted)
    // A backlog drains within the pass: the endpoint's next row goes out as soon as it is due.
    if (o.kind == Outcome::delivered && st.unrecorded.empty()) {
      auto head = store.queue_head(ep.name);
      if (!head.ok())
        log::error("alert: " + head.error());
      else if (head->has_value() && head.value()->next_attempt <= now)
        try_start(*head.value(), pass, now);
    }
    if (on_answer) on_answer();
    release(pass);
  }
};

struct Deliverer::Impl {
  std::shared_ptr<Core> core;
};

Deliverer::Deliverer(storage::Store& store, fetch::Fetcher& fetcher,
                     std::vector<Endpoint> endpoints)
    : impl_(std::make_unique<Impl>()) {
  impl_->core = std::make_shared<Core>(store, fetcher);
  for (auto& e : endpoints) impl_->core->endpoints[e.name] = std::move(e);
}

Deliverer::~Deliverer() {
  for (const auto& [name, st] : impl_->core->state)
    if (!st.unrecorded.empty())
      log::warn("alert: endpoint=" + name + " " + std::to_string(st.unrecorded.size()) +
                " accepted alerts were never recorded as delivered; they are sent again (same "
                "webhook-id) after the restart");
}

void Deliverer::set_endpoints(std::vector<Endpoint> endpoints) {
  impl_->core->set_endpoints(std::move(endpoints));
}

void Deliverer::pump(std::function<void()> done) {
  auto& core = *impl_->core;
  auto pass = std::make_shared<Core::Pass>();
  pass->done = std::move(done);
  pass->outstanding = 1;  // held by this call until every due head was looked at
  const Millis now = storage::now_ms();
  // Accepted alerts not yet recorded (their heads may be gone from the queues meanwhile).
  for (auto& [name, st] : core.state)
    if (!st.in_flight && !st.unrecorded.empty()) core.record_accepted(name, now);
  auto heads = core.store.queue_heads(kHeadsLimit);
  if (!heads.ok()) {
    log::error("alert: " + heads.error());
  } else {
    for (const auto& head : heads.value()) {
      if (head.next_attempt > now) break;  // soonest first
      core.try_start(head, pass, now);
    }
  }
  // Endpoints with nothing pending but failed alerts: probe with the oldest one when due.
  if (auto probes = core.store.failed_heads(); !probes) {
    log::error("alert: " + probes.error());
  } else {
    for (const auto& row : probes.value()) {
      if (row.next_attempt > now) break;  // soonest first
      if (core.endpoints.count(row.webhook)) core.try_start(row, pass, now);
    }
  }
  Core::release(pass);
}

void Deliverer::stop() { impl_->core->stopping = true; }

void Deliverer::set_on_answer(std::function<void()> f) { impl_->core->on_answer = std::move(f); }

bool Deliverer::busy() const {
  for (const auto& [name, st] : impl_->core->state)
    if (st.in_flight) return true;
  return false;
}

std::optional<storage::Millis> Deliverer::next_due() {
  auto& core = *impl_->core;
  auto heads = core.store.queue_heads(kHeadsLimit);
  if (!heads.ok()) {
    log::error("alert: " + heads.error());
    return std::nullopt;
  }
  std::optional<Millis> best;
  auto consider_at = [&](Millis at) {
    if (!best || at < *best) best = at;
  };
  auto consider = [&](const OutboxRow& head) {
    auto it = core.state.find(head.webhook);
    if (it != core.state.end() && it->second.in_flight) return;
    // An endpoint with accepted rows to record waits for their recording, not its head.
    if (it != core.state.end() && !it->second.unrecorded.empty()) return;
    consider_at(head.next_attempt);
  };
  for (const auto& [name, st] : core.state)
    if (!st.in_flight && !st.unrecorded.empty()) consider_at(st.record_at);
  for (const auto& head : heads.value()) consider(head);
  if (auto probes = core.store.failed_heads(); probes)
    for (const auto& row : probes.value())
      if (core.endpoints.count(row.webhook)) consider(row);
  return best;
}

}  // namespace rasid::alert
