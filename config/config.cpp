#include "config/config.h"

#include <arpa/inet.h>
#include <toml++/toml.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>

#include "config/toml_guard.h"
#include "config/values.h"
#include "text/text.h"
#include "url/url.h"

namespace rasid::config {

const Webhook* Config::webhook(std::string_view name) const {
  for (const auto& w : webhooks)
    if (w.name == name) return &w;
  return nullptr;
}

const Source* Config::source(std::string_view name) const {
  for (const auto& s : sources)
    if (s.name == name) return &s;
  return nullptr;
}

namespace {

constexpr std::size_t kMaxFileBytes = 4u << 20;
constexpr std::size_t kMaxSecretBytes = 4096;

int line_of(const toml::node& n) { return static_cast<int>(n.source().begin.line); }

// Collects every problem; each is "FILE:LINE: KEY: reason".
class Checker {
 public:
  explicit Checker(std::string path) : path_(std::move(path)) {}

  void error(int line, std::string_view key, std::string_view reason) {
    std::ostringstream o;
    o << path_ << ':' << line << ": " << key << ": " << reason;
    errors_.push_back(o.str());
  }
  bool ok() const { return errors_.empty(); }
  std::vector<std::string> take_errors() { return std::move(errors_); }

  // Unknown keys are errors, with a suggestion when a known key is close.
  void known_keys(const toml::table& t, std::string_view prefix,
                  std::initializer_list<std::string_view> keys) {
    for (const auto& [k, v] : t) {
      std::string_view name = k.str();
      if (std::find(keys.begin(), keys.end(), name) != keys.end()) continue;
      std::string reason = "unknown key";
      if (auto near = closest(name, keys); !near.empty())
        reason += " (did you mean \"" + std::string(near) + "\"?)";
      error(line_of(v), join(prefix, name), reason);
    }
  }

  std::optional<std::string> str(const toml::table& t, std::string_view prefix,
                                 std::string_view key) {
    const toml::node* n = t.get(key);
    if (!n) return std::nullopt;
    if (!n->is_string()) {
      wrong_type(*n, prefix, key, "a string");
      return std::nullopt;
    }
    const std::string& v = n->as_string()->get();
    if (has_control(v)) {
      error(line_of(*n), join(prefix, key), "control characters are not allowed");
      return std::nullopt;
    }
    return v;
  }

  std::optional<bool> boolean(const toml::table& t, std::string_view prefix, std::string_view key) {
    const toml::node* n = t.get(key);
    if (!n) return std::nullopt;
    if (n->is_boolean()) return n->as_boolean()->get();
    wrong_type(*n, prefix, key, "true or false");
    return std::nullopt;
  }

  std::optional<int64_t> integer(const toml::table& t, std::string_view prefix,
                                 std::string_view key, int64_t lo, int64_t hi) {
    const toml::node* n = t.get(key);
    if (!n) return std::nullopt;
    if (!n->is_integer()) {
      wrong_type(*n, prefix, key, "an integer");
      return std::nullopt;
    }
    int64_t v = n->as_integer()->get();
    if (v < lo || v > hi) {
      error(line_of(*n), join(prefix, key),
            "must be between " + std::to_string(lo) + " and " + std::to_string(hi) + ", not " +
                std::to_string(v));
      return std::nullopt;
    }
    return v;
  }

  // Integer seconds or a duration string ("90s", "10m", "2h", "1h30m", "1d").
  std::optional<std::chrono::seconds> duration(const toml::table& t, std::string_view prefix,
                                               std::string_view key, std::chrono::seconds lo,
                                               std::chrono::seconds hi) {
    const toml::node* n = t.get(key);
    if (!n) return std::nullopt;
    std::optional<int64_t> secs;
    if (n->is_integer()) {
      secs = n->as_integer()->get();
    } else if (n->is_string()) {
      secs = parse_duration(n->as_string()->get());
      if (!secs) {
        error(line_of(*n), join(prefix, key),
              "not a duration: \"" + printable(n->as_string()->get()) +
                  "\" (use seconds, or e.g. \"90s\", \"10m\", \"2h\", \"1h30m\", \"1d\")");
        return std::nullopt;
      }
    } else {
      wrong_type(*n, prefix, key, "seconds (integer) or a duration string like \"10m\"");
      return std::nullopt;
    }
    if (*secs < lo.count() || *secs > hi.count()) {
      error(line_of(*n), join(prefix, key),
            "must be between " + format_duration(lo) + " and " + format_duration(hi) + ", not " +
                format_duration(std::chrono::seconds(*secs)));
      return std::nullopt;
    }
    return std::chrono::seconds(*secs);
  }

