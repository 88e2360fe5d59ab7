// storage/sqlite_store.h — the embedded backend: one SQLite file in WAL mode (the default;
// `make run` needs no server). The contract, atomicity and failure kinds are storage/store.h's.
//
// Schema changes are an ordered list of migrations; the schema version is their count
// (PRAGMA user_version), and open() applies the missing ones in one transaction each.
// Only prepared statements with bound parameters touch the database.
//
// Ownership and threads: a SqliteStore owns its connection and is used from one thread at a time
// (the daemon's io thread). Several processes may open the same file (CLI commands while the
// daemon runs); writers wait up to 5 s for the lock (busy_timeout). A second daemon on the same
// file is refused by storage/instance_lock.h, not here.
//
// Durability: WAL with synchronous=NORMAL. A committed transaction survives a crash of the
// process (SIGKILL at any point); a power cut may lose the last few transactions, each as a
// whole (never an article without its alerts, never an alert without its article).
//
// Failures: SQLite errors are returned as Error with the statement's purpose and sqlite3_errmsg.
// A database written by a newer rasid (user_version above latest_version()) is refused.
#pragma once

#include <map>

#include "storage/store.h"

struct sqlite3;

namespace rasid::storage {

class SqliteStore final : public Store {
 public:
  static Result<std::unique_ptr<SqliteStore>> open(const std::string& path);
  ~SqliteStore() override;

  const char* engine() const override { return "sqlite"; }
  bool ping() override;
  int latest_version() const override;
  static int latest_schema();

  int schema_version() const override;
  Result<SourceState> source(const std::string& name) override;
  Status save_source(const SourceState& state) override;
  Result<std::vector<SourceState>> sources() override;
  Result<Lease> lease_source(const std::string& name, const std::string& owner, Millis now,
                             Millis lease_ms, bool due_only) override;
  Status register_sources(const std::vector<SourceSlot>& sources, Millis now) override;
  Result<Claimed> claim_due(const std::vector<std::string>& names, const std::string& owner,
                            Millis now, Millis lease_ms, int limit) override;
  Status defer_source(const std::string& name, const std::string& owner, Millis next_check,
                      const std::string& reason) override;
  Status heartbeat(const InstanceInfo& me) override;
  Status leave(const std::string& id) override;
  Result<std::vector<InstanceInfo>> instances(Millis live_since) override;
  Result<bool> seen(const std::string& source, const std::string& entry_key) override;
  Result<std::vector<std::string>> seen_keys(const std::string& source,
                                             const std::vector<std::string>& keys) override;
  Status mark_seen(const std::string& source, const std::vector<std::string>& entry_keys) override;
  Result<bool> canonical_exists(const std::string& canonical) override;
  Result<std::string> guid_distrust(const std::string& source) override;
  Status set_guid_distrust(const std::string& source, const std::string& reason) override;
  Result<std::optional<std::string>> site_template(const std::string& source) override;
  Status save_site_template(const std::string& source, std::string_view state, int pages) override;
  Result<int> site_template_pages(const std::string& source) override;
  Result<AddResult> add_article(const NewArticle& article, const std::vector<NewMatch>& matches,
                                const std::vector<NewAlert>& alerts) override;
  Result<PollRecorded> record_poll(PollRecord& record,
                                   const std::function<void(PollRecord&)>& prepare) override;
  Result<std::optional<Article>> article(std::int64_t id) override;
  Result<std::vector<Article>> recent_articles(Millis since, int limit) override;
  Result<std::vector<Article>> articles_after(std::int64_t after_id, int limit) override;
  Result<std::vector<OutboxRow>> due_alerts(Millis now, int limit) override;
  Status mark_delivered(std::int64_t id, Millis now) override;
  Status mark_retry(std::int64_t id, const std::string& error, Millis next_attempt) override;
  Status mark_failed(std::int64_t id, const std::string& error, Millis next_probe = 0) override;
  Status reprobe(std::int64_t id, const std::string& error, Millis next_probe) override;
  Result<std::vector<OutboxRow>> failed_heads() override;
  Result<bool> claim_endpoint(const std::string&) override { return true; }
  Status release_endpoint(const std::string&) override { return Ok{}; }
  Status defer(std::int64_t id, Millis next_attempt, Hold why,
               const std::string& note = "") override;
  Result<std::vector<OutboxRow>> queue_heads(int limit) override;
  Result<std::optional<OutboxRow>> queue_head(const std::string& webhook) override;
  Result<std::vector<OutboxCounts>> outbox_counts() override;
  Result<int> retry_failed(const std::string& webhook) override;
  Status make_due(const std::string& webhook) override;
  Result<std::optional<Millis>> next_alert_due() override;
  Result<std::vector<OutboxRow>> outbox_rows(const std::string& status, const std::string& webhook,
                                             int limit) override;
  Result<int> prune_delivered(Millis before) override;
  Result<PruneCounts> prune_articles(Millis before, int batch) override;
  Status backup(const std::string& file) override;
  Result<std::vector<std::string>> story_sources(std::int64_t story_id) override;
  Result<std::vector<StoryAlert>> story_alerts(std::int64_t story_id) override;
  Result<std::vector<StoryCopy>> story_copies(std::int64_t story_id, int limit) override;
  Result<std::vector<Article>> search(const std::string& fts_query, int limit) override;
  Status scan_articles(const std::string& fts_query, Millis since,
                       const std::function<bool(const Article&)>& fn) override;
  Result<std::vector<ArticleWithMatches>> articles_with_matches(const ArticleQuery& query) override;
  Result<std::vector<Delivery>> delivered_since(Millis since, int limit) override;
  Result<std::vector<std::pair<std::string, int>>> match_counts(Millis since) override;
  Result<std::vector<EndpointQueue>> endpoint_queues() override;

  // The connection, for tests and benchmarks that look at SQLite itself (PRAGMAs, FTS5).
  sqlite3* handle() const { return db_; }

 private:
  // save_source that writes the state only if the source's URL is still `polled_url`
  // (record_poll; PollRecord::polled_url).
  Status save_source(const SourceState& state, const std::string& polled_url);
  struct Stmts;
  // add_article's writes inside the caller's transaction (add_article, record_poll).
  Result<AddResult> add_article_in(const NewArticle& article, const std::vector<NewMatch>& matches,
                                   const std::vector<NewAlert>& alerts);
  explicit SqliteStore(sqlite3* db);
  sqlite3* db_;
  int version_ = 0;
  std::unique_ptr<Stmts> stmts_;
  std::optional<InstanceInfo> me_;  // this process's last heartbeat (the one instance)
  // claim_due's leases: one daemon per file, so they live in this process (source → until,
  // Unix ms); record_poll and defer_source end them.
  std::map<std::string, Millis> leases_;
};

}  // namespace rasid::storage
