// Rendering a stored row (generic rasid.alert.v1 JSON) into each target's request.
#include <nlohmann/json.hpp>

#include "alert/alert.h"
#include "alert/textfit.h"
#include "text/text.h"

namespace rasid::alert {

using detail::Measure;
using nlohmann::ordered_json;

namespace {

constexpr std::size_t kSlackText = 3000;  // section block text
constexpr std::size_t kDiscordContent = 2000;
constexpr std::size_t kTelegramText = 4096;
constexpr std::size_t kNtfyBody = 4096;   // bytes; longer messages become attachments
constexpr std::size_t kTitleShare = 300;  // a title never takes more than this

struct View {
  std::string type, topic, title, url, source, published, snippet;
  std::vector<std::string> also;
  std::vector<Outlet> outlets;  // story.updated
};

std::string str(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

View view_of(const storage::OutboxRow& row) {
  View v;
  v.topic = text::sanitize_utf8(row.topic);  // parsed JSON strings are valid; the column may not be
  auto j = nlohmann::json::parse(row.payload, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    v.type = "article.matched";
    v.title = v.topic;
    return v;
  }
  v.type = str(j, "type");
  if (auto t = str(j, "topic"); !t.empty()) v.topic = t;
  v.snippet = str(j, "snippet");
  if (auto a = j.find("article"); a != j.end() && a->is_object()) {
    v.title = str(*a, "title");
    v.url = str(*a, "url");
    if (v.url.empty()) v.url = str(*a, "canonical");
    v.source = str(*a, "source");
    v.published = str(*a, "published");
  }
  if (auto a = j.find("also_reported_by"); a != j.end() && a->is_array())
    for (const auto& s : *a)
      if (s.is_string()) v.also.push_back(s.get<std::string>());
  if (auto a = j.find("outlets"); a != j.end() && a->is_array())
    for (const auto& o : *a)
      if (o.is_object()) v.outlets.push_back({str(o, "source"), str(o, "url"), str(o, "title")});
  if (auto m = j.find("message"); v.title.empty() && m != j.end() && m->is_string())
    v.title = m->get<std::string>();
  return v;
}

// An URL inside markup (<url|label>, href="…"): characters that would end it are encoded.
std::string markup_url(std::string_view url) {
  std::string o;
  for (char c : detail::header_url(url)) {
    switch (c) {
      case '<':
        o += "%3C";
        break;
      case '>':
        o += "%3E";
        break;
      case '|':
        o += "%7C";
        break;
      case '"':
        o += "%22";
        break;
      case '(':
        o += "%28";
        break;
      case ')':
        o += "%29";
        break;
      default:
        o += c;
    }
  }
  return o;
}

std::string meta_line(const View& v) {
  std::string m = v.topic;
  if (!v.source.empty()) m += " · " + v.source;
  if (!v.published.empty()) m += " · " + v.published;
  if (!v.also.empty()) {
    m += " · +";
    for (std::size_t i = 0; i < v.also.size(); ++i) m += (i ? ", " : "") + v.also[i];
  }
  return m;
}

std::string dump(const ordered_json& j) {
  return j.dump(-1, ' ', false, ordered_json::error_handler_t::replace);
}

// One alert as lines of text for a target: title (bounded), then the snippet in what remains.
// `wrap_title(t)` returns the escaped/marked-up title; `fixed` is the rest of the message
// already escaped; the snippet is escaped with `esc` and cut to fit `limit` in `m`.
struct Fitted {
  std::string title, snippet;  // unescaped, already cut
};
Fitted fit_alert(const View& v, std::size_t limit, std::size_t fixed_cost, Measure m,
                 detail::Escape esc) {
  Fitted f;
  const std::size_t room = limit > fixed_cost ? limit - fixed_cost : 0;
  f.title = detail::fit(v.title, std::min(room / 2, kTitleShare), m, esc);
  const std::size_t used = detail::measure(esc ? esc(f.title) : f.title, m);
  f.snippet = detail::fit(v.snippet, room > used ? room - used : 0, m, esc);
  return f;
}

void add_signature(fetch::Request& req, const Endpoint& ep, const std::string& id,
                   long long now_s) {
  req.headers.emplace_back("webhook-id", id);
  req.headers.emplace_back("webhook-timestamp", std::to_string(now_s));
  if (!ep.secret.empty()) {
    const std::string sig = sign(ep.secret, id, now_s, req.body);
    if (!sig.empty()) req.headers.emplace_back("webhook-signature", sig);
  }
}

std::string telegram_url(const std::string& url) {
  static const std::string kMethod = "/sendMessage";
  if (url.size() >= kMethod.size() &&
      url.compare(url.size() - kMethod.size(), kMethod.size(), kMethod) == 0)
    return url;
  return (url.empty() || url.back() != '/') ? url + kMethod : url + kMethod.substr(1);
}

fetch::Request base_request(const Endpoint& ep) {
  fetch::Request req;
  req.url = ep.format == Format::telegram ? telegram_url(ep.url) : ep.url;
  req.method = "POST";
  req.timeout = ep.timeout;
  req.tag = ep.name;
  // Each endpoint is its own fetch queue: its delivery policy (one in flight, min_interval) is
  // the Deliverer's, and it never waits behind crawling or another endpoint on the same host.
  req.queue = "webhook:" + ep.name;
  return req;
}

// ---- single alert per format -----------------------------------------------------------------

void render_slack(fetch::Request& req, const View& v) {
  const std::string meta = detail::escape_slack(meta_line(v));
  const std::string url = markup_url(v.url);
  // "*<url|" + title + ">*\n" + snippet
  const std::size_t fixed = detail::measure("*<" + url + "|>*\n", Measure::codepoints);
  auto f = fit_alert(v, kSlackText, fixed, Measure::codepoints, detail::escape_slack);
  std::string section = url.empty() ? "*" + detail::escape_slack(f.title) + "*"
                                    : "*<" + url + "|" + detail::escape_slack(f.title) + ">*";
  if (!f.snippet.empty()) section += "\n" + detail::escape_slack(f.snippet);
  ordered_json j;
  j["text"] = detail::escape_slack("[" + v.topic + "] " + f.title) + (url.empty() ? "" : " " + url);
  j["blocks"] = ordered_json::array(
      {{{"type", "section"}, {"text", {{"type", "mrkdwn"}, {"text", section}}}},
       {{"type", "context"},
        {"elements",
         ordered_json::array({{{"type", "mrkdwn"},
                               {"text", detail::fit(meta, kSlackText, Measure::codepoints)}}})}}});
  j["unfurl_links"] = false;
  req.body = dump(j);
  req.headers.emplace_back("Content-Type", "application/json");
}

void render_discord(fetch::Request& req, const View& v) {
  const std::string url = v.url.empty() ? "" : "<" + markup_url(v.url) + ">";
  const std::string meta = detail::escape_discord(meta_line(v));
  // "**" title "**\n" url "\n" snippet "\n_" meta "_"
  const std::size_t fixed = detail::measure("****\n" + url + "\n\n_" + meta + "_", Measure::utf16);
  auto f = fit_alert(v, kDiscordContent, fixed, Measure::utf16, detail::escape_discord);
  std::string content = "**" + detail::escape_discord(f.title) + "**";
  if (!url.empty()) content += "\n" + url;
  if (!f.snippet.empty()) content += "\n" + detail::escape_discord(f.snippet);
  content += "\n_" + meta + "_";
  // The meta line is the only part not cut by fit_alert; a pathological one is cut here.
  content = detail::fit(content, kDiscordContent, Measure::utf16);
  ordered_json j;
  j["content"] = content;
  j["allowed_mentions"] = {{"parse", ordered_json::array()}};  // never ping from article text
  req.body = dump(j);
  req.headers.emplace_back("Content-Type", "application/json");
}

std::string telegram_text(const View& v) {
  const std::string meta = text::escape_html(meta_line(v));
  const std::string link =
      v.url.empty() ? ""
                    : "<a href=\"" + text::escape_html(markup_url(v.url)) + "\">" +
                          text::escape_html(v.source.empty() ? "link" : v.source) + "</a>";
  const std::size_t fixed = detail::measure("<b></b>\n\n\n" + link + "\n" + meta, Measure::utf16);
  auto f = fit_alert(v, kTelegramText, fixed, Measure::utf16, text::escape_html);
  std::string text = "<b>" + text::escape_html(f.title) + "</b>";
  if (!f.snippet.empty()) text += "\n" + text::escape_html(f.snippet);
  text += "\n\n";
  if (!link.empty()) text += link + "\n";
  const std::size_t used = detail::measure(text, Measure::utf16);
  text +=
      text::escape_html(detail::fit(meta_line(v), kTelegramText > used ? kTelegramText - used : 0,
                                    Measure::utf16, text::escape_html, ""));
  return text;
}

void render_telegram(fetch::Request& req, const Endpoint& ep, const std::string& text) {
  ordered_json j;
  j["chat_id"] = ep.telegram_chat_id;
  j["text"] = text;
  j["parse_mode"] = "HTML";
  req.body = dump(j);
  req.headers.emplace_back("Content-Type", "application/json");
}

void render_ntfy(fetch::Request& req, const View& v) {
  std::string tail = v.url.empty() ? "" : "\n" + v.url;
  std::string body =
      detail::fit(v.snippet.empty() ? v.title : v.snippet,
                  kNtfyBody > tail.size() ? kNtfyBody - tail.size() : 0, Measure::bytes) +
      tail;
  req.body = detail::fit(body, kNtfyBody, Measure::bytes);
  req.headers.emplace_back("Content-Type", "text/plain; charset=utf-8");
  req.headers.emplace_back("X-Title",
                           detail::header_value(detail::fit(v.title, 250, Measure::codepoints)));
  std::string tags = "newspaper";
  if (!v.topic.empty()) {
    std::string t = v.topic;
    for (auto& c : t)
      if (c == ',') c = ' ';
    tags += "," + t;
  }
  req.headers.emplace_back("X-Tags", detail::header_value(tags));
  if (!v.url.empty()) req.headers.emplace_back("X-Click", detail::header_url(v.url));
}

// ---- story.updated for text targets --------------------------------------------------------
// The story's title, then "Now carried by N outlets: " and each outlet (linked where the target
// has links), as many as fit the target's limit, then "+K" for the rest: a short text, never
// markup cut in the middle.

std::string carried_by(std::size_t n) {
  return "Now carried by " + std::to_string(n) + (n == 1 ? " outlet: " : " outlets: ");
}

// Joins the rendered items with ", " while the result stays within `budget` (measured in `m`),
// leaving room for the " +K" that names the rest.
std::string join_fitting(const std::vector<std::string>& items, std::size_t budget, Measure m) {
  std::string out;
  std::size_t shown = 0;
  for (const auto& item : items) {
    std::string next = out.empty() ? item : out + ", " + item;
    const std::size_t tail = shown + 1 < items.size() ? 8 : 0;  // " +K" for what is left
    if (detail::measure(next, m) + tail > budget) break;
    out = std::move(next);
    ++shown;
  }
  if (shown < items.size())
    out += (out.empty() ? "+" : " +") + std::to_string(items.size() - shown);
  return out;
}

std::string update_title(const View& v) { return v.title.empty() ? v.topic : v.title; }

void render_slack_update(fetch::Request& req, const View& v) {
  const std::string title =
      detail::fit(update_title(v), kTitleShare, Measure::codepoints, detail::escape_slack);
  const std::string url = markup_url(v.url);
  std::string section = url.empty() ? "*" + detail::escape_slack(title) + "*"
                                    : "*<" + url + "|" + detail::escape_slack(title) + ">*";
  section += "\n" + carried_by(v.outlets.size());
  std::vector<std::string> items, names;
  for (const auto& o : v.outlets) {
    const std::string name = detail::escape_slack(detail::fit(o.source, 100, Measure::codepoints));
    const std::string u = markup_url(o.url);
    items.push_back(u.empty() ? name : "<" + u + "|" + name + ">");
    names.push_back(name);
  }
  const std::size_t used = detail::measure(section, Measure::codepoints);
  section += join_fitting(items, kSlackText > used ? kSlackText - used : 0, Measure::codepoints);
  ordered_json j;
  j["text"] = detail::escape_slack("[" + v.topic + "] ") + detail::escape_slack(title) + " — " +
              join_fitting(names, 1000, Measure::codepoints);
  j["blocks"] = ordered_json::array(
      {{{"type", "section"}, {"text", {{"type", "mrkdwn"}, {"text", section}}}},
       {{"type", "context"},
        {"elements", ordered_json::array({{{"type", "mrkdwn"},
                                           {"text", detail::escape_slack(detail::fit(
                                                        v.topic, 200, Measure::codepoints)) +
                                                        " · story update"}}})}}});
  j["unfurl_links"] = false;
  req.body = dump(j);
  req.headers.emplace_back("Content-Type", "application/json");
}

void render_discord_update(fetch::Request& req, const View& v) {
  const std::string title = detail::escape_discord(
      detail::fit(update_title(v), kTitleShare, Measure::utf16, detail::escape_discord));
  const std::string topic =
      detail::escape_discord(detail::fit(v.topic, 200, Measure::utf16, detail::escape_discord));
  std::string head = "**↻ " + title + "**\n" + carried_by(v.outlets.size());
  const std::string tail = "\n_" + topic + " · story update_";
  std::vector<std::string> items;
  for (const auto& o : v.outlets) {
    std::string item =
        detail::escape_discord(detail::fit(o.source, 100, Measure::utf16, detail::escape_discord));
    if (!o.url.empty()) item += " <" + markup_url(o.url) + ">";
    items.push_back(std::move(item));
  }
  const std::size_t used = detail::measure(head + tail, Measure::utf16);
  ordered_json j;
  j["content"] =
      head +
      join_fitting(items, kDiscordContent > used ? kDiscordContent - used : 0, Measure::utf16) +
      tail;
  j["allowed_mentions"] = {{"parse", ordered_json::array()}};  // never ping from article text
  req.body = dump(j);
  req.headers.emplace_back("Content-Type", "application/json");
}

std::string telegram_update_text(const View& v) {
  const std::string title = text::escape_html(
      detail::fit(update_title(v), kTitleShare, Measure::utf16, text::escape_html));
  const std::string topic =
      text::escape_html(detail::fit(v.topic, 200, Measure::utf16, text::escape_html));
  std::string head = "<b>↻ " + title + "</b>\n" + carried_by(v.outlets.size());
  const std::string tail = "\n" + topic + " · story update";
  std::vector<std::string> items;
  for (const auto& o : v.outlets) {
    const std::string name =
        text::escape_html(detail::fit(o.source, 100, Measure::utf16, text::escape_html));
    items.push_back(o.url.empty() ? name
                                  : "<a href=\"" + text::escape_html(markup_url(o.url)) + "\">" +
                                        name + "</a>");
  }
  const std::size_t used = detail::measure(head + tail, Measure::utf16);
  return head +
         join_fitting(items, kTelegramText > used ? kTelegramText - used : 0, Measure::utf16) +
         tail;
}

void render_ntfy_update(fetch::Request& req, const View& v) {
  std::string head = carried_by(v.outlets.size());
  std::string body = head.substr(0, head.size() - 1) + "\n";  // "…outlets:", one outlet a line
  std::size_t shown = 0;
  for (const auto& o : v.outlets) {
    std::string line =
        detail::fit(o.source, 100, Measure::bytes) +
        (o.url.empty() ? "" : " " + detail::fit(o.url, 1000, Measure::bytes, nullptr, ""));
    if (body.size() + line.size() + 1 + 8 > kNtfyBody) break;
    body += line + "\n";
    ++shown;
  }
  if (shown < v.outlets.size()) body += "+" + std::to_string(v.outlets.size() - shown) + "\n";
  req.body = body;
  req.headers.emplace_back("Content-Type", "text/plain; charset=utf-8");
  req.headers.emplace_back(
      "X-Title",
      detail::header_value("↻ " + detail::fit(update_title(v), 250, Measure::codepoints)));
  std::string tags = "newspaper";
  if (!v.topic.empty()) {
    std::string t = v.topic;
    for (auto& c : t)
      if (c == ',') c = ' ';
    tags += "," + t;
  }
  req.headers.emplace_back("X-Tags", detail::header_value(tags));
  if (!v.url.empty()) req.headers.emplace_back("X-Click", detail::header_url(v.url));
}

}  // namespace

fetch::Request render(const Endpoint& ep, const storage::OutboxRow& row, long long now_s) {
  fetch::Request req = base_request(ep);
  const View v = view_of(row);
  if (v.type == "story.updated" && ep.format != Format::json) {
    switch (ep.format) {
      case Format::slack:
        render_slack_update(req, v);
        break;
      case Format::discord:
        render_discord_update(req, v);
        break;
      case Format::telegram:
        render_telegram(req, ep, telegram_update_text(v));
        break;
      case Format::ntfy:
      case Format::json:
        render_ntfy_update(req, v);
        break;
    }
    add_signature(req, ep, row.webhook_id, now_s);
    return req;
  }
  switch (ep.format) {
    case Format::json:
      req.body = row.payload;
      req.headers.emplace_back("Content-Type", "application/json");
      break;
    case Format::slack:
      render_slack(req, v);
      break;
    case Format::discord:
      render_discord(req, v);
      break;
    case Format::telegram:
      render_telegram(req, ep, telegram_text(v));
      break;
    case Format::ntfy:
      render_ntfy(req, v);
      break;
  }
  add_signature(req, ep, row.webhook_id, now_s);
  return req;
}

// ---- digest --------------------------------------------------------------------------------

fetch::Request render_digest(const Endpoint& ep, const std::vector<storage::OutboxRow>& rows,
                             long long now_s) {
  fetch::Request req = base_request(ep);
  std::string ids;
  for (const auto& r : rows) ids += r.webhook_id + ",";
  const std::string id = webhook_id(ep.name, "digest:" + ids, 0);
  if (ep.format == Format::json) {
    ordered_json j;
    j["type"] = "digest";
    j["version"] = 1;
    j["count"] = rows.size();
    auto arr = ordered_json::array();
    for (const auto& r : rows) {
      auto p = ordered_json::parse(r.payload, nullptr, false);
      if (p.is_discarded()) p = ordered_json{{"topic", r.topic}};
      p["webhook_id"] = r.webhook_id;
      arr.push_back(std::move(p));
    }
    j["alerts"] = std::move(arr);
    req.body = dump(j);
    req.headers.emplace_back("Content-Type", "application/json");
    add_signature(req, ep, id, now_s);
    return req;
  }
  // Text targets: one line per alert, as many as fit, then "… and N more".
  Measure m = Measure::utf16;
  std::size_t limit = kDiscordContent;
  detail::Escape esc = nullptr;
  switch (ep.format) {
    case Format::slack:
      m = Measure::codepoints, limit = kSlackText, esc = detail::escape_slack;
      break;
    case Format::discord:
      esc = detail::escape_discord;
      break;
    case Format::telegram:
      limit = kTelegramText, esc = text::escape_html;
      break;
    case Format::ntfy:
      m = Measure::bytes, limit = kNtfyBody;
      break;
    case Format::json:
      break;
  }
  const std::string head = "rasid: " + std::to_string(rows.size()) + " alerts";
  std::string text;
  std::size_t shown = 0;
  const std::size_t reserve = 40;  // room for the "… and N more" line
  for (const auto& r : rows) {
    const View v = view_of(r);
    std::string title = detail::fit(v.title, 200, m, esc);
    std::string t = esc ? esc(title) : title;
    if (v.type == "story.updated")  // a story update in a digest: marked, with its outlet count
      t = "↻ " + t + " (" + std::to_string(v.outlets.size()) + ")";
    std::string topic = esc ? esc(v.topic) : v.topic;
    std::string url = markup_url(v.url);
    std::string line;
    switch (ep.format) {
      case Format::slack:
        line = "• [" + topic + "] <" + url + "|" + t + ">";
        break;
      case Format::discord:
        line = "• [" + topic + "] " + t + " <" + url + ">";
        break;
      case Format::telegram:
        line = "• [" + topic + "] <a href=\"" + text::escape_html(url) + "\">" + t + "</a>";
        break;
      default:
        line = "• [" + topic + "] " + t + " " + url;
        break;
    }
    if (detail::measure(text + line, m) + reserve > limit) break;
    text += (text.empty() ? "" : "\n") + line;
    ++shown;
  }
  if (shown < rows.size()) text += "\n… +" + std::to_string(rows.size() - shown);
  ordered_json j;
  switch (ep.format) {
    case Format::slack:
      j["text"] = head;
      j["blocks"] = ordered_json::array(
          {{{"type", "section"}, {"text", {{"type", "mrkdwn"}, {"text", text}}}}});
      req.body = dump(j);
      req.headers.emplace_back("Content-Type", "application/json");
      break;
    case Format::discord:
      j["content"] = detail::fit("**" + head + "**\n" + text, kDiscordContent, Measure::utf16);
      j["allowed_mentions"] = {{"parse", ordered_json::array()}};
      req.body = dump(j);
      req.headers.emplace_back("Content-Type", "application/json");
      break;
    case Format::telegram:
      render_telegram(req, ep, "<b>" + head + "</b>\n" + text);
      break;
    default:
      req.body = text;
      req.headers.emplace_back("Content-Type", "text/plain; charset=utf-8");
      req.headers.emplace_back("X-Title", head);
      req.headers.emplace_back("X-Tags", "newspaper");
      break;
  }
  add_signature(req, ep, id, now_s);
  return req;
}

fetch::Request render_test(const Endpoint& ep, long long now_s) {
  Alert a;
  a.event = "test";
  a.topic = "rasid-test";
  a.title = "رسالة اختبار من راصد — rasid test event";
  a.snippet = "إذا وصلتك هذه الرسالة فالإعداد صحيح. If you can read this, the webhook works.";
  a.source = "rasid";
  a.lang = "ar";
  storage::OutboxRow row;
  row.webhook = ep.name;
  row.topic = a.topic;
  row.payload = payload_json(a);
  row.webhook_id = webhook_id(ep.name, "test", now_s);
  return render(ep, row, now_s);
}

}  // namespace rasid::alert
