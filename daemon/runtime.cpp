#include "daemon/runtime.h"

#include <libxml/xpath.h>

#include <utility>

namespace rasid::daemon {

namespace {
alert::Format to_format(config::WebhookFormat f) {
  switch (f) {
    case config::WebhookFormat::json: return alert::Format::json;
    case config::WebhookFormat::slack: return alert::Format::slack;
    case config::WebhookFormat::discord: return alert::Format::discord;
    case config::WebhookFormat::telegram: return alert::Format::telegram;
    case config::WebhookFormat::ntfy: return alert::Format::ntfy;
  }
  return alert::Format::json;
}
}  // namespace

namespace {
void quiet(void*, const char*, ...) {}

bool valid_xpath(const std::string& expr) {
  // libxml2 reports syntax errors through its generic error handler: keep them off stderr.
  xmlGenericErrorFunc old = xmlGenericError;
  void* old_ctx = xmlGenericErrorContext;
  xmlSetGenericErrorFunc(nullptr, quiet);
  xmlXPathCompExprPtr c = xmlXPathCompile(reinterpret_cast<const xmlChar*>(expr.c_str()));
  xmlSetGenericErrorFunc(old_ctx, old);
  if (!c) return false;
  xmlXPathFreeCompExpr(c);
  return true;
}
}  // namespace

Result<std::shared_ptr<const Runtime>> build_runtime(config::Config config) {
  auto rt = std::make_shared<Runtime>();
  std::string errors;
  auto bad_xpath = [&](const config::Source& s, const char* key, const std::string& expr) {
    if (expr.empty() || valid_xpath(expr)) return;
    if (!errors.empty()) errors += '\n';
    errors += config.path + ":" + std::to_string(s.line) + ": source \"" + s.name + "\" " + key +
              ": invalid XPath \"" + expr + "\"";
  };
  for (const auto& s : config.sources) {
    for (const auto& d : s.clean.drop) bad_xpath(s, "clean.drop", d);
    bad_xpath(s, "clean.body", s.clean.body);
    bad_xpath(s, "link_selector", s.link_selector);
  }
  for (const auto& t : config.topics) {
    auto q = match::Query::parse(t.query);
    if (!q) {
      if (!errors.empty()) errors += '\n';
      errors += config.path + ":" + std::to_string(t.line) + ": topic \"" + t.name +
                "\" query: " + q.error();
      continue;
    }
    rt->matcher.add(static_cast<int>(rt->topics.size()), q.value());
    rt->topics.push_back(CompiledTopic{t.name, std::move(q).value(), t.webhooks});
  }
  if (!errors.empty()) return Error{errors};
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

Result<std::shared_ptr<const Runtime>> load_runtime(const std::string& path) {
  auto cfg = config::load(path);
  if (!cfg) return Error{cfg.error()};
  return build_runtime(std::move(cfg).value());
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

}  // namespace rasid::daemon
