// storage/store.h — the storage contract: everything rasid keeps, whichever engine keeps it.
//
// Two backends implement it: SQLite, embedded, the default (storage/sqlite_store.h: a path in
// [daemon] database), and PostgreSQL for several instances over one database
// (storage/pg_store.h: a postgresql:// URI). The rest of rasid talks to Store and does not
// know which one it has. Each backend has its own ordered migrations.
//
// Ownership and threads: a Store owns its connection and is used from one thread at a time
// (the daemon's io thread). Several processes may use the same database (CLI commands while
// the daemon runs).
//
// Atomicity: add_article() writes the article, its matches and their outbox rows in one
// transaction, so an alert exists if and only if its article and match do — a crash at any point
// loses neither, and a restart never writes them twice (articles are unique by canonical URL and
// by (source, entry key); outbox rows by webhook_id). The story.updated rows a copy queues
// (NewAlert::refers_to) are written in the same transaction as the copy.
//
// Failures: database errors are returned as Error with the statement's purpose and the engine's
// own message. A database written by a newer rasid (schema above latest_version()) is refused.
#pragma once

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"
#include "text/date.h"

struct sqlite3;

namespace rasid::storage {

using Millis = std::int64_t;  // Unix time in milliseconds

// Fetch and scheduling state of one source (keyed by its configured name).
struct SourceState {
  std::string name;
  std::string etag;
  std::string last_modified;
  Millis next_check = 0;  // 0 = due now
  Millis last_success = 0;
  Millis last_attempt = 0;
  std::string last_error;  // "" after a success
  int consecutive_errors = 0;
  std::string status = "new";   // "new", "ok", "failing", "dead" (410 Gone)
  bool initialized = false;     // first poll done (its entries recorded without alerting)
  std::int64_t interval_s = 0;  // current adaptive interval (0 = use configured)
  // The interval in force for the next poll, before jitter (adaptive interval, error back-off,
  // Retry-After or the server's ttl applied; 0 = not scheduled yet) and why it differs from
  // the configured one ("" = it does not). Written by the scheduler (daemon/service.h).
  std::int64_t in_force_s = 0;
  std::string interval_reason;
};

struct NewArticle {
  std::string source;
  std::string entry_key;  // identity decided by the pipeline (GUID, canonical URL or hash)
  std::string url;
  std::string canonical;  // canonical URL (url::canonical); unique
  std::string title;
  std::string body;                     // clean text, paragraphs separated by '\n'
  std::optional<text::Date> published;  // stored as text::format_iso8601 writes it, '' = none
  std::string author;
  std::string lang;
  std::int64_t story_id = 0;  // 0 = a new story (its own id)
};

struct NewMatch {
  std::string topic;
  std::string snippet;
  std::string forms = {};  // what the terms matched (match::format_forms): "مال: المال, ماله"
};

struct NewAlert {
  std::string webhook;
  std::string topic;
  std::string webhook_id;  // deterministic per (webhook, topic, story): a repeat is ignored
  std::string payload;     // the JSON body as it will be sent
  std::string event = "article.matched";  // or "story.updated" (alert/alert.h)
  // Written only while a row with this webhook_id exists (a story.updated refers to the alert
  // it updates: no update without its alert); "" = unconditional.
  std::string refers_to = "";
};

struct AddResult {
  std::int64_t article_id = 0;
  std::int64_t story_id = 0;
  bool duplicate = false;  // the article was already stored; nothing was written
  int alerts_added = 0;
};

// Everything one poll of one source learned, written by Store::record_poll in one transaction.
struct StoredEntry {
  NewArticle article;
  std::vector<NewMatch> matches;
  std::vector<NewAlert> alerts;
  std::vector<std::string> aliases;  // other keys of the entry, recorded as seen with it
};

struct PollRecord {
  SourceState state;  // the source's new state, written whole (schedule included)
  // The owner of the lease this poll held (Store::lease_source; "" = none): record_poll releases
  // it with the state, if that owner still holds it (a lease that expired and was taken by
  // another instance stays theirs).
  std::string lease_owner;
  // The URL this poll fetched (the feed, or the page of a page source; "" = not said). When the
  // source has been registered with another URL meanwhile (a reload changed it, or an instance
  // on an older configuration polled the old one), the poll's verdict is about a URL that is no
  // longer the source's: its state is not written — a 410 of the old URL must not make the new
  // one dead, and the new URL's first poll stays a first poll — while its entries and articles
  // are recorded as usual and its lease ends.
  std::string polled_url;
  // Entry keys recorded as seen without an article (first poll's entries, pages that are gone
  // with nothing to keep).
  std::vector<std::string> seen;
  std::vector<StoredEntry> articles;  // in the order they are to be alerted
  // The source's GUID verdict when this poll changed it ("" trusts them again).
  std::optional<std::string> guid_distrust;
  // The source's site template (clean/template.h) as learned after this poll.
  std::optional<std::string> site_template;
  int site_template_pages = 0;
};

// The answer of Store::lease_source.
struct Lease {
  bool granted = false;
  // Granted: the source's stored state, read under the lease (a fresh one for a new source) —
  // the poll starts from it and reads it no more.
  SourceState state;
  // Not granted: when to ask again (Unix ms): the stored next_check when the source is not due,
  // the holder's lease_until when another instance holds it, or a moment later when its row was
  // locked by another instance's lease_source at that instant.
  Millis retry_at = 0;
  std::string holder;  // not granted because this owner holds it ("" = not due)
};

// A configured source as the scheduler registers it (Store::register_sources).
struct SourceSlot {
  std::string name;
  std::string url;       // what is polled: the feed URL, or the page URL of a page source
  Millis first_due = 0;  // when a new (or overdue) source is first due here (Unix ms)
};

// The answer of Store::claim_due.
struct Claimed {
  // The sources claimed for one poll each, earliest due first, with their stored state (the
  // poll starts from it and reads it no more).
  std::vector<SourceState> due;
  // When fewer than `limit` were claimed: the earliest moment another of the named sources may
  // be claimed (its next_check, or the end of another owner's lease), 0 when none is known.
  Millis next_due = 0;
};

// One `rasid run` as it reports itself (issue 15; /api/instances).
struct InstanceInfo {
  std::string id;  // "host:pid:random" (daemon/instance.h), stable for the process
  std::string host;
  int pid = 0;
  Millis started = 0;
  Millis heartbeat = 0;            // its last report
  std::string config_fingerprint;  // config::fingerprint of its sources, topics and webhooks
  int sources_leased = 0;          // sources it was granted in the last minute
};

struct PollRecorded {
  std::vector<AddResult> articles;  // one per PollRecord::articles, same order
};

struct Article {
  std::int64_t id = 0;
  std::string source, url, canonical, title, body, author, lang;
  std::optional<text::Date> published;  // read back from its column by text::parse_date
  std::int64_t story_id = 0;
  Millis fetched_at = 0;
};

// An alert (event article.matched) a story gave: who was told about it.
struct StoryAlert {
  std::string webhook, topic, webhook_id;
};

// One stored article of a story (the copies of a syndicated story on several sites).
struct StoryCopy {
  std::int64_t id = 0;
  std::string source, url, title, published;
  Millis fetched_at = 0;
};

// Why a pending outbox row waits without an attempt being counted: the deliverer's decision,
// recorded by Store::defer() as data so that readers (the health rules, daemon/status_health.h)
// never classify a row by the words of its note. Stored in outbox.hold as the text to_string()
// gives ('' = none); every statement that records an attempt or makes a row due (mark_delivered,
// mark_retry, mark_failed, make_due, retry_failed) sets it back to ''. Text not listed reads as
// none.
enum class Hold {
  none,             // not held (or held before schema 9 by a rate limit or digest)
  rate_limit,       // the endpoint's min_interval or digest period (alert/deliverer.cpp)
  unknown_webhook,  // no webhook of that name in the configuration
  endpoint_gone,    // the endpoint answered 410 Gone: paused, then probed
};
inline const char* to_string(Hold h) {
  switch (h) {
    case Hold::none:
      return "";
    case Hold::rate_limit:
      return "rate_limit";
    case Hold::unknown_webhook:
      return "unknown_webhook";
    case Hold::endpoint_gone:
      return "endpoint_gone";
  }
  return "";
}
inline Hold hold_from_string(std::string_view s) {
  for (Hold h : {Hold::rate_limit, Hold::unknown_webhook, Hold::endpoint_gone})
    if (s == to_string(h)) return h;
  return Hold::none;
}

struct OutboxRow {
  std::int64_t id = 0;
  std::string webhook;
  std::string topic;
  std::string webhook_id;
  std::string payload;
  int attempts = 0;
  Millis next_attempt = 0;
  Millis created = 0;
  std::string last_error;
  std::string status;      // "pending", "delivered", "failed" (given up / endpoint gone)
  Hold hold = Hold::none;  // why it waits (pending rows; set by defer())
};

// Status views (storage/store_status.cpp): what the status page, its API and the CLI read.
struct ArticleMatch {
  std::string topic;
  std::string snippet;  // as stored: matched terms marked «…»
  Millis created = 0;
  std::string forms = {};  // what the terms matched, as stored ("" before schema 6)
};

struct ArticleWithMatches {
  Article article;
  std::vector<ArticleMatch> matches;  // by topic name
};

struct ArticleQuery {
  std::string topic;          // "" = any; else only articles that matched this topic
  bool matched_only = false;  // only articles with at least one match (any topic)
  Millis since = 0;           // fetched at or after
  std::string fts;            // FTS5 query over title and body ("" = none); the caller quotes input
  int limit = 50;
};

struct Delivery {
  std::int64_t id = 0;
  std::string webhook;
  std::string topic;
  Millis created = 0;  // when the alert was queued
  Millis delivered_at = 0;
};

// One configured-or-not webhook's queue as the health assessment reads it (daemon/status.h).
struct EndpointQueue {
  std::string webhook;
  int pending = 0, failed = 0;
  Millis oldest_pending = 0;      // `created` of the oldest pending row (0: none pending)
  std::optional<OutboxRow> head;  // the oldest pending row, payload left empty
  std::string last_failed_error;  // of the newest failed row ("" when none)
  Millis last_delivered = 0;      // delivered_at of the newest delivered row (0: none kept)
};

// What one Store::prune_articles() removed.
struct PruneCounts {
  std::int64_t articles = 0;   // articles deleted (with their search rows)
  std::int64_t matches = 0;    // their matches
  std::int64_t delivered = 0;  // their delivered outbox rows
  std::int64_t kept = 0;       // articles old enough but kept: a pending or failed alert is theirs
  int batches = 0;             // transactions it took
};

struct OutboxCounts {
  std::string webhook;
  int pending = 0, delivered = 0, failed = 0;
  std::string last_error;
};

class Store {
 public:
  // A path opens (or creates) a SQLite file; a postgresql:// or postgres:// URI connects to
  // PostgreSQL (storage/pg_store.h). Either way the schema is migrated to latest_version().
  static Result<std::unique_ptr<Store>> open(const std::string& database);
  virtual ~Store() = default;
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // Which engine: "sqlite" or "postgresql" (logs, /api/instances).
  virtual const char* engine() const = 0;
  // The database answers now (the watchdog and /api/health ask it, on the caller's thread).
  // SQLite: the file's write lock can be taken within 1 s — false while another process holds
  // it (a stuck writer), since a read in WAL mode always answers.
  virtual bool ping() = 0;

