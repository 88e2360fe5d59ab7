#include "daemon/cli.h"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "alert/alert.h"
#include "clean/extractor.h"
#include "clean/template.h"
#include "common/log.h"
#include "daemon/commands.h"
#include "daemon/runtime.h"
#include "daemon/service.h"
#include "daemon/status.h"
#include "fetch/fetcher.h"
#include "storage/migrate.h"
#include "storage/store.h"
#include "url/url.h"

namespace rasid::daemon {

namespace {

// "host H port N" of a URL (url::host, default port filled in), or "" when unparsable.
std::string host_port(const std::string& link) {
  int port = url::port(link);
  if (port <= 0) return "";
  return "host " + url::host(link) + " port " + std::to_string(port);
}

bool read_file(const std::string& path, std::string& out, std::string& error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = "cannot open file";
    return false;
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) {
    error = "read error";
    return false;
  }
  out = ss.str();
  return true;
}

int cmd_check(const std::string& config_path) {
  auto rt = load_runtime(config_path);
  if (!rt) {
    std::fprintf(stderr, "%s\n", rt.error().c_str());
    return 1;
  }
  const auto& c = rt.value()->config;
  if (std::string w = lexicon_warning(); !w.empty())
    std::fprintf(stderr, "warning: %s\n", w.c_str());
  std::printf("%s: OK (%zu sources, %zu topics, %zu webhooks)\n", config_path.c_str(),
              c.sources.size(), c.topics.size(), c.webhooks.size());
  return 0;
}

// `rasid clean`: with a configuration, URLs are fetched with its settings (allow_private, proxy,
// user agent) and `source` names the [[source]] whose [source.clean] rules apply. With
// `same_site`, the inputs are pages of one site: a site template (clean/template.h) is learned
// from all of them first, then each is cleaned with it.
int cmd_clean(const std::vector<std::string>& inputs, const std::string& url, bool json,
              const std::string& config_path, const std::string& source, bool same_site) {
  fetch::Options options;
  clean::Rules rules;
  if (!config_path.empty()) {
    auto rt = load_runtime(config_path);
    if (!rt) {
      std::fprintf(stderr, "%s\n", rt.error().c_str());
      return 1;
    }
    options = fetch_options(rt.value()->config.daemon);
    if (!source.empty()) {
      const config::Source* s = rt.value()->source(source);
      if (!s) {
        std::fprintf(stderr, "no source named \"%s\" in %s\n", source.c_str(), config_path.c_str());
        return 1;
      }
      rules = clean_rules(*s);
    }
  } else if (!source.empty()) {
    std::fprintf(stderr,
                 "clean: --source needs a configuration (--config FILE or $RASID_CONFIG)\n");
    return 2;
  }
  // Reads or fetches one input's bytes (false with the reason in `why`).
  auto load = [&](const std::string& in, std::string& bytes, std::string& page_url,
                  std::string& content_type, std::string& why) {
    if (in.rfind("http://", 0) == 0 || in.rfind("https://", 0) == 0) {
      fetch::Request req;
      req.url = in;
      auto rs = fetch::fetch_all({req}, options);
      auto& r = rs.at(0);
      if (!r.ok()) {
        why = r.error == fetch::Error::http_status
                  ? "HTTP " + std::to_string(r.status)
                  : fetch::to_string(r.error) + std::string(": ") + r.error_message;
        if (r.error == fetch::Error::blocked_address && config_path.empty())
          why += " (and give that file with --config)";
        return false;
      }
      bytes = std::move(r.body);
      page_url = r.final_url;
      content_type = r.content_type;
      return true;
    }
    page_url = url;
    content_type.clear();
    return read_file(in, bytes, why);
  };
  std::vector<Result<clean::Article>> arts;
  if (same_site) {
    // Two passes: learn from every page, then clean each with what was learned.
    std::vector<Result<clean::Observed>> observed;
    clean::SiteTemplate tmpl;
    for (const auto& in : inputs) {
      std::string bytes, page_url, content_type, why;
      if (!load(in, bytes, page_url, content_type, why)) {
        observed.push_back(Error{why});
        continue;
      }
      observed.push_back(clean::extract_observed(bytes, page_url, content_type, rules));
      if (observed.back()) tmpl.learn(observed.back()->sample);
    }
    const bool debug = std::getenv("RASID_CLEAN_DEBUG") != nullptr;
    for (std::size_t i = 0; i < observed.size(); ++i) {
      auto& o = observed[i];
      if (!o) {
        arts.push_back(Error{o.error()});
        continue;
      }
      std::vector<std::string> removed;
      o->article.paragraphs = tmpl.apply(o->sample, std::move(o->article.paragraphs), &removed);
      if (debug)
        for (const auto& r : removed)
          std::fprintf(stderr, "%s: template removed: %s\n", inputs[i].c_str(), r.c_str());
      arts.push_back(std::move(o->article));
    }
  } else {
    for (const auto& in : inputs) {
      std::string bytes, page_url, content_type, why;
      if (!load(in, bytes, page_url, content_type, why))
        arts.push_back(Error{why});
      else
        arts.push_back(clean::extract_bytes(bytes, page_url, content_type, rules));
    }
  }
  int rc = 0;
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    const auto& in = inputs[i];
    const auto& art = arts[i];
    if (json) {
      std::fputs(clean::to_json_line(in, art).c_str(), stdout);
      std::fputc('\n', stdout);
      continue;
    }
    if (!art) {
      std::fprintf(stderr, "%s: %s\n", in.c_str(), art.error().c_str());
      rc = 1;
      continue;
    }
    if (art->kind != clean::PageKind::article) {
      std::fprintf(stderr, "%s: not an article (%s)\n", in.c_str(),
                   std::string(clean::to_string(art->kind)).c_str());
      rc = 1;
      continue;
    }
    if (inputs.size() > 1) std::printf("==> %s <==\n", in.c_str());
    std::printf("%s\n\n", art->title.c_str());
    for (const auto& p : art->paragraphs) std::printf("%s\n", p.c_str());
    if (inputs.size() > 1) std::printf("\n");
  }
  return rc;
}

