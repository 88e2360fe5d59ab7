// parse/feed_json.cpp — JSON Feed 1.0 / 1.1 into the neutral Feed/Entry.
#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "parse/feed_html.h"
#include "parse/feed_internal.h"
#include "parse/parser.h"
#include "text/text.h"
#include "url/url.h"

namespace rasid::parse {
namespace {

using nlohmann::json;

// A string member as text: JSON escapes of C0 controls ("\u0001") dropped (drop_controls)
// before any reader (whitespace collapsing, the HTML parser) can turn them into U+FFFD.
std::string text_of(const json& v) {
  std::string s = v.get<std::string>();
  drop_controls(s);
  return s;
}

std::string str(const json& o, const char* key) {
  auto it = o.find(key);
  if (it == o.end()) return {};
  if (it->is_string()) return text_of(*it);
  if (it->is_number_integer()) return std::to_string(it->get<long long>());
  if (it->is_number_unsigned()) return std::to_string(it->get<unsigned long long>());
  return {};
}

std::vector<Person> persons(const json& o, std::string_view base) {
  std::vector<Person> out;
  auto add = [&](const json& a) {
    if (!a.is_object()) return;
    Person p;
    p.name = text::collapse_space(str(a, "name"));
    std::string u = str(a, "url");
    if (!u.empty()) p.uri = url::resolve(base, u);
    if (p.uri.starts_with("mailto:")) p.email = p.uri.substr(7);
    if (!p.name.empty() || !p.uri.empty()) out.push_back(std::move(p));
  };
  if (auto it = o.find("authors"); it != o.end() && it->is_array())
    for (const auto& a : *it) add(a);
  if (out.empty())
    if (auto it = o.find("author"); it != o.end()) add(*it);
  return out;
}

}  // namespace

Result<Feed> parse_json_feed(std::string_view utf8, std::string_view url, std::optional<Time> now) {
  json doc = json::parse(utf8.begin(), utf8.end(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) return Error{"not a feed: invalid JSON"};
  std::string version = str(doc, "version");
  if (!version.starts_with("https://jsonfeed.org/version/") &&
      !version.starts_with("http://jsonfeed.org/version/"))
    return Error{"not a feed: JSON without a jsonfeed.org version"};
  Feed f;
  f.format = "json";
  f.version = version.ends_with("/1.1") ? "json11" : version.ends_with("/1") ? "json1" : "json";
  std::string base(url);
  if (std::string fu = str(doc, "feed_url"); !fu.empty() && base.empty()) base = fu;
  f.title_detail = {str(doc, "title"), "text/plain"};
  f.title = text::collapse_space(f.title_detail.value);
  f.link = url::resolve(base, str(doc, "home_page_url"));
  if (!f.link.empty()) f.links.push_back({f.link, "alternate", "text/html", "", 0});
  if (std::string fu = str(doc, "feed_url"); !fu.empty())
    f.links.push_back({url::resolve(base, fu), "self", "application/feed+json", "", 0});
  f.subtitle_detail = {str(doc, "description"), "text/plain"};
  f.language = str(doc, "language");
  f.image = str(doc, "icon");
  if (f.image.empty()) f.image = str(doc, "favicon");
  if (!f.image.empty()) f.image = url::resolve(base, f.image);
  f.authors = persons(doc, base);
  std::vector<Person> feed_authors = f.authors;

  auto items = doc.find("items");
  if (items == doc.end() || !items->is_array()) {
    f.warnings.push_back("JSON Feed without an items array");
  } else {
    for (const auto& it : *items) {
      if (!it.is_object()) {
        f.warnings.push_back("JSON Feed item that is not an object");
        continue;
      }
      Entry e;
      e.id = str(it, "id");
      std::string u = str(it, "url");
      if (u.empty()) u = str(it, "external_url");
      if (!u.empty()) {
        e.link = url::resolve(base, u);
        e.links.push_back({e.link, "alternate", "text/html", "", 0});
      }
      if (std::string ext = str(it, "external_url"); !ext.empty() && ext != u)
        e.links.push_back({url::resolve(base, ext), "related", "text/html", "", 0});
      std::string title = str(it, "title");
      // HTML is cleaned as every HTML text construct is (TextDetail), before it is read.
      if (looks_like_html(title))
        e.title_detail = {clean_html_fragment(title, base), "text/html"};
      else
        e.title_detail = {title, "text/plain"};
      e.title = e.title_detail.type == "text/plain" ? text::collapse_space(title)
                                                    : html_to_text(e.title_detail.value);
      std::string html = str(it, "content_html");
      std::string plain = str(it, "content_text");
      if (!html.empty()) e.contents.push_back({clean_html_fragment(html, base), "text/html"});
      if (!plain.empty()) e.contents.push_back({plain, "text/plain"});
      if (!e.contents.empty()) e.content = e.contents.front().value;
      std::string summary = str(it, "summary");
      if (!summary.empty()) e.summary_detail = {summary, "text/plain"};
      e.summary = e.summary_detail.value;
      e.image = str(it, "image");
      if (e.image.empty()) e.image = str(it, "banner_image");
      if (!e.image.empty()) e.image = url::resolve(base, e.image);
      e.published_text = str(it, "date_published");
      e.updated_text = str(it, "date_modified");
      read_entry_dates(e, now);
      e.authors = persons(it, base);
      if (e.authors.empty()) e.authors = feed_authors;
      if (!e.authors.empty()) e.author = e.authors.front().name;
      if (auto tags = it.find("tags"); tags != it.end() && tags->is_array())
        for (const auto& t : *tags)
          if (t.is_string()) e.categories.push_back(text_of(t));
      if (auto att = it.find("attachments"); att != it.end() && att->is_array()) {
        for (const auto& a : *att) {
          if (!a.is_object()) continue;
          Enclosure en;
          en.url = url::resolve(base, str(a, "url"));
          en.type = str(a, "mime_type");
          if (auto sz = a.find("size_in_bytes"); sz != a.end() && sz->is_number_integer())
            en.length = sz->get<long long>();
          if (en.url.empty()) continue;
          e.links.push_back({en.url, "enclosure", en.type, str(a, "title"), en.length});
          if (e.image.empty() && en.type.starts_with("image/")) e.image = en.url;
          e.enclosures.push_back(std::move(en));
        }
      }
      f.entries.push_back(std::move(e));
    }
  }
  sanitize_feed(f);
  return f;
}

}  // namespace rasid::parse