  virtual int schema_version() const = 0;
  virtual int latest_version() const = 0;

  // Sources
  // A fresh state when unknown.
  virtual Result<SourceState> source(const std::string& name) = 0;
  virtual Status save_source(const SourceState& state) = 0;
  virtual Result<std::vector<SourceState>> sources() = 0;
  // The right to poll `name` now, one source at a time (`rasid once`; the daemon's scheduler
  // claims in batches with claim_due below). Granted when the source is due (next_check <= now; any
  // time when !due_only, as for `rasid once`) and no other owner holds an unexpired lease on it;
  // the lease then belongs to `owner` until now + lease_ms, or until record_poll writes the poll
  // that carries it (PollRecord::lease_owner). An owner that already holds the lease gets it again
  // (renewed). Units: Unix milliseconds. A source with no row yet gets one (due at once).
  // PostgreSQL: SELECT … FOR UPDATE SKIP LOCKED, then UPDATE of lease_owner/lease_until, in one
  // transaction, so two instances asking at once never both get it. SQLite: one daemon per file
  // (storage/instance_lock.h), so nothing is stored: granted whenever due.
  // Failures: database errors; "not granted" is not an error.
  virtual Result<Lease> lease_source(const std::string& name, const std::string& owner, Millis now,
                                     Millis lease_ms, bool due_only) = 0;

