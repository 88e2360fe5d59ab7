// daemon/metrics.h — the daemon's counters and histograms, rendered in the Prometheus text
// exposition format (version 0.0.4) by the status endpoint (daemon/status.h).
//
// Threads: a Metrics is updated and rendered on the io_context thread that runs the Service
// (Pipeline, Deliverer, status server all live there), so it takes no locks.
//
// What is counted where: the Pipeline reports every fetch (feed or article page: latency and
// bytes) and every stored match; the Service reports each finished poll (result class, articles
// stored, duplicates). Gauges that the database knows better (outbox per endpoint, source
// states) and the delivery latency (queue → delivered, from the outbox rows' timestamps) are
// read from the Store when rendering, as is the process RSS from /proc/self/status.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "daemon/pipeline.h"
#include "daemon/runtime.h"
#include "fetch/fetcher.h"
#include "storage/store.h"

namespace rasid::daemon {

// A cumulative histogram with fixed upper bounds (seconds or bytes).
class Histogram {
 public:
  explicit Histogram(std::vector<double> bounds);
  void observe(double v);
  // Lines "NAME_bucket{LABELS,le=…} n", "NAME_sum{LABELS} s", "NAME_count{LABELS} n".
  void render(std::string& out, std::string_view name, std::string_view labels) const;
  std::uint64_t count() const { return count_; }

 private:
  std::vector<double> bounds_;
  std::vector<std::uint64_t> counts_;  // per bound, not cumulative; the last is +Inf
  double sum_ = 0;
  std::uint64_t count_ = 0;
};

// The result class of one poll (from PollOutcome::failure, never from the error text), a small
// closed set suitable as a label value:
// ok, not_modified, http_4xx, http_5xx, rate_limited, gone, network, parse, storage, cancelled.
std::string poll_result_class(const PollOutcome& outcome);

// Escapes a label value: backslash, double quote and newline.
std::string prometheus_label(std::string_view value);

class Metrics {
 public:
  Metrics();
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  // kind: "feed" or "article".
  void fetch_done(std::string_view kind, const fetch::Response& response);
  void poll_done(const PollOutcome& outcome);
  void matched(const std::string& topic);
  // A source claimed by the scheduler (Store::claim_due): result is "granted" (polled) or
  // "deferred" (given back: its host asked with Retry-After to be left alone).
  void lease(std::string_view result) { leases_[std::string(result)]++; }
  // One claim statement (a batch of due sources, possibly empty).
  void claim() { claims_++; }
  // Loop health: the largest lag seen by the status server's heartbeat timer lately.
  void loop_lag(double seconds) { loop_lag_s_ = seconds; }

  // Reads new deliveries from the store (delivery-latency histogram) then renders everything.
  std::string render(storage::Store& store, const Runtime& rt);

  // For tests and the status page.
  std::uint64_t polls() const { return polls_total_; }
  std::uint64_t claims() const { return claims_; }

 private:
  void collect_deliveries(storage::Store& store);

  std::map<std::pair<std::string, std::string>, std::uint64_t> polls_;  // (source, class)
  std::uint64_t polls_total_ = 0;
  std::map<std::string, Histogram> fetch_seconds_;    // kind
  std::map<std::string, std::uint64_t> fetch_bytes_;  // kind
  std::map<std::string, std::uint64_t> fetches_;      // kind
  std::map<std::string, std::uint64_t> articles_;     // source
  std::map<std::string, std::uint64_t> duplicates_;   // source
  std::map<std::string, std::uint64_t> matches_;      // topic
  std::map<std::string, std::uint64_t> leases_;       // granted, deferred
  std::uint64_t claims_ = 0;
  std::map<std::string, Histogram> delivery_seconds_;  // endpoint
  std::map<std::string, std::uint64_t> delivered_;     // endpoint
  storage::Millis delivered_watermark_;
  std::set<std::int64_t> seen_at_watermark_;  // ids delivered exactly at the watermark
  double loop_lag_s_ = 0;
  storage::Millis started_ms_;
};

// Resident set size of this process in bytes (VmRSS from /proc/self/status); 0 if unknown.
std::uint64_t process_rss_bytes();

}  // namespace rasid::daemon
