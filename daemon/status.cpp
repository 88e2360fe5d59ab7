#include "daemon/status.h"

#include <openssl/crypto.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <initializer_list>
#include <map>
#include <set>
#include <utility>

#include "common/log.h"
#include "config/values.h"
#include "match/matcher.h"
#include "parse/parser.h"
#include "text/text.h"
#include "url/url.h"
#include "text/date.h"

namespace rasid::daemon {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

namespace {

constexpr int kMaxSessions = 64;
constexpr storage::Millis kDay = 24LL * 3600 * 1000;
// A card (and /api/articles) lists at most this many copies of its story.
constexpr int kCopiesShown = 20;

// ---- small helpers ---------------------------------------------------------------------------

std::string iso_ms(storage::Millis ms) {
  if (ms <= 0) return "";
  return text::format_iso8601(std::chrono::floor<std::chrono::seconds>(
      std::chrono::sys_time<std::chrono::milliseconds>{std::chrono::milliseconds{ms}}));
}

std::map<std::string, std::string> parse_query(std::string_view q) {
  std::map<std::string, std::string> out;
  while (!q.empty()) {
    auto amp = q.find('&');
    std::string_view part = q.substr(0, amp);
    auto eq = part.find('=');
    std::string key = url::decode(part.substr(0, eq), true);
    std::string value = eq == std::string_view::npos ? "" : url::decode(part.substr(eq + 1), true);
    if (!key.empty() && !out.count(key)) out.emplace(std::move(key), std::move(value));
    if (amp == std::string_view::npos) break;
    q.remove_prefix(amp + 1);
  }
  return out;
}

bool http_link(std::string_view link) {
  std::string scheme = url::scheme(link);
  return scheme == "http" || scheme == "https";
}

// Bearer token comparison in constant time for a given length (OpenSSL CRYPTO_memcmp).
bool constant_time_equal(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

nlohmann::json parse_json(const std::string& text) {
  return nlohmann::json::parse(text, nullptr, false);
}

std::string dump(const nlohmann::json& j, int indent = -1) {
  // Stored text is validated UTF-8, but a JSON answer must never throw on a stray byte.
  return j.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
}

// Text with \x01 / \x02 highlight markers → escaped HTML with <mark> … </mark>.
std::string escape_marked(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 32);
  int open = 0;
  for (char c : text) {
    if (c == '\x01') {
      out += "<mark>";
      open++;
    } else if (c == '\x02') {
      if (open > 0) {
        out += "</mark>";
        open--;
      }
    } else {
      out += text::escape_html(std::string_view(&c, 1));
    }
  }
  while (open-- > 0) out += "</mark>";
  return out;
}

// Same length, so match offsets stay valid: our markers must not come from the outside.
std::string without_markers(std::string s) {
  for (char& c : s)
    if (c == '\x01' || c == '\x02') c = ' ';
  return s;
}

std::string mark_spans(const std::string& text, std::vector<match::Hit> hits) {
  std::sort(hits.begin(), hits.end(),
            [](const match::Hit& a, const match::Hit& b) { return a.begin < b.begin; });
  std::string out;
  std::size_t pos = 0;
  for (const auto& h : hits) {
    if (h.begin < pos || h.end > text.size() || h.begin >= h.end) continue;
    out.append(text, pos, h.begin - pos);
    out += '\x01';
    out.append(text, h.begin, h.end - h.begin);
    out += '\x02';
    pos = h.end;
  }
  out.append(text, pos, std::string::npos);
  return out;
}

// ---- UI strings --------------------------------------------------------------------------------

struct Strings {
  const char* lang;
  const char* dir;
  const char* title;
  const char* subtitle;
  const char* other_lang_name;
  const char* other_lang_code;
  const char* other_lang_dir;
  const char* healthy;
  const char* unhealthy;
  const char* sources;
  const char *source, *status, *last_success, *last_error, *next_check, *streak;
  const char *st_ok, *st_failing, *st_dead, *st_new;
  const char* articles;
  const char* articles_topic;  // followed by the topic name
  const char* all_topics;
  const char* also_reported;
  const char* alerts;
  const char *endpoint, *pending, *failed, *delivered;
  const char* nothing;
  const char* never;
  const char* now;
  const char* topics;
  const char* generated;
  const char* in_a_row;
  const char* degraded;  // the banner when assess_health() says "degraded"
  const char *published, *fetched;
  const char *attempts, *next_attempt;
  const char* story_copies;  // the list of a story's other copies in a card
  const char* story_update;  // a story.updated row among the alerts
  const char* matched_forms;  // before what each topic's terms matched in the article
};

const Strings kAr{"ar",
                  "rtl",
                  "راصد",
                  "حالة المراقبة",
                  "English",
                  "en",
                  "ltr",
                  "كل شيء يعمل",
                  "خلل في الخدمة",
                  "المصادر",
                  "المصدر",
                  "الحالة",
                  "آخر نجاح",
                  "آخر خطأ",
                  "الفحص التالي",
                  "أخطاء متتالية",
                  "سليم",
                  "متعثّر",
                  "متوقف",
                  "جديد",
                  "أحدث المقالات المطابقة",
                  "مقالات الموضوع: ",
                  "كل المواضيع",
                  "نشرته أيضًا: ",
                  "التنبيهات المعلّقة والفاشلة",
                  "الوجهة",
                  "معلّقة",
                  "فاشلة",
                  "مُسلَّمة",
                  "لا شيء بعد",
                  "لم يحدث بعد",
                  "الآن",
                  "المواضيع",
                  "أُنشئت الصفحة",
                  "على التوالي",
                  "يعمل مع مشكلات",
                  "نُشر",
                  "جُلب",
                  "المحاولات",
                  "المحاولة التالية",
                  "نُسخ الخبر نفسه",
                  "تحديث القصة",
                  "طابق: "};

const Strings kEn{"en",
                  "ltr",
                  "rasid",
                  "monitoring status",
                  "العربية",
                  "ar",
                  "rtl",
                  "All healthy",
                  "Service problem",
                  "Sources",
                  "Source",
                  "Status",
                  "Last success",
                  "Last error",
                  "Next check",
                  "Errors in a row",
                  "ok",
                  "failing",
                  "stopped",
                  "new",
                  "Recent matched articles",
                  "Articles for topic: ",
                  "All topics",
                  "Also reported by: ",
                  "Pending and failed alerts",
                  "Endpoint",
                  "Pending",
                  "Failed",
                  "Delivered",
                  "Nothing yet",
                  "never",
                  "now",
                  "Topics",
                  "Generated",
                  "in a row",
                  "Working, with problems",
                  "Published",
                  "Fetched",
                  "Attempts",
                  "Next attempt",
                  "Copies of this story",
                  "story update",
                  "Matched: "};

// Arabic counted nouns: 1, 2 (dual), 3–10 (plural), 11+ (singular accusative).
std::string ar_count(long long n, const char* one, const char* two, const char* few,
                     const char* many) {
  if (n == 1) return one;
  if (n == 2) return two;
  return std::to_string(n) + " " + (n >= 3 && n <= 10 ? few : many);
}

// "5 min ago" / "in 3 h" / "قبل 5 دقائق".
std::string relative(storage::Millis t, storage::Millis now, const Strings& s) {
  long long d = (now - t) / 1000;
  bool future = d < 0;
  if (future) d = -d;
  if (d < 60) return s.now;
  std::string amount;
  bool ar = std::string_view(s.lang) == "ar";
  if (d < 3600) {
    long long m = d / 60;
    amount = ar ? ar_count(m, "دقيقة", "دقيقتين", "دقائق", "دقيقة") : std::to_string(m) + " min";
  } else if (d < 48 * 3600) {
    long long h = d / 3600;
    amount = ar ? ar_count(h, "ساعة", "ساعتين", "ساعات", "ساعة") : std::to_string(h) + " h";
  } else {
    long long days = d / 86400;
    amount = ar ? ar_count(days, "يوم", "يومين", "أيام", "يومًا")
                : std::to_string(days) + (days == 1 ? " day" : " days");
  }
  if (ar) return (future ? "بعد " : "قبل ") + amount;
  return future ? "in " + amount : amount + " ago";
}

std::string time_html(storage::Millis t, storage::Millis now, const Strings& s) {
  if (t <= 0) return std::string("<span class=\"muted\">") + s.never + "</span>";
  std::string iso = iso_ms(t);
  return "<time datetime=\"" + iso + "\" title=\"" + iso + "\">" +
         text::escape_html(relative(t, now, s)) + "</time>";
}

// A date that may be years old (an article's publication): relative within a week, else the
// calendar date, so a 2015 article never looks fresh.
std::string date_html(storage::Millis t, storage::Millis now, const Strings& s) {
  if (now - t <= 7 * kDay && t - now <= kDay) return time_html(t, now, s);
  std::string iso = iso_ms(t);
  return "<time datetime=\"" + iso + "\" title=\"" + iso + "\" dir=\"ltr\">" + iso.substr(0, 10) +
         "</time>";
}

// An article's publication date → Unix ms, 0 when unknown.
storage::Millis published_ms(const std::optional<text::Date>& d) {
  if (!d) return 0;
  return static_cast<storage::Millis>(d->at.time_since_epoch().count()) * 1000;
}

const char* status_label(const std::string& st, const Strings& s) {
  if (st == "ok") return s.st_ok;
  if (st == "failing") return s.st_failing;
  if (st == "dead") return s.st_dead;
  return s.st_new;
}

int status_rank(const storage::SourceState& st) {
  if (st.status == "failing" || st.status == "dead") return 0;
  if (st.status == "new") return 1;
  return 2;
}

const char* kCss = R"css(
:root{color-scheme:light dark;--bg:#fbfaf7;--fg:#1d1d1b;--muted:#6b6b66;--card:#fff;--line:#e3e0d8;
--bad:#b3261e;--bad-bg:#fde8e6;--ok:#1e6b3a;--ok-bg:#e3f4e8;--warn:#7a4b00;--warn-bg:#fff1d6;
--mark:#ffe58a;--link:#0b57a4}
@media (prefers-color-scheme:dark){:root{--bg:#161614;--fg:#ecebe6;--muted:#a3a29b;--card:#20201d;
--line:#34332f;--bad:#ff8a80;--bad-bg:#3b1614;--ok:#7fd69b;--ok-bg:#12301c;--warn:#ffcc80;
--warn-bg:#3a2a0c;--mark:#7a6300;--link:#8ab4f8}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);line-height:1.6;
font-family:"Noto Naskh Arabic","Noto Sans Arabic","Segoe UI",Tahoma,system-ui,sans-serif;font-size:16px}
main{max-width:64rem;margin:0 auto;padding:0 1rem 2rem}
header{display:flex;align-items:baseline;justify-content:space-between;gap:1rem;flex-wrap:wrap;
padding:1rem 0;border-bottom:1px solid var(--line)}
h1{margin:0;font-size:1.6rem}h1 small{font-weight:normal;color:var(--muted);font-size:1rem;margin-inline-start:.5rem}
h2{font-size:1.2rem;margin:1.5rem 0 .5rem}
a{color:var(--link)}
.banner{padding:.6rem .9rem;border-radius:.5rem;margin:1rem 0;font-weight:bold}
.banner.ok{background:var(--ok-bg);color:var(--ok)}.banner.bad{background:var(--bad-bg);color:var(--bad)}
.banner.warn{background:var(--warn-bg);color:var(--warn)}
.banner ul{margin:.3rem 0 0;padding-inline-start:1.2rem;font-weight:normal;overflow-wrap:anywhere}
.scroll{overflow-x:auto;-webkit-overflow-scrolling:touch}
table{border-collapse:collapse;width:100%;background:var(--card);font-size:.95rem}
th,td{padding:.45rem .6rem;border-bottom:1px solid var(--line);text-align:start;vertical-align:top}
th{font-weight:600;color:var(--muted);white-space:nowrap}
tr.failing td:first-child,tr.dead td:first-child{border-inline-start:4px solid var(--bad)}
.pill{display:inline-block;padding:0 .5rem;border-radius:1rem;font-size:.85rem;white-space:nowrap}
.pill.failing,.pill.dead{background:var(--bad-bg);color:var(--bad)}.pill.ok{background:var(--ok-bg);color:var(--ok)}
.pill.new{background:var(--line)}
.err{color:var(--bad);overflow-wrap:anywhere}.muted{color:var(--muted)}
ol.articles{list-style:none;padding:0;margin:0}
li.article{background:var(--card);border:1px solid var(--line);border-radius:.6rem;padding:.7rem .9rem;margin:.6rem 0}
li.article h3{margin:0 0 .25rem;font-size:1.05rem;overflow-wrap:anywhere}
.meta{color:var(--muted);font-size:.85rem;display:flex;flex-wrap:wrap;gap:.25rem .75rem}
.topic{background:var(--line);border-radius:.3rem;padding:0 .4rem;color:var(--fg);text-decoration:none}
.snippet{margin:.35rem 0 0;overflow-wrap:anywhere}
.forms{margin:.2rem 0 0;font-size:.9em;overflow-wrap:anywhere}
mark{background:var(--mark);color:inherit;padding:0 .1em;border-radius:.15em}
nav.topics{display:flex;flex-wrap:wrap;gap:.4rem}
nav.topics a{text-decoration:none;border:1px solid var(--line);border-radius:1rem;padding:.1rem .6rem;font-size:.9rem}
nav.topics a.on{background:var(--fg);color:var(--bg)}
ul.copies{margin:.4rem 0 0;padding-inline-start:1.2rem;font-size:.9rem;overflow-wrap:anywhere}
ul.copies .source{color:var(--muted);margin-inline-end:.5rem}
.event{font-weight:600}
footer{margin-top:2rem;color:var(--muted);font-size:.8rem}
@media (max-width:40rem){body{font-size:15px}th,td{padding:.35rem .4rem}.hide-narrow{display:none}}
)css";

// ---- JSON views -----------------------------------------------------------------------------

nlohmann::json topics_json(storage::Store& store, const Runtime& rt, storage::Millis now) {
  std::map<std::string, int> day, all;
  if (auto c = store.match_counts(now - kDay))
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

// ---- the page ---------------------------------------------------------------------------------

struct Highlighted {
  std::string title_html;
  std::string snippet_html;
};

// Re-runs the current topics on the stored text to mark the matched terms (the stored snippet
// marks them with «» which real Arabic text also uses, so it cannot be trusted for markup).
Highlighted highlight(const Runtime& rt, const storage::ArticleWithMatches& a) {
  std::set<std::string> topics;
  for (const auto& m : a.matches) topics.insert(m.topic);
  match::Document doc{without_markers(a.article.title), without_markers(a.article.body),
                      a.article.source, a.article.lang};
  std::vector<match::Hit> title_hits, body_hits;
  for (const auto& tm : rt.matcher.match(doc)) {
    if (tm.topic < 0 || static_cast<std::size_t>(tm.topic) >= rt.topics.size()) continue;
    if (!topics.count(rt.topics[static_cast<std::size_t>(tm.topic)].name)) continue;
    for (const auto& h : tm.hits) (h.in_title ? title_hits : body_hits).push_back(h);
  }
  Highlighted out;
  out.title_html = escape_marked(mark_spans(doc.title, title_hits));
  if (!body_hits.empty()) {
    std::sort(body_hits.begin(), body_hits.end(),
              [](const match::Hit& x, const match::Hit& y) { return x.begin < y.begin; });
    out.snippet_html = escape_marked(match::snippet(doc.body, body_hits, 280, "\x01", "\x02"));
  } else if (!a.matches.empty()) {
    out.snippet_html = text::escape_html(a.matches.front().snippet);
  } else {
    out.snippet_html = text::escape_html(match::snippet(doc.body, {}, 280, "", ""));
  }
  return out;
}

// The opening of a scrollable table up to <tbody>: one <th> per column; `narrow_hidden`
// columns carry class "hide-narrow" (dropped on phones).
struct Column {
  const char* label;
  bool narrow_hidden;
};
void table_head(std::string& h, std::initializer_list<Column> columns) {
  h += "<div class=\"scroll\"><table><thead><tr>";
  for (const auto& c : columns) {
    h += c.narrow_hidden ? "<th class=\"hide-narrow\">" : "<th>";
    h += c.label;
    h += "</th>";
  }
  h += "</tr></thead><tbody>\n";
}

// One reason of the banner, in the page's language. Names and error texts come from the
// configuration and from the outside: escaped and isolated (<bdi>) so they cannot reorder the
// sentence around them.
std::string reason_html(const HealthReason& r, const Strings& s, storage::Millis now) {
  if (std::string_view(s.lang) != "ar") return text::escape_html(r.detail);
  auto bdi = [](const std::string& t) { return "<bdi>" + text::escape_html(t) + "</bdi>"; };
  auto err = [&](const std::string& e) {
    return e.empty() ? std::string() : "؛ آخر خطأ: " + bdi(e);
  };
  const std::string n = std::to_string(r.count);
  if (r.kind == "service") return "الخدمة: " + bdi(r.detail);
  if (r.problem == "all_sources") return "كل المصادر متعثّرة (" + n + "): لا تصل أخبار جديدة";
  if (r.kind == "source") {
    if (r.problem == "dead")
      return "المصدر " + bdi(r.name) + " متوقف: أجاب 410 (لم يعد موجودًا)، يُفحص مرة في اليوم" +
             err(r.error);
    return "المصدر " + bdi(r.name) + " متعثّر: أخطاء متتالية: " + n + err(r.error) +
           "؛ آخر نجاح: " + (r.at > 0 ? time_html(r.at, now, s) : std::string(s.never));
  }
  const std::string ep = "الوجهة " + bdi(r.name) + ": ";
  if (r.problem == "failed") return ep + "تنبيهات فاشلة: " + n + err(r.error);
  if (r.problem == "paused")
    return ep + "معطّلة بعد أن أجابت 410؛ تنبيهات معلّقة: " + n + "؛ المحاولة التالية " +
           time_html(r.at, now, s);
  if (r.problem == "retrying")
    return ep + "تنبيهات معلّقة: " + n + "؛ محاولات فاشلة متتالية: " + std::to_string(r.attempts) +
           err(r.error) + "؛ المحاولة التالية " + time_html(r.at, now, s);
  if (r.problem == "stalled")
    return ep + "تنبيهات معلّقة: " + n + "، مستحقة منذ " + time_html(r.at, now, s) + " ولم تُرسل";
  if (r.problem == "backlog")
    return ep + "تنبيهات تنتظر: " + n + "، أقدمها أُضيف " + time_html(r.at, now, s) +
           " دون محاولة فاشلة تفسّر الانتظار";
  return text::escape_html(r.detail);
}

std::string page_href(const std::string& lang, const std::string& topic) {
  std::string h = "?lang=" + lang;
  if (!topic.empty()) h += "&topic=" + url::encode(topic);
  return h;
}

std::string render_page(const StatusContext& ctx, const std::map<std::string, std::string>& q) {
  auto rt = ctx.runtime();
  storage::Store& store = *ctx.store;
  const storage::Millis now = storage::now_ms();
  auto lang_it = q.find("lang");
  const Strings& s = (lang_it != q.end() && lang_it->second == "en") ? kEn : kAr;
  std::string topic = q.count("topic") ? q.at("topic") : "";
  Health health = ctx.health ? ctx.health() : Health{};

  std::string h;
  h.reserve(32768);
  h += "<!doctype html>\n<html dir=\"";
  h += s.dir;
  h += "\" lang=\"";
  h += s.lang;
  h += "\"><head><meta charset=\"utf-8\">"
       "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
       "<meta name=\"referrer\" content=\"no-referrer\">"
       "<meta http-equiv=\"refresh\" content=\"30\"><title>";
  h += s.title;
  h += " — ";
  h += s.subtitle;
  h += "</title><style>";
  h += kCss;
  h += "</style></head><body><main>\n<header><h1>";
  h += s.title;
  h += "<small>";
  h += s.subtitle;
  h += "</small></h1><a id=\"lang-toggle\" href=\"" +
       text::escape_html(page_href(s.other_lang_code, topic)) + "\" hreflang=\"" +
       s.other_lang_code + "\" lang=\"" + s.other_lang_code + "\" dir=\"" + s.other_lang_dir +
       "\">" + s.other_lang_name + "</a></header>\n";

  // Sources, failing first.
  std::vector<storage::SourceState> states;
  for (const auto& src : rt->config.sources) {
    auto st = store.source(src.name);
    if (st) states.push_back(std::move(st).value());
  }
  std::stable_sort(states.begin(), states.end(), [](const auto& a, const auto& b) {
    if (status_rank(a) != status_rank(b)) return status_rank(a) < status_rank(b);
    return a.consecutive_errors > b.consecutive_errors;
  });
  // The banner is the one verdict /api/health and systemd's STATUS= give (assess_health).
  const OverallHealth overall = assess_health(store, *rt, health, now);
  const char* level = to_string(overall.status);
  h += std::string("<div id=\"health\" class=\"banner ") +
       (overall.status == HealthLevel::ok         ? "ok"
        : overall.status == HealthLevel::degraded ? "warn"
                                                  : "bad") +
       "\" data-status=\"" + level + "\" role=\"status\">";
  h += overall.status == HealthLevel::ok         ? s.healthy
       : overall.status == HealthLevel::degraded ? s.degraded
                                                 : s.unhealthy;
  if (!overall.reasons.empty()) {
    h += "<ul>";
    for (const auto& r : overall.reasons)
      h += std::string("<li class=\"reason\" data-kind=\"") + text::escape_html(r.kind) +
           "\" data-name=\"" + text::escape_html(r.name) + "\" data-level=\"" + to_string(r.level) +
           "\">" + reason_html(r, s, now) + "</li>";
    h += "</ul>";
  }
  h += "</div>\n";

  h += "<section id=\"sources\"><h2>";
  h += s.sources;
  h += "</h2>";
  if (states.empty()) {
    h += std::string("<p class=\"muted\">") + s.nothing + "</p>";
  } else {
    table_head(h, {{s.source, false},
                   {s.status, false},
                   {s.last_success, false},
                   {s.last_error, false},
                   {s.next_check, true}});
    for (const auto& st : states) {
      const auto* src = rt->source(st.name);
      std::string url = src ? (src->feed.empty() ? src->page : src->feed) : "";
      std::string cls = text::escape_html(st.status);
      h += "<tr class=\"src " + cls + "\" data-source=\"" + text::escape_html(st.name) +
           "\" data-status=\"" + cls + "\"><td>";
      if (http_link(url))
        h += "<a href=\"" + text::escape_html(url) + "\" rel=\"noreferrer noopener\">" +
             text::escape_html(st.name) + "</a>";
      else
        h += text::escape_html(st.name);
      h += "</td><td><span class=\"pill " + cls + "\">" + status_label(st.status, s) + "</span>";
      if (st.consecutive_errors > 0)
        h += " <span class=\"muted\" title=\"" + std::string(s.streak) + "\">×" +
             std::to_string(st.consecutive_errors) + "</span>";
      h += "</td><td>" + time_html(st.last_success, now, s) + "</td><td class=\"err\">" +
           text::escape_html(st.last_error) + "</td><td class=\"hide-narrow\">" +
           (st.next_check > 0 ? time_html(st.next_check, now, s) : std::string(s.now)) +
           "</td></tr>\n";
    }
    h += "</tbody></table></div>";
  }
  h += "</section>\n";

  // Topics (filter) and recent matched articles.
  h += "<section id=\"articles\"><h2>";
  if (topic.empty())
    h += s.articles;
  else
    h += s.articles_topic + text::escape_html(topic);
  h += "</h2><nav class=\"topics\" aria-label=\"";
  h += s.topics;
  h += "\"><a href=\"" + text::escape_html(page_href(s.lang, "")) + "\"" +
       (topic.empty() ? " class=\"on\"" : "") + ">" + s.all_topics + "</a>";
  std::map<std::string, int> day;
  if (auto c = store.match_counts(now - kDay))
    for (const auto& [t, n] : c.value()) day[t] = n;
  for (const auto& t : rt->config.topics)
    h += "<a href=\"" + text::escape_html(page_href(s.lang, t.name)) + "\"" +
         (t.name == topic ? " class=\"on\"" : "") + ">" + text::escape_html(t.name) + " <span>" +
         std::to_string(day[t.name]) + "</span></a>";
  h += "</nav>\n";
  storage::ArticleQuery aq;
  aq.topic = topic;
  aq.matched_only = true;
  aq.since = now - 7 * kDay;
  aq.limit = 30;
  auto arts = store.articles_with_matches(aq);
  if (!arts) {
    h += "<p class=\"err\">" + text::escape_html(arts.error()) + "</p>";
  } else if (arts->empty()) {
    h += std::string("<p class=\"muted\">") + s.nothing + "</p>";
  } else {
    h += "<ol class=\"articles\">\n";
    // A story's copies are shown together: in the card of its newest matched copy, which lists
    // the others; the others get no card of their own.
    std::set<std::int64_t> stories_shown;
    for (const auto& a : arts.value()) {
      const auto& art = a.article;
      if (art.story_id && !stories_shown.insert(art.story_id).second) continue;
      std::vector<storage::StoryCopy> copies;
      if (art.story_id)
        if (auto c = store.story_copies(art.story_id, kCopiesShown)) copies = std::move(c).value();
      auto hl = highlight(*rt, a);
      h += "<li class=\"article\" data-id=\"" + std::to_string(art.id) + "\"";
      if (art.story_id) h += " data-story=\"" + std::to_string(art.story_id) + "\"";
      if (!art.lang.empty()) {
        std::string al = text::escape_html(art.lang);
        h += " lang=\"" + al + "\" dir=\"" + (art.lang == "ar" ? "rtl" : "auto") + "\"";
      }
      h += "><h3>";
      if (http_link(art.url))
        h += "<a href=\"" + text::escape_html(art.url) + "\" rel=\"noreferrer noopener\">" +
             hl.title_html + "</a>";
      else
        h += hl.title_html;
      h += "</h3><div class=\"meta\" lang=\"";
      h += s.lang;
      h += "\"><span class=\"source\">" + text::escape_html(art.source) + "</span>";
      // When it was published (a feed may carry years-old items); when rasid fetched it second.
      if (storage::Millis pub = published_ms(art.published); pub > 0)
        h += std::string("<span class=\"published\">") + s.published + " " +
             date_html(pub, now, s) + "</span>";
      h += std::string("<span class=\"fetched muted\">") + s.fetched + " " +
           time_html(art.fetched_at, now, s) + "</span>";
      for (const auto& m : a.matches)
        h += "<a class=\"topic\" href=\"" + text::escape_html(page_href(s.lang, m.topic)) + "\">" +
             text::escape_html(m.topic) + "</a>";
      if (art.story_id) {
        if (auto others = store.story_sources(art.story_id)) {
          std::string list;
          for (const auto& o : others.value())
            if (o != art.source) list += (list.empty() ? "" : "، ") + text::escape_html(o);
          if (!list.empty())
            h += std::string("<span class=\"also\">") + s.also_reported + list + "</span>";
        }
      }
      h += "</div><p class=\"snippet\">" + hl.snippet_html + "</p>";
      if (copies.size() > 1) {
        h += std::string("<ul class=\"copies\" aria-label=\"") + s.story_copies + "\">";
        for (const auto& c : copies) {
          if (c.id == art.id) continue;
          h += "<li data-id=\"" + std::to_string(c.id) + "\"><span class=\"source\">" +
               text::escape_html(c.source) + "</span>";
          const std::string title = text::escape_html(c.title.empty() ? c.url : c.title);
          if (http_link(c.url))
            h += "<a href=\"" + text::escape_html(c.url) + "\" rel=\"noreferrer noopener\">" +
                 title + "</a>";
          else
            h += title;
          h += " <span class=\"muted\">" + time_html(c.fetched_at, now, s) + "</span></li>";
        }
        h += "</ul>";
      }
      // What each topic's terms matched, as recorded with the match («كمال» under مال).
      for (const auto& m : a.matches)
        if (!m.forms.empty())
          h += std::string("<p class=\"forms muted\">") + s.matched_forms + "<bdi>" +
               text::escape_html(m.topic) + "</bdi> — <bdi>" + text::escape_html(m.forms) + "</bdi></p>";
      h += "</li>\n";
    }
    h += "</ol>";
  }
  h += "</section>\n";

  // Alerts.
  h += "<section id=\"alerts\"><h2>";
  h += s.alerts;
  h += "</h2>";
  auto counts = store.outbox_counts();
  bool any = false;
  if (counts) {
    for (const auto& c : counts.value()) any = any || c.pending || c.failed;
  }
  if (!counts) {
    h += "<p class=\"err\">" + text::escape_html(counts.error()) + "</p>";
  } else if (counts->empty()) {
    h += std::string("<p class=\"muted\">") + s.nothing + "</p>";
  } else {
    table_head(h, {{s.endpoint, false},
                   {s.pending, false},
                   {s.failed, false},
                   {s.delivered, true},
                   {s.last_error, false}});
    for (const auto& c : counts.value()) {
      h += "<tr class=\"endpoint" + std::string(c.failed ? " failing" : "") +
           "\" data-endpoint=\"" + text::escape_html(c.webhook) + "\"><td>" +
           text::escape_html(c.webhook) + "</td><td>" + std::to_string(c.pending) + "</td><td>" +
           std::to_string(c.failed) + "</td><td class=\"hide-narrow\">" +
           std::to_string(c.delivered) + "</td><td class=\"err\">" +
           text::escape_html(c.last_error) + "</td></tr>";
    }
    h += "</tbody></table></div>";
  }
  if (any) {
    h += "<ol class=\"articles outbox\">";
    for (const char* state : {"failed", "pending"}) {
      auto rows = store.outbox_rows(state, "", 20);
      if (!rows) continue;
      for (const auto& r : rows.value()) {
        auto p = parse_json(r.payload);
        std::string title;
        if (p.is_object() && p.contains("article") && p["article"].is_object() &&
            p["article"].contains("title") && p["article"]["title"].is_string())
          title = p["article"]["title"].get<std::string>();
        const bool update = p.is_object() && p.value("type", "") == "story.updated";
        h += std::string("<li class=\"article alert ") + state + "\"><div class=\"meta\">" +
             "<span class=\"pill " + (std::string(state) == "failed" ? "failing" : "new") + "\">" +
             (std::string(state) == "failed" ? s.failed : s.pending) + "</span>" + "<span>" +
             text::escape_html(r.webhook) + "</span><span class=\"topic\">" +
             text::escape_html(r.topic) + "</span>" +
             (update ? std::string("<span class=\"event\">") + s.story_update + "</span>" : "") +
             time_html(r.created, now, s) + "<span class=\"attempts\">" + s.attempts + ": " +
             std::to_string(r.attempts) + "</span>";
        if (std::string_view(state) == "pending")
          h += std::string("<span class=\"next-attempt\">") + s.next_attempt + ": " +
               (r.next_attempt > now ? time_html(r.next_attempt, now, s) : std::string(s.now)) +
               "</span>";
        h += "</div>";
        if (!title.empty()) h += "<p class=\"snippet\">" + text::escape_html(title) + "</p>";
        if (!r.last_error.empty())
          h += "<p class=\"err\">" + text::escape_html(r.last_error) + "</p>";
        h += "</li>";
      }
    }
    h += "</ol>";
  }
  h += "</section>\n<footer>";
  h += s.generated;
  h += " <time dir=\"ltr\" datetime=\"" + iso_ms(now) + "\">" + iso_ms(now) +
       "</time> · <a href=\"/metrics\">metrics</a> · <a href=\"/api/articles\">JSON</a>"
       "</footer>\n</main></body></html>\n";
  return h;
}

StatusReply json_reply(int status, const nlohmann::json& j) {
  return {status, "application/json; charset=utf-8", dump(j, 2) + "\n", ""};
}

StatusReply error_reply(int status, const std::string& message) {
  return json_reply(status, {{"error", message}});
}

}  // namespace

// ---- public pieces ------------------------------------------------------------------------------

const char* to_string(HealthLevel level) {
  switch (level) {
    case HealthLevel::ok:
      return "ok";
    case HealthLevel::degraded:
      return "degraded";
    case HealthLevel::failing:
      return "failing";
  }
  return "failing";
}

namespace {

// The rule's constants (status.h, README "Status page").
constexpr int kFailingAttempts = 3;                  // a head failing this often: failing
constexpr storage::Millis kStallGrace = 2 * 60'000;  // due and not sent for longer: stalled
constexpr storage::Millis kBacklogGrace = 10 * 60'000;

std::string counted(long long n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

std::string iso_or(storage::Millis t, const char* none) { return t > 0 ? iso_ms(t) : none; }

}  // namespace

OverallHealth assess_health(storage::Store& store, const Runtime& rt, const Health& live,
                            storage::Millis now) {
  OverallHealth h;
  auto add = [&h](HealthLevel level, std::string kind, std::string name, std::string problem) {
    HealthReason r;
    r.level = level;
    r.kind = std::move(kind);
    r.name = std::move(name);
    r.problem = std::move(problem);
    h.reasons.push_back(std::move(r));
    return &h.reasons.back();
  };
  if (!live.ok()) {
    auto* r = add(HealthLevel::failing, "service", "",
                  !live.database ? "database"
                  : !live.loop   ? "loop"
                                 : "scheduler");
    r->detail = live.detail.empty() ? "the service is not live" : live.detail;
  }
  // A database that does not answer cannot be read either: the liveness reason says it all.
  if (live.database) {
    h.sources = static_cast<int>(rt.config.sources.size());
    if (auto states = store.sources(); !states) {
      add(HealthLevel::failing, "service", "", "database")->detail = "database: " + states.error();
    } else {
      std::map<std::string, const storage::SourceState*> by_name;
      for (const auto& st : states.value()) by_name[st.name] = &st;
      for (const auto& src : rt.config.sources) {
        auto it = by_name.find(src.name);
        if (it == by_name.end()) continue;
        const storage::SourceState& st = *it->second;
        if (st.status != "failing" && st.status != "dead") continue;
        h.sources_failing++;
        auto* r = add(HealthLevel::degraded, "source", src.name, st.status);
        r->count = st.consecutive_errors;
        r->error = st.last_error;
        r->at = st.last_success;
        if (st.status == "dead")
          r->detail = "gone (HTTP 410), checked once a day; last error: " + st.last_error;
        else
          r->detail = counted(st.consecutive_errors, "error", "errors") +
                      " in a row; last error: " + st.last_error +
                      "; last success: " + iso_or(st.last_success, "never");
      }
      if (h.sources > 0 && h.sources_failing == h.sources) {
        auto* r = add(HealthLevel::failing, "source", "", "all_sources");
        r->count = h.sources;
        r->detail = h.sources == 1 ? "the only source is failing: no news comes in"
                                   : "all " + std::to_string(h.sources) +
                                         " sources are failing: no news comes in";
      }
    }

    if (auto queues = store.endpoint_queues(); !queues) {
      add(HealthLevel::failing, "service", "", "database")->detail = "database: " + queues.error();
    } else {
      for (const auto& ep : rt.endpoints) {
        auto q = std::find_if(queues->begin(), queues->end(), [&](const storage::EndpointQueue& e) {
          return e.webhook == ep.name;
        });
        if (q == queues->end()) continue;
        h.alerts_pending += q->pending;
        h.alerts_failed += q->failed;
        if (q->failed > 0) {
          auto* r = add(HealthLevel::failing, "delivery", ep.name, "failed");
          r->count = q->failed;
          r->error = q->last_failed_error;
          r->detail = counted(q->failed, "alert", "alerts") +
                      " failed; last error: " + q->last_failed_error;
        }
        if (!q->head) continue;
        const storage::OutboxRow& head = *q->head;
        const std::string pending = counted(q->pending, "alert", "alerts") + " pending";
        const bool waiting = head.next_attempt > now;
        // The deliverer's note on the rows of an endpoint it disabled after a 410 Gone.
        const bool paused = head.last_error.rfind("endpoint disabled", 0) == 0;
        HealthReason* r = nullptr;
        if (waiting && paused) {
          r = add(HealthLevel::failing, "delivery", ep.name, "paused");
          r->detail =
              "paused after 410 Gone; " + pending + "; next probe at " + iso_ms(head.next_attempt);
        } else if (waiting && head.attempts > 0) {
          const bool all_failed = head.attempts >= kFailingAttempts;
          r = add(all_failed ? HealthLevel::failing : HealthLevel::degraded, "delivery", ep.name,
                  "retrying");
          r->detail = pending + " (oldest queued " + iso_ms(q->oldest_pending) + "); " +
                      (all_failed ? "all " + std::to_string(head.attempts) + " attempts failed"
                                  : counted(head.attempts, "attempt", "attempts") + " failed") +
                      ", last error: " + head.last_error + "; next retry at " +
                      iso_ms(head.next_attempt);
        } else if (!waiting && head.next_attempt > 0 && now - head.next_attempt > kStallGrace) {
          r = add(HealthLevel::degraded, "delivery", ep.name, "stalled");
          r->detail = pending + ", due since " + iso_ms(head.next_attempt) + " but not sent";
        } else if (waiting && head.attempts == 0 && q->oldest_pending > 0) {
          // Waiting without a failed attempt: only the rate limit or the digest period explain it.
          const long long n = q->pending;
          const storage::Millis explained =
              kBacklogGrace +
              (ep.digest.count() > 0
                   ? ep.digest.count() * ((n + alert::kDigestMax - 1) / alert::kDigestMax)
                   : ep.min_interval.count() * n);
          if (now - q->oldest_pending > explained) {
            r = add(HealthLevel::degraded, "delivery", ep.name, "backlog");
            r->detail = pending + " without a failed attempt, the oldest queued " +
                        iso_ms(q->oldest_pending) + "; next attempt at " +
                        iso_ms(head.next_attempt) +
                        (head.last_error.empty() ? "" : " (" + head.last_error + ")");
          }
        }
        if (r) {
          r->count = q->pending;
          r->attempts = head.attempts;
          r->error = head.last_error;
          r->at = r->problem == "backlog" ? q->oldest_pending : head.next_attempt;
        }
      }
    }
  }
  std::stable_sort(h.reasons.begin(), h.reasons.end(),
                   [](const HealthReason& a, const HealthReason& b) { return a.level > b.level; });
  for (const auto& r : h.reasons) h.status = std::max(h.status, r.level);
  return h;
}

nlohmann::json health_json(const OverallHealth& health) {
  nlohmann::json reasons = nlohmann::json::array();
  for (const auto& r : health.reasons) {
    nlohmann::json j{{"kind", r.kind},
                     {"level", to_string(r.level)},
                     {"problem", r.problem},
                     {"detail", r.detail}};
    if (r.kind == "source" && !r.name.empty()) j["source"] = r.name;
    if (r.kind == "delivery") j["endpoint"] = r.name;
    if (r.kind != "service") j["count"] = r.count;
    if (!r.error.empty()) j["last_error"] = r.error;
    if (r.kind == "delivery") j["attempts"] = r.attempts;
    if (r.at > 0) {
      const char* key = r.kind == "source"       ? "last_success"
                        : r.problem == "stalled" ? "due_since"
                        : r.problem == "backlog" ? "oldest_queued"
                                                 : "next_attempt";
      j[key] = iso_ms(r.at);
    }
    reasons.push_back(std::move(j));
  }
  return {{"status", to_string(health.status)},
          {"reasons", std::move(reasons)},
          {"sources", {{"configured", health.sources}, {"failing", health.sources_failing}}},
          {"alerts", {{"pending", health.alerts_pending}, {"failed", health.alerts_failed}}}};
}

std::string health_line(const OverallHealth& health) {
  std::string line = to_string(health.status);
  if (!health.reasons.empty()) {
    const auto& r = health.reasons.front();
    line += ": " + (r.name.empty() ? r.detail : r.name + ": " + r.detail);
    if (health.reasons.size() > 1)
      line += " (+" + std::to_string(health.reasons.size() - 1) + " more)";
  }
  line += " | " + std::to_string(health.sources) + " sources, " +
          std::to_string(health.sources_failing) + " failing, " +
          std::to_string(health.alerts_pending) + " alerts pending, " +
          std::to_string(health.alerts_failed) + " failed";
  // systemd shows one line: no newline from an error text may break it.
  for (char& c : line)
    if (c == '\n' || c == '\r') c = ' ';
  return line;
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

std::string fts_query_from_words(std::string_view words) {
  std::string out;
  std::size_t i = 0;
  while (i < words.size()) {
    while (i < words.size() && (words[i] == ' ' || words[i] == '\t' || words[i] == '\n')) ++i;
    std::size_t start = i;
    while (i < words.size() && !(words[i] == ' ' || words[i] == '\t' || words[i] == '\n')) ++i;
    if (i == start) break;
    std::string w(words.substr(start, i - start));
    std::string quoted = "\"";
    for (char c : w) {
      if (c == '"')
        quoted += "\"\"";
      else
        quoted += c;
    }
    quoted += '"';
    if (!out.empty()) out += ' ';
    out += quoted;
  }
  return out;
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

StatusReply handle_status_request(const StatusContext& ctx, std::string_view method,
                                  std::string_view target, std::string_view authorization) {
  if (method != "GET" && method != "HEAD") {
    auto r = error_reply(405, "only GET and HEAD");
    return r;
  }
  auto qpos = target.find('?');
  std::string path = url::decode(target.substr(0, qpos), false);
  auto q =
      parse_query(qpos == std::string_view::npos ? std::string_view() : target.substr(qpos + 1));

  if (path == "/healthz") {
    Health hl = ctx.health ? ctx.health() : Health{};
    nlohmann::json j{{"status", hl.ok() ? "ok" : "unhealthy"},
                     {"loop", hl.loop},
                     {"database", hl.database},
                     {"scheduler", hl.scheduler}};
    if (!hl.detail.empty()) j["detail"] = hl.detail;
    return json_reply(hl.ok() ? 200 : 503, j);
  }

  auto rt = ctx.runtime();
  const std::string& token = rt->config.daemon.status_token;
  if (!token.empty()) {
    constexpr std::string_view kBearer = "Bearer ";
    bool ok = authorization.size() > kBearer.size() &&
              std::equal(kBearer.begin(), kBearer.end(), authorization.begin(),
                         [](char a, char b) { return std::tolower(a) == std::tolower(b); }) &&
              constant_time_equal(authorization.substr(kBearer.size()), token);
    if (!ok) {
      auto r = error_reply(401, "a bearer token is required");
      r.www_authenticate = "Bearer realm=\"rasid\"";
      return r;
    }
  }

  storage::Store& store = *ctx.store;
  const storage::Millis now = storage::now_ms();
  if (path == "/metrics") {
    return {200, "text/plain; version=0.0.4; charset=utf-8", ctx.metrics->render(store, *rt), ""};
  }
  if (path == "/api/health") {
    auto overall = assess_health(store, *rt, ctx.health ? ctx.health() : Health{}, now);
    return json_reply(overall.status == HealthLevel::failing ? 503 : 200, health_json(overall));
  }
  if (path == "/api/sources") return json_reply(200, sources_json(store, *rt));
  if (path == "/api/topics") return json_reply(200, topics_json(store, *rt, now));
  if (path == "/api/articles") {
    storage::ArticleQuery aq;
    aq.topic = q.count("topic") ? q["topic"] : "";
    auto since = parse_since(q.count("since") ? q["since"] : "", now, 7 * kDay);
    if (!since) return error_reply(400, "since: use 24h, 7d, 2024-05-01 or 2024-05-01T10:00:00Z");
    aq.since = *since;
    if (q.count("q")) {
      if (q["q"].size() > 256) return error_reply(400, "q: at most 256 bytes");
      aq.fts = fts_query_from_words(q["q"]);
    }
    aq.matched_only = q.count("matched") && q["matched"] != "0";
    aq.limit = 50;
    if (q.count("limit")) {
      char* end = nullptr;
      long v = std::strtol(q["limit"].c_str(), &end, 10);
      if (!end || *end || v < 1 || v > 500) return error_reply(400, "limit: 1-500");
      aq.limit = static_cast<int>(v);
    }
    auto arr = articles_json(store, aq);
    if (!arr) return error_reply(500, arr.error());
    return json_reply(200, {{"since", iso_ms(aq.since)},
                            {"topic", aq.topic},
                            {"q", q.count("q") ? q["q"] : ""},
                            {"articles", arr.value()}});
  }
  if (path == "/" || path == "/index.html") {
    return {200, "text/html; charset=utf-8", render_page(ctx, q), ""};
  }
  return error_reply(404, "not found");
}

// ---- the server
// -----------------------------------------------------------------------------------

struct StatusServer::Impl : std::enable_shared_from_this<StatusServer::Impl> {
  Impl(asio::io_context& io_, StatusContext c)
      : io(io_), ctx(std::move(c)), acceptor(io_), beat(io_) {
    // The loop is judged here (a heartbeat timer); the database and scheduler by the Service.
    auto inner = ctx.health;
    ctx.health = [this, inner] {
      Health h = inner ? inner() : Health{};
      auto age = std::chrono::steady_clock::now() - last_beat;
      if (age > 5s || lag > 5.0) {
        h.loop = false;
        if (!h.detail.empty()) h.detail += "; ";
        h.detail += "event loop lagging (" +
                    std::to_string(static_cast<int>(
                        std::max(lag, std::chrono::duration<double>(age).count()))) +
                    " s)";
      }
      return h;
    };
  }

  void arm_beat() {
    expected = std::chrono::steady_clock::now() + 1s;
    beat.expires_at(expected);
    beat.async_wait([this](const boost::system::error_code& ec) {
      if (ec || stopped) return;
      last_beat = std::chrono::steady_clock::now();
      lag = std::chrono::duration<double>(last_beat - expected).count();
      if (ctx.metrics) ctx.metrics->loop_lag(lag);
      arm_beat();
    });
  }

  void accept();

  asio::io_context& io;
  StatusContext ctx;
  tcp::acceptor acceptor;
  asio::steady_timer beat;
  std::chrono::steady_clock::time_point expected, last_beat = std::chrono::steady_clock::now();
  double lag = 0;
  int sessions = 0;
  bool stopped = false;
};

namespace {

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, std::shared_ptr<StatusServer::Impl> server)
      : stream_(std::move(socket)), server_(std::move(server)) {
    server_->sessions++;
  }
  ~Session() { server_->sessions--; }

  void read() {
    parser_.emplace();
    parser_->header_limit(8192);
    parser_->body_limit(0);
    stream_.expires_after(10s);
    http::async_read(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
  }

 private:
  void on_read(beast::error_code ec) {
    if (ec) {
      if (ec == http::error::header_limit || ec == http::error::body_limit ||
          ec == http::error::unexpected_body || ec == http::error::bad_target ||
          ec == http::error::bad_method || ec == http::error::bad_version) {
        StatusReply r{ec == http::error::header_limit ? 431 : 400, "text/plain; charset=utf-8",
                      "bad request\n", ""};
        return send(r, 11, false, true);
      }
      return close();
    }
    auto& req = parser_->get();
    auto m = req.method_string();
    auto t = req.target();
    auto a = req[http::field::authorization];
    StatusReply r = handle_status_request(server_->ctx, std::string_view(m.data(), m.size()),
                                          std::string_view(t.data(), t.size()),
                                          std::string_view(a.data(), a.size()));
    send(r, req.version(), req.method() == http::verb::head, !req.keep_alive() || server_->stopped);
  }

  void send(const StatusReply& r, unsigned version, bool head, bool last) {
    res_ = {};
    res_.version(version);
    res_.result(static_cast<http::status>(r.status));
    res_.set(http::field::server, "rasid");
    res_.set(http::field::content_type, r.content_type);
    res_.set(http::field::cache_control, "no-store");
    res_.set("X-Content-Type-Options", "nosniff");
    res_.set("X-Frame-Options", "DENY");
    res_.set("Referrer-Policy", "no-referrer");
    res_.set("Content-Security-Policy",
             "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; "
             "form-action 'none'; frame-ancestors 'none'");
    if (r.status == 405) res_.set(http::field::allow, "GET, HEAD");
    if (!r.www_authenticate.empty()) res_.set(http::field::www_authenticate, r.www_authenticate);
    res_.keep_alive(!last);
    if (head) {
      res_.content_length(r.body.size());
    } else {
      res_.body() = r.body;
      res_.prepare_payload();
    }
    stream_.expires_after(10s);
    http::async_write(stream_, res_,
                      [self = shared_from_this(), last](beast::error_code ec, std::size_t) {
                        if (ec || last) return self->close();
                        self->read();
                      });
  }

  void close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.socket().close(ec);
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_{16384};
  std::optional<http::request_parser<http::empty_body>> parser_;
  http::response<http::string_body> res_;
  std::shared_ptr<StatusServer::Impl> server_;
};

}  // namespace

void StatusServer::Impl::accept() {
  acceptor.async_accept([self = shared_from_this()](beast::error_code ec, tcp::socket socket) {
    if (self->stopped || ec == asio::error::operation_aborted) return;
    if (!ec) {
      if (self->sessions >= kMaxSessions) {
        beast::error_code ignored;
        socket.close(ignored);
      } else {
        std::make_shared<Session>(std::move(socket), self)->read();
      }
    }
    self->accept();
  });
}

StatusServer::StatusServer(asio::io_context& io, StatusContext context)
    : impl_(std::make_shared<Impl>(io, std::move(context))) {}

StatusServer::~StatusServer() { stop(); }

Result<std::string> StatusServer::start(const std::string& listen) {
  std::string host, port;
  if (!listen.empty() && listen[0] == '[') {
    auto close = listen.find("]:");
    if (close == std::string::npos) return Error{"status_listen: expected [IPv6]:port"};
    host = listen.substr(1, close - 1);
    port = listen.substr(close + 2);
  } else {
    auto colon = listen.rfind(':');
    if (colon == std::string::npos) return Error{"status_listen: expected host:port"};
    host = listen.substr(0, colon);
    port = listen.substr(colon + 1);
  }
  beast::error_code ec;
  tcp::resolver resolver(impl_->io);
  auto results = resolver.resolve(host, port, tcp::resolver::numeric_service, ec);
  if (ec || results.empty()) return Error{"status_listen " + listen + ": " + ec.message()};
  tcp::endpoint ep = results.begin()->endpoint();
  auto& acc = impl_->acceptor;
  acc.open(ep.protocol(), ec);
  if (!ec) acc.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acc.bind(ep, ec);
  if (!ec) acc.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    beast::error_code ignored;
    acc.close(ignored);
    return Error{"status_listen " + listen + ": " + ec.message()};
  }
  auto bound = acc.local_endpoint(ec);
  std::string addr = bound.address().is_v6() ? "[" + bound.address().to_string() + "]"
                                             : bound.address().to_string();
  addr += ":" + std::to_string(bound.port());
  impl_->last_beat = std::chrono::steady_clock::now();
  impl_->arm_beat();
  impl_->accept();
  return addr;
}

void StatusServer::stop() {
  if (!impl_ || impl_->stopped) return;
  impl_->stopped = true;
  beast::error_code ec;
  impl_->acceptor.close(ec);
  impl_->beat.cancel();
}

}  // namespace rasid::daemon