  // The scheduler's side of polling (issue 15): a due source is claimed by exactly one instance,
  // in batches, instead of every instance arming a timer per source and asking for its lease.
  //
  // register_sources: a row per configured source, at start and at each reload. A new source is
  // due at its first_due; an existing one that is overdue and not leased moves to first_due
  // (a start spreads what piled up while nothing ran); one whose polled URL changed since it was
  // last registered starts again as a new feed — validators, errors and a "dead" (410) verdict
  // are forgotten, it is due at first_due, and its first poll there records the entries it finds
  // without alerting them, as any new source's does (no flood of a feed's back catalogue);
  // entries seen before stay seen.
  // An empty stored URL (rows of older versions) is filled in without a reset.
  //
  // claim_due: up to `limit` of `names` whose next_check <= now and that no other owner holds an
  // unexpired lease on, earliest first; each is leased to `owner` until now + lease_ms, or until
  // record_poll writes the poll that carries it (PollRecord::lease_owner). The caller's own
  // unexpired leases are not claimed again. PostgreSQL: one UPDATE … FROM (SELECT … ORDER BY
  // next_check LIMIT n FOR UPDATE SKIP LOCKED) RETURNING, so instances claiming at the same
  // instant get disjoint sets (the pattern of PostgreSQL's SKIP LOCKED documentation for queue
  // consumers), plus one SELECT min(…) for next_due. SQLite: one daemon per file; leases are
  // kept in this process.
  //
  // defer_source: gives a claimed source back unpolled, due again at next_check (a host that
  // asked with Retry-After to be left alone until then), and says why in the source's
  // interval_reason (what `rasid sources` shows; "" leaves it as it is) until its next poll.
  //
  // Units: Unix milliseconds. Failures: database errors.
  virtual Status register_sources(const std::vector<SourceSlot>& sources, Millis now) = 0;
  virtual Result<Claimed> claim_due(const std::vector<std::string>& names, const std::string& owner,
                                    Millis now, Millis lease_ms, int limit) = 0;
  virtual Status defer_source(const std::string& name, const std::string& owner, Millis next_check,
                              const std::string& reason) = 0;