  // Like duration(), in milliseconds, also accepting "250ms"; `n` is the node itself (for array
  // elements), `key` names it in messages.
  std::optional<std::chrono::milliseconds> duration_ms(const toml::node& n, std::string_view key,
                                                       std::chrono::milliseconds lo,
                                                       std::chrono::milliseconds hi) {
    std::optional<int64_t> ms;
    if (n.is_integer()) {
      int64_t v = n.as_integer()->get();
      if (v > (int64_t{1} << 40) || v < -(int64_t{1} << 40)) v = int64_t{1} << 40;
      ms = v * 1000;
    } else if (n.is_string()) {
      ms = parse_duration_ms(n.as_string()->get());
      if (!ms) {
        error(line_of(n), key,
              "not a duration: \"" + printable(n.as_string()->get()) +
                  "\" (use seconds, or e.g. \"500ms\", \"90s\", \"10m\", \"2h\")");
        return std::nullopt;
      }
    } else {
      error(line_of(n), key,
            "must be seconds (integer) or a duration string like \"30s\", not " + type_name(n));
      return std::nullopt;
    }
    if (*ms < lo.count() || *ms > hi.count()) {
      error(line_of(n), key,
            "must be between " + format_duration_ms(lo) + " and " + format_duration_ms(hi) +
                ", not " + format_duration_ms(std::chrono::milliseconds(*ms)));
      return std::nullopt;
    }
    return std::chrono::milliseconds(*ms);
  }

  std::optional<std::vector<std::string>> strings(const toml::table& t, std::string_view prefix,
                                                  std::string_view key) {
    const toml::node* n = t.get(key);
    if (!n) return std::nullopt;
    const toml::array* a = n->as_array();
    if (!a) {
      wrong_type(*n, prefix, key, "an array of strings");
      return std::nullopt;
    }
    std::vector<std::string> out;
    bool good = true;
    for (const auto& e : *a) {
      if (!e.is_string()) {
        wrong_type(e, prefix, key, "an array of strings");
        good = false;
        continue;
      }
      const std::string& s = e.as_string()->get();
      if (has_control(s)) {
        error(line_of(e), join(prefix, key), "control characters are not allowed");
        good = false;
        continue;
      }
      out.push_back(s);
    }
    if (!good) return std::nullopt;
    return out;
  }

  const toml::table* table(const toml::table& t, std::string_view prefix, std::string_view key) {
    const toml::node* n = t.get(key);
    if (!n) return nullptr;
    if (!n->is_table()) {
      wrong_type(*n, prefix, key, "a table");
      return nullptr;
    }
    return n->as_table();
  }

  void wrong_type(const toml::node& n, std::string_view prefix, std::string_view key,
                  std::string_view expected) {
    error(line_of(n), join(prefix, key),
          "must be " + std::string(expected) + ", not " + type_name(n));
  }

  static std::string join(std::string_view prefix, std::string_view key) {
    if (prefix.empty()) return std::string(key);
    return std::string(prefix) + "." + std::string(key);
  }

 private:
  static bool has_control(std::string_view s) {
    return std::any_of(s.begin(), s.end(), [](char c) {
      auto u = static_cast<unsigned char>(c);
      return u < 0x20 || u == 0x7f;
    });
  }
  static std::string type_name(const toml::node& n) {
    switch (n.type()) {
      case toml::node_type::string:
        return "a string";
      case toml::node_type::integer:
        return "an integer";
      case toml::node_type::floating_point:
        return "a float";
      case toml::node_type::boolean:
        return "a boolean";
      case toml::node_type::date:
        return "a date";
      case toml::node_type::time:
        return "a time";
      case toml::node_type::date_time:
        return "a date-time";
      case toml::node_type::array:
        return "an array";
      case toml::node_type::table:
        return "a table";
      default:
        return "nothing";
    }
  }
  static std::string_view closest(std::string_view name,
                                  std::initializer_list<std::string_view> keys) {
    std::string_view best;
    std::size_t best_d = std::numeric_limits<std::size_t>::max();
    for (auto k : keys) {
      std::size_t d = edit_distance(name, k);
      if (d < best_d) {
        best_d = d;
        best = k;
      }
    }
    std::size_t limit = std::max<std::size_t>(1, std::min<std::size_t>(3, best.size() / 3));
    if (best_d <= limit) return best;
    // "interval_s" → "interval": one is a prefix of the other
    for (auto k : keys)
      if (k.size() >= 4 && (name.starts_with(k) || k.starts_with(name)) && name.size() >= 4)
        return k;
    return {};
  }

