// storage/pg_schema.h — internal: the PostgreSQL schema of the storage contract (issue 15), as
// ordered migrations, and the helpers that write its search column.
//
// The tables mirror SQLite's (storage/store.cpp, schema 9): the same columns, unique keys
// (articles by canonical and by (source, entry_key); matches by (article, topic); outbox by
// webhook_id) and indexes, with PostgreSQL types (BIGINT for the millisecond timestamps and ids,
// BOOLEAN for flags, BYTEA for template bytes). Names that are sorted or compared as keys use
// COLLATE "C", so ORDER BY gives SQLite's byte order whatever the database's locale. Instead of
// FTS5, articles.tokens is a tsvector of rasid's own index terms (storage/index_terms.h) with a
// GIN index: a prefilter that the caller confirms with the topic language.
// Added for several instances on one database (issue 15): poll leases on sources (lease_owner,
// lease_until) and the instances table (id, host, pid, started, heartbeat, config fingerprint,
// sources leased).
//
// migrate(): the schema version is the number of migrations applied, kept in the one-row table
// rasid_schema. Each missing migration is applied in its own transaction holding a transaction
// advisory lock (pg_advisory_xact_lock), and the version is re-read under the lock, so instances
// starting together apply each migration once and the others wait, then see it done. A database
// written by a newer rasid (version above latest_version()) is refused.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "storage/pg.h"

namespace rasid::storage::pg {

int latest_version();

// The advisory lock key that serializes migrations (the bytes of "rasid").
inline constexpr std::int64_t kSchemaLockKey = 0x7261736964;

// The advisory lock key that serializes record_poll and add_article across instances (the
// bytes of "rasid-w"): what Store::record_poll's `prepare` decides (story ids, alerts) sees every
// article committed before it.
inline constexpr std::int64_t kWriterLockKey = 0x72617369642d77;

// Applies the missing migrations; returns the schema version (= latest_version()).
Result<int> migrate(Connection& c);

// The schema version recorded in the database (0: none yet).
Result<int> schema_version(Connection& c);

// A text[] literal ('{"a","b"}') of the distinct index terms of an article's title and body,
// for `array_to_tsvector($n::text[])`: the lexemes are rasid's terms as they are, with no
// parser or dictionary of PostgreSQL in between (so no dependence on the database's locale).
std::string article_lexemes(std::string_view title, std::string_view body);

// A tsquery ('w1' & 'w2') requiring every word of `text` as the analyzer normalizes query words
// (the prefilter for search); "" when the text has no words.
std::string all_words_tsquery(std::string_view text);

// The tsquery prefilter for an FTS5 query as rasid writes them (daemon/cmd_search.cpp,
// daemon/status.cpp): "strings" ("" escapes a quote) and barewords, `*` prefix, `col :` filters,
// AND / OR / NOT, implicit AND, parentheses. Each string's words are the analyzer's query words,
// joined with & (a phrase becomes "all its words": PostgreSQL's lexemes carry no positions), a
// column filter is dropped, and a string with no word is dropped (true) — so the answer is a
// superset of FTS5's, which the callers confirm with the topic language (issue 15). "" = no
// filter. NEAR and unbalanced syntax are errors, as in FTS5.
Result<std::string> tsquery_from_fts5(std::string_view fts5);

// A text[] literal of the given strings (each quoted, '"' and '\' escaped).
std::string text_array(const std::vector<std::string>& items);

}  // namespace rasid::storage::pg
