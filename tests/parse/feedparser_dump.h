// tests/parse/feedparser_dump.h — test-only: rasid's parse of a feed in feedparser's key shape,
// so feedparser's own conformance checks (../shared/corpus/feedparser) can be evaluated.
//
// The mapping is mechanical: feedparser's `title` is the title as given (title_detail.value),
// `description` is an alias of `summary`, `guid` of `id`, dates are the text as written plus a
// UTC 9-tuple `*_parsed`. Keys whose value rasid does not have are left out, never invented.
#pragma once

#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "parse/parser.h"
#include "text/text.h"

namespace rasid::testing {

inline nlohmann::json time_tuple(rasid::parse::Time t) {
  using namespace std::chrono;
  auto dp = floor<days>(t);
  year_month_day ymd{dp};
  hh_mm_ss hms{t - dp};
  weekday wd{dp};
  int yday = (dp - sys_days{ymd.year() / January / 1}).count() + 1;
  return nlohmann::json::array({static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                                static_cast<unsigned>(ymd.day()), hms.hours().count(),
                                hms.minutes().count(), static_cast<int>(hms.seconds().count()),
                                (wd.c_encoding() + 6) % 7, yday, 0});
}

inline void put_date(nlohmann::json& j, const char* key, const std::string& text) {
  if (text.empty()) return;
  j[key] = text;
  if (auto t = rasid::parse::parse_date(text)) j[std::string(key) + "_parsed"] = time_tuple(*t);
}

inline nlohmann::json detail(const rasid::parse::TextDetail& d) {
  return {{"value", d.value}, {"type", d.type.empty() ? "text/plain" : d.type}};
}

inline nlohmann::json links(const std::vector<rasid::parse::Link>& ls) {
  nlohmann::json a = nlohmann::json::array();
  for (const auto& l : ls) {
    nlohmann::json o = {{"href", l.href}, {"rel", l.rel}};
    if (!l.type.empty()) o["type"] = l.type;
    if (!l.title.empty()) o["title"] = l.title;
    if (l.length > 0) o["length"] = std::to_string(l.length);
    a.push_back(o);
  }
  return a;
}

inline nlohmann::json person(const rasid::parse::Person& p) {
  nlohmann::json o = nlohmann::json::object();
  if (!p.name.empty()) o["name"] = p.name;
  if (!p.email.empty()) o["email"] = p.email;
  if (!p.uri.empty()) o["href"] = p.uri;
  return o;
}

inline void put_authors(nlohmann::json& j, const std::string& author,
                        const std::vector<rasid::parse::Person>& ps) {
  if (!author.empty()) j["author"] = author;
  if (ps.empty()) return;
  j["author_detail"] = person(ps.front());
  j["authors"] = nlohmann::json::array();
  for (const auto& p : ps) j["authors"].push_back(person(p));
}

// `bytes` as read from disk, `content_type` the HTTP header (may be empty), `url` where it was
// fetched from (Content-Location already applied).
inline nlohmann::json feedparser_dump(std::string_view bytes, std::string_view content_type,
                                      std::string_view url) {
  rasid::parse::FeedText dec = rasid::parse::decode_feed(bytes, content_type);
  nlohmann::json j;
  j["encoding"] = dec.encoding;
  if (dec.guessed) {
    // feedparser reports guessed charsets in chardet's spelling
    static const std::map<std::string, std::string> kChardet = {
        {"big5", "Big5"},           {"euc-jp", "EUC-JP"},   {"euc-kr", "EUC-KR"},
        {"gb18030", "GB2312"},      {"gbk", "GB2312"},      {"koi8-r", "KOI8-R"},
        {"shift_jis", "SHIFT_JIS"}, {"tis-620", "TIS-620"}, {"iso-8859-8", "windows-1255"},
        {"windows-949", "EUC-KR"}};
    if (auto it = kChardet.find(dec.encoding); it != kChardet.end()) j["encoding"] = it->second;
  }
  auto r = rasid::parse::parse_feed(dec.utf8, url);
  if (!r.ok()) {
    j["bozo"] = true;
    j["bozo_exception"] = r.error();
    j["feed"] = nlohmann::json::object();
    j["entries"] = nlohmann::json::array();
    return j;
  }
  const auto& f = r.value();
  j["bozo"] = !f.warnings.empty() || !dec.warnings.empty();
  if (!dec.warnings.empty())
    j["bozo_exception"] = dec.warnings.front();
  else if (!f.warnings.empty())
    j["bozo_exception"] = f.warnings.front();
  j["version"] = f.version;
  nlohmann::json feed = nlohmann::json::object();
  if (!f.title_detail.type.empty() || !f.title_detail.value.empty()) {
    feed["title"] = f.title_detail.value;
    feed["title_detail"] = detail(f.title_detail);
  }
  if (!f.subtitle_detail.type.empty()) {
    feed["subtitle"] = f.subtitle_detail.value;
    feed["subtitle_detail"] = detail(f.subtitle_detail);
  }
  if (!f.link.empty()) feed["link"] = f.link;
  if (!f.links.empty()) feed["links"] = links(f.links);
  if (!f.language.empty()) feed["language"] = f.language;
  put_date(feed, "published", f.published_text);
  put_date(feed, "updated", f.updated_text);
  put_authors(feed, f.authors.empty() ? "" : f.authors.front().name, f.authors);
  j["feed"] = feed;
  nlohmann::json entries = nlohmann::json::array();
  for (const auto& e : f.entries) {
    nlohmann::json o = nlohmann::json::object();
    if (!e.id.empty()) o["id"] = o["guid"] = e.id;
    if (!e.title_detail.type.empty()) {
      o["title"] = e.title_detail.value;
      o["title_detail"] = detail(e.title_detail);
    }
    if (!e.summary_detail.type.empty()) {
      o["summary"] = o["description"] = e.summary_detail.value;
      o["summary_detail"] = detail(e.summary_detail);
    }
    if (!e.contents.empty()) {
      o["content"] = nlohmann::json::array();
      for (const auto& c : e.contents) o["content"].push_back(detail(c));
    }
    if (!e.link.empty()) o["link"] = e.link;
    if (!e.links.empty()) o["links"] = links(e.links);
    put_authors(o, e.author, e.authors);
    put_date(o, "published", e.published_text);
    put_date(o, "updated", e.updated_text);
    put_date(o, "created", e.created_text);
    if (!e.enclosures.empty()) {
      o["enclosures"] = nlohmann::json::array();
      for (const auto& en : e.enclosures) {
        nlohmann::json x = {{"href", en.url}};
        if (!en.type.empty()) x["type"] = en.type;
        if (en.length > 0) x["length"] = std::to_string(en.length);
        o["enclosures"].push_back(x);
      }
    }
    if (!e.categories.empty()) {
      o["tags"] = nlohmann::json::array();
      for (const auto& c : e.categories) o["tags"].push_back({{"term", c}});
    }
    entries.push_back(o);
  }
  j["entries"] = entries;
  return j;
}

}  // namespace rasid::testing
