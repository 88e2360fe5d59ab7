// storage/pg_store.h — the storage contract (storage/store.h) on PostgreSQL 15 (issue 15).
//
// Same methods, same semantics as the SQLite store; read the contract's comments there. What
// differs, and why:
//   - Connection: a libpq URI (storage/pg.h: password from passfile or $CREDENTIALS_DIRECTORY,
//     never logged); a connection lost while idle is re-established before the next statement;
//     one lost inside a transaction fails that call (its transaction rolled back, nothing
//     half-written) and the next call reconnects, with backoff while the server stays down.
//   - Schema: storage/pg_schema.h, migrated on open under an advisory lock.
//   - Several processes on one database: every write is one transaction in READ COMMITTED;
//     add_article's duplicate check is backed by the unique keys (INSERT … ON CONFLICT DO
//     NOTHING), so two instances storing the same entry at once store it once and the second
//     gets duplicate = true with the first one's ids. record_poll and add_article take one
//     transaction advisory lock (pg::kWriterLockKey) first, so a poll's `prepare` sees every
//     article committed before it, as BEGIN IMMEDIATE gives on SQLite.
//   - Search (search, scan_articles, ArticleQuery::fts): the FTS5 query is turned into a tsquery
//     over rasid's own index terms (pg::tsquery_from_fts5): the same words are found, but a
//     phrase matches its words anywhere in the article and a column filter is not applied —
//     a superset, which `rasid search` and `topics test` confirm with the topic language.
//   - scan_articles streams by pages of ids (no transaction held open between pages).
//
// Ownership and threads: a PgStore owns its connection; one thread at a time.
#pragma once

#include <memory>
#include <string>

#include "storage/store.h"

namespace rasid::storage {

namespace pg {
class Connection;
}

class PgStore final : public Store {
 public:
  static Result<std::unique_ptr<PgStore>> open(const std::string& uri);
  ~PgStore() override;

  const char* engine() const override { return "postgresql"; }
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
                                   const std::function<void(PollRecord&)>& prepare = {}) override;
  Result<std::optional<Article>> article(std::int64_t id) override;
  Result<std::vector<Article>> recent_articles(Millis since, int limit) override;
  Result<std::vector<Article>> articles_after(std::int64_t after_id, int limit) override;
  Result<std::vector<OutboxRow>> due_alerts(Millis now, int limit) override;
  Status mark_delivered(std::int64_t id, Millis now) override;
  Status mark_retry(std::int64_t id, const std::string& error, Millis next_attempt) override;
  Status mark_failed(std::int64_t id, const std::string& error, Millis next_probe = 0) override;
  Status reprobe(std::int64_t id, const std::string& error, Millis next_probe) override;
  Result<std::vector<OutboxRow>> failed_heads() override;
  Result<bool> claim_endpoint(const std::string& webhook) override;
  Status release_endpoint(const std::string& webhook) override;
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

  // The connection, for tests that look at PostgreSQL itself.
  pg::Connection& connection() { return *c_; }

 private:
  // save_source that also ends `lease_owner`'s lease on the source, and writes the state only
  // if the source's URL is still `polled_url` (record_poll; PollRecord::polled_url).
  Status save_source(const SourceState& state, const std::string& lease_owner,
                     const std::string& polled_url);
  // add_article's writes inside the caller's transaction (add_article, record_poll).
  Result<AddResult> add_article_in(const NewArticle& article, const std::vector<NewMatch>& matches,
                                   const std::vector<NewAlert>& alerts);
  explicit PgStore(std::unique_ptr<pg::Connection> c, int version);
  std::unique_ptr<pg::Connection> c_;
  int version_ = 0;
};

}  // namespace rasid::storage