Result<std::unique_ptr<storage::Store>> open_store(const std::string& config_path,
                                                   std::shared_ptr<const Runtime>* rt_out) {
  auto rt = load_runtime(config_path);
  if (!rt) return Error{rt.error()};
  auto store = storage::Store::open(rt.value()->config.daemon.database);
  if (!store) return Error{"database: " + store.error()};
  if (rt_out) *rt_out = rt.value();
  return store;
}

int cmd_sources(const std::string& config_path, bool json) {
  std::shared_ptr<const Runtime> rt;
  auto store = open_store(config_path, &rt);
  if (!store) {
    std::fprintf(stderr, "%s\n", store.error().c_str());
    return 1;
  }
  // The same JSON as /api/sources (daemon/status.h).
  const nlohmann::json arr = sources_json(*store.value(), *rt);
  if (json) {
    std::printf("%s\n", arr.dump(2).c_str());
    return 0;
  }
  std::printf("%-24s %-8s %-20s %-20s %-10s %-8s %s\n", "SOURCE", "STATUS", "LAST SUCCESS",
              "NEXT CHECK", "INTERVAL", "TEMPLATE", "LAST ERROR / WHY THE INTERVAL DIFFERS");
  for (const auto& s : arr) {
    const long long conf = s["interval_s"].get<long long>();
    const long long now = s["interval_in_force_s"].get<long long>();
    std::string interval = std::to_string(now) + "s";
    if (now != conf) interval += " (" + std::to_string(conf) + "s)";
    std::string note = s["last_error"].get<std::string>();
    if (s["consecutive_errors"].get<int>() > 0)
      note += " (" + std::to_string(s["consecutive_errors"].get<int>()) + " in a row)";
    const std::string why = s["interval_reason"].get<std::string>();
    if (!why.empty()) note += (note.empty() ? "" : "; ") + ("interval: " + why);
    // Pages the site template is learned from.
    const std::string learned = std::to_string(s["template_pages"].get<int>()) + "p";
    std::printf("%-24s %-8s %-20s %-20s %-10s %-8s %s\n", s["name"].get<std::string>().c_str(),
                s["status"].get<std::string>().c_str(),
                s["last_success"].get<std::string>().c_str(),
                s["next_check"].get<std::string>().c_str(), interval.c_str(), learned.c_str(),
                note.c_str());
  }
  return 0;
}

