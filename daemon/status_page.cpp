// The status page: HTML and its CSS (daemon/status_page.h).
#include "daemon/status_page.h"

#include <algorithm>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <set>
#include <utility>
#include <vector>

#include "alert/alert.h"
#include "match/matcher.h"
#include "text/date.h"
#include "text/text.h"
#include "url/url.h"

namespace rasid::daemon {

namespace {

// ---- small helpers ---------------------------------------------------------------------------

bool http_link(std::string_view link) {
  std::string scheme = url::scheme(link);
  return scheme == "http" || scheme == "https";
}

nlohmann::json parse_json(const std::string& text) {
  return nlohmann::json::parse(text, nullptr, false);
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
  const char* story_copies;   // the list of a story's other copies in a card
  const char* story_update;   // a story.updated row among the alerts
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
  if (now - t <= 7 * kDayMs && t - now <= kDayMs) return time_html(t, now, s);
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

}  // namespace

std::string render_status_page(const StatusContext& ctx,
                               const std::map<std::string, std::string>& q) {
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
  if (auto c = store.match_counts(now - kDayMs))
    for (const auto& [t, n] : c.value()) day[t] = n;
  for (const auto& t : rt->config.topics)
    h += "<a href=\"" + text::escape_html(page_href(s.lang, t.name)) + "\"" +
         (t.name == topic ? " class=\"on\"" : "") + ">" + text::escape_html(t.name) + " <span>" +
         std::to_string(day[t.name]) + "</span></a>";
  h += "</nav>\n";
  storage::ArticleQuery aq;
  aq.topic = topic;
  aq.matched_only = true;
  aq.since = now - 7 * kDayMs;
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
               text::escape_html(m.topic) + "</bdi> — <bdi>" + text::escape_html(m.forms) +
               "</bdi></p>";
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
           text::escape_html(alert::readable_note(c.last_error)) + "</td></tr>";
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
          h += "<p class=\"err\">" + text::escape_html(alert::readable_note(r.last_error)) + "</p>";
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

}  // namespace rasid::daemon