  std::string path_;
  std::vector<std::string> errors_;
};

// Configured URLs: what url::request_form accepts (http(s), a host, a valid port, an IDN host
// that converts under UTS #46), and, as configuration policy, no credentials (they would sit in
// logs and the status page) and no spaces (a space is a typo in a TOML string, not a URL).
bool http_url(std::string_view url, std::string* why) {
  if (url::scheme(url) != "http" && url::scheme(url) != "https") {
    *why = "must be an http:// or https:// URL";
    return false;
  }
  for (char c : url) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7f) {
      *why = "contains spaces or control characters";
      return false;
    }
  }
  if (url::has_credentials(url)) {
    *why = "credentials in the URL are not allowed";
    return false;
  }
  return !url::request_form(url, why).empty();
}

std::optional<std::string> read_small_file(const std::string& path, std::size_t cap,
                                           std::string* why) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *why = std::strerror(errno);
    return std::nullopt;
  }
  std::string data;
  char buf[4096];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    data.append(buf, static_cast<std::size_t>(in.gcount()));
    if (data.size() > cap) {
      *why = "larger than " + std::to_string(cap) + " bytes";
      return std::nullopt;
    }
  }
  if (in.bad()) {
    *why = "read error";
    return std::nullopt;
  }
  return data;
}

void check_url(Checker& c, const toml::table& t, std::string_view prefix, std::string_view key,
               const std::string& url) {
  std::string why;
  if (!http_url(url, &why)) c.error(line_of(*t.get(key)), Checker::join(prefix, key), why);
}

// Daemon --------------------------------------------------------------------------------------

// The status endpoint's bearer token: visible ASCII, at least 16 characters, one line.
void load_status_token(Checker& c, int line, std::string_view key, const std::string& file,
                       const std::string& origin, Daemon& d) {
  std::string why;
  auto data = read_small_file(file, kMaxSecretBytes, &why);
  if (!data) {
    c.error(line, key, "cannot read " + origin + ": " + why);
    return;
  }
  std::string token = trim_secret(*data);
  bool visible =
      std::all_of(token.begin(), token.end(), [](char ch) { return ch > ' ' && ch < 127; });
  if (token.size() < 16 || !visible) {
    c.error(line, key, origin + ": a token must be at least 16 visible ASCII characters");
    return;  // never the value itself
  }
  d.status_token = std::move(token);
  d.status_token_origin = origin;
}

// A private CA to trust besides the system store: a readable file with PEM certificates, checked
// now so that a typo is a config error rather than every HTTPS source failing later.
void read_ca_file(Checker& c, int line, const std::string& value, const std::string& base_dir,
                  Daemon& d) {
  constexpr std::string_view key = "daemon.ca_file";
  if (value.empty()) {
    c.error(line, key, "must not be empty (leave it out to trust the system store only)");
    return;
  }
  std::filesystem::path fp(value);
  if (fp.is_relative()) fp = std::filesystem::path(base_dir) / fp;
  std::error_code ec;
  if (std::filesystem::is_directory(fp, ec)) {
    c.error(line, key, fp.string() + " is a directory, not a PEM file");
    return;
  }
  std::string why;
  auto data = read_small_file(fp.string(), kMaxFileBytes, &why);
  if (!data) {
    c.error(line, key, "cannot read " + fp.string() + ": " + why);
    return;
  }
  if (data->find("-----BEGIN CERTIFICATE-----") == std::string::npos) {
    c.error(line, key, fp.string() + " holds no PEM certificate (\"-----BEGIN CERTIFICATE-----\")");
    return;
  }
  d.ca_file = fp.string();
}

