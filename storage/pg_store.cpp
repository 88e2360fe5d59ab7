#include "storage/pg_store.h"

#include <algorithm>
#include <utility>

#include "storage/pg.h"
#include "storage/pg_schema.h"

namespace rasid::storage {

using pg::Bytes;
using pg::Rows;
using pg::Tx;

namespace {

constexpr const char* kArticleCols =
    "id, source, url, canonical, title, body, published, author, lang, story_id, fetched_at";

Article read_article(const Rows& r, int i) {
  Article a;
  a.id = r.i64(i, 0);
  a.source = r.text(i, 1);
  a.url = r.text(i, 2);
  a.canonical = r.text(i, 3);
  a.title = r.text(i, 4);
  a.body = r.text(i, 5);
  a.published = text::parse_date(r.text(i, 6));
  a.author = r.text(i, 7);
  a.lang = r.text(i, 8);
  a.story_id = r.i64(i, 9);
  a.fetched_at = r.i64(i, 10);
  return a;
}

std::vector<Article> read_articles(const Rows& r) {
  std::vector<Article> out;
  out.reserve(static_cast<std::size_t>(r.size()));
  for (int i = 0; i < r.size(); ++i) out.push_back(read_article(r, i));
  return out;
}

#define OUTBOX_COLS                                                                                \
  "id, webhook, topic, webhook_id, payload, attempts, next_attempt, created, last_error, status, " \
  "hold"

// The head (lowest id) of each webhook's pending queue, by index seeks only (outbox_queue is
// (webhook, id) WHERE pending): one seek per distinct webhook, not a scan of the backlog.
#define OUTBOX_HEADS                                                                         \
  "WITH RECURSIVE hooks(w) AS ("                                                             \
  "SELECT (SELECT MIN(webhook) FROM outbox WHERE status = 'pending') UNION ALL "             \
  "SELECT (SELECT MIN(webhook) FROM outbox WHERE status = 'pending' AND webhook > w) "       \
  "FROM hooks WHERE w IS NOT NULL), "                                                        \
  "heads(id) AS (SELECT (SELECT MIN(id) FROM outbox WHERE status = 'pending' AND webhook = " \
  "hooks.w) FROM hooks WHERE w IS NOT NULL) "

OutboxRow read_outbox(const Rows& r, int i) {
  OutboxRow o;
  o.id = r.i64(i, 0);
  o.webhook = r.text(i, 1);
  o.topic = r.text(i, 2);
  o.webhook_id = r.text(i, 3);
  o.payload = r.text(i, 4);
  o.attempts = r.i32(i, 5);
  o.next_attempt = r.i64(i, 6);
  o.created = r.i64(i, 7);
  o.last_error = r.text(i, 8);
  o.status = r.text(i, 9);
  o.hold = hold_from_string(r.text(i, 10));
  return o;
}

std::vector<OutboxRow> read_outbox_rows(const Rows& r) {
  std::vector<OutboxRow> out;
  out.reserve(static_cast<std::size_t>(r.size()));
  for (int i = 0; i < r.size(); ++i) out.push_back(read_outbox(r, i));
  return out;
}

#define SOURCE_COLS                                                                 \
  "name, etag, last_modified, next_check, last_success, last_attempt, last_error, " \
  "consecutive_errors, status, initialized, interval_s, in_force_s, interval_reason"
constexpr const char* kSourceSelect = "SELECT " SOURCE_COLS " FROM sources";
// The same columns of a table aliased `s` (where another relation has a `name` too).
#define SOURCE_COLS_S                                                                         \
  "s.name, s.etag, s.last_modified, s.next_check, s.last_success, s.last_attempt, "           \
  "s.last_error, s.consecutive_errors, s.status, s.initialized, s.interval_s, s.in_force_s, " \
  "s.interval_reason"

SourceState read_source(const Rows& r, int i) {
  SourceState s;
  s.name = r.text(i, 0);
  s.etag = r.text(i, 1);
  s.last_modified = r.text(i, 2);
  s.next_check = r.i64(i, 3);
  s.last_success = r.i64(i, 4);
  s.last_attempt = r.i64(i, 5);
  s.last_error = r.text(i, 6);
  s.consecutive_errors = r.i32(i, 7);
  s.status = r.text(i, 8);
  s.initialized = r.boolean(i, 9);
  s.interval_s = r.i64(i, 10);
  s.in_force_s = r.i64(i, 11);
  s.interval_reason = r.text(i, 12);
  return s;
}

template <class T>
Result<T> fail(const Result<Rows>& r) {
  return Error{r.error()};
}

}  // namespace

PgStore::PgStore(std::unique_ptr<pg::Connection> c, int version)
    : c_(std::move(c)), version_(version) {}

PgStore::~PgStore() = default;

int PgStore::schema_version() const { return version_; }
int PgStore::latest_version() const { return pg::latest_version(); }
int PgStore::latest_schema() { return pg::latest_version(); }

Result<bool> PgStore::claim_endpoint(const std::string& webhook) {
  auto r = c_->exec("claim endpoint",
                    "SELECT pg_try_advisory_lock(hashtextextended('rasid.endpoint:' || $1, 0))",
                    webhook);
  if (!r) return fail<bool>(r);
  return r->size() > 0 && r->text(0, 0) == "t";
}

Status PgStore::release_endpoint(const std::string& webhook) {
  auto r =
      c_->exec("release endpoint",
               "SELECT pg_advisory_unlock(hashtextextended('rasid.endpoint:' || $1, 0))", webhook);
  if (!r) return Error{r.error()};
  return Ok{};
}

bool PgStore::ping() { return c_->exec("ping", "SELECT 1").ok(); }

Result<std::unique_ptr<PgStore>> PgStore::open(const std::string& uri) {
  auto c = pg::Connection::open(uri);
  if (!c) return Error{c.error()};
  auto v = pg::migrate(*c.value());
  if (!v) return Error{v.error() + " (" + c.value()->redacted() + ")"};
  return std::unique_ptr<PgStore>(new PgStore(std::move(c).value(), v.value()));
}

// ---- Sources ---------------------------------------------------------------------------------

Result<SourceState> PgStore::source(const std::string& name) {
  static const std::string sql = std::string(kSourceSelect) + " WHERE name = $1";
  auto r = c_->exec("read source", sql, name);
  if (!r) return fail<SourceState>(r);
  if (r->size() > 0) return read_source(r.value(), 0);
  SourceState fresh;
  fresh.name = name;
  return fresh;
}

Status PgStore::save_source(const SourceState& s) { return save_source(s, "", ""); }

Status PgStore::save_source(const SourceState& s, const std::string& lease_owner,
                            const std::string& polled_url) {
  // With the poll's lease owner, the lease ends with the write (unless it expired and another
  // instance took it): one statement for both. A poll of a URL the source no longer has
  // (PollRecord::polled_url) writes nothing of its state; its lease ends all the same.
  auto r = c_->exec(
      "save source " + s.name,
      "INSERT INTO sources (name, etag, last_modified, next_check, last_success, last_attempt, "
      "last_error, consecutive_errors, status, initialized, interval_s, in_force_s, "
      "interval_reason) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) "
      "ON CONFLICT (name) DO UPDATE SET etag = $2, last_modified = $3, next_check = $4, "
      "last_success = $5, last_attempt = $6, last_error = $7, consecutive_errors = $8, "
      "status = $9, initialized = $10, interval_s = $11, in_force_s = $12, "
      "interval_reason = $13, lease_owner = CASE WHEN $14 <> '' AND sources.lease_owner = $14 "
      "THEN '' ELSE sources.lease_owner END, lease_until = CASE WHEN $14 <> '' AND "
      "sources.lease_owner = $14 THEN 0 ELSE sources.lease_until END "
      "WHERE $15 = '' OR sources.url = '' OR sources.url = $15",
      s.name, s.etag, s.last_modified, s.next_check, s.last_success, s.last_attempt, s.last_error,
      s.consecutive_errors, s.status, s.initialized, s.interval_s, s.in_force_s, s.interval_reason,
      lease_owner, polled_url);
  if (!r) return Error{r.error()};
  if (r->affected() == 0 && !lease_owner.empty()) {
    auto l = c_->exec("release lease of " + s.name,
                      "UPDATE sources SET lease_owner = '', lease_until = 0 "
                      "WHERE name = $1 AND lease_owner = $2",
                      s.name, lease_owner);
    if (!l) return Error{l.error()};
  }
  return Ok{};
}

Result<std::vector<SourceState>> PgStore::sources() {
  static const std::string sql = std::string(kSourceSelect) + " ORDER BY name";
  auto r = c_->exec("list sources", sql);
  if (!r) return fail<std::vector<SourceState>>(r);
  std::vector<SourceState> out;
  for (int i = 0; i < r->size(); ++i) out.push_back(read_source(r.value(), i));
  return out;
}

Result<Lease> PgStore::lease_source(const std::string& name, const std::string& owner, Millis now,
                                    Millis lease_ms, bool due_only) {
  static const std::string lock_sql = "SELECT " SOURCE_COLS
                                      ", lease_owner, lease_until FROM sources WHERE name = $1 "
                                      "FOR UPDATE SKIP LOCKED";
  Lease l;
  Tx tx(*c_);
  if (auto s = tx.begin(); !s) return Error{s.error()};
  auto r = c_->exec("lease source " + name, lock_sql, name);
  if (!r) return fail<Lease>(r);
  if (r->empty()) {
    // No row, or another instance's lease_source holds it this instant: a new row is ours (our
    // uncommitted insert); an existing one is theirs, so ask again a moment later.
    auto ins = c_->exec("lease source " + name,
                        "INSERT INTO sources (name, lease_owner, lease_until) VALUES ($1, $2, $3) "
                        "ON CONFLICT (name) DO NOTHING RETURNING name",
                        name, owner, now + lease_ms);
    if (!ins) return fail<Lease>(ins);
    if (ins->empty()) {
      l.retry_at = now + 500;
      return l;
    }
    if (auto s = tx.commit(); !s) return Error{s.error()};
    l.granted = true;
    l.state.name = name;
    return l;
  }
  SourceState st = read_source(r.value(), 0);
  const std::string holder = r->text(0, 13);
  const Millis until = r->i64(0, 14);
  if (due_only && st.next_check > now) {
    l.retry_at = st.next_check;
    return l;  // the Tx rolls back: nothing changed
  }
  if (!holder.empty() && holder != owner && until > now) {
    l.retry_at = until;
    l.holder = holder;
    return l;
  }
  auto u = c_->exec("lease source " + name,
                    "UPDATE sources SET lease_owner = $2, lease_until = $3 WHERE name = $1", name,
                    owner, now + lease_ms);
  if (!u) return fail<Lease>(u);
  if (auto s = tx.commit(); !s) return Error{s.error()};
  l.granted = true;
  l.state = std::move(st);
  return l;
}

namespace {
// A PostgreSQL array literal of integers ('{1,2,3}') for a bigint[] parameter.
std::string int_array(const std::vector<Millis>& items) {
  std::string out = "{";
  for (std::size_t i = 0; i < items.size(); ++i) out += (i ? "," : "") + std::to_string(items[i]);
  return out + "}";
}
}  // namespace

Status PgStore::register_sources(const std::vector<SourceSlot>& sources, Millis now) {
  std::vector<std::string> names, urls;
  std::vector<Millis> due;
  for (const auto& s : sources) {
    names.push_back(s.name);
    urls.push_back(s.url);
    due.push_back(s.first_due);
  }
  const std::string n = pg::text_array(names), u = pg::text_array(urls), d = int_array(due);
  Tx tx(*c_);
  if (auto s = tx.begin(); !s) return s;
  // A changed URL: a new feed (validators, errors and the 410 verdict were about the old one).
  auto reset = c_->exec(
      "register sources",
      "UPDATE sources s SET etag = '', last_modified = '', last_error = '', "
      "consecutive_errors = 0, status = 'new', initialized = FALSE, interval_s = 0, in_force_s = "
      "0, "
      "interval_reason = '', next_check = v.due FROM unnest($1::text[], $2::text[], "
      "$3::bigint[]) AS v(name, url, due) WHERE s.name = v.name AND s.url <> '' AND s.url <> v.url",
      n, u, d);
  if (!reset) return Error{reset.error()};
  // New rows; overdue ones nobody holds move to their first_due (a start spreads the backlog).
  auto ins = c_->exec(
      "register sources",
      "INSERT INTO sources (name, url, next_check) SELECT * FROM unnest($1::text[], $2::text[], "
      "$3::bigint[]) ON CONFLICT (name) DO UPDATE SET url = excluded.url, next_check = CASE WHEN "
      "sources.next_check <= $4 AND (sources.lease_owner = '' OR sources.lease_until <= $4) "
      "THEN excluded.next_check ELSE sources.next_check END",
      n, u, d, now);
  if (!ins) return Error{ins.error()};
  return tx.commit();
}

Result<Claimed> PgStore::claim_due(const std::vector<std::string>& names, const std::string& owner,
                                   Millis now, Millis lease_ms, int limit) {
  Claimed out;
  if (names.empty() || limit <= 0) return out;
  const std::string n = pg::text_array(names);
  // SKIP LOCKED: rows another instance is claiming at this instant are left to it, so claims
  // made at once are disjoint; the lease then keeps them apart until the poll is recorded.
  auto r = c_->exec("claim due sources",
                    "UPDATE sources s SET lease_owner = $2, lease_until = $3 + $4 FROM (SELECT "
                    "name FROM sources WHERE name = ANY($1::text[]) AND next_check <= $3 AND "
                    "(lease_owner = '' OR lease_until <= $3) ORDER BY next_check LIMIT $5 FOR "
                    "UPDATE SKIP LOCKED) due WHERE s.name = due.name RETURNING " SOURCE_COLS_S,
                    n, owner, now, lease_ms, limit);
  if (!r) return fail<Claimed>(r);
  for (int i = 0; i < r->size(); ++i) out.due.push_back(read_source(r.value(), i));
  std::sort(out.due.begin(), out.due.end(),
            [](const SourceState& a, const SourceState& b) { return a.next_check < b.next_check; });
  if (static_cast<int>(out.due.size()) >= limit) return out;
  auto next =
      c_->exec("next due source",
               "SELECT COALESCE(min(CASE WHEN lease_owner <> '' AND lease_until > $3 THEN "
               "GREATEST(next_check, lease_until) ELSE next_check END), 0) FROM sources "
               "WHERE name = ANY($1::text[]) AND NOT (lease_owner = $2 AND lease_until > $3)",
               n, owner, now);
  if (!next) return fail<Claimed>(next);
  out.next_due = next->i64(0, 0);
  return out;
}

Status PgStore::defer_source(const std::string& name, const std::string& owner, Millis next_check,
                             const std::string& reason) {
  auto r = c_->exec("defer source " + name,
                    "UPDATE sources SET next_check = $3, lease_owner = '', lease_until = 0, "
                    "interval_reason = CASE WHEN $4 = '' THEN interval_reason ELSE $4 END "
                    "WHERE name = $1 AND lease_owner = $2",
                    name, owner, next_check, reason);
  if (!r) return Error{r.error()};
  return Ok{};
}

Status PgStore::leave(const std::string& id) {
  Tx tx(*c_);
  if (auto s = tx.begin(); !s) return s;
  auto l =
      c_->exec("end the leases of " + id,
               "UPDATE sources SET lease_owner = '', lease_until = 0 WHERE lease_owner = $1", id);
  if (!l) return Error{l.error()};
  auto d = c_->exec("instance leaves", "DELETE FROM instances WHERE id = $1", id);
  if (!d) return Error{d.error()};
  return tx.commit();
}

Status PgStore::heartbeat(const InstanceInfo& me) {
  auto r = c_->exec("instance heartbeat",
                    "INSERT INTO instances (id, host, pid, started, heartbeat, config_fingerprint, "
                    "sources_leased) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id) DO "
                    "UPDATE SET host = $2, pid = $3, started = $4, heartbeat = $5, "
                    "config_fingerprint = $6, sources_leased = $7",
                    me.id, me.host, me.pid, me.started, me.heartbeat, me.config_fingerprint,
                    me.sources_leased);
  if (!r) return Error{r.error()};
  constexpr Millis kDay = 24LL * 3600 * 1000;
  auto d = c_->exec("forget silent instances", "DELETE FROM instances WHERE heartbeat < $1",
                    me.heartbeat - kDay);
  if (!d) return Error{d.error()};
  return Ok{};
}

Result<std::vector<InstanceInfo>> PgStore::instances(Millis live_since) {
  auto r = c_->exec("list instances",
                    "SELECT id, host, pid, started, heartbeat, config_fingerprint, sources_leased "
                    "FROM instances WHERE heartbeat >= $1 ORDER BY id",
                    live_since);
  if (!r) return fail<std::vector<InstanceInfo>>(r);
  std::vector<InstanceInfo> out;
  for (int i = 0; i < r->size(); ++i)
    out.push_back({r->text(i, 0), r->text(i, 1), r->i32(i, 2), r->i64(i, 3), r->i64(i, 4),
                   r->text(i, 5), r->i32(i, 6)});
  return out;
}

// ---- Entry identity --------------------------------------------------------------------------

Result<bool> PgStore::seen(const std::string& source, const std::string& entry_key) {
  auto r = c_->exec("check seen entry",
                    "SELECT EXISTS (SELECT 1 FROM seen WHERE source = $1 AND entry_key = $2) OR "
                    "EXISTS (SELECT 1 FROM articles WHERE source = $1 AND entry_key = $2)",
                    source, entry_key);
  if (!r) return fail<bool>(r);
  return r->boolean(0, 0);
}

Result<std::vector<std::string>> PgStore::seen_keys(const std::string& source,
                                                    const std::vector<std::string>& keys) {
  if (keys.empty()) return std::vector<std::string>();
  // One round trip for the whole poll; the answer keeps the order of `keys`.
  auto r = c_->exec("check seen entries",
                    "SELECT k FROM unnest($2::text[]) WITH ORDINALITY AS t(k, n) WHERE "
                    "EXISTS (SELECT 1 FROM seen WHERE source = $1 AND entry_key = k) OR "
                    "EXISTS (SELECT 1 FROM articles WHERE source = $1 AND entry_key = k) "
                    "ORDER BY n",
                    source, pg::text_array(keys));
  if (!r) return fail<std::vector<std::string>>(r);
  std::vector<std::string> out;
  for (int i = 0; i < r->size(); ++i) out.push_back(r->text(i, 0));
  return out;
}

Status PgStore::mark_seen(const std::string& source, const std::vector<std::string>& entry_keys) {
  if (entry_keys.empty()) return Ok{};
  // One statement: atomic without an explicit transaction.
  auto r =
      c_->exec("mark entries seen",
               "INSERT INTO seen (source, entry_key, first_seen) "
               "SELECT $1::text, k, $3::bigint FROM unnest($2::text[]) AS k ON CONFLICT DO NOTHING",
               source, pg::text_array(entry_keys), now_ms());
  if (!r) return Error{r.error()};
  return Ok{};
}

Result<bool> PgStore::canonical_exists(const std::string& canonical) {
  auto r = c_->exec("check canonical",
                    "SELECT EXISTS (SELECT 1 FROM articles WHERE canonical = $1)", canonical);
  if (!r) return fail<bool>(r);
  return r->boolean(0, 0);
}

Result<std::string> PgStore::guid_distrust(const std::string& source) {
  auto r = c_->exec("read source identity",
                    "SELECT guid_distrust FROM source_identity WHERE source = $1", source);
  if (!r) return fail<std::string>(r);
  return r->empty() ? std::string() : r->text(0, 0);
}

Status PgStore::set_guid_distrust(const std::string& source, const std::string& reason) {
  auto r = c_->exec("save source identity",
                    "INSERT INTO source_identity (source, guid_distrust, changed) "
                    "VALUES ($1, $2, $3) ON CONFLICT (source) DO UPDATE SET guid_distrust = $2, "
                    "changed = $3",
                    source, reason, now_ms());
  if (!r) return Error{r.error()};
  return Ok{};
}

Result<std::optional<std::string>> PgStore::site_template(const std::string& source) {
  auto r =
      c_->exec("read site template", "SELECT state FROM site_templates WHERE source = $1", source);
  if (!r) return fail<std::optional<std::string>>(r);
  if (r->empty()) return std::optional<std::string>();
  return std::optional<std::string>(r->bytes(0, 0));
}

Status PgStore::save_site_template(const std::string& source, std::string_view state, int pages) {
  auto r = c_->exec("save site template",
                    "INSERT INTO site_templates (source, pages, state, updated) "
                    "VALUES ($1, $2, $3, $4) ON CONFLICT (source) DO UPDATE SET pages = $2, "
                    "state = $3, updated = $4",
                    source, pages, Bytes{state}, now_ms());
  if (!r) return Error{r.error()};
  return Ok{};
}

Result<int> PgStore::site_template_pages(const std::string& source) {
  auto r =
      c_->exec("read site template", "SELECT pages FROM site_templates WHERE source = $1", source);
  if (!r) return fail<int>(r);
  return r->empty() ? 0 : r->i32(0, 0);
}

// ---- Articles --------------------------------------------------------------------------------

namespace {
// Begins a writer's transaction: BEGIN, then the writers' advisory lock (pg_schema.h).
Status begin_writer(pg::Connection& c, Tx& tx) {
  if (auto s = tx.begin(); !s) return s;
  auto l = c.exec("serialize writers", "SELECT pg_advisory_xact_lock($1)", pg::kWriterLockKey);
  if (!l) return Error{l.error()};
  return Ok{};
}
}  // namespace

Result<AddResult> PgStore::add_article(const NewArticle& a, const std::vector<NewMatch>& matches,
                                       const std::vector<NewAlert>& alerts) {
  Tx tx(*c_);
  if (auto s = begin_writer(*c_, tx); !s) return Error{s.error()};
  auto res = add_article_in(a, matches, alerts);
  if (!res || res->duplicate) return res;  // Tx rolls back: nothing was written
  if (auto s = tx.commit(); !s) return Error{s.error()};
  return res;
}

Result<PollRecorded> PgStore::record_poll(PollRecord& r,
                                          const std::function<void(PollRecord&)>& prepare) {
  const std::string& source = r.state.name;
  Tx tx(*c_);
  // The writers' lock orders story assignment (prepare) against other instances' articles; a
  // poll with no article to store needs neither, and does not wait for anyone.
  if (auto s = r.articles.empty() ? tx.begin() : begin_writer(*c_, tx); !s) return Error{s.error()};
  if (prepare) prepare(r);
  PollRecorded out;
  std::vector<std::string> seen = r.seen;
  for (const auto& e : r.articles) {
    auto res = add_article_in(e.article, e.matches, e.alerts);
    if (!res) return Error{res.error() + " (" + e.article.url + ")"};
    if (res->duplicate) seen.push_back(e.article.entry_key);
    seen.insert(seen.end(), e.aliases.begin(), e.aliases.end());
    out.articles.push_back(res.value());
  }
  if (!seen.empty()) {
    auto m = c_->exec("mark entries seen",
                      "INSERT INTO seen (source, entry_key, first_seen) SELECT $1::text, k, "
                      "$3::bigint FROM unnest($2::text[]) AS k ON CONFLICT DO NOTHING",
                      source, pg::text_array(seen), now_ms());
    if (!m) return Error{m.error()};
  }
  if (r.guid_distrust)
    if (auto s = set_guid_distrust(source, *r.guid_distrust); !s) return Error{s.error()};
  if (r.site_template)
    if (auto s = save_site_template(source, *r.site_template, r.site_template_pages); !s)
      return Error{s.error()};
  if (auto s = save_source(r.state, r.lease_owner, r.polled_url); !s) return Error{s.error()};
  if (auto s = tx.commit(); !s) return Error{s.error()};
  return out;
}

Result<AddResult> PgStore::add_article_in(const NewArticle& a, const std::vector<NewMatch>& matches,
                                          const std::vector<NewAlert>& alerts) {
  const std::string& canonical = a.canonical.empty() ? a.url : a.canonical;
  if (canonical.empty()) return Error{"storage: add article: no canonical URL and no URL"};
  static const std::string find_sql =
      "SELECT id, story_id FROM articles WHERE canonical = $1 "
      "UNION ALL SELECT id, story_id FROM articles WHERE source = $2 AND entry_key = $3 LIMIT 1";
  AddResult res;
  auto duplicate = [&](const Rows& r) {
    res.article_id = r.i64(0, 0);
    res.story_id = r.i64(0, 1);
    res.duplicate = true;
    return res;  // nothing was written
  };
  {
    auto r = c_->exec("check duplicate article", find_sql, canonical, a.source, a.entry_key);
    if (!r) return fail<AddResult>(r);
    if (!r->empty()) return duplicate(r.value());
  }
  const Millis now = now_ms();
  {
    // Another instance may store the same entry meanwhile: the unique keys decide (the insert
    // waits for its transaction), and the loser reads the winner's row.
    auto r = c_->exec(
        "insert article",
        "INSERT INTO articles (source, entry_key, url, canonical, title, body, published, "
        "author, lang, story_id, fetched_at, tokens) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, "
        "$10, $11, array_to_tsvector($12::text[])) ON CONFLICT DO NOTHING RETURNING id",
        a.source, a.entry_key, a.url, canonical, a.title, a.body,
        a.published ? text::format_iso8601(*a.published) : std::string(), a.author, a.lang,
        a.story_id, now, pg::article_lexemes(a.title, a.body));
    if (!r) return fail<AddResult>(r);
    if (r->empty()) {
      auto again = c_->exec("check duplicate article", find_sql, canonical, a.source, a.entry_key);
      if (!again) return fail<AddResult>(again);
      if (again->empty()) return Error{"storage: insert article: conflict without a stored row"};
      return duplicate(again.value());
    }
    res.article_id = r->i64(0, 0);
  }
  res.story_id = a.story_id != 0 ? a.story_id : res.article_id;
  if (a.story_id == 0) {
    auto r =
        c_->exec("set story id", "UPDATE articles SET story_id = $1 WHERE id = $1", res.article_id);
    if (!r) return fail<AddResult>(r);
  }
  {
    auto r = c_->exec("mark entry seen",
                      "INSERT INTO seen (source, entry_key, first_seen) VALUES ($1, $2, $3) "
                      "ON CONFLICT DO NOTHING",
                      a.source, a.entry_key, now);
    if (!r) return fail<AddResult>(r);
  }
  for (const auto& m : matches) {
    auto r = c_->exec("insert match " + m.topic,
                      "INSERT INTO matches (article_id, topic, snippet, created, forms) "
                      "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (article_id, topic) DO NOTHING",
                      res.article_id, m.topic, m.snippet, now, m.forms);
    if (!r) return fail<AddResult>(r);
  }
  for (const auto& al : alerts) {
    // Only a repeated webhook_id is skipped (ON CONFLICT on it); a CHECK failure fails all. A
    // row that refers to another (a story.updated to its alert) is written only while it exists.
    auto r = c_->exec(
        "insert alert for " + al.webhook,
        "INSERT INTO outbox (article_id, webhook, topic, webhook_id, payload, created, event, "
        "story_id) SELECT $1::bigint, $2::text, $3::text, $4::text, $5::text, $6::bigint, "
        "$7::text, $8::bigint WHERE $9::text = '' OR EXISTS (SELECT 1 FROM outbox WHERE "
        "webhook_id = $9::text) ON CONFLICT (webhook_id) DO NOTHING",
        res.article_id, al.webhook, al.topic, al.webhook_id, al.payload, now, al.event,
        res.story_id, al.refers_to);
    if (!r) return fail<AddResult>(r);
    const auto added = r->affected();
    res.alerts_added += static_cast<int>(added);
    if (added > 0 && !al.refers_to.empty()) {
      // An update must not reach the receiver before the alert it refers to (store.cpp).
      auto q = c_->exec("re-queue the alert an update refers to",
                        "UPDATE outbox SET status = 'pending', attempts = 0, next_attempt = 0 "
                        "WHERE webhook_id = $1 AND status = 'failed'",
                        al.refers_to);
      if (!q) return fail<AddResult>(q);
    }
  }
  return res;
}

Result<std::optional<Article>> PgStore::article(std::int64_t id) {
  static const std::string sql =
      std::string("SELECT ") + kArticleCols + " FROM articles WHERE id = $1";
  auto r = c_->exec("read article", sql, id);
  if (!r) return fail<std::optional<Article>>(r);
  if (r->empty()) return std::optional<Article>();
  return std::optional<Article>(read_article(r.value(), 0));
}

Result<std::vector<Article>> PgStore::recent_articles(Millis since, int limit) {
  static const std::string sql = std::string("SELECT ") + kArticleCols +
                                 " FROM articles WHERE fetched_at >= $1 ORDER BY id DESC LIMIT $2";
  auto r = c_->exec("list recent articles", sql, since, limit);
  if (!r) return fail<std::vector<Article>>(r);
  return read_articles(r.value());
}

Result<std::vector<Article>> PgStore::articles_after(std::int64_t after_id, int limit) {
  static const std::string sql =
      std::string("SELECT ") + kArticleCols + " FROM articles WHERE id > $1 ORDER BY id LIMIT $2";
  auto r = c_->exec("list articles after", sql, after_id, limit);
  if (!r) return fail<std::vector<Article>>(r);
  return read_articles(r.value());
}

Result<std::vector<std::string>> PgStore::story_sources(std::int64_t story_id) {
  auto r = c_->exec(
      "list story sources",
      "SELECT source FROM articles WHERE story_id = $1 GROUP BY source ORDER BY MIN(id)", story_id);
  if (!r) return fail<std::vector<std::string>>(r);
  std::vector<std::string> out;
  for (int i = 0; i < r->size(); ++i) out.push_back(r->text(i, 0));
  return out;
}

Result<std::vector<StoryAlert>> PgStore::story_alerts(std::int64_t story_id) {
  auto r = c_->exec("list story alerts",
                    "SELECT webhook, topic, webhook_id FROM outbox WHERE story_id = $1 AND "
                    "story_id <> 0 AND event = 'article.matched' ORDER BY id",
                    story_id);
  if (!r) return fail<std::vector<StoryAlert>>(r);
  std::vector<StoryAlert> out;
  for (int i = 0; i < r->size(); ++i) out.push_back({r->text(i, 0), r->text(i, 1), r->text(i, 2)});
  return out;
}

Result<std::vector<StoryCopy>> PgStore::story_copies(std::int64_t story_id, int limit) {
  auto r = c_->exec("list story copies",
                    "SELECT id, source, url, title, published, fetched_at FROM articles "
                    "WHERE story_id = $1 ORDER BY id LIMIT $2",
                    story_id, limit);
  if (!r) return fail<std::vector<StoryCopy>>(r);
  std::vector<StoryCopy> out;
  for (int i = 0; i < r->size(); ++i)
    out.push_back(
        {r->i64(i, 0), r->text(i, 1), r->text(i, 2), r->text(i, 3), r->text(i, 4), r->i64(i, 5)});
  return out;
}

Result<std::vector<Article>> PgStore::search(const std::string& fts_query, int limit) {
  auto q = pg::tsquery_from_fts5(fts_query);
  if (!q) return Error{q.error()};
  static const std::string sql = std::string("SELECT ") + kArticleCols +
                                 " FROM articles WHERE ($1 = '' OR tokens @@ $1::tsquery) "
                                 "ORDER BY id DESC LIMIT $2";
  auto r = c_->exec("search articles", sql, q.value(), limit);
  if (!r) return fail<std::vector<Article>>(r);
  return read_articles(r.value());
}

Status PgStore::scan_articles(const std::string& fts_query, Millis since,
                              const std::function<bool(const Article&)>& fn) {
  auto q = pg::tsquery_from_fts5(fts_query);
  if (!q) return Error{q.error()};
  // Pages of ids, newest first; each page its own statement (no cursor held between them).
  constexpr int kPage = 200;
  static const std::string sql = std::string("SELECT ") + kArticleCols +
                                 " FROM articles WHERE fetched_at >= $1 AND id < $2 AND "
                                 "($3 = '' OR tokens @@ $3::tsquery) ORDER BY id DESC LIMIT $4";
  std::int64_t below = INT64_MAX;
  for (;;) {
    auto r = c_->exec("scan articles", sql, since, below, q.value(), kPage);
    if (!r) return Error{r.error()};
    for (int i = 0; i < r->size(); ++i) {
      Article a = read_article(r.value(), i);
      below = a.id;
      if (!fn(a)) return Ok{};
    }
    if (r->size() < kPage) return Ok{};
  }
}

// ---- Outbox ----------------------------------------------------------------------------------

Result<std::vector<OutboxRow>> PgStore::due_alerts(Millis now, int limit) {
  auto r = c_->exec("list due alerts",
                    OUTBOX_HEADS "SELECT " OUTBOX_COLS
                                 " FROM outbox WHERE id = ANY (ARRAY(SELECT id FROM heads)) AND "
                                 "next_attempt <= $1 ORDER BY next_attempt, id LIMIT $2",
                    now, limit);
  if (!r) return fail<std::vector<OutboxRow>>(r);
  return read_outbox_rows(r.value());
}

Result<std::optional<Millis>> PgStore::next_alert_due() {
  auto r =
      c_->exec("next alert due", OUTBOX_HEADS
               "SELECT MIN(next_attempt) FROM outbox WHERE id = ANY (ARRAY(SELECT id FROM heads))");
  if (!r) return fail<std::optional<Millis>>(r);
  if (r->empty() || r->is_null(0, 0)) return std::optional<Millis>();
  return std::optional<Millis>(r->i64(0, 0));
}

Status PgStore::mark_delivered(std::int64_t id, Millis now) {
  auto r = c_->exec("mark alert delivered",
                    "UPDATE outbox SET status = 'delivered', attempts = attempts + 1, "
                    "delivered_at = $2, last_error = '', hold = '' WHERE id = $1",
                    id, now);
  if (!r) return Error{r.error()};
  return Ok{};
}

Status PgStore::mark_retry(std::int64_t id, const std::string& error, Millis next_attempt) {
  auto r =
      c_->exec("schedule alert retry",
               "UPDATE outbox SET attempts = attempts + 1, last_error = $2, next_attempt = $3, "
               "hold = '' WHERE id = $1 AND status = 'pending'",
               id, error, next_attempt);
  if (!r) return Error{r.error()};
  return Ok{};
}

Status PgStore::mark_failed(std::int64_t id, const std::string& error, Millis next_probe) {
  auto r = c_->exec("mark alert failed",
                    "UPDATE outbox SET status = 'failed', attempts = attempts + 1, "
                    "last_error = $2, next_attempt = $3, hold = '' WHERE id = $1",
                    id, error, next_probe);
  if (!r) return Error{r.error()};
  return Ok{};
}

Status PgStore::reprobe(std::int64_t id, const std::string& error, Millis next_probe) {
  auto r = c_->exec("schedule the next probe",
                    "UPDATE outbox SET last_error = $2, next_attempt = $3 WHERE id = $1 AND "
                    "status = 'failed'",
                    id, error, next_probe);
  if (!r) return Error{r.error()};
  return Ok{};
}

Result<std::vector<OutboxRow>> PgStore::failed_heads() {
  auto r = c_->exec(
      "list failed queue heads",
      "SELECT " OUTBOX_COLS
      " FROM outbox o WHERE status = 'failed' AND id = (SELECT MIN(id) FROM outbox f WHERE "
      "f.status = 'failed' AND f.webhook = o.webhook) AND NOT EXISTS (SELECT 1 FROM outbox p "
      "WHERE p.status = 'pending' AND p.webhook = o.webhook) ORDER BY next_attempt, id");
  if (!r) return fail<std::vector<OutboxRow>>(r);
  return read_outbox_rows(r.value());
}

Status PgStore::defer(std::int64_t id, Millis next_attempt, Hold why, const std::string& note) {
  auto r = c_->exec("defer alert",
                    "UPDATE outbox SET next_attempt = $2, last_error = CASE WHEN $3 = '' THEN "
                    "last_error ELSE $3 END, hold = $4 WHERE id = $1 AND status = 'pending'",
                    id, next_attempt, note, to_string(why));
  if (!r) return Error{r.error()};
  return Ok{};
}

Result<std::vector<OutboxRow>> PgStore::queue_heads(int limit) {
  auto r = c_->exec("list outbox queue heads",
                    OUTBOX_HEADS "SELECT " OUTBOX_COLS
                                 " FROM outbox WHERE id = ANY (ARRAY(SELECT id FROM heads)) "
                                 "ORDER BY next_attempt, id LIMIT $1",
                    limit);
  if (!r) return fail<std::vector<OutboxRow>>(r);
  return read_outbox_rows(r.value());
}

Result<std::optional<OutboxRow>> PgStore::queue_head(const std::string& webhook) {
  auto r = c_->exec("read outbox queue head",
                    "SELECT " OUTBOX_COLS
                    " FROM outbox WHERE webhook = $1 AND status = 'pending' ORDER BY id LIMIT 1",
                    webhook);
  if (!r) return fail<std::optional<OutboxRow>>(r);
  if (r->empty()) return std::optional<OutboxRow>();
  return std::optional<OutboxRow>(read_outbox(r.value(), 0));
}

Result<std::vector<OutboxCounts>> PgStore::outbox_counts() {
  auto r = c_->exec("count outbox",
                    "SELECT webhook, COUNT(*) FILTER (WHERE status = 'pending'), "
                    "COUNT(*) FILTER (WHERE status = 'delivered'), "
                    "COUNT(*) FILTER (WHERE status = 'failed'), (SELECT last_error FROM outbox o2 "
                    "WHERE o2.webhook = o.webhook AND o2.last_error <> '' ORDER BY o2.id DESC "
                    "LIMIT 1) FROM outbox o GROUP BY webhook ORDER BY webhook");
  if (!r) return fail<std::vector<OutboxCounts>>(r);
  std::vector<OutboxCounts> out;
  for (int i = 0; i < r->size(); ++i) {
    OutboxCounts c;
    c.webhook = r->text(i, 0);
    c.pending = r->i32(i, 1);
    c.delivered = r->i32(i, 2);
    c.failed = r->i32(i, 3);
    c.last_error = r->text(i, 4);
    out.push_back(std::move(c));
  }
  return out;
}

Result<int> PgStore::retry_failed(const std::string& webhook) {
  Tx tx(*c_);
  if (auto s = tx.begin(); !s) return Error{s.error()};
  auto r = c_->exec("re-queue failed alerts",
                    "UPDATE outbox SET status = 'pending', attempts = 0, next_attempt = 0, "
                    "hold = '' WHERE status = 'failed' AND ($1 = '' OR webhook = $1)",
                    webhook);
  if (!r) return fail<int>(r);
  const int requeued = static_cast<int>(r->affected());
  // "Retry" means now: rows waiting for a backoff or a pause are made due as well.
  if (auto s = make_due(webhook); !s) return Error{s.error()};
  if (auto s = tx.commit(); !s) return Error{s.error()};
  return requeued;
}

Status PgStore::make_due(const std::string& webhook) {
  auto r = c_->exec("make pending alerts due",
                    "UPDATE outbox SET next_attempt = 0, hold = '' WHERE status = 'pending' AND "
                    "next_attempt > 0 AND ($1 = '' OR webhook = $1)",
                    webhook);
  if (!r) return Error{r.error()};
  return Ok{};
}

Result<std::vector<OutboxRow>> PgStore::outbox_rows(const std::string& status,
                                                    const std::string& webhook, int limit) {
  auto r = c_->exec("list outbox",
                    "SELECT " OUTBOX_COLS
                    " FROM outbox WHERE ($1 = '' OR status = $1) AND ($2 = '' OR webhook = $2) "
                    "ORDER BY id LIMIT $3",
                    status, webhook, limit);
  if (!r) return fail<std::vector<OutboxRow>>(r);
  return read_outbox_rows(r.value());
}

Result<int> PgStore::prune_delivered(Millis before) {
  auto r = c_->exec("prune delivered alerts",
                    "DELETE FROM outbox WHERE status = 'delivered' AND delivered_at < $1", before);
  if (!r) return fail<int>(r);
  return static_cast<int>(r->affected());
}

// ---- Retention -------------------------------------------------------------------------------

Result<PruneCounts> PgStore::prune_articles(Millis before, int batch) {
  if (batch < 1) return Error{"storage: prune articles: batch must be at least 1"};
  PruneCounts out;
  for (;;) {
    Tx tx(*c_);
    if (auto s = begin_writer(*c_, tx); !s) return Error{s.error()};
    // Oldest first (articles_fetched); an article an undelivered alert needs is skipped. The
    // writer lock keeps record_poll from queueing an alert on these articles meanwhile.
    auto ids = c_->exec("list articles to prune",
                        "SELECT COALESCE(array_agg(id), '{}'), COUNT(*) FROM (SELECT id FROM "
                        "articles WHERE fetched_at < $1 AND NOT EXISTS (SELECT 1 FROM outbox WHERE "
                        "outbox.article_id = articles.id AND outbox.status <> 'delivered') "
                        "ORDER BY fetched_at, id LIMIT $2) v",
                        before, batch);
    if (!ids) return fail<PruneCounts>(ids);
    const std::int64_t n = ids->i64(0, 1);
    if (n == 0) break;
    const std::string arr = ids->text(0, 0);
    // The entry stays seen after its article is gone (seen() also reads articles).
    if (auto r = c_->exec("keep pruned entries seen",
                          "INSERT INTO seen (source, entry_key, first_seen) SELECT source, "
                          "entry_key, fetched_at FROM articles WHERE id = ANY($1::bigint[]) "
                          "ON CONFLICT DO NOTHING",
                          arr);
        !r)
      return fail<PruneCounts>(r);
    auto m =
        c_->exec("prune matches", "DELETE FROM matches WHERE article_id = ANY($1::bigint[])", arr);
    if (!m) return fail<PruneCounts>(m);
    auto d = c_->exec("prune delivered alerts of articles",
                      "DELETE FROM outbox WHERE article_id = ANY($1::bigint[]) "
                      "AND status = 'delivered'",
                      arr);
    if (!d) return fail<PruneCounts>(d);
    // The search terms are a column of the row (articles.tokens): they go with it.
    auto a = c_->exec("prune articles", "DELETE FROM articles WHERE id = ANY($1::bigint[])", arr);
    if (!a) return fail<PruneCounts>(a);
    if (auto s = tx.commit(); !s) return Error{s.error()};
    out.matches += m->affected();
    out.delivered += d->affected();
    out.articles += a->affected();
    ++out.batches;
    if (n < batch) break;
  }
  auto k = c_->exec("count kept articles",
                    "SELECT COUNT(*) FROM articles WHERE fetched_at < $1 AND EXISTS (SELECT 1 "
                    "FROM outbox WHERE outbox.article_id = articles.id AND "
                    "outbox.status <> 'delivered')",
                    before);
  if (!k) return fail<PruneCounts>(k);
  out.kept = k->i64(0, 0);
  return out;
}

Status PgStore::backup(const std::string& file) {
  return Error{"storage: backup " + file +
               ": rasid backup copies a SQLite database; this one is PostgreSQL (" +
               c_->redacted() +
               "): use the server's pg_dump, e.g. pg_dump --format=custom --file=rasid.dump "
               "DBNAME (a consistent snapshot while rasid keeps running)"};
}

// ---- Status views ----------------------------------------------------------------------------

Result<std::vector<ArticleWithMatches>> PgStore::articles_with_matches(const ArticleQuery& q) {
  std::string tsq;
  if (!q.fts.empty()) {
    auto t = pg::tsquery_from_fts5(q.fts);
    if (!t) return Error{t.error()};
    tsq = t.value();
  }
  // Filters are bound parameters; only the presence of each clause changes the SQL text.
  std::string sql =
      std::string("SELECT ") + kArticleCols + " FROM articles a WHERE fetched_at >= $1";
  if (!q.topic.empty())
    sql += " AND EXISTS (SELECT 1 FROM matches m WHERE m.article_id = a.id AND m.topic = $2)";
  else if (q.matched_only)
    sql += " AND EXISTS (SELECT 1 FROM matches m WHERE m.article_id = a.id) AND $2 = ''";
  else
    sql += " AND $2 = ''";
  sql += " AND ($3 = '' OR tokens @@ $3::tsquery) ORDER BY a.id DESC LIMIT $4";
  auto r = c_->exec("list articles", sql, q.since, q.topic.empty() ? std::string() : q.topic, tsq,
                    q.limit);
  if (!r) return fail<std::vector<ArticleWithMatches>>(r);
  std::vector<ArticleWithMatches> out;
  std::vector<std::string> ids;
  for (int i = 0; i < r->size(); ++i) {
    ArticleWithMatches a;
    a.article = read_article(r.value(), i);
    ids.push_back(std::to_string(a.article.id));
    out.push_back(std::move(a));
  }
  if (out.empty()) return out;
  auto m = c_->exec("list matches",
                    "SELECT article_id, topic, snippet, created, forms FROM matches "
                    "WHERE article_id = ANY($1::bigint[]) ORDER BY article_id, topic",
                    pg::text_array(ids));
  if (!m) return fail<std::vector<ArticleWithMatches>>(m);
  for (auto& a : out)
    for (int i = 0; i < m->size(); ++i)
      if (m->i64(i, 0) == a.article.id)
        a.matches.push_back({m->text(i, 1), m->text(i, 2), m->i64(i, 3), m->text(i, 4)});
  return out;
}

Result<std::vector<Delivery>> PgStore::delivered_since(Millis since, int limit) {
  auto r = c_->exec("list deliveries",
                    "SELECT id, webhook, topic, created, delivered_at FROM outbox WHERE status = "
                    "'delivered' AND delivered_at >= $1 ORDER BY delivered_at, id LIMIT $2",
                    since, limit);
  if (!r) return fail<std::vector<Delivery>>(r);
  std::vector<Delivery> out;
  for (int i = 0; i < r->size(); ++i)
    out.push_back({r->i64(i, 0), r->text(i, 1), r->text(i, 2), r->i64(i, 3), r->i64(i, 4)});
  return out;
}

Result<std::vector<std::pair<std::string, int>>> PgStore::match_counts(Millis since) {
  auto r = c_->exec(
      "count matches",
      "SELECT topic, COUNT(*) FROM matches WHERE created >= $1 GROUP BY topic ORDER BY topic",
      since);
  if (!r) return fail<std::vector<std::pair<std::string, int>>>(r);
  std::vector<std::pair<std::string, int>> out;
  for (int i = 0; i < r->size(); ++i) out.emplace_back(r->text(i, 0), r->i32(i, 1));
  return out;
}

Result<std::vector<EndpointQueue>> PgStore::endpoint_queues() {
  auto r = c_->exec("list endpoint queues",
                    "SELECT webhook, COUNT(*) FILTER (WHERE status = 'pending'), "
                    "COUNT(*) FILTER (WHERE status = 'failed'), "
                    "MIN(created) FILTER (WHERE status = 'pending') FROM outbox "
                    "WHERE status IN ('pending', 'failed') GROUP BY webhook ORDER BY webhook");
  if (!r) return fail<std::vector<EndpointQueue>>(r);
  std::vector<EndpointQueue> out;
  for (int i = 0; i < r->size(); ++i) {
    EndpointQueue q;
    q.webhook = r->text(i, 0);
    q.pending = r->i32(i, 1);
    q.failed = r->i32(i, 2);
    q.oldest_pending = r->i64(i, 3);
    out.push_back(std::move(q));
  }
  for (auto& q : out) {
    auto head = c_->exec("read queue head",
                         "SELECT id, topic, webhook_id, attempts, next_attempt, created, "
                         "last_error, hold FROM outbox WHERE webhook = $1 AND status = 'pending' "
                         "ORDER BY id LIMIT 1",
                         q.webhook);
    if (!head) return fail<std::vector<EndpointQueue>>(head);
    if (!head->empty()) {
      OutboxRow h;
      h.id = head->i64(0, 0);
      h.webhook = q.webhook;
      h.topic = head->text(0, 1);
      h.webhook_id = head->text(0, 2);
      h.attempts = head->i32(0, 3);
      h.next_attempt = head->i64(0, 4);
      h.created = head->i64(0, 5);
      h.last_error = head->text(0, 6);
      h.hold = hold_from_string(head->text(0, 7));
      h.status = "pending";
      q.head = std::move(h);
    }
    auto failed = c_->exec("read newest failure",
                           "SELECT last_error FROM outbox WHERE webhook = $1 AND "
                           "status = 'failed' ORDER BY id DESC LIMIT 1",
                           q.webhook);
    if (!failed) return fail<std::vector<EndpointQueue>>(failed);
    if (!failed->empty()) q.last_failed_error = failed->text(0, 0);
    auto delivered = c_->exec("read newest delivery",
                              "SELECT delivered_at FROM outbox WHERE webhook = $1 AND "
                              "status = 'delivered' ORDER BY id DESC LIMIT 1",
                              q.webhook);
    if (!delivered) return fail<std::vector<EndpointQueue>>(delivered);
    if (!delivered->empty()) q.last_delivered = delivered->i64(0, 0);
  }
  return out;
}

}  // namespace rasid::storage
