#include "daemon/metrics.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

namespace rasid::daemon {

namespace {

const std::vector<double> kFetchBounds{0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};
// Delivery = queue → delivered: seconds when the endpoint answers, hours when it retries.
const std::vector<double> kDeliveryBounds{0.1, 0.5, 1, 5, 30, 60, 300, 1800, 7200, 86400};

std::string num(double v) {
  if (std::isinf(v)) return "+Inf";
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, v);  // shortest form that reads back exactly
  return std::string(buf, r.ptr);
}

void header(std::string& out, std::string_view name, std::string_view type, std::string_view help) {
  out += "# HELP ";
  out += name;
  out += ' ';
  out += help;
  out += "\n# TYPE ";
  out += name;
  out += ' ';
  out += type;
  out += '\n';
}

void sample(std::string& out, std::string_view name, const std::string& labels, double v) {
  out += name;
  if (!labels.empty()) out += "{" + labels + "}";
  out += ' ';
  out += num(v);
  out += '\n';
}

std::string label(std::string_view key, std::string_view value) {
  return std::string(key) + "=\"" + prometheus_label(value) + "\"";
}

}  // namespace

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)), counts_(bounds_.size() + 1, 0) {}

void Histogram::observe(double v) {
  std::size_t i = 0;
  while (i < bounds_.size() && v > bounds_[i]) ++i;
  counts_[i]++;
  sum_ += v;
  count_++;
}

void Histogram::render(std::string& out, std::string_view name, std::string_view labels) const {
  std::string prefix(labels);
  if (!prefix.empty()) prefix += ',';
  std::uint64_t cum = 0;
  for (std::size_t i = 0; i <= bounds_.size(); ++i) {
    cum += counts_[i];
    double le = i < bounds_.size() ? bounds_[i] : INFINITY;
    sample(out, std::string(name) + "_bucket", prefix + "le=\"" + num(le) + "\"",
           static_cast<double>(cum));
  }
  sample(out, std::string(name) + "_sum", std::string(labels), sum_);
  sample(out, std::string(name) + "_count", std::string(labels), static_cast<double>(count_));
}

std::string prometheus_label(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '"')
      out += "\\\"";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

std::string poll_result_class(const PollOutcome& o) {
  if (o.ok) return o.not_modified ? "not_modified" : "ok";
  if (o.dead) return "gone";
  switch (o.failure) {
    case PollFailure::http_status:
      if (o.http_status == 429) return "rate_limited";
      return o.http_status >= 500 ? "http_5xx" : "http_4xx";
    case PollFailure::parse:
      return "parse";
    case PollFailure::storage:
      return "storage";
    case PollFailure::cancelled:
      return "cancelled";
    case PollFailure::fetch:
    case PollFailure::none:
      break;
  }
  return "network";
}

Metrics::Metrics() : delivered_watermark_(storage::now_ms()), started_ms_(storage::now_ms()) {}

void Metrics::fetch_done(std::string_view kind, const fetch::Response& r) {
  if (r.error == fetch::Error::cancelled) return;
  std::string k(kind);
  auto it = fetch_seconds_.try_emplace(k, kFetchBounds).first;
  it->second.observe(std::chrono::duration<double>(r.elapsed).count());
  fetch_bytes_[k] += r.bytes ? r.bytes : r.body.size();
  fetches_[k]++;
}

void Metrics::poll_done(const PollOutcome& o) {
  polls_[{o.source, poll_result_class(o)}]++;
  polls_total_++;
  if (o.new_articles) articles_[o.source] += static_cast<std::uint64_t>(o.new_articles);
  if (o.duplicates) duplicates_[o.source] += static_cast<std::uint64_t>(o.duplicates);
}

void Metrics::matched(const std::string& topic) { matches_[topic]++; }

void Metrics::collect_deliveries(storage::Store& store) {
  // Pages of 1000: a backlog drained between two scrapes is read completely.
  for (int page = 0; page < 100; ++page) {
    auto rows = store.delivered_since(delivered_watermark_, 1000);
    if (!rows) return;
    bool fresh = false;
    for (const auto& d : rows.value()) {
      if (d.delivered_at == delivered_watermark_ && seen_at_watermark_.count(d.id)) continue;
      fresh = true;
      if (d.delivered_at > delivered_watermark_) {
        delivered_watermark_ = d.delivered_at;
        seen_at_watermark_.clear();
      }
      seen_at_watermark_.insert(d.id);
      auto it = delivery_seconds_.try_emplace(d.webhook, kDeliveryBounds).first;
      it->second.observe(
          static_cast<double>(std::max<storage::Millis>(0, d.delivered_at - d.created)) / 1000.0);
      delivered_[d.webhook]++;
    }
    if (!fresh || rows->size() < 1000) return;
  }
}

