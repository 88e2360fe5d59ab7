#include "daemon/runtime.h"

#include <algorithm>
#include <cstdlib>
#include <utility>

#include "fetch/guard.h"
#include "parse/parser.h"
#include "storage/store.h"
#include "text/lexicon.h"

namespace rasid::daemon {

namespace {
alert::Format to_format(config::WebhookFormat f) {
  switch (f) {
    case config::WebhookFormat::json:
      return alert::Format::json;
    case config::WebhookFormat::slack:
      return alert::Format::slack;
    case config::WebhookFormat::discord:
      return alert::Format::discord;
    case config::WebhookFormat::telegram:
      return alert::Format::telegram;
    case config::WebhookFormat::ntfy:
      return alert::Format::ntfy;
  }
  return alert::Format::json;
}
}  // namespace

namespace {
// "FILE:LINE: …" → LINE (0 when absent), to report problems in file order.
long line_of(const std::string& message, const std::string& path) {
  if (message.compare(0, path.size() + 1, path + ":") != 0) return 0;
  return std::strtol(message.c_str() + path.size() + 1, nullptr, 10);
}

// Every check that needs more than config/ knows (the query language, XPath, the fetcher's
// allow_private parser; URLs are checked by config/ through url::request_form), on a Config that
// may be partial. Appends "FILE:LINE: KEY: reason" messages; fills `rt` as far as it gets.
void build(const config::Config& config, Runtime& rt, std::vector<std::string>& errors) {
  auto at = [&](int line) { return config.path + ":" + std::to_string(line) + ": "; };
  // "FILE:LINE: source.clean.drop: invalid XPath "…" (source "s")", the line of the key.
  auto bad_xpath = [&](const config::Source& s, int line, const char* key,
                       const std::string& expr) {
    if (expr.empty() || parse::valid_xpath(expr)) return;
    errors.push_back(at(line > 0 ? line : s.line) + key + ": invalid XPath \"" + expr +
                     "\" (source \"" + s.name + "\")");
  };
  for (const auto& a : config.daemon.allow_private)
    if (!fetch::parse_cidr(a))
      errors.push_back(at(config.daemon.allow_private_line) + "daemon.allow_private: \"" + a +
                       "\": not a CIDR or an IP address");
  // A server URI is checked as `rasid run` will read it (no password in it, a usable passfile),
  // without connecting: what check accepts, run starts.
  if (auto s = storage::check_database(config.daemon.database); !s)
    errors.push_back(at(config.daemon.database_line) + "daemon.database: " + s.error());
  for (const auto& s : config.sources) {
    for (std::size_t i = 0; i < s.clean.drop.size(); ++i)
      bad_xpath(s, i < s.clean.drop_lines.size() ? s.clean.drop_lines[i] : 0, "source.clean.drop",
                s.clean.drop[i]);
    bad_xpath(s, s.clean.body_line, "source.clean.body", s.clean.body);
    bad_xpath(s, s.link_selector_line, "source.link_selector", s.link_selector);
  }
  for (const auto& t : config.topics) {
    if (t.query.empty()) continue;  // config/ has said why
    auto q = match::Query::parse(t.query);
    if (!q) {
      errors.push_back(at(t.line) + "topic.query: " + q.error() + " (topic \"" + t.name + "\")");
      continue;
    }
    rt.matcher.add(static_cast<int>(rt.topics.size()), q.value());
    rt.topics.push_back(CompiledTopic{t.name, std::move(q).value(), t.webhooks});
  }
}

Result<std::shared_ptr<const Runtime>> finish(config::Config config,
                                              std::vector<std::string> errors) {
  auto rt = std::make_shared<Runtime>();
  build(config, *rt, errors);
  if (!errors.empty()) {
    std::stable_sort(errors.begin(), errors.end(), [&](const std::string& a, const std::string& b) {
      return line_of(a, config.path) < line_of(b, config.path);
    });
    std::string joined;
    for (const auto& e : errors) joined += (joined.empty() ? "" : "\n") + e;
    return Error{joined};
  }
  for (const auto& w : config.webhooks) {
    alert::Endpoint e;
    e.name = w.name;
    e.url = w.url;
    e.format = to_format(w.format);
    e.secret = w.secret;
    e.telegram_chat_id = w.telegram_chat_id;
    e.timeout = std::chrono::duration_cast<std::chrono::milliseconds>(w.timeout);
    e.schedule = w.retry_schedule;
    if (w.max_attempts > 0) e.max_attempts = w.max_attempts;
    e.min_interval = w.min_interval;
    e.digest = w.digest;
    rt->endpoints.push_back(std::move(e));
  }
  rt->config = std::move(config);
  return std::shared_ptr<const Runtime>(std::move(rt));
}

}  // namespace

Result<std::shared_ptr<const Runtime>> build_runtime(config::Config config) {
  return finish(std::move(config), {});
}

Result<std::shared_ptr<const Runtime>> load_runtime(const std::string& path) {
  auto loaded = config::load_all(path);
  if (!loaded.parsed)
    return Error{loaded.errors.empty() ? path + ": unreadable" : loaded.errors[0]};
  return finish(std::move(loaded.config), std::move(loaded.errors));
}

fetch::Options fetch_options(const config::Daemon& d) {
  fetch::Options o;
  o.user_agent = d.user_agent;
  o.connect_timeout = std::chrono::duration_cast<std::chrono::milliseconds>(d.connect_timeout);
  o.total_timeout = std::chrono::duration_cast<std::chrono::milliseconds>(d.fetch_timeout);
  o.max_body_bytes = d.max_body_bytes;
  o.proxy = d.proxy;
  o.allow_private = d.allow_private;
  o.ca_file = d.ca_file;
  o.max_total = d.concurrency;
  o.max_per_host = d.per_host_concurrency;
  o.min_host_interval = d.per_host_delay;
  return o;
}

clean::Rules clean_rules(const config::Source& s) {
  clean::Rules r;
  r.drop = s.clean.drop;
  r.body = s.clean.body;
  return r;
}

std::string lexicon_warning() {
  const text::Lexicon& lex = text::default_lexicon();
  if (lex.has_words()) return "";
  const char* env = std::getenv("RASID_LEXICON");
  const std::string where = env ? (*env ? std::string(env) : std::string("RASID_LEXICON=\"\""))
                                : std::string("/usr/share/hunspell/ar.dic");
  return "no Arabic word list (" + where +
         " missing or unreadable): affix rules may join words of their own to shorter terms "
         "(كمال to مال, حماسة to حماس); install Debian's hunspell-ar or set RASID_LEXICON";
}

}  // namespace rasid::daemon