// rasid backup FILE: the configured database, copied consistently while the daemon runs
// (storage::Store::backup; PostgreSQL: refused, naming pg_dump). The copy is then opened as a
// rasid database, so what is reported is what a restore would get.
int cmd_backup(const std::string& config_path, const std::string& file) {
  auto store = open_store(config_path, nullptr);
  if (!store) {
    std::fprintf(stderr, "%s\n", store.error().c_str());
    return 1;
  }
  if (auto s = store.value()->backup(file); !s) {
    std::fprintf(stderr, "%s\n", s.error().c_str());
    return 1;
  }
  auto copy = storage::Store::open(file);
  if (!copy) {
    std::fprintf(stderr, "backup %s: the copy does not open: %s\n", file.c_str(),
                 copy.error().c_str());
    return 1;
  }
  std::error_code ec;
  const auto bytes = std::filesystem::file_size(file, ec);
  std::printf("backup: %s (%llu bytes, schema %d)\n", file.c_str(),
              static_cast<unsigned long long>(ec ? 0 : bytes), copy.value()->schema_version());
  return 0;
}

// rasid migrate --to URI: the configured SQLite database copied into PostgreSQL
// (storage/migrate.h), with the rows counted per table on both sides.
int cmd_migrate(const std::string& config_path, const std::string& to) {
  auto rt = load_runtime(config_path);
  if (!rt) {
    std::fprintf(stderr, "%s\n", rt.error().c_str());
    return 1;
  }
  const std::string& from = rt.value()->config.daemon.database;
  if (storage::is_server_uri(from)) {
    std::fprintf(stderr,
                 "rasid migrate: the configured database is already PostgreSQL; migrate copies a "
                 "SQLite install (its [daemon] database path) into PostgreSQL\n");
    return 1;
  }
  auto r = storage::migrate_to_postgresql(from, to);
  if (!r) {
    std::fprintf(stderr, "rasid migrate: %s\n", r.error().c_str());
    return 1;
  }
  std::printf("%-16s %10s %10s %10s %10s\n", "TABLE", "SQLITE", "COPIED", "PRESENT", "TARGET");
  for (const auto& t : r->tables)
    std::printf("%-16s %10lld %10lld %10lld %10lld\n", t.table.c_str(),
                static_cast<long long>(t.source_rows), static_cast<long long>(t.copied),
                static_cast<long long>(t.present), static_cast<long long>(t.target_rows));
  std::printf(
      "verified: every row of %s is in the target (%.2f s). Next: set [daemon] database = "
      "\"%s\" and start rasid run.\n",
      from.c_str(), r->seconds, r->target.c_str());
  return 0;
}

int cmd_alerts(const std::string& config_path, bool json) {
  auto store = open_store(config_path, nullptr);
  if (!store) {
    std::fprintf(stderr, "%s\n", store.error().c_str());
    return 1;
  }
  auto counts = store.value()->outbox_counts();
  if (!counts) {
    std::fprintf(stderr, "%s\n", counts.error().c_str());
    return 1;
  }
  nlohmann::json arr = nlohmann::json::array();
  for (const auto& c : counts.value())
    arr.push_back({{"endpoint", c.webhook},
                   {"pending", c.pending},
                   {"delivered", c.delivered},
                   {"failed", c.failed},
                   {"last_error", alert::readable_note(c.last_error)}});
  if (json) {
    std::printf("%s\n", arr.dump(2).c_str());
    return 0;
  }
  std::printf("%-20s %8s %10s %7s  %s\n", "ENDPOINT", "PENDING", "DELIVERED", "FAILED",
              "LAST ERROR");
  for (const auto& c : counts.value())
    std::printf("%-20s %8d %10d %7d  %s\n", c.webhook.c_str(), c.pending, c.delivered, c.failed,
                alert::readable_note(c.last_error).c_str());
  return 0;
}

