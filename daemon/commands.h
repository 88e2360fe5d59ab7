// daemon/commands.h — CLI commands that find and move sources (daemon/cmd_sources.cpp), and
// search over history / topic back-testing (daemon/cmd_search.cpp, below):
//   rasid discover URL [--config F]        feeds a site offers, verified by parsing them
//   rasid import-opml FILE [--config OUT]  OPML subscriptions → [[source]] TOML blocks
//   rasid export-opml --config F           the configured feed sources → OPML 2.0 (categories)
//
// The cmd_* functions print to stdout/stderr and return the process exit code (0 = success,
// 1 = failure, with the reason on stderr). The functions below them do the work without printing,
// for tests. Called from the main thread only; discover blocks while it fetches.
#pragma once

#include <string>
#include <vector>

#include "common/result.h"
#include "fetch/fetcher.h"
#include "match/matcher.h"
#include "parse/parser.h"
#include "storage/store.h"

namespace rasid::daemon {

struct DiscoveredFeed {
  std::string url;    // where it was fetched (after redirects)
  std::string title;  // the feed's own title
  std::string format;
  int entries = 0;
  std::string via;  // "given" (the URL is a feed), "link" (<link rel=alternate>), "path" (guessed)
};

struct Discovery {
  std::string url;                    // the page after redirects
  std::vector<DiscoveredFeed> feeds;  // verified, no two with the same content; page order first
  int article_links = 0;              // article links on the page (for a page-source suggestion)
  int tried = 0;                      // candidate addresses fetched
};

// Fetches `url`; when it is a feed, that is the answer. Otherwise candidates are the page's
// <link rel="alternate"> feeds, then /feed, /rss, /feed.xml, /rss.xml, /atom.xml, /index.xml,
// /?feed=rss2 at the site root and <page>/feed (WordPress category feeds); each is fetched and
// kept only if it parses as a feed. The common paths are tried even when the page answers with
// an HTTP error (a 404 home page). Error when the server cannot be reached, or when the page
// answered with an HTTP error and no candidate is a feed.
Result<Discovery> discover(const std::string& url, const fetch::Options& options);

// [[source]] blocks for OPML feeds. Feeds whose canonical URL is in `known_feeds` are skipped;
// names (the outline title, else the feed's host) are made unique against `taken` (" 2", " 3"…),
// and the names used are added to it.
std::string sources_toml(const std::vector<parse::OpmlFeed>& feeds,
                         const std::vector<std::string>& known_feeds,
                         std::vector<std::string>& taken, int* written = nullptr);
// A TOML basic string, quoted and escaped.
std::string toml_string(const std::string& s);

int cmd_discover(const std::string& url, const std::string& config_path);
// Prints the blocks; with `out_config`, appends them to that file (created when missing) and
// checks that the result still loads.
int cmd_import_opml(const std::string& opml_file, const std::string& out_config);
int cmd_export_opml(const std::string& config_path);

// ---- Search over history and back-testing (daemon/cmd_search.cpp) ----------------------------
//   rasid search "QUERY" [--since 7d] [--limit N] [--json]   stored articles, newest first
//   rasid topics test (NAME | --query Q) [--since 30d] [--limit N] [--json]
// Both use the topic language exactly: the query's required words become an FTS5 prefilter
// (storage's "rasid" tokenizer indexes the same clitic forms the matcher compares), and every
// candidate is confirmed with Query::matches, so results are what a topic would have matched.

// The FTS5 query of Query::required() ("" when nothing can be required: scan every article).
// Words are quoted, so it is never malformed.
std::string fts_prefilter(const match::Query& query);

struct SearchHit {
  storage::Article article;
  std::string title;    // the title with matched words marked «…»
  std::string snippet;  // the body around the first matches, marked «…»
};

struct SearchOutcome {
  std::string fts;              // the prefilter used
  int candidates = 0;           // articles the prefilter returned and the query evaluated
  int matched = 0;              // of those, matched by the query
  std::vector<SearchHit> hits;  // newest first, at most max_hits
  // With count_all (`topics test`): the text each term matched over every matched article, with
  // how often — each term's forms together (terms in query order of first match), most frequent
  // first: "مال: المال 120, ماله 8, كمال 30" shows over-matching before a topic goes live.
  std::vector<match::MatchedForm> forms;
};

// `s` cut after `max_graphemes` user-perceived characters (ICU grapheme clusters) at its logical
// end — in an Arabic title, the left-hand side on screen — with "…" added and a «hit» marker
// opened before the cut closed; always valid UTF-8. Unchanged when it is not longer.
std::string cut_graphemes(const std::string& s, std::size_t max_graphemes);

// Articles fetched at or after `since` that the query matches, newest first by their published
// date (the fetch time when there is none, or when it lies in the future of the fetch). With
// count_all every candidate is evaluated and `matched` counts every match (back-testing); else
// the scan stops once no older-fetched article can be among the max_hits newest.
Result<SearchOutcome> search_history(storage::Store& store, const match::Query& query,
                                     storage::Millis since, int max_hits, bool count_all);

// `rasid articles`: every recent article (as /api/articles lists them); `matched_only` (--matched)
// keeps those some topic matched, `topic` those that topic matched (daemon/status_cli.cpp).
int cmd_articles(const std::string& config_path, const std::string& topic, const std::string& since,
                 const std::string& words, int limit, bool matched_only, bool json);

int cmd_search(const std::string& config_path, const std::string& query, const std::string& since,
               int limit, bool json);
// `topic` names a configured topic; else `query` is tested.
int cmd_topics_test(const std::string& config_path, const std::string& topic,
                    const std::string& query, const std::string& since, int limit, bool json);

}  // namespace rasid::daemon