  // Instances (issue 15): each `rasid run` reports itself every few seconds (heartbeat: the row
  // of me.id written whole); instances() lists those whose heartbeat is at or after
  // `live_since`, by id. PostgreSQL: the `instances` table, shared by every instance (rows silent
  // for a day are deleted by the next heartbeat). SQLite: one daemon per file, so the one
  // instance is this process's last heartbeat, kept in memory (a CLI sees none).
  // leave: an instance that stops says so — its row goes, and the leases it still holds end
  // (their sources are due to the others at once, not when the leases run out).
  virtual Status heartbeat(const InstanceInfo& me) = 0;
  virtual Status leave(const std::string& id) = 0;
  virtual Result<std::vector<InstanceInfo>> instances(Millis live_since) = 0;

  // Entry identity: has this (source, key) been seen — marked, or stored as an article?
  // mark_seen records keys without an article (first poll, an entry whose page could not be
  // made into an article, or a duplicate of another source's article).
  virtual Result<bool> seen(const std::string& source, const std::string& entry_key) = 0;
  // Which of `keys` this source has seen (marked, or stored as an article): one query per poll.
  virtual Result<std::vector<std::string>> seen_keys(const std::string& source,
                                                     const std::vector<std::string>& keys) = 0;
  virtual Status mark_seen(const std::string& source,
                           const std::vector<std::string>& entry_keys) = 0;
  virtual Result<bool> canonical_exists(const std::string& canonical) = 0;
  // Per-source entry identity policy (daemon/identity.h): why the source's GUIDs are not
  // trusted, "" while they are (the default). set_guid_distrust("") trusts them again.
  virtual Result<std::string> guid_distrust(const std::string& source) = 0;
  virtual Status set_guid_distrust(const std::string& source, const std::string& reason) = 0;

  // Site templates (clean/template.h): the learned state of one source's template, stored as
  // the opaque bytes SiteTemplate::serialize() wrote, with the number of pages it is learned
  // from. site_template() is nullopt for a source that has none yet; save_site_template()
  // replaces the source's row; site_template_pages() is 0 without a row. The bytes are not
  // interpreted here (their reader validates them).
  virtual Result<std::optional<std::string>> site_template(const std::string& source) = 0;
  virtual Status save_site_template(const std::string& source, std::string_view state,
                                    int pages) = 0;
  virtual Result<int> site_template_pages(const std::string& source) = 0;

