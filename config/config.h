// config/config.h — the TOML file → one immutable, validated Config.
//
// load() either returns a Config in which every reference resolves (topics name existing webhooks,
// names are unique, URLs are http/https, numbers are in range), or an error whose
// message names the place: "FILE:LINE: KEY: reason" (one line per problem, all problems reported).
// Topic queries and XPath rules are compiled by daemon/ (match/ and parse/ own those languages),
// which reports their errors in the same FILE:LINE: KEY form, with the line of the key itself
// (Topic::line, Source::link_selector_line, CleanRules::drop_lines / body_line) and the
// dotted key ("source.clean.drop", "topic.query").
// Unknown keys are errors (a typo must not silently disable a setting). Malformed TOML — including
// the forms on which toml++ 3.3.0 asserts or runs into UB (config/toml_guard.h lists them) — is an
// error, never a crash. Syntax errors read "FILE:LINE: TOML syntax: reason" (toml++ stops at the
// first one). Durations (interval, min_interval, max_interval, webhook timeout) accept integer
// seconds or strings like "90s", "10m", "2h", "1h30m", "1d"; the webhook delivery durations
// (retry_schedule, min_interval, digest) also "250ms".
//
// `[daemon] ca_file` must name a readable PEM file with at least one certificate.
//
// Secrets are never in the file: a webhook names `secret_file = "/path"` or `secret_credential =
// "name"` (read from $CREDENTIALS_DIRECTORY/name, as systemd's LoadCredential= provides).
// The secret value is loaded here and is never printed.
//
// No module reads the Config globally: daemon/ hands each module the parts it needs.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace rasid::config {

struct CleanRules {
  std::vector<std::string> drop;  // XPath expressions whose nodes are removed before extraction
  std::string body;               // XPath of the article body; empty = automatic
  // Where each was written (0 = absent), so that checks made outside config/ (XPath, daemon/)
  // name the line of the key itself: drop_lines[i] is the line of drop[i].
  std::vector<int> drop_lines;
  int body_line = 0;
};

constexpr int kDefaultCeilingFactor = 4;

struct Source {
  std::string name;
  std::string feed;            // feed URL (RSS/Atom/…); exactly one of feed / page is set
  std::string page;            // section page URL (no feed): article links are discovered on it
  std::string link_selector;   // optional XPath for `page` sources
  int link_selector_line = 0;  // where link_selector was written, for messages
  std::chrono::seconds interval{std::chrono::minutes(10)};
  std::chrono::seconds min_interval{std::chrono::minutes(2)};
  // The ceiling of the adaptive interval. Default: kDefaultCeilingFactor × interval, so a quiet
  // source is polled at most 4 times less often than the user asked (daemon/service.h).
  std::chrono::seconds max_interval{std::chrono::minutes(40)};
  bool alert_on_first_poll = false;  // default: the first poll only records what is there
  std::string category;  // folder for OPML export ("أخبار/سياسة": nested by '/'); may be empty
  CleanRules clean;
  int line = 0;  // where it was defined, for messages
};

struct Topic {
  std::string name;
  std::string query;
  std::vector<std::string> webhooks;  // may be empty: matches are stored, nobody is alerted
  int line = 0;                       // the line of `query` (for query-compile errors)
  int webhooks_line = 0;              // the line of `webhooks` (for unknown-webhook errors)
};

enum class WebhookFormat { json, slack, discord, telegram, ntfy };

struct Webhook {
  std::string name;
  std::string url;
  WebhookFormat format = WebhookFormat::json;
  std::string secret;         // "whsec_…" value loaded from file/credential; empty = unsigned
  std::string secret_origin;  // "file:/path" or "credential:name" (for messages; never the value)
  std::string telegram_chat_id;  // for format = telegram
  std::chrono::seconds timeout{std::chrono::seconds(15)};
  // Delivery policy (alert/alert.h Endpoint). Durations here also accept "250ms".
  // retry_schedule: delay before retry 1, 2, … (the last repeats); empty = the default
  // Standard Webhooks-like schedule (5s, 5m, 30m, 2h, 5h, 10h, 14h, 20h, 24h).
  std::vector<std::chrono::milliseconds> retry_schedule;
  int max_attempts = 0;                       // 1..100 tries in all; 0 = the default (11)
  std::chrono::milliseconds min_interval{0};  // rate limit: at least this long between sends
  std::chrono::milliseconds digest{0};        // digest mode: one message per period; 0 = off
  // `story_updates = true`: when later copies (other outlets) join a story this webhook was
  // alerted about, it also gets a "story.updated" event naming the outlets (alert/alert.h).
  // Off by default: a receiver that knows only article.matched sees nothing new.
  bool story_updates = false;
  int line = 0;
};