int cmd_alerts_retry(const std::string& config_path, const std::string& endpoint) {
  auto store = open_store(config_path, nullptr);
  if (!store) {
    std::fprintf(stderr, "%s\n", store.error().c_str());
    return 1;
  }
  auto n = store.value()->retry_failed(endpoint);
  if (!n) {
    std::fprintf(stderr, "%s\n", n.error().c_str());
    return 1;
  }
  std::printf("%d alerts queued again\n", n.value());
  return 0;
}

int cmd_alerts_test(const std::string& config_path, const std::string& name) {
  auto rt = load_runtime(config_path);
  if (!rt) {
    std::fprintf(stderr, "%s\n", rt.error().c_str());
    return 1;
  }
  const alert::Endpoint* ep = nullptr;
  for (const auto& e : rt.value()->endpoints)
    if (e.name == name) ep = &e;
  if (!ep) {
    std::fprintf(stderr, "no webhook named \"%s\" in %s\n", name.c_str(), config_path.c_str());
    return 1;
  }
  fetch::Options o = fetch_options(rt.value()->config.daemon);
  fetch::Request req = alert::render_test(*ep, storage::now_ms() / 1000);
  std::string id;
  for (const auto& [k, v] : req.headers)
    if (k == "webhook-id") id = v;
  auto rs = fetch::fetch_all({std::move(req)}, o);
  const auto& r = rs.at(0);
  if (r.ok()) {
    std::printf("%s: delivered (HTTP %ld, id %s)\n", name.c_str(), r.status, id.c_str());
    return 0;
  }
  // What the daemon's log says too: where it went and why it failed. Host and port only: a
  // webhook URL's path often carries a token (Slack, Discord).
  std::string why = r.error == fetch::Error::http_status ? "HTTP " + std::to_string(r.status)
                                                         : std::string(fetch::to_string(r.error));
  if (!r.error_message.empty() && r.error != fetch::Error::http_status)
    why += ": " + r.error_message;
  std::fprintf(stderr, "%s: failed: %s: %s\n", name.c_str(), host_port(ep->url).c_str(),
               why.c_str());
  return 1;
}

constexpr int kExitUsage = 2;
constexpr const char* kDefaultConfig = "/etc/rasid/rasid.toml";

// --config, else $RASID_CONFIG, else /etc/rasid/rasid.toml when it exists; "" when none.
std::string resolve_config(const std::string& given) {
  if (!given.empty()) return given;
  if (const char* env = std::getenv("RASID_CONFIG"); env && *env) return env;
  std::error_code ec;
  if (std::filesystem::exists(kDefaultConfig, ec)) return kDefaultConfig;
  return "";
}

std::string command_list(const CLI::App& app) {
  std::string out;
  for (const CLI::App* c : app.get_subcommands([](const CLI::App*) { return true; }))
    out += (out.empty() ? "" : ", ") + c->get_name();
  return out;
}

// A word where a command is expected that names none: CLI11 would say "A subcommand is
// required" or "arguments were not expected"; say what it is and list the commands instead.
bool unknown_command(const CLI::App& app, const std::string& word, const std::string& prefix) {
  if (word.empty() || word[0] == '-') return false;
  for (const CLI::App* c : app.get_subcommands([](const CLI::App*) { return true; }))
    if (c->check_name(word)) return false;
  std::fprintf(stderr, "%s: unknown command \"%s\"; the commands are: %s (see %s --help)\n",
               prefix.c_str(), word.c_str(), command_list(app).c_str(), prefix.c_str());
  return true;
}