  // Article + matches + alerts in one transaction (see above), and the (source, entry_key) is
  // marked seen in it. An empty canonical falls back to the URL. A duplicate (same canonical,
  // or same source and entry key) writes nothing and returns the stored article's id and story
  // id with duplicate = true. story_id: the caller's story id, or 0 for "its own" (= its id).
  // A match repeated for the same topic is stored once; an alert whose webhook_id exists is
  // skipped (alerts_added counts the rows written); any other failed insert rolls back all.
  virtual Result<AddResult> add_article(const NewArticle& article,
                                        const std::vector<NewMatch>& matches,
                                        const std::vector<NewAlert>& alerts) = 0;
  // One poll, recorded in one transaction: every article with its matches, outbox rows and
  // aliases (as add_article; a duplicate writes nothing but its keys, as seen), the keys seen
  // without an article, the GUID verdict, the site template and the source's new state. All or
  // nothing: on an Error nothing of the poll is written, so its entries are fetched again by the
  // next poll (an article fetched but not committed is never lost, never stored twice).
  // `prepare` (may be empty) runs inside the transaction before anything is written, once the
  // backend has serialized it with every other writer (SQLite: BEGIN IMMEDIATE; PostgreSQL: an
  // advisory transaction lock), so it sees every article committed before and what it decides
  // (story ids, alerts: alert/story.h) is written atomically with them.
  virtual Result<PollRecorded> record_poll(
      PollRecord& record, const std::function<void(PollRecord&)>& prepare = {}) = 0;
  virtual Result<std::optional<Article>> article(std::int64_t id) = 0;
  virtual Result<std::vector<Article>> recent_articles(Millis since, int limit) = 0;
  // Articles stored after article `after_id`, oldest first, at most `limit`. Writers are
  // serialized (record_poll, add_article), so ids are committed in order: a reader that keeps the
  // last id it saw misses none (alert/story.h catches up with it).
  virtual Result<std::vector<Article>> articles_after(std::int64_t after_id, int limit) = 0;

  // Outbox
  // The oldest pending row per webhook that is due at `now` (delivery is in order per endpoint).
  virtual Result<std::vector<OutboxRow>> due_alerts(Millis now, int limit) = 0;
  virtual Status mark_delivered(std::int64_t id, Millis now) = 0;
  virtual Status mark_retry(std::int64_t id, const std::string& error, Millis next_attempt) = 0;
  // Failed: attempts spent (or the endpoint is gone). next_probe: when the deliverer may send
  // it again as a probe of its endpoint (failed_heads()); 0 = at once.
  virtual Status mark_failed(std::int64_t id, const std::string& error, Millis next_probe = 0) = 0;
  // A probe of a failed row did not get through: note why and when to probe again.
  virtual Status reprobe(std::int64_t id, const std::string& error, Millis next_probe) = 0;
  // The oldest failed row of every webhook that has no pending row, soonest probe first: sent
  // again from time to time, so an endpoint that recovers while nothing new is queued for it
  // gets its failed alerts without an operator.
  virtual Result<std::vector<OutboxRow>> failed_heads() = 0;
  // Delivery to one endpoint by one instance at a time (several instances over PostgreSQL: a
  // session advisory lock per webhook): claim before sending its head, release once the answer
  // is recorded. false: another instance is sending to it now — leave it. A deliverer re-reads
  // the head under its claim (the other instance may have delivered it meanwhile). SQLite:
  // always granted (one daemon per file, storage/instance_lock.h).
  virtual Result<bool> claim_endpoint(const std::string& webhook) = 0;
  virtual Status release_endpoint(const std::string& webhook) = 0;
  // Moves a pending row's next attempt without counting an attempt, and records why (`why`,
  // read back as OutboxRow::hold). note: for people, replaces last_error unless "".
  virtual Status defer(std::int64_t id, Millis next_attempt, Hold why,
                       const std::string& note = "") = 0;
  // The head (oldest pending row) of every webhook's queue, due or not, soonest first.
  virtual Result<std::vector<OutboxRow>> queue_heads(int limit) = 0;
  // The head of one webhook's queue, due or not.
  virtual Result<std::optional<OutboxRow>> queue_head(const std::string& webhook) = 0;
  virtual Result<std::vector<OutboxCounts>> outbox_counts() = 0;
  // "Retry now" (the operator, or the deliverer when an endpoint delivers again): failed rows
  // become pending again (attempts reset, original order and webhook-id kept) and every pending
  // row of the webhook ("" = all) becomes due. Returns the number of failed rows re-queued.
  virtual Result<int> retry_failed(const std::string& webhook) = 0;
  // Every pending row of the webhook ("" = all) becomes due now (a webhook (re)configured by a
  // reload: its rows were deferred while it was unknown).
  virtual Status make_due(const std::string& webhook) = 0;
  // When the next pending row heading its webhook's queue is due (nullopt: nothing pending).
  virtual Result<std::optional<Millis>> next_alert_due() = 0;
  // Rows of the outbox for operator tools, oldest first. status "" = any, webhook "" = all.
  virtual Result<std::vector<OutboxRow>> outbox_rows(const std::string& status,
                                                     const std::string& webhook, int limit) = 0;
  // Deletes delivered rows delivered before `before`; returns how many. Pending and failed rows
  // are never pruned.
  virtual Result<int> prune_delivered(Millis before) = 0;
  // Retention ([daemon] keep, issue 15): deletes the articles fetched before `before` with their
  // search rows (SQLite articles_fts, PostgreSQL articles.tokens), their matches and their
  // delivered outbox rows. An article with a pending or failed outbox row is kept whole (its
  // alert still needs it). Entry keys stay: (source, entry_key) is recorded in `seen` before
  // its article goes, so a feed that still lists the entry does not alert it again (seen() and
  // seen_keys() stay true); its canonical URL is forgotten (canonical_exists() turns false).
  // Works in transactions of at most `batch` articles (>= 1), each taking the write lock
  // (SQLite BEGIN IMMEDIATE; PostgreSQL the writer advisory lock) only for its own deletes, until
  // nothing prunable is left. An Error leaves the batches before it done, that one undone.
  virtual Result<PruneCounts> prune_articles(Millis before, int batch) = 0;
  // `rasid backup FILE` (issue 15): a consistent copy of the whole database, taken while other
  // connections (the running daemon) keep writing. SQLite: the online backup API copies every
  // page inside one read transaction (WAL: writers are not blocked, and the copy is the database
  // as of one commit), into a temporary file beside FILE that is checked (PRAGMA quick_check)
  // and then renamed to FILE. FILE must not exist (a backup never overwrites). PostgreSQL: an
  // Error that names pg_dump (the server's own tool for a consistent copy).
  virtual Status backup(const std::string& file) = 0;