struct Daemon {
  std::string database = "var/rasid.db";
  std::string user_agent = "rasid/0.1 (+https://github.com/rasid-news/rasid)";
  int concurrency = 16;          // global in-flight fetches
  int per_host_concurrency = 2;  // in-flight fetches per host
  std::chrono::milliseconds per_host_delay{500};
  std::chrono::seconds fetch_timeout{std::chrono::seconds(30)};
  std::chrono::seconds connect_timeout{std::chrono::seconds(10)};
  std::size_t max_body_bytes = 8u << 20;
  std::string proxy;
  // Networks or addresses the SSRF guard lets through ("127.0.0.0/8", "10.1.2.3", "::1"); host
  // names are refused (the guard judges the address connected to, not the name).
  std::vector<std::string> allow_private;
  int allow_private_line = 0;  // where allow_private was written (0 = absent), for messages
  int database_line = 0;       // where database was written (0 = absent), for messages
  // PEM file of CA certificates trusted for HTTPS besides the system store (a private CA);
  // relative to the config file's directory; checked readable and holding a certificate.
  // Empty = the system store only.
  std::string ca_file;
  // Status HTTP endpoint (daemon/status.h); empty = off. Port 0 = any free port (logged).
  std::string status_listen = "127.0.0.1:8079";
  // Bearer token for the status endpoint (every path but /healthz), loaded from
  // `status_token_file = "/path"` or `status_token_credential = "name"`; empty = no token.
  std::string status_token;
  std::string status_token_origin;  // "file:/path" or "credential:name" (never the value)
  std::string log_level = "info";
  // Lets source intervals go below the polite floor (interval ≥ 30s, min_interval ≥ 10s) down
  // to 1s: for feeds you run yourself and for tests. Off by default.
  bool fast_polling = false;
  // Retention (`keep = "180d"`): articles fetched longer ago are pruned once a day with their
  // search rows, matches and delivered alerts (storage::Store::prune_articles); 0 = keep
  // everything (the default). At least 1 day.
  std::chrono::seconds keep{0};
  // Several `rasid run` on one PostgreSQL database (issue 15): how long a source's poll lease
  // lasts (storage/store.h Store::lease_source) — a poll is recorded well within it, and the
  // sources of an instance that died (SIGKILL, power) are polled by the others within it.
  // `lease = "2m"`, 1 s to 1 h.
  std::chrono::seconds lease{std::chrono::minutes(2)};
};

struct Config {
  std::string path;  // the file it came from
  Daemon daemon;
  std::vector<Source> sources;
  std::vector<Topic> topics;
  std::vector<Webhook> webhooks;

  const Webhook* webhook(std::string_view name) const;
  const Source* source(std::string_view name) const;
};

// A fingerprint of what instances sharing one database must agree on (issue 15): the sources,
// topics and webhooks as configured (names, URLs, intervals, rules, queries, routes, delivery
// policy; a webhook's secret by where it comes from, never its value), each list taken in name
// order so that reordering a file changes nothing. 16 hex digits of FNV-1a 64: a detector of
// differing configurations, not a cryptographic digest. [daemon] settings are not part of it
// (each instance has its own status port).
std::string fingerprint(const Config& config);

// What a file holds as far as it could be read, with every problem found: entries with errors
// keep their defaults or are left out. `parsed` is false when the file could not be read or is
// not TOML (then `config` is empty and `errors` has the one reason). daemon/ adds its own checks
// (queries, XPath, fetch options) to `errors` so that one pass reports every problem.
struct Loaded {
  Config config;
  std::vector<std::string> errors;  // "FILE:LINE: KEY: reason", in the order found
  bool parsed = false;
};
Loaded load_all(const std::string& path);
Loaded parse_all(std::string_view toml_text, const std::string& path);

// Reads and validates a config file. Relative paths inside (database, secret_file) are resolved
// against the config file's directory... except `database`, which is relative to the working
// directory so that `make run` keeps its state under ./var/.
Result<Config> load(const std::string& path);
// Same, from text (for tests and fuzzing); `path` is used in messages and for relative paths.
Result<Config> parse(std::string_view toml_text, const std::string& path);

}  // namespace rasid::config