void read_daemon(Checker& c, const toml::table& t, Daemon& d, const std::string& base_dir) {
  const std::string_view p = "daemon";
  c.known_keys(t, p,
               {"database", "user_agent", "concurrency", "per_host_concurrency",
                "per_host_delay_ms", "fetch_timeout_s", "connect_timeout_s", "max_body_bytes",
                "proxy", "allow_private", "ca_file", "status_listen", "status_token_file",
                "status_token_credential", "log_level", "fast_polling", "keep", "lease"});
  if (auto v = c.boolean(t, p, "fast_polling")) d.fast_polling = *v;
  if (auto v = c.duration(t, p, "keep", std::chrono::hours(24), std::chrono::hours(24 * 36500)))
    d.keep = *v;
  if (auto v = c.str(t, p, "database")) {
    std::error_code ec;
    if (v->empty())
      c.error(line_of(*t.get("database")), "daemon.database", "must not be empty");
    else if (std::filesystem::is_directory(*v, ec))
      c.error(line_of(*t.get("database")), "daemon.database",
              "\"" + *v + "\" is a directory; name the SQLite file in it (e.g. \"" + *v +
                  "/rasid.db\")");
    else
      d.database = *v;
    d.database_line = line_of(*t.get("database"));
  }
  if (auto v = c.str(t, p, "user_agent")) {
    if (v->empty())
      c.error(line_of(*t.get("user_agent")), "daemon.user_agent", "must not be empty");
    else
      d.user_agent = *v;
  }
  if (auto v = c.integer(t, p, "concurrency", 1, 1024)) d.concurrency = static_cast<int>(*v);
  if (auto v = c.integer(t, p, "per_host_concurrency", 1, 64))
    d.per_host_concurrency = static_cast<int>(*v);
  if (d.per_host_concurrency > d.concurrency && t.get("per_host_concurrency"))
    c.error(line_of(*t.get("per_host_concurrency")), "daemon.per_host_concurrency",
            "must not exceed daemon.concurrency (" + std::to_string(d.concurrency) + ")");
  if (auto v = c.integer(t, p, "per_host_delay_ms", 0, 600'000))
    d.per_host_delay = std::chrono::milliseconds(*v);
  if (auto v = c.integer(t, p, "fetch_timeout_s", 1, 3600))
    d.fetch_timeout = std::chrono::seconds(*v);
  if (auto v = c.duration(t, p, "lease", std::chrono::seconds(1), std::chrono::hours(1)))
    d.lease = *v;
  if (auto v = c.integer(t, p, "connect_timeout_s", 1, 300))
    d.connect_timeout = std::chrono::seconds(*v);
  if (d.connect_timeout > d.fetch_timeout && t.get("connect_timeout_s"))
    c.error(
        line_of(*t.get("connect_timeout_s")), "daemon.connect_timeout_s",
        "must not exceed daemon.fetch_timeout_s (" + std::to_string(d.fetch_timeout.count()) + ")");
  if (auto v = c.integer(t, p, "max_body_bytes", 1024, int64_t{1} << 30))
    d.max_body_bytes = static_cast<std::size_t>(*v);
  if (auto v = c.str(t, p, "proxy")) {
    std::string why;
    if (!v->empty() && !valid_proxy(*v, &why))
      c.error(line_of(*t.get("proxy")), "daemon.proxy", why);
    else
      d.proxy = *v;
  }
  if (const toml::node* n = t.get("allow_private")) {
    if (auto v = c.strings(t, p, "allow_private")) {
      bool good = true;
      for (const auto& s : *v) {
        std::string why;
        if (!valid_cidr(s, &why)) {
          c.error(line_of(*n), "daemon.allow_private", "\"" + printable(s) + "\": " + why);
          good = false;
        }
      }
      if (good) d.allow_private = *v;
    }
    d.allow_private_line = line_of(*n);
  }
  if (auto v = c.str(t, p, "ca_file")) read_ca_file(c, line_of(*t.get("ca_file")), *v, base_dir, d);
  if (auto v = c.str(t, p, "status_listen")) {
    std::string why;
    if (!v->empty() && !valid_listen(*v, &why))
      c.error(line_of(*t.get("status_listen")), "daemon.status_listen", why);
    else
      d.status_listen = *v;
  }
  auto token_file = c.str(t, p, "status_token_file");
  auto token_cred = c.str(t, p, "status_token_credential");
  if (token_file && token_cred) {
    c.error(line_of(*t.get("status_token_credential")), "daemon.status_token_credential",
            "use either status_token_file or status_token_credential, not both");
  } else if (token_file) {
    int line = line_of(*t.get("status_token_file"));
    if (token_file->empty()) {
      c.error(line, "daemon.status_token_file", "must not be empty");
    } else {
      std::filesystem::path fp(*token_file);
      if (fp.is_relative()) fp = std::filesystem::path(base_dir) / fp;
      load_status_token(c, line, "daemon.status_token_file", fp.string(), "file:" + fp.string(), d);
    }
  } else if (token_cred) {
    int line = line_of(*t.get("status_token_credential"));
    const char* dir = std::getenv("CREDENTIALS_DIRECTORY");
    if (token_cred->empty() || token_cred->find('/') != std::string::npos || *token_cred == "." ||
        *token_cred == "..") {
      c.error(line, "daemon.status_token_credential", "must be a plain credential name (no '/')");
    } else if (!dir || !*dir) {
      c.error(line, "daemon.status_token_credential",
              "$CREDENTIALS_DIRECTORY is not set (run under systemd with LoadCredential=" +
                  *token_cred + ":/path, or use status_token_file)");
    } else {
      load_status_token(c, line, "daemon.status_token_credential",
                        std::string(dir) + "/" + *token_cred, "credential:" + *token_cred, d);
    }
  }
  if (auto v = c.str(t, p, "log_level")) {
    static const std::set<std::string> levels{"debug", "info", "notice", "warning", "error"};
    if (!levels.count(*v))
      c.error(line_of(*t.get("log_level")), "daemon.log_level",
              "must be one of debug, info, notice, warning, error (not \"" + printable(*v) + "\")");
    else
      d.log_level = *v;
  }
}

// Sources -------------------------------------------------------------------------------------

void read_source(Checker& c, const toml::table& t, Source& s, bool fast) {
  const std::string_view p = "source";
  s.line = line_of(t);
  c.known_keys(t, p,
               {"name", "feed", "page", "link_selector", "interval", "min_interval", "max_interval",
                "alert_on_first_poll", "clean", "category"});
  if (auto v = c.str(t, p, "name")) {
    if (v->empty())
      c.error(line_of(*t.get("name")), "source.name", "must not be empty");
    else
      s.name = *v;
  } else if (!t.get("name")) {
    c.error(s.line, "source.name", "missing (every [[source]] needs a name)");
  }
  auto feed = c.str(t, p, "feed");
  auto page = c.str(t, p, "page");
  if (feed) {
    check_url(c, t, p, "feed", *feed);
    s.feed = *feed;
  }
  if (page) {
    check_url(c, t, p, "page", *page);
    s.page = *page;
  }
  if (t.get("feed") && t.get("page"))
    c.error(line_of(*t.get("page")), "source.page", "a source has either feed or page, not both");
  else if (!t.get("feed") && !t.get("page"))
    c.error(s.line, "source.feed", "missing (a source needs feed = \"URL\" or page = \"URL\")");
  if (auto v = c.str(t, p, "link_selector")) {
    if (t.get("feed"))
      c.error(line_of(*t.get("link_selector")), "source.link_selector",
              "only applies to page sources");
    else
      s.link_selector = *v;
    s.link_selector_line = line_of(*t.get("link_selector"));
  }
  using std::chrono::seconds;
  const seconds lo{fast ? 1 : 10}, hi{30 * 86400};
  auto interval = c.duration(t, p, "interval", seconds(fast ? 1 : 30), seconds(7 * 86400));
  auto min_i = c.duration(t, p, "min_interval", lo, hi);
  auto max_i = c.duration(t, p, "max_interval", lo, hi);
  if (interval) s.interval = *interval;
  // Defaults bend around an explicit interval so that `interval = "60s"` alone is valid.
  s.min_interval = min_i ? *min_i : std::min(s.min_interval, s.interval);
  s.max_interval = max_i ? *max_i : kDefaultCeilingFactor * s.interval;
  if (s.min_interval > s.interval && (min_i || interval))
    c.error(line_of(*t.get(min_i ? "min_interval" : "interval")),
            min_i ? "source.min_interval" : "source.interval",
            "min_interval (" + format_duration(s.min_interval) + ") exceeds interval (" +
                format_duration(s.interval) + ")");
  if (s.max_interval < s.interval && (max_i || interval))
    c.error(line_of(*t.get(max_i ? "max_interval" : "interval")),
            max_i ? "source.max_interval" : "source.interval",
            "max_interval (" + format_duration(s.max_interval) + ") is below interval (" +
                format_duration(s.interval) + ")");
  if (auto v = c.boolean(t, p, "alert_on_first_poll")) s.alert_on_first_poll = *v;
  if (auto v = c.str(t, p, "category")) s.category = *v;
  if (const toml::table* clean = c.table(t, p, "clean")) {
    const std::string_view cp = "source.clean";
    c.known_keys(*clean, cp, {"drop", "body"});
    if (auto v = c.strings(*clean, cp, "drop")) {
      s.clean.drop = *v;
      for (const auto& e : *clean->get("drop")->as_array()) {  // all strings (c.strings)
        s.clean.drop_lines.push_back(line_of(e));
        if (e.as_string()->get().empty()) c.error(line_of(e), "source.clean.drop", "empty XPath");
      }
    }
    if (auto v = c.str(*clean, cp, "body")) {
      s.clean.body = *v;
      s.clean.body_line = line_of(*clean->get("body"));
    }
  }
}

// Topics --------------------------------------------------------------------------------------

void read_topic(Checker& c, const toml::table& t, Topic& topic) {
  const std::string_view p = "topic";
  topic.line = line_of(t);
  c.known_keys(t, p, {"name", "query", "webhooks"});
  if (auto v = c.str(t, p, "name")) {
    if (v->empty())
      c.error(line_of(*t.get("name")), "topic.name", "must not be empty");
    else
      topic.name = *v;
  } else if (!t.get("name")) {
    c.error(topic.line, "topic.name", "missing (every [[topic]] needs a name)");
  }
  if (auto v = c.str(t, p, "query")) {
    bool blank = std::all_of(v->begin(), v->end(), [](char ch) { return ch == ' '; });
    if (blank)
      c.error(line_of(*t.get("query")), "topic.query", "must not be empty");
    else
      topic.query = *v;
    topic.line = line_of(*t.get("query"));  // query errors point at the query
  } else if (!t.get("query")) {
    c.error(topic.line, "topic.query", "missing (e.g. query = \"سوريا AND إيران\")");
  }
  if (auto v = c.strings(t, p, "webhooks")) {
    topic.webhooks = *v;
    topic.webhooks_line = line_of(*t.get("webhooks"));
  }
}

// Webhooks ------------------------------------------------------------------------------------

std::optional<WebhookFormat> format_from(std::string_view s) {
  if (s == "json") return WebhookFormat::json;
  if (s == "slack") return WebhookFormat::slack;
  if (s == "discord") return WebhookFormat::discord;
  if (s == "telegram") return WebhookFormat::telegram;
  if (s == "ntfy") return WebhookFormat::ntfy;
  return std::nullopt;
}

void load_secret(Checker& c, int line, std::string_view key, const std::string& file,
                 const std::string& origin, Webhook& w) {
  std::string why;
  auto data = read_small_file(file, kMaxSecretBytes, &why);
  if (!data) {
    c.error(line, key, "cannot read " + origin + ": " + why);
    return;
  }
  std::string secret = trim_secret(*data);
  if (!valid_secret(secret, &why)) {
    c.error(line, key, origin + ": " + why);  // never the value itself
    return;
  }
  w.secret = std::move(secret);
  w.secret_origin = origin;
}

void read_delivery_policy(Checker& c, const toml::table& t, Webhook& w) {
  using std::chrono::milliseconds;
  const std::string_view p = "webhook";
  constexpr milliseconds kWeek{7LL * 86400 * 1000};
  if (const toml::node* n = t.get("retry_schedule")) {
    const toml::array* a = n->as_array();
    if (!a) {
      c.wrong_type(*n, p, "retry_schedule", "an array of durations");
    } else if (a->empty()) {
      c.error(line_of(*n), "webhook.retry_schedule",
              "must not be empty (leave it out for the default schedule)");
    } else if (a->size() > 100) {
      c.error(line_of(*n), "webhook.retry_schedule", "at most 100 steps");
    } else {
      std::vector<milliseconds> steps;
      bool good = true;
      for (const auto& e : *a) {
        auto d = c.duration_ms(e, "webhook.retry_schedule", milliseconds(100), kWeek);
        if (!d)
          good = false;
        else
          steps.push_back(*d);
      }
      if (good) w.retry_schedule = std::move(steps);
    }
  }
  if (auto v = c.integer(t, p, "max_attempts", 1, 100)) w.max_attempts = static_cast<int>(*v);
  if (const toml::node* n = t.get("min_interval"))
    if (auto d = c.duration_ms(*n, "webhook.min_interval", milliseconds(0), milliseconds(3600000)))
      w.min_interval = *d;
  if (const toml::node* n = t.get("digest"))
    if (auto d = c.duration_ms(*n, "webhook.digest", milliseconds(0), milliseconds(86400000)))
      w.digest = *d;
}

void read_webhook(Checker& c, const toml::table& t, Webhook& w, const std::string& base_dir) {
  const std::string_view p = "webhook";
  w.line = line_of(t);
  c.known_keys(
      t, p,
      {"name", "url", "format", "secret_file", "secret_credential", "telegram_chat_id", "timeout",
       "retry_schedule", "max_attempts", "min_interval", "digest", "story_updates"});
  if (auto v = c.str(t, p, "name")) {
    if (v->empty())
      c.error(line_of(*t.get("name")), "webhook.name", "must not be empty");
    else
      w.name = *v;
  } else if (!t.get("name")) {
    c.error(w.line, "webhook.name", "missing (every [[webhook]] needs a name)");
  }
  if (auto v = c.str(t, p, "url")) {
    check_url(c, t, p, "url", *v);
    w.url = *v;
  } else if (!t.get("url")) {
    c.error(w.line, "webhook.url", "missing");
  }
  if (auto v = c.str(t, p, "format")) {
    if (auto f = format_from(*v))
      w.format = *f;
    else
      c.error(
          line_of(*t.get("format")), "webhook.format",
          "must be one of json, slack, discord, telegram, ntfy (not \"" + printable(*v) + "\")");
  }
  if (auto v = c.str(t, p, "telegram_chat_id")) {
    if (w.format != WebhookFormat::telegram && t.get("format"))
      c.error(line_of(*t.get("telegram_chat_id")), "webhook.telegram_chat_id",
              "only applies to format = \"telegram\"");
    else if (v->empty())
      c.error(line_of(*t.get("telegram_chat_id")), "webhook.telegram_chat_id", "must not be empty");
    else
      w.telegram_chat_id = *v;
  }
  if (w.format == WebhookFormat::telegram && !t.get("telegram_chat_id"))
    c.error(w.line, "webhook.telegram_chat_id", "missing (format = \"telegram\" needs it)");
  if (auto v = c.duration(t, p, "timeout", std::chrono::seconds(1), std::chrono::seconds(300)))
    w.timeout = *v;
  read_delivery_policy(c, t, w);
  if (auto v = c.boolean(t, p, "story_updates")) w.story_updates = *v;

  auto file = c.str(t, p, "secret_file");
  auto cred = c.str(t, p, "secret_credential");
  if (t.get("secret_file") && t.get("secret_credential")) {
    c.error(line_of(*t.get("secret_credential")), "webhook.secret_credential",
            "use either secret_file or secret_credential, not both");
    return;
  }
  if (file) {
    int line = line_of(*t.get("secret_file"));
    if (file->empty()) {
      c.error(line, "webhook.secret_file", "must not be empty");
      return;
    }
    std::filesystem::path fp(*file);
    if (fp.is_relative()) fp = std::filesystem::path(base_dir) / fp;
    load_secret(c, line, "webhook.secret_file", fp.string(), "file:" + fp.string(), w);
  }
  if (cred) {
    int line = line_of(*t.get("secret_credential"));
    if (cred->empty() || cred->find('/') != std::string::npos || *cred == "." || *cred == "..") {
      c.error(line, "webhook.secret_credential", "must be a plain credential name (no '/')");
      return;
    }
    const char* dir = std::getenv("CREDENTIALS_DIRECTORY");
    if (!dir || !*dir) {
      c.error(line, "webhook.secret_credential",
              "$CREDENTIALS_DIRECTORY is not set (run under systemd with LoadCredential=" + *cred +
                  ":/path, or use secret_file)");
      return;
    }
    load_secret(c, line, "webhook.secret_credential", std::string(dir) + "/" + *cred,
                "credential:" + *cred, w);
  }
}

// Arrays of tables ---------------------------------------------------------------------------

template <class T, class Fn>
void read_array(Checker& c, const toml::table& root, std::string_view key, std::vector<T>& out,
                Fn&& fn) {
  const toml::node* n = root.get(key);
  if (!n) return;
  const toml::array* a = n->as_array();
  if (!a || !a->is_array_of_tables()) {
    c.error(line_of(*n), key, "must be an array of tables, written [[" + std::string(key) + "]]");
    return;
  }
  for (const auto& e : *a) {
    T item;
    fn(*e.as_table(), item);
    out.push_back(std::move(item));
  }
}

template <class T>
void unique_names(Checker& c, const std::vector<T>& items, std::string_view what) {
  std::map<std::string, int> seen;
  for (const auto& i : items) {
    if (i.name.empty()) continue;
    auto [it, fresh] = seen.emplace(i.name, i.line);
    if (!fresh)
      c.error(i.line, std::string(what) + ".name",
              "duplicate name \"" + printable(i.name) + "\" (first defined at line " +
                  std::to_string(it->second) + ")");
  }
}

}  // namespace

Loaded parse_all(std::string_view text, const std::string& path) {
  Loaded out;
  if (auto g = guard_toml(text)) {
    out.errors.push_back(path + ":" + std::to_string(g->line) + ": TOML syntax: " + g->reason);
    return out;
  }
  toml::table root;
  try {
    root = toml::parse(text, std::string_view(path));
  } catch (const toml::parse_error& e) {
    out.errors.push_back(path + ":" + std::to_string(e.source().begin.line) +
                         ": TOML syntax: " + std::string(e.description()));
    return out;
  }

  Checker c(path);
  Config cfg;
  cfg.path = path;
  std::string base_dir = std::filesystem::path(path).parent_path().string();
  if (base_dir.empty()) base_dir = ".";

  c.known_keys(root, "", {"daemon", "source", "topic", "webhook"});
  if (const toml::table* d = c.table(root, "", "daemon")) read_daemon(c, *d, cfg.daemon, base_dir);
  read_array(c, root, "source", cfg.sources, [&](const toml::table& t, Source& s) {
    read_source(c, t, s, cfg.daemon.fast_polling);
  });
  read_array(c, root, "webhook", cfg.webhooks,
             [&](const toml::table& t, Webhook& w) { read_webhook(c, t, w, base_dir); });
  read_array(c, root, "topic", cfg.topics,
             [&](const toml::table& t, Topic& tp) { read_topic(c, t, tp); });

  unique_names(c, cfg.sources, "source");
  unique_names(c, cfg.webhooks, "webhook");
  unique_names(c, cfg.topics, "topic");
  for (const auto& tp : cfg.topics) {
    for (const auto& name : tp.webhooks) {
      if (cfg.webhook(name)) continue;
      std::string reason = "names unknown webhook \"" + printable(name) + "\"";
      if (cfg.webhooks.empty()) reason += " (no [[webhook]] is defined)";
      c.error(tp.webhooks_line, "topic.webhooks", reason);
    }
  }
  // Same feed twice under two names would double every article and alert.
  std::map<std::string, const Source*> urls;
  for (const auto& s : cfg.sources) {
    const std::string& u = s.feed.empty() ? s.page : s.feed;
    if (u.empty()) continue;
    auto [it, fresh] = urls.emplace(u, &s);
    if (!fresh)
      c.error(s.line, s.feed.empty() ? "source.page" : "source.feed",
              "same URL as source \"" + printable(it->second->name) + "\" (line " +
                  std::to_string(it->second->line) + ")");
  }

  out.config = std::move(cfg);
  out.errors = c.take_errors();
  out.parsed = true;
  return out;
}

Loaded load_all(const std::string& path) {
  std::string why;
  std::error_code ec;
  Loaded out;
  if (std::filesystem::is_directory(path, ec)) {
    out.errors.push_back(path + ": is a directory");
    return out;
  }
  auto text = read_small_file(path, kMaxFileBytes, &why);
  if (!text) {
    out.errors.push_back(path + ": cannot read: " + why);
    return out;
  }
  return parse_all(*text, path);
}

namespace {
Result<Config> checked(Loaded l) {
  if (l.errors.empty()) return std::move(l.config);
  std::string joined;
  for (const auto& e : l.errors) joined += (joined.empty() ? "" : "\n") + e;
  return Error{joined};
}
}  // namespace

Result<Config> parse(std::string_view text, const std::string& path) {
  return checked(parse_all(text, path));
}

Result<Config> load(const std::string& path) { return checked(load_all(path)); }

namespace {
// Each field with its length first, so that no two different lists serialize alike.
void field(std::string& out, std::string_view v) {
  out += std::to_string(v.size());
  out += ':';
  out += v;
}
void field(std::string& out, long long v) { field(out, std::to_string(v)); }
template <class T>
std::vector<const T*> by_name(const std::vector<T>& items) {
  std::vector<const T*> v;
  for (const auto& i : items) v.push_back(&i);
  std::sort(v.begin(), v.end(), [](const T* a, const T* b) { return a->name < b->name; });
  return v;
}
}  // namespace

std::string fingerprint(const Config& c) {
  std::string s;
  for (const Source* x : by_name(c.sources)) {
    s += "S";
    for (std::string_view v : {std::string_view(x->name), std::string_view(x->feed),
                               std::string_view(x->page), std::string_view(x->link_selector),
                               std::string_view(x->category), std::string_view(x->clean.body)})
      field(s, v);
    for (auto d : {x->interval, x->min_interval, x->max_interval}) field(s, d.count());
    field(s, x->alert_on_first_poll ? 1 : 0);
    field(s, static_cast<long long>(x->clean.drop.size()));
    for (const auto& d : x->clean.drop) field(s, d);
  }
  for (const Topic* x : by_name(c.topics)) {
    s += "T";
    field(s, x->name);
    field(s, x->query);
    field(s, static_cast<long long>(x->webhooks.size()));
    for (const auto& w : x->webhooks) field(s, w);
  }
  for (const Webhook* x : by_name(c.webhooks)) {
    s += "W";
    for (std::string_view v :
         {std::string_view(x->name), std::string_view(x->url), std::string_view(x->secret_origin),
          std::string_view(x->telegram_chat_id)})
      field(s, v);
    field(s, static_cast<long long>(x->format));
    field(s, x->timeout.count());
    field(s, x->max_attempts);
    field(s, x->min_interval.count());
    field(s, x->digest.count());
    field(s, x->story_updates ? 1 : 0);
    field(s, static_cast<long long>(x->retry_schedule.size()));
    for (auto d : x->retry_schedule) field(s, d.count());
  }
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(text::fnv1a64(s)));
  return hex;
}

}  // namespace rasid::config