  // Stories: the distinct sources of the articles of one story (for "also reported by").
  virtual Result<std::vector<std::string>> story_sources(std::int64_t story_id) = 0;
  // The article.matched rows of the outbox about this story, any status, oldest first: the
  // (webhook, topic) pairs already alerted. Delivered rows pruned by prune_delivered() are no
  // longer listed. Each outbox row carries the story of the article that queued it (migration 6).
  virtual Result<std::vector<StoryAlert>> story_alerts(std::int64_t story_id) = 0;
  // The articles of one story, first stored first, at most `limit`.
  virtual Result<std::vector<StoryCopy>> story_copies(std::int64_t story_id, int limit) = 0;
  // Full-text search over stored titles and bodies (FTS5 query syntax); newest first.
  virtual Result<std::vector<Article>> search(const std::string& fts_query, int limit) = 0;
  // Every article fetched at or after `since` whose title or body matches the FTS5 query ("" =
  // every article), newest first, handed to `fn` until it returns false (storage/store_search.cpp;
  // rasid search and topics test confirm each candidate with the topic language). A malformed
  // FTS5 query is an Error, and so is a failed step; articles already handed over stay handed.
  virtual Status scan_articles(const std::string& fts_query, Millis since,
                               const std::function<bool(const Article&)>& fn) = 0;

  // Status views (read-only; implemented in storage/store_status.cpp).
  // Newest first; each article with all its matches (any topic).
  virtual Result<std::vector<ArticleWithMatches>> articles_with_matches(
      const ArticleQuery& query) = 0;
  // Rows delivered at or after `since`, oldest delivery first (for delivery-latency metrics).
  virtual Result<std::vector<Delivery>> delivered_since(Millis since, int limit) = 0;
  // Topic name → number of stored matches since `since`.
  virtual Result<std::vector<std::pair<std::string, int>>> match_counts(Millis since) = 0;
  // Every webhook with pending or failed rows, by name: counts, queue head, newest failure
  // and newest delivery. Reads only the status index and each queue's head.
  virtual Result<std::vector<EndpointQueue>> endpoint_queues() = 0;
  Result<std::vector<OutboxRow>> pending(const std::string& webhook = "", int limit = 100) {
    return outbox_rows("pending", webhook, limit);
  }

 protected:
  Store() = default;
};

Millis now_ms();

// True when `database` names a PostgreSQL server (a postgresql:// or postgres:// URI) rather than
// a SQLite file: no parent directory to create, no file lock (storage/instance_lock.h) to take.
bool is_server_uri(std::string_view database);
// What `rasid check` can know of [daemon] database without opening it: for a server URI, that
// libpq parses it, it carries no password and its passfile is usable (storage/pg.h). A path: Ok.
Status check_database(const std::string& database);

}  // namespace rasid::storage
