// daemon/commands.h — CLI commands that find and move sources (daemon/cmd_sources.cpp):
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
#include "parse/parser.h"

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
// <link rel="alternate"> feeds, then /feed, /rss, /rss.xml, /feed.xml, /?feed=rss2 at the site
// root and <page>/feed (WordPress category feeds); each is fetched and kept only if it parses as
// a feed. Error only when the URL itself cannot be fetched.
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

}  // namespace rasid::daemon