int main_unguarded(int argc, char** argv) {
  CLI::App app{
      "rasid — watches Arabic news sites and alerts on your topics\n"
      "The configuration is --config FILE, else $RASID_CONFIG, else /etc/rasid/rasid.toml."};
  app.require_subcommand(1);
  std::string config_opt;
  // Every command (and sub-subcommand) takes --config, before or after its own subcommand.
  auto add_config = [&](CLI::App* c, const char* what = "configuration file") {
    c->add_option("-c,--config", config_opt, what);
  };
  add_config(&app);  // rasid --config F COMMAND …

  // The command table: each command is declared once, with how it takes a configuration and
  // what it runs, next to its options. Options are bound to the variables below, which the
  // handlers read after parsing.
  enum class Config { required, optional, none };
  struct Command {
    CLI::App* app;
    Config config;
    std::function<int(const std::string&)> run;  // null for a group ("topics")
  };
  std::vector<Command> commands;
  auto command = [&](CLI::App* parent, const char* name, const char* what, Config config,
                     std::function<int(const std::string&)> run) {
    CLI::App* c = parent->add_subcommand(name, what);
    commands.push_back({c, config, std::move(run)});
    return c;
  };

  std::vector<std::string> inputs;
  std::string url, clean_source, art_topic, art_since, art_query, search_query, search_since,
      tt_topic, endpoint, test_name, src_url, src_file, import_out;
  bool json = false;
  bool art_matched = false;
  int art_limit = 20;
  int search_limit = 20;

  add_config(command(&app, "run", "run the daemon", Config::required, [](const std::string& c) {
    return run_service({c, false});
  }));
  add_config(command(&app, "once",
                     "poll every source once, deliver alerts, exit (3 when every source failed)",
                     Config::required, [](const std::string& c) {
                       return run_service({c, true});
                     }));
  add_config(command(&app, "check", "validate the configuration (every problem at once)",
                     Config::required, [](const std::string& c) { return cmd_check(c); }));

  bool same_site = false;
  auto* clean = command(&app, "clean", "extract the article from saved pages or URLs",
                        Config::optional, [&](const std::string& c) {
                          return cmd_clean(inputs, url, json, c, clean_source, same_site);
                        });
  clean->add_option("inputs", inputs, "HTML files or http(s) URLs")->required();
  clean->add_option("--url", url, "the address the file was saved from");
  clean->add_flag("--json", json, "one JSON object per input per line");
  add_config(clean,
             "fetch with this file's settings (allow_private for local/private addresses, proxy)");
  clean->add_option("--source", clean_source, "apply this source's [source.clean] rules");
  clean->add_flag("--same-site", same_site,
                  "the inputs are pages of one site: learn its template from all, then clean each");

  auto* sources = command(&app, "sources", "state of every source", Config::required,
                          [&](const std::string& c) { return cmd_sources(c, json); });
  add_config(sources);
  sources->add_flag("--json", json, "JSON output");

  auto* articles = command(&app, "articles", "recent articles, with their matches",
                           Config::required, [&](const std::string& c) {
                             return cmd_articles(c, art_topic, art_since, art_query, art_limit,
                                                 art_matched, json);
                           });
  add_config(articles);
  articles->add_option("--topic", art_topic, "only articles this topic matched");
  articles->add_flag("--matched", art_matched, "only articles some topic matched");
  articles->add_option("--since", art_since, "24h, 7d, 2024-05-01 … (default 7d)");
  articles->add_option("-q,--query", art_query, "words that must all appear");
  articles->add_option("-n,--limit", art_limit, "at most this many")->check(CLI::Range(1, 500));
  articles->add_flag("--json", json, "JSON output");

  auto* search = command(&app, "search", "stored articles a query matches (topic language)",
                         Config::required, [&](const std::string& c) {
                           return cmd_search(c, search_query, search_since, search_limit, json);
                         });
  add_config(search);
  search->add_option("query", search_query, "a query in the topic language")->required();
  search->add_option("--since", search_since, "24h, 7d, 2024-05-01 … (default: all history)");
  search->add_option("-n,--limit", search_limit, "at most this many")->check(CLI::Range(1, 1000));
  search->add_flag("--json", json, "JSON output");
  auto* topics = command(&app, "topics", "topic tools", Config::required, nullptr);
  topics->require_subcommand(1);
  add_config(topics);
  auto* topics_test =
      command(topics, "test", "what a topic would have matched", Config::required,
              [&](const std::string& c) {
                return cmd_topics_test(c, tt_topic, search_query, search_since, search_limit, json);
              });
  add_config(topics_test);
  topics_test->add_option("name", tt_topic, "a configured topic");
  topics_test->add_option("-q,--query", search_query, "a query instead of a topic");
  topics_test->add_option("--since", search_since, "24h, 30d, 2024-05-01 … (default 30d)");
  topics_test->add_option("-n,--limit", search_limit, "samples shown")->check(CLI::Range(0, 1000));
  topics_test->add_flag("--json", json, "JSON output");

  auto* alerts = command(&app, "alerts", "outbox counts per endpoint", Config::required,
                         [&](const std::string& c) { return cmd_alerts(c, json); });
  add_config(alerts);
  alerts->add_flag("--json", json, "JSON output");
  auto* retry = command(alerts, "retry", "queue failed alerts again", Config::required,
                        [&](const std::string& c) { return cmd_alerts_retry(c, endpoint); });
  add_config(retry);
  retry->add_option("--endpoint", endpoint, "only this webhook");
  auto* test = command(alerts, "test", "send a signed test event to a webhook", Config::required,
                       [&](const std::string& c) { return cmd_alerts_test(c, test_name); });
  add_config(test);
  test->add_option("name", test_name, "webhook name")->required();

  std::string backup_file;
  auto* backup =
      command(&app, "backup", "a consistent copy of the SQLite database, safe while rasid runs",
              Config::required, [&](const std::string& c) { return cmd_backup(c, backup_file); });
  add_config(backup);
  backup->add_option("file", backup_file, "the copy (must not exist)")->required();

  std::string migrate_to;
  auto* migrate =
      command(&app, "migrate", "copy the SQLite install into PostgreSQL", Config::required,
              [&](const std::string& c) { return cmd_migrate(c, migrate_to); });
  add_config(migrate);
  migrate->add_option("--to", migrate_to, "postgresql://… (no password: storage/pg.h)")->required();

  auto* discover = command(&app, "discover", "find the feeds a site offers", Config::optional,
                           [&](const std::string& c) { return cmd_discover(src_url, c); });
  discover->add_option("url", src_url, "a page of the site")->required();
  add_config(discover,
             "fetch with this file's settings: a local or private site needs its address in "
             "[daemon] allow_private");
  auto* import_opml =
      command(&app, "import-opml", "OPML subscriptions → [[source]] blocks", Config::none,
              [&](const std::string&) { return cmd_import_opml(src_file, import_out); });
  import_opml->add_option("file", src_file, "OPML file")->required();
  import_opml->add_option("-c,--config", import_out,
                          "also append them to this file (only when given: never the default)");
  add_config(command(&app, "export-opml", "the feed sources as OPML", Config::required,
                     [](const std::string& c) { return cmd_export_opml(c); }));

  // Options of a parent also work after its subcommand (`rasid alerts retry --json`).
  for (CLI::App* sub : {retry, test, topics_test}) sub->fallthrough();

  if (argc < 2) {
    std::fprintf(stderr, "rasid: a command is required; the commands are: %s (see rasid --help)\n",
                 command_list(app).c_str());
    return kExitUsage;
  }
  if (unknown_command(app, argv[1], "rasid")) return kExitUsage;
  if (argc > 2 && std::string(argv[1]) == "topics" &&
      unknown_command(*topics, argv[2], "rasid topics"))
    return kExitUsage;
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version are not errors; everything else is a usage error: exit 2.
    const int rc = app.exit(e);
    return rc == 0 ? 0 : kExitUsage;
  }

  // The deepest command given: a subcommand is declared after its parent.
  const Command* chosen = nullptr;
  for (const Command& c : commands)
    if (c.run && c.app->parsed()) chosen = &c;
  if (chosen == nullptr) return kExitUsage;
  const std::string config_path = resolve_config(config_opt);
  if (config_path.empty() && chosen->config == Config::required) {
    std::fprintf(stderr,
                 "rasid: no configuration: give --config FILE, set RASID_CONFIG=FILE, or create "
                 "%s\n",
                 kDefaultConfig);
    return kExitUsage;
  }
  return chosen->run(config_path);
}

}  // namespace

int main(int argc, char** argv) {
  // Last resort: every known failure is a reported error with its own exit code; an exception
  // that still gets here is a bug, but it is logged and ends the process, never std::terminate.
  try {
    return main_unguarded(argc, argv);
  } catch (const std::exception& e) {
    log::error(std::string("rasid: internal error: ") + e.what());
  } catch (...) {
    log::error("rasid: internal error: unknown exception");
  }
  return 1;
}

}  // namespace rasid::daemon