std::string Metrics::render(storage::Store& store, const Runtime& rt) {
  collect_deliveries(store);
  std::string out;
  out.reserve(8192);

  header(out, "rasid_polls_total", "counter", "Polls of a source, by result class.");
  for (const auto& [key, n] : polls_)
    sample(out, "rasid_polls_total", label("source", key.first) + "," + label("result", key.second),
           static_cast<double>(n));

  header(out, "rasid_fetch_duration_seconds", "histogram",
         "Time from request to complete response (queueing included), by kind (feed, article).");
  for (const auto& [kind, h] : fetch_seconds_)
    h.render(out, "rasid_fetch_duration_seconds", label("kind", kind));

  header(out, "rasid_fetch_bytes_total", "counter", "Body bytes received, by kind.");
  for (const auto& [kind, n] : fetch_bytes_)
    sample(out, "rasid_fetch_bytes_total", label("kind", kind), static_cast<double>(n));

  header(out, "rasid_articles_stored_total", "counter", "New articles stored, by source.");
  for (const auto& [src, n] : articles_)
    sample(out, "rasid_articles_stored_total", label("source", src), static_cast<double>(n));

  header(out, "rasid_duplicates_total", "counter",
         "Entries merged into an already stored article (same canonical URL), by source.");
  for (const auto& [src, n] : duplicates_)
    sample(out, "rasid_duplicates_total", label("source", src), static_cast<double>(n));

  header(out, "rasid_source_claims_total", "counter",
         "Claims of due sources made by this instance's scheduler (one statement each, a batch "
         "of sources or none).");
  sample(out, "rasid_source_claims_total", "", static_cast<double>(claims_));

  header(out, "rasid_source_leases_total", "counter",
         "Due sources claimed by this instance, by result (granted: polled; deferred: given back "
         "because their host asked with Retry-After to be left alone).");
  for (const char* r : {"granted", "deferred"})
    sample(out, "rasid_source_leases_total", label("result", r),
           static_cast<double>(leases_.count(r) ? leases_.at(r) : 0));

  header(out, "rasid_matches_total", "counter", "Articles matched, by topic.");
  for (const auto& t : rt.topics)
    if (!matches_.count(t.name)) matches_[t.name] = 0;  // every configured topic is visible
  for (const auto& [topic, n] : matches_)
    sample(out, "rasid_matches_total", label("topic", topic), static_cast<double>(n));

  header(out, "rasid_outbox_alerts", "gauge", "Alerts in the outbox, by endpoint and state.");
  if (auto counts = store.outbox_counts()) {
    for (const auto& c : counts.value()) {
      sample(out, "rasid_outbox_alerts", label("endpoint", c.webhook) + ",state=\"pending\"",
             c.pending);
      sample(out, "rasid_outbox_alerts", label("endpoint", c.webhook) + ",state=\"failed\"",
             c.failed);
      sample(out, "rasid_outbox_alerts", label("endpoint", c.webhook) + ",state=\"delivered\"",
             c.delivered);
    }
  }

  header(out, "rasid_alert_delivery_seconds", "histogram",
         "Time from an alert being queued to its delivery, by endpoint.");
  for (const auto& [ep, h] : delivery_seconds_)
    h.render(out, "rasid_alert_delivery_seconds", label("endpoint", ep));

  std::map<std::string, int> states{{"new", 0}, {"ok", 0}, {"failing", 0}, {"dead", 0}};
  header(out, "rasid_source_consecutive_errors", "gauge", "Failed polls in a row, by source.");
  for (const auto& s : rt.config.sources) {
    auto st = store.source(s.name);
    if (!st) continue;
    states[st->status]++;
    sample(out, "rasid_source_consecutive_errors", label("source", s.name), st->consecutive_errors);
  }
  header(out, "rasid_sources", "gauge", "Configured sources, by state (new, ok, failing, dead).");
  for (const auto& [state, n] : states) sample(out, "rasid_sources", label("state", state), n);

  header(out, "rasid_loop_lag_seconds", "gauge",
         "How late the event loop ran a 1 s heartbeat timer, recently.");
  sample(out, "rasid_loop_lag_seconds", "", loop_lag_s_);

  header(out, "process_resident_memory_bytes", "gauge", "Resident memory size in bytes.");
  sample(out, "process_resident_memory_bytes", "", static_cast<double>(process_rss_bytes()));
  header(out, "process_start_time_seconds", "gauge",
         "Start time of the process since the Unix epoch in seconds.");
  sample(out, "process_start_time_seconds", "", static_cast<double>(started_ms_ / 1000));
  return out;
}

std::uint64_t process_rss_bytes() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) {
      unsigned long long kb = std::strtoull(line.c_str() + 6, nullptr, 10);
      return kb * 1024;
    }
  }
  return 0;
}

}  // namespace rasid::daemon
