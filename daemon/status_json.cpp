// The status API's JSON views and query syntax (daemon/status_json.h).
#include "daemon/status_json.h"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <map>

#include "config/values.h"
#include "daemon/instance.h"
#include "text/date.h"

namespace rasid::daemon {

std::string iso_ms(storage::Millis ms) {
  if (ms <= 0) return "";
  return text::format_iso8601(std::chrono::floor<std::chrono::seconds>(
      std::chrono::sys_time<std::chrono::milliseconds>{std::chrono::milliseconds{ms}}));
}

nlohmann::json topics_json(storage::Store& store, const Runtime& rt, storage::Millis now) {
  std::map<std::string, int> day, all;
  if (auto c = store.match_counts(now - kDayMs))
    for (const auto& [t, n] : c.value()) day[t] = n;
  if (auto c = store.match_counts(0))
    for (const auto& [t, n] : c.value()) all[t] = n;
  nlohmann::json arr = nlohmann::json::array();
  for (const auto& t : rt.config.topics)
    arr.push_back({{"name", t.name},
                   {"query", t.query},
                   {"webhooks", t.webhooks},
                   {"matches_24h", day[t.name]},
                   {"matches_total", all[t.name]}});
  return arr;
}

std::optional<storage::Millis> parse_since(std::string_view t, storage::Millis now,
                                           storage::Millis default_window) {
  if (t.empty()) return now - default_window;
  // Relative: the config file's duration syntax ("24h", "7d", "2w", "1h30m").
  if (auto secs = config::parse_duration(t)) return now - *secs * 1000;
  // Unix seconds.
  std::size_t i = 0;
  long long n = 0;
  while (i < t.size() && i < 12 && t[i] >= '0' && t[i] <= '9') n = n * 10 + (t[i++] - '0');
  if (i > 0 && i == t.size() && i <= 11) return n * 1000;  // Unix seconds
  // ISO-8601: YYYY-MM-DD[THH:MM[:SS]][Z]
  std::tm tm{};
  int y = 0, mo = 0, d = 0, hh = 0, mi = 0, ss = 0;
  std::string text(t);
  int consumed = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2d%n", &y, &mo, &d, &consumed) != 3 || consumed != 10)
    return std::nullopt;
  std::string_view rest = t.substr(10);
  if (!rest.empty()) {
    if (rest[0] != 'T' && rest[0] != ' ') return std::nullopt;
    std::string r(rest.substr(1));
    int c2 = 0;
    if (std::sscanf(r.c_str(), "%2d:%2d%n", &hh, &mi, &c2) != 2 || c2 != 5) return std::nullopt;
    std::string_view tail = std::string_view(r).substr(5);
    if (tail.size() >= 3 && tail[0] == ':') {
      int c3 = 0;
      std::string tt(tail);
      if (std::sscanf(tt.c_str(), ":%2d%n", &ss, &c3) != 1 || c3 != 3) return std::nullopt;
      tail.remove_prefix(3);
    }
    if (!(tail.empty() || tail == "Z")) return std::nullopt;
  }
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || hh > 23 || mi > 59 || ss > 60 || y < 1970)
    return std::nullopt;
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = hh;
  tm.tm_min = mi;
  tm.tm_sec = ss;
  return static_cast<storage::Millis>(timegm(&tm)) * 1000;
}

std::string fts_string(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + '"';
}

std::string fts_query_from_words(std::string_view words) {
  std::string out;
  std::size_t i = 0;
  while (i < words.size()) {
    while (i < words.size() && (words[i] == ' ' || words[i] == '\t' || words[i] == '\n')) ++i;
    std::size_t start = i;
    while (i < words.size() && !(words[i] == ' ' || words[i] == '\t' || words[i] == '\n')) ++i;
    if (i == start) break;
    if (!out.empty()) out += ' ';
    out += fts_string(words.substr(start, i - start));
  }
  return out;
}

std::string json_text(const nlohmann::json& j, int indent) {
  // Stored text is validated UTF-8, but an answer must never throw on a stray byte.
  return j.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
}

