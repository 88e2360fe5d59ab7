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
//     gets duplicate = true with the first one's ids.
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

class PgStore {
 public:
  static Result<std::unique_ptr<PgStore>> open(const std::string& uri);
  ~PgStore();
  PgStore(const PgStore&) = delete;
  PgStore& operator=(const PgStore&) = delete;

  int schema_version() const;
  static int latest_version();

  // Sources
  Result<SourceState> source(const std::string& name);  // a fresh state when unknown
  Status save_source(const SourceState& state);
  Result<std::vector<SourceState>> sources();

  // Entry identity: has this (source, key) been seen — marked, or stored as an article?
  // mark_seen records keys without an article (first poll, an entry whose page could not be
  // made into an article, or a duplicate of another source's article).
  Result<bool> seen(const std::string& source, const std::string& entry_key);
  Status mark_seen(const std::string& source, const std::vector<std::string>& entry_keys);
  Result<bool> canonical_exists(const std::string& canonical);
  // Per-source entry identity policy (daemon/identity.h): why the source's GUIDs are not
  // trusted, "" while they are (the default). set_guid_distrust("") trusts them again.
  Result<std::string> guid_distrust(const std::string& source);
  Status set_guid_distrust(const std::string& source, const std::string& reason);

  // Site templates (clean/template.h): the learned state of one source's template, stored as
  // the opaque bytes SiteTemplate::serialize() wrote, with the number of pages it is learned
  // from. site_template() is nullopt for a source that has none yet; save_site_template()
  // replaces the source's row; site_template_pages() is 0 without a row. The bytes are not
  // interpreted here (their reader validates them).
  Result<std::optional<std::string>> site_template(const std::string& source);
  Status save_site_template(const std::string& source, std::string_view state, int pages);
  Result<int> site_template_pages(const std::string& source);

  // Article + matches + alerts in one transaction (see above), and the (source, entry_key) is
  // marked seen in it. An empty canonical falls back to the URL. A duplicate (same canonical,
  // or same source and entry key) writes nothing and returns the stored article's id and story
  // id with duplicate = true. story_id: the caller's story id, or 0 for "its own" (= its id).
  // A match repeated for the same topic is stored once; an alert whose webhook_id exists is
  // skipped (alerts_added counts the rows written); any other failed insert rolls back all.
  Result<AddResult> add_article(const NewArticle& article, const std::vector<NewMatch>& matches,
                                const std::vector<NewAlert>& alerts);
  Result<std::optional<Article>> article(std::int64_t id);
  Result<std::vector<Article>> recent_articles(Millis since, int limit);

  // Outbox
  // The oldest pending row per webhook that is due at `now` (delivery is in order per endpoint).
  Result<std::vector<OutboxRow>> due_alerts(Millis now, int limit);
  Status mark_delivered(std::int64_t id, Millis now);
  Status mark_retry(std::int64_t id, const std::string& error, Millis next_attempt);
  // Failed: attempts spent (or the endpoint is gone). next_probe: when the deliverer may send
  // it again as a probe of its endpoint (failed_heads()); 0 = at once.
  Status mark_failed(std::int64_t id, const std::string& error, Millis next_probe = 0);
  // A probe of a failed row did not get through: note why and when to probe again.
  Status reprobe(std::int64_t id, const std::string& error, Millis next_probe);
  // The oldest failed row of every webhook that has no pending row, soonest probe first: sent
  // again from time to time, so an endpoint that recovers while nothing new is queued for it
  // gets its failed alerts without an operator.
  Result<std::vector<OutboxRow>> failed_heads();
  // Moves a pending row's next attempt without counting an attempt (rate limit, unknown webhook).
  Status defer(std::int64_t id, Millis next_attempt, const std::string& note = "");
  // The head (oldest pending row) of every webhook's queue, due or not, soonest first.
  Result<std::vector<OutboxRow>> queue_heads(int limit);
  // The head of one webhook's queue, due or not.
  Result<std::optional<OutboxRow>> queue_head(const std::string& webhook);
  Result<std::vector<OutboxCounts>> outbox_counts();
  // "Retry now" (the operator, or the deliverer when an endpoint delivers again): failed rows
  // become pending again (attempts reset, original order and webhook-id kept) and every pending
  // row of the webhook ("" = all) becomes due. Returns the number of failed rows re-queued.
  Result<int> retry_failed(const std::string& webhook);
  // Every pending row of the webhook ("" = all) becomes due now (a webhook (re)configured by a
  // reload: its rows were deferred while it was unknown).
  Status make_due(const std::string& webhook);
  // When the next pending row heading its webhook's queue is due (nullopt: nothing pending).
  Result<std::optional<Millis>> next_alert_due();
  // Rows of the outbox for operator tools, oldest first. status "" = any, webhook "" = all.
  Result<std::vector<OutboxRow>> outbox_rows(const std::string& status, const std::string& webhook,
                                             int limit);
  Result<std::vector<OutboxRow>> pending(const std::string& webhook = "", int limit = 100) {
    return outbox_rows("pending", webhook, limit);
  }
  // Deletes delivered rows delivered before `before`; returns how many. Pending and failed rows
  // are never pruned.
  Result<int> prune_delivered(Millis before);

  // Stories: the distinct sources of the articles of one story (for "also reported by").
  Result<std::vector<std::string>> story_sources(std::int64_t story_id);
  // The article.matched rows of the outbox about this story, any status, oldest first: the
  // (webhook, topic) pairs already alerted. Delivered rows pruned by prune_delivered() are no
  // longer listed. Each outbox row carries the story of the article that queued it (migration 6).
  Result<std::vector<StoryAlert>> story_alerts(std::int64_t story_id);
  // The articles of one story, first stored first, at most `limit`.
  Result<std::vector<StoryCopy>> story_copies(std::int64_t story_id, int limit);
  // Full-text search over stored titles and bodies (FTS5 query syntax); newest first.
  Result<std::vector<Article>> search(const std::string& fts_query, int limit);
  // Every article fetched at or after `since` whose title or body matches the FTS5 query ("" =
  // every article), newest first, handed to `fn` until it returns false (storage/store_search.cpp;
  // rasid search and topics test confirm each candidate with the topic language). A malformed
  // FTS5 query is an Error, and so is a failed step; articles already handed over stay handed.
  Status scan_articles(const std::string& fts_query, Millis since,
                       const std::function<bool(const Article&)>& fn);

  // Status views (read-only; implemented in storage/store_status.cpp).
  // Newest first; each article with all its matches (any topic).
  Result<std::vector<ArticleWithMatches>> articles_with_matches(const ArticleQuery& query);
  // Rows delivered at or after `since`, oldest delivery first (for delivery-latency metrics).
  Result<std::vector<Delivery>> delivered_since(Millis since, int limit);
  // Topic name → number of stored matches since `since`.
  Result<std::vector<std::pair<std::string, int>>> match_counts(Millis since);
  // Every webhook with pending or failed rows, by name: counts, queue head, newest failure
  // and newest delivery. Reads only the status index and each queue's head.
  Result<std::vector<EndpointQueue>> endpoint_queues();

 private:
  explicit PgStore(std::unique_ptr<pg::Connection> c, int version);
  std::unique_ptr<pg::Connection> c_;
  int version_ = 0;
};

}  // namespace rasid::storage
