// daemon/status_json.h — the JSON views of the status API (/api/sources, /api/articles,
// /api/topics), shared with the CLI (`rasid sources --json`, `rasid articles --json`), and the
// syntax of their query parameters (`since`, `q`).
//
// Owner: daemon/ (what the API shows of the Store and the configuration). The JSON values come
// from storage/ and config/ as stored; dates are printed through text::format_iso8601 (iso_ms).
//
// Threads: the views read the Store, so they run where the Store is used (the io_context thread
// of the Service, or a CLI process with its own Store). parse_since and fts_query_from_words
// are pure.
//
// Failure kinds: a failed Store read of a whole view is an Error (articles_json) or leaves the
// row or count out (sources_json, topics_json); malformed `since` is nullopt; nothing is thrown.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"
#include "daemon/runtime.h"
#include "storage/store.h"

namespace rasid::daemon {

inline constexpr storage::Millis kDayMs = 24LL * 3600 * 1000;
// A card of the status page and an article of /api/articles list at most this many copies of
// their story.
inline constexpr int kCopiesShown = 20;

// Unix ms → "2024-05-01T10:00:00Z" (whole seconds, UTC); "" for 0 or less (never).
std::string iso_ms(storage::Millis ms);

// "24h", "7d", "30m", "90s", "2024-05-01", "2024-05-01T10:00:00Z", or Unix seconds → Unix ms.
// "" → now - default_window. nullopt when malformed.
std::optional<storage::Millis> parse_since(std::string_view text, storage::Millis now,
                                           storage::Millis default_window);
// One FTS5 string: `text` in double quotes, its quotes doubled (never query syntax).
std::string fts_string(std::string_view text);
// Words typed by a person → an FTS5 query that cannot be malformed (each word a quoted
// string, all required). "" when there is no word.
std::string fts_query_from_words(std::string_view words);

// JSON as text for an answer or the terminal: a stray invalid UTF-8 byte is replaced (U+FFFD),
// never thrown on. indent -1 = one line.
std::string json_text(const nlohmann::json& j, int indent = -1);

// JSON used by both the API and the CLI (`rasid sources --json`, `rasid articles --json`).
nlohmann::json sources_json(storage::Store& store, const Runtime& rt);
Result<nlohmann::json> articles_json(storage::Store& store, const storage::ArticleQuery& query);
// Configured topics with their match counts (last 24 h before `now`, and all stored).
nlohmann::json topics_json(storage::Store& store, const Runtime& rt, storage::Millis now);
// /api/instances (issue 15): the live instances on this database (heartbeat within
// daemon/instance.h kLiveFor of `now`), each with whether its configuration fingerprint
// (config::fingerprint) is this instance's (`self_id`, running `rt`). An Error when the store
// cannot list them.
Result<nlohmann::json> instances_json(storage::Store& store, const Runtime& rt,
                                      const std::string& self_id, storage::Millis now);

}  // namespace rasid::daemon
