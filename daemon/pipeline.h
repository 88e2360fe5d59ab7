// daemon/pipeline.h — one poll of one source, end to end, wired from the modules that own each
// step: fetch the feed or section page (fetch/), read its entries (parse/), decide their keys
// (identity.h), fetch and clean each new article (clean/, with the source's site template),
// match it (match/), and record the whole poll — entries seen, articles with matches, stories
// and outbox rows (alert/story.h), the source's new state — in one Store::record_poll call.
// Runs on the io_context thread that owns the Fetcher and Store.
//
// Failure model: a source's failure is recorded in its SourceState (reason, streak) and never
// affects another source. An article page that fails transiently is left unseen and retried at
// the next poll; a page that is gone (4xx) falls back to the feed's own text. A page that answers
// without being the article (clean::PageKind: bot challenge, consent wall, soft 404, login wall,
// script shell) is neither stored nor matched nor alerted on: it is left unseen like a transient
// failure, and its kind becomes the source's last error (the poll itself still succeeds).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>

#include "alert/story.h"
#include "clean/template.h"
#include "daemon/identity.h"
#include "daemon/runtime.h"
#include "fetch/fetcher.h"
#include "parse/parser.h"
#include "storage/store.h"
#include "text/text.h"

namespace rasid::daemon {

class Metrics;  // daemon/metrics.h

// Where a failed poll failed: metrics and the schedule switch on this, never on the text of
// PollOutcome::error, which is for people (logs, the status page).
enum class PollFailure {
  none,
  cancelled,    // the daemon is stopping
  http_status,  // the server answered with an error status (PollOutcome::http_status)
  fetch,        // no usable answer: DNS, connect, TLS, timeout, size limit, refused URL
  parse,        // the answer is not a feed (or, for a page source, not HTML), or the feed is
                // cut short by an XML error (parse::Feed::stopped; the entries before it are
                // stored all the same)
  storage,      // the database refused a read or write
};

struct PollOutcome {
  std::string source;
  bool ok = false;
  bool not_modified = false;
  bool dead = false;  // 410 Gone
  int entries = 0;
  int new_articles = 0;
  int duplicates = 0;
  int story_copies = 0;  // articles that joined an earlier story from another source
  int alerts = 0;
  std::string error;  // for people; the kind is `failure`
  PollFailure failure = PollFailure::none;
  int http_status = 0;  // with PollFailure::http_status
  // "article URL: not an article (bot_challenge)": the last article page of this poll that was
  // not an article (clean::PageKind); kept as the source's last_error while the poll succeeds.
  std::string page_error;
  std::optional<std::chrono::seconds> retry_after;   // 429/503
  std::optional<std::chrono::seconds> min_interval;  // ttl / sy:updatePeriod / Cache-Control
  // Median gap between the publication dates of the feed's recent entries (a hint only).
  std::optional<std::chrono::seconds> publish_gap;
  int new_entries = 0;      // entries whose key was not seen before (the arrival rate)
  bool first_poll = false;  // the source had never been polled successfully
  std::optional<std::chrono::seconds> since_last_poll;  // since the previous successful poll
};

// Entry identity (entry_key, per-source GUID trust, article canonicals): daemon/identity.h.

class Pipeline {
 public:
  Pipeline(storage::Store& store, fetch::Fetcher& fetcher);
  void set_runtime(std::shared_ptr<const Runtime> rt) { rt_ = std::move(rt); }
  const std::shared_ptr<const Runtime>& runtime() const { return rt_; }

  // The scheduler's part of a poll's record: given the outcome, it sets the schedule fields of
  // the source's new state (next_check, interval_s, in_force_s, interval_reason).
  using Plan = std::function<void(const PollOutcome&, storage::SourceState&)>;
  // Polls one source under the lease the scheduler was granted (Store::lease_source): `lease`
  // carries the source's stored state, which the poll starts from (it does not read it again),
  // and `lease_owner` is released by the record ("" = none). `done` runs exactly once, after the
  // poll is recorded by one Store::record_poll call (entries, articles with matches and alerts,
  // the source's state as `plan` (may be empty) scheduled it). A poll whose record fails is a
  // PollFailure::storage and writes nothing: its entries are fetched again next time (its lease
  // then runs out by itself).
  void poll(const config::Source& source, storage::SourceState state, std::string lease_owner,
            Plan plan, std::function<void(PollOutcome)> done);
  // Stops issuing new work (shutdown); in-flight callbacks still finish their writes.
  void stop() { stopping_ = true; }
  // Counters for /metrics (fetch latency and bytes, matches per topic); null = none.
  void set_metrics(Metrics* metrics) { metrics_ = metrics; }

 private:
  struct Poll;
  void on_feed(std::shared_ptr<Poll> p, fetch::Response r);
  // Keys of one document's entries (identity.h); a new GUID verdict goes into the record.
  Result<IdentityDecision> identify(Poll& p, const std::vector<parse::Entry>& entries);
  void fetch_article(std::shared_ptr<Poll> p, parse::Entry e, std::string key);
  // Cleans and matches one entry's article into the poll's record. `observed`: the page already
  // cleaned and observed (a first poll's page, recorded at its end).
  void store_article(Poll& p, const parse::Entry& e, const std::string& key,
                     const fetch::Response* page, const clean::Observed* observed = nullptr);
  // Inside record_poll's transaction: each article's story, then its alerts (alert/story.h).
  void assign_stories(Poll& p, storage::PollRecord& record);
  void finish(std::shared_ptr<Poll> p);

  // Site templates (clean/template.h), per source: every fetched page is learned, then the
  // template is applied to its text. A first poll stores its pages at its end, once the template
  // has learned them all, so nothing is stored (or alerted on) before the template is known.
  // Loaded from the store when a poll first needs it, saved and dropped when the poll finishes.
  clean::SiteTemplate& site_template(const std::string& source);
  std::map<std::string, clean::SiteTemplate> templates_;
  // "source\x1frule" of the clean rules already reported as failing on a page (logged once).
  std::set<std::string> failed_rules_;

  storage::Store& store_;
  fetch::Fetcher& fetcher_;
  alert::Stories stories_;  // one alert per story
  std::shared_ptr<const Runtime> rt_;
  bool stopping_ = false;
  Metrics* metrics_ = nullptr;
};

}  // namespace rasid::daemon