nlohmann::json sources_json(storage::Store& store, const Runtime& rt) {
  nlohmann::json arr = nlohmann::json::array();
  for (const auto& s : rt.config.sources) {
    auto st = store.source(s.name);
    if (!st) continue;
    // Pages the source's site template (clean/template.h) is learned from.
    auto learned = store.site_template_pages(s.name);
    arr.push_back(
        {{"name", s.name},
         {"url", s.feed.empty() ? s.page : s.feed},
         {"kind", s.feed.empty() ? "page" : "feed"},
         {"status", st->status},
         {"last_success", iso_ms(st->last_success)},
         {"last_attempt", iso_ms(st->last_attempt)},
         {"last_error", st->last_error},
         {"consecutive_errors", st->consecutive_errors},
         {"next_check", iso_ms(st->next_check)},
         {"interval_s", s.interval.count()},
         // The interval in force for the next poll (adaptive, back-off or a server's
         // floor applied) and why it differs from the configured one.
         {"interval_in_force_s", st->in_force_s > 0 ? st->in_force_s : s.interval.count()},
         {"interval_reason", st->interval_reason},
         {"template_pages", learned ? learned.value() : 0}});
  }
  return arr;
}

Result<nlohmann::json> articles_json(storage::Store& store, const storage::ArticleQuery& query) {
  auto rows = store.articles_with_matches(query);
  if (!rows) return Error{rows.error()};
  nlohmann::json arr = nlohmann::json::array();
  for (const auto& r : rows.value()) {
    const auto& a = r.article;
    nlohmann::json matches = nlohmann::json::array();
    for (const auto& m : r.matches)
      matches.push_back({{"topic", m.topic},
                         {"snippet", m.snippet},
                         {"forms", m.forms},
                         {"at", iso_ms(m.created)}});
    nlohmann::json also = nlohmann::json::array();
    nlohmann::json copies = nlohmann::json::array();  // the story's other articles
    if (a.story_id) {
      if (auto others = store.story_sources(a.story_id))
        for (const auto& o : others.value())
          if (o != a.source) also.push_back(o);
      if (auto cs = store.story_copies(a.story_id, kCopiesShown))
        for (const auto& c : cs.value())
          if (c.id != a.id)
            copies.push_back(
                {{"id", c.id}, {"source", c.source}, {"url", c.url}, {"title", c.title}});
    }
    arr.push_back({{"id", a.id},
                   {"title", a.title},
                   {"url", a.url},
                   {"canonical", a.canonical},
                   {"source", a.source},
                   {"published", a.published ? text::format_iso8601(*a.published) : ""},
                   {"fetched_at", iso_ms(a.fetched_at)},
                   {"lang", a.lang},
                   {"story_id", a.story_id},
                   {"matches", std::move(matches)},
                   {"also_reported_by", std::move(also)},
                   {"copies", std::move(copies)}});
  }
  return arr;
}

Result<nlohmann::json> instances_json(storage::Store& store, const Runtime& rt,
                                      const std::string& self_id, storage::Millis now) {
  const auto live = store.instances(now - std::chrono::milliseconds(kLiveFor).count());
  if (!live) return Error{live.error()};
  const std::string mine = config::fingerprint(rt.config);
  nlohmann::json arr = nlohmann::json::array();
  int differing = 0;
  for (const auto& i : live.value()) {
    const bool same = i.config_fingerprint == mine;
    if (!same) differing++;
    arr.push_back({{"id", i.id},
                   {"self", i.id == self_id},
                   {"host", i.host},
                   {"pid", i.pid},
                   {"started", iso_ms(i.started)},
                   {"heartbeat", iso_ms(i.heartbeat)},
                   {"heartbeat_age_s", (now - i.heartbeat) / 1000},
                   {"sources_leased", i.sources_leased},
                   {"config_fingerprint", i.config_fingerprint},
                   {"same_config", same}});
  }
  return nlohmann::json{{"self", self_id},
                        {"engine", store.engine()},
                        {"config_fingerprint", mine},
                        {"differing_configs", differing},
                        {"instances", std::move(arr)}};
}

}  // namespace rasid::daemon
