#include "clean/meta.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <optional>

#include "clean/dom.h"
#include "clean/textutil.h"
#include "url/url.h"

namespace rasid::clean::meta {

namespace {

using json = nlohmann::json;

bool is_digit(char c) { return c >= '0' && c <= '9'; }

int num(std::string_view s, std::size_t pos, std::size_t len) {
  int v = 0;
  for (std::size_t i = 0; i < len; ++i) {
    if (pos + i >= s.size() || !is_digit(s[pos + i])) return -1;
    v = v * 10 + (s[pos + i] - '0');
  }
  return v;
}

bool valid_ymd(int y, int m, int d) {
  static constexpr std::array<int, 12> days = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return y >= 1900 && y <= 2100 && m >= 1 && m <= 12 && d >= 1 && d <= days[m - 1];
}

std::string ymd(int y, int m, int d) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, m, d);
  return buf;
}

// Arabic-Indic and Persian digits → ASCII, everything else kept.
std::string ascii_digits(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  std::size_t i = 0;
  while (i < s.size()) {
    std::size_t st = i;
    char32_t c = util::next_cp(s, i);
    if (c >= 0x0660 && c <= 0x0669)
      out.push_back(static_cast<char>('0' + (c - 0x0660)));
    else if (c >= 0x06F0 && c <= 0x06F9)
      out.push_back(static_cast<char>('0' + (c - 0x06F0)));
    else
      out.append(s.substr(st, i - st));
  }
  return out;
}

std::string strip_suffix(std::string_view title, std::string_view site) {
  std::string t = util::collapse(title);
  static constexpr std::array<std::string_view, 7> seps = {" | ",  " - ", " – ", " — ",
                                                           " :: ", " « ", " » "};
  // Cut at the last separator when the tail is short (a site name) or equals the site name.
  std::size_t best = std::string::npos;
  std::size_t best_len = 0;
  for (auto sep : seps) {
    std::size_t p = t.rfind(sep);
    if (p != std::string::npos && p > 0 && (best == std::string::npos || p > best)) {
      best = p;
      best_len = sep.size();
    }
  }
  if (best == std::string::npos) return t;
  std::string head = t.substr(0, best);
  std::string tail = t.substr(best + best_len);
  if (!site.empty() && util::fold(tail) == util::fold(site)) return head;
  if (util::count(tail).words <= 4 && util::count(head).words >= 2) return head;
  return t;
}

std::string ld_string(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_object()) {
    auto it = v.find("name");
    if (it != v.end() && it->is_string()) return it->get<std::string>();
  }
  if (v.is_array()) {
    std::string r;
    for (const auto& e : v) {
      std::string s = ld_string(e);
      if (s.empty()) continue;
      if (!r.empty()) r += ", ";
      r += s;
    }
    return r;
  }
  return {};
}

bool is_article_type(const json& t) {
  auto ok = [](const std::string& s) {
    return s.find("Article") != std::string::npos || s == "BlogPosting" || s == "Report" ||
           s == "LiveBlogPosting" || s == "WebPage" || s == "Posting";
  };
  if (t.is_string()) return ok(t.get<std::string>());
  if (t.is_array())
    for (const auto& e : t)
      if (e.is_string() && ok(e.get<std::string>())) return true;
  return false;
}

void walk_ld(const json& v, Meta& m, int depth, bool& found_article) {
  if (depth > 8) return;
  if (v.is_array()) {
    for (const auto& e : v) walk_ld(e, m, depth + 1, found_article);
    return;
  }
  if (!v.is_object()) return;
  auto type = v.find("@type");
  bool article = type != v.end() && is_article_type(*type);
  bool webpage = article && type->is_string() && type->get<std::string>() == "WebPage";
  if (article && (!found_article || !webpage)) {
    auto get = [&](const char* k) -> std::string {
      auto it = v.find(k);
      return it == v.end() ? std::string() : ld_string(*it);
    };
    std::string h = get("headline");
    if (!h.empty() && (m.ld_headline.empty() || !webpage)) m.ld_headline = h;
    std::string d = normalize_iso(get("datePublished"));
    if (d.empty()) d = normalize_iso(get("dateCreated"));
    if (!d.empty() && (m.published.empty() || !webpage)) m.published = d;
    std::string a = get("author");
    if (!a.empty() && m.author.empty()) m.author = a;
    if (m.site_name.empty()) {
      auto p = v.find("publisher");
      if (p != v.end()) m.site_name = ld_string(*p);
    }
    if (!webpage) found_article = true;
  }
  auto g = v.find("@graph");
  if (g != v.end()) walk_ld(*g, m, depth + 1, found_article);
  auto me = v.find("mainEntity");
  if (me != v.end() && me->is_object()) walk_ld(*me, m, depth + 1, found_article);
}

struct Collector {
  Meta m;
  std::string base;
  std::string meta_published;  // article:published_time & co (JSON-LD wins)
  std::string time_published;  // <time datetime> (pubdate/itemprop first)
  bool time_strong = false;
  std::string og_url;
  std::string meta_author;
  std::string og_site;
  std::string content_language;
  bool found_article = false;

  void element(const xmlNode* n) {
    auto nm = dom::name(n);
    if (nm == "meta") {
      std::string key = dom::lower(dom::attr(n, "property"));
      if (key.empty()) key = dom::lower(dom::attr(n, "name"));
      if (key.empty()) key = dom::lower(dom::attr(n, "itemprop"));
      std::string heq = dom::lower(dom::attr(n, "http-equiv"));
      std::string_view val = dom::attr(n, "content");
      if (val.empty()) return;
      if (key == "og:title" || (key == "twitter:title" && m.og_title.empty())) {
        if (key == "og:title" || m.og_title.empty()) m.og_title = util::collapse(val);
      } else if (key == "og:site_name") {
        og_site = util::collapse(val);
      } else if (key == "og:url") {
        og_url = std::string(val);
      } else if (key == "description" || key == "og:description") {
        if (m.description.empty()) m.description = util::collapse(val);
      } else if (key == "article:published_time" || key == "datepublished" ||
                 key == "og:published_time" || key == "published_time" ||
                 key == "article:published" || key == "pubdate" || key == "publishdate" ||
                 key == "publish-date" || key == "dc.date.issued" || key == "dcterms.created" ||
                 key == "sailthru.date" || key == "parsely-pub-date" || key == "date" ||
                 key == "dc.date" || key == "article.published") {
        if (meta_published.empty()) meta_published = normalize_iso(val);
      } else if (key == "author" || key == "article:author" || key == "dc.creator" ||
                 key == "sailthru.author" || key == "parsely-author") {
        if (meta_author.empty() && val.find("://") == std::string_view::npos)
          meta_author = util::collapse(val);
      } else if (heq == "content-language" && content_language.empty()) {
        content_language = std::string(val);
      } else if (key == "og:locale" && content_language.empty()) {
        content_language = std::string(val);
      }
    } else if (nm == "link") {
      std::string rel = dom::lower(dom::attr(n, "rel"));
      std::string href = util::collapse(dom::attr(n, "href"));
      if (rel == "canonical" && m.canonical.empty() && !href.empty())
        m.canonical = url::resolve_http(base, href);
    } else if (nm == "title") {
      if (m.html_title.empty()) m.html_title = dom::text(n, 4096);
    } else if (nm == "script") {
      if (dom::lower(dom::attr(n, "type")) == "application/ld+json") {
        std::string body;
        for (const xmlNode* c = n->children; c != nullptr; c = c->next)
          if (dom::is_text(c)) body.append(dom::content(c));
        if (body.size() > (4u << 20)) return;
        json j = json::parse(body, nullptr, /*allow_exceptions=*/false);
        if (!j.is_discarded()) walk_ld(j, m, 0, found_article);
      }
    } else if (nm == "time") {
      std::string_view dt = dom::attr(n, "datetime");
      bool strong = dom::has_attr(n, "pubdate") ||
                    dom::lower(dom::attr(n, "itemprop")).find("datepublished") != std::string::npos;
      std::string d = normalize_iso(dt);
      if (d.empty()) d = find_date(dom::text(n, 256));
      if (!d.empty() && (time_published.empty() || (strong && !time_strong))) {
        time_published = d;
        time_strong = strong;
      }
    } else if (nm == "html") {
      std::string lang(dom::attr(n, "lang"));
      if (lang.empty()) lang = std::string(dom::attr(n, "xml:lang"));
      if (!lang.empty() && m.lang.empty()) m.lang = lang;
      std::string dir = dom::lower(dom::attr(n, "dir"));
      if ((dir == "rtl" || dir == "ltr") && m.dir.empty()) m.dir = dir;
    } else if (nm == "a" || nm == "span" || nm == "div" || nm == "p") {
      if (!meta_author.empty()) return;
      if (dom::iequals(dom::attr(n, "rel"), "author") ||
          dom::iequals(dom::attr(n, "itemprop"), "author")) {
        std::string t = dom::text(n, 512);
        if (!t.empty() && util::count(t).words <= 6) meta_author = t;
      }
    }
  }

  void walk(const xmlNode* n, int depth) {
    for (const xmlNode* c = n->children; c != nullptr; c = c->next) {
      if (!dom::is_element(c)) continue;
      element(c);
      if (depth < 300) walk(c, depth + 1);
    }
  }
};

std::string primary_lang(std::string_view l) {
  std::string r;
  for (char c : l) {
    if (c == '-' || c == '_' || c == ',' || c == ';' || c == ' ') break;
    r.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c);
  }
  if (r.size() < 2 || r.size() > 3) return {};
  for (char c : r)
    if (c < 'a' || c > 'z') return {};
  return r;
}

// Month names → number. Keys are util::fold()ed.
std::optional<int> month_of(std::string_view w) {
  struct M {
    std::string_view name;
    int m;
  };
  static const std::vector<std::pair<std::string, int>> table = [] {
    static constexpr M raw[] = {
        {"يناير", 1},
        {"فبراير", 2},
        {"مارس", 3},
        {"أبريل", 4},
        {"ابريل", 4},
        {"إبريل", 4},
        {"مايو", 5},
        {"يونيو", 6},
        {"يونيه", 6},
        {"يوليو", 7},
        {"يوليه", 7},
        {"أغسطس", 8},
        {"اغسطس", 8},
        {"سبتمبر", 9},
        {"أكتوبر", 10},
        {"اكتوبر", 10},
        {"نوفمبر", 11},
        {"ديسمبر", 12},
        {"شباط", 2},
        {"آذار", 3},
        {"نيسان", 4},
        {"أيار", 5},
        {"حزيران", 6},
        {"تموز", 7},
        {"آب", 8},
        {"أيلول", 9},
        {"جانفي", 1},
        {"فيفري", 2},
        {"أفريل", 4},
        {"ماي", 5},
        {"جوان", 6},
        {"جويلية", 7},
        {"أوت", 8},
        {"january", 1},
        {"february", 2},
        {"march", 3},
        {"april", 4},
        {"may", 5},
        {"june", 6},
        {"july", 7},
        {"august", 8},
        {"september", 9},
        {"october", 10},
        {"november", 11},
        {"december", 12},
        {"jan", 1},
        {"feb", 2},
        {"mar", 3},
        {"apr", 4},
        {"jun", 6},
        {"jul", 7},
        {"aug", 8},
        {"sep", 9},
        {"sept", 9},
        {"oct", 10},
        {"nov", 11},
        {"dec", 12},
        // Portuguese, Spanish, French, Italian, German (dates on the Zyte-style pages)
        {"janeiro", 1},
        {"fevereiro", 2},
        {"março", 3},
        {"marco", 3},
        {"abril", 4},
        {"maio", 5},
        {"junho", 6},
        {"julho", 7},
        {"agosto", 8},
        {"setembro", 9},
        {"outubro", 10},
        {"novembro", 11},
        {"dezembro", 12},
        {"enero", 1},
        {"febrero", 2},
        {"marzo", 3},
        {"mayo", 5},
        {"junio", 6},
        {"julio", 7},
        {"septiembre", 9},
        {"setiembre", 9},
        {"octubre", 10},
        {"noviembre", 11},
        {"diciembre", 12},
        {"janvier", 1},
        {"février", 2},
        {"fevrier", 2},
        {"mars", 3},
        {"avril", 4},
        {"mai", 5},
        {"juin", 6},
        {"juillet", 7},
        {"août", 8},
        {"aout", 8},
        {"septembre", 9},
        {"octobre", 10},
        {"novembre", 11},
        {"décembre", 12},
        {"decembre", 12},
        {"gennaio", 1},
        {"febbraio", 2},
        {"aprile", 4},
        {"maggio", 5},
        {"giugno", 6},
        {"luglio", 7},
        {"settembre", 9},
        {"ottobre", 10},
        {"dicembre", 12},
        {"januar", 1},
        {"februar", 2},
        {"märz", 3},
        {"juni", 6},
        {"juli", 7},
        {"oktober", 10},
        {"dezember", 12}};
    std::vector<std::pair<std::string, int>> t;
    for (const auto& x : raw) t.emplace_back(util::fold(x.name), x.m);
    return t;
  }();
  for (const auto& [n, m] : table)
    if (w == n) return m;
  return std::nullopt;
}

// Two-word Levantine months: كانون الثاني (1), كانون الأول (12), تشرين الأول (10), تشرين الثاني
// (11).
std::optional<int> month_of2(std::string_view a, std::string_view b) {
  bool second = b == util::fold("الثاني") || b == "ثاني";
  bool first = b == util::fold("الأول") || b == "اول";
  if (a == "كانون")
    return second ? std::optional<int>(1) : first ? std::optional<int>(12) : std::nullopt;
  if (a == "تشرين")
    return second ? std::optional<int>(11) : first ? std::optional<int>(10) : std::nullopt;
  return std::nullopt;
}

bool all_digits(std::string_view w) {
  if (w.empty()) return false;
  for (char c : w)
    if (!is_digit(c)) return false;
  return true;
}

int to_int(std::string_view w) {
  int v = 0;
  for (char c : w) v = v * 10 + (c - '0');
  return v;
}

std::vector<std::string_view> split_words(std::string_view f) {
  std::vector<std::string_view> w;
  std::size_t i = 0;
  while (i < f.size()) {
    std::size_t j = f.find(' ', i);
    if (j == std::string_view::npos) j = f.size();
    if (j > i) w.push_back(f.substr(i, j - i));
    i = j + 1;
  }
  return w;
}

// Day-month-year and month-day-year written with month names, over folded words.
std::string named_date(std::string_view folded) {
  auto w = split_words(folded);
  for (std::size_t i = 0; i < w.size(); ++i) {
    int month = 0;
    std::size_t after = i;  // index of the last month word
    if (i + 1 < w.size()) {
      if (auto m2 = month_of2(w[i], w[i + 1])) {
        month = *m2;
        after = i + 1;
      }
    }
    if (month == 0) {
      if (auto m1 = month_of(w[i])) {
        month = *m1;
      } else {
        continue;
      }
    }
    // An alternative name may follow ("نوفمبر/تشرين الثاني"): skip it.
    std::size_t k = after + 1;
    if (k < w.size() && !all_digits(w[k])) {
      if (k + 1 < w.size() && month_of2(w[k], w[k + 1])) {
        k += 2;
      } else if (month_of(w[k])) {
        k += 1;
      }
    }
    // Day before the month ("26 [من] كانون الثاني 2021").
    int day = -1;
    if (i >= 1 && all_digits(w[i - 1]) && w[i - 1].size() <= 2) day = to_int(w[i - 1]);
    auto connector = [](std::string_view c) {
      return c == "من" || c == "de" || c == "di" || c == "del" || c == "of" || c == "le";
    };
    if (day < 0 && i >= 2 && connector(w[i - 1]) && all_digits(w[i - 2]) && w[i - 2].size() <= 2)
      day = to_int(w[i - 2]);
    if (k + 1 < w.size() && connector(w[k]) && all_digits(w[k + 1]) && w[k + 1].size() == 4)
      ++k;  // "22 de outubro de 2010"
    int year = -1;
    if (k < w.size() && all_digits(w[k]) && w[k].size() == 4) {
      year = to_int(w[k]);
    } else if (day < 0 && k + 1 < w.size() && all_digits(w[k]) && w[k].size() <= 2 &&
               all_digits(w[k + 1]) && w[k + 1].size() == 4) {
      // "January 5, 2021"
      day = to_int(w[k]);
      year = to_int(w[k + 1]);
    }
    if (day > 0 && year > 0 && valid_ymd(year, month, day)) return ymd(year, month, day);
  }
  return {};
}

// Numeric dates: YYYY/MM/DD, YYYY-MM-DD, YYYY.MM.DD, DD/MM/YYYY, DD-MM-YYYY, DD.MM.YYYY.
std::string numeric_date(std::string_view s) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (!is_digit(s[i]) || (i > 0 && is_digit(s[i - 1]))) continue;
    std::size_t j = i;
    while (j < s.size() && is_digit(s[j])) ++j;
    std::size_t len1 = j - i;
    if (j >= s.size()) break;
    char sep = s[j];
    if (sep != '/' && sep != '-' && sep != '.') continue;
    std::size_t k = j + 1;
    std::size_t k2 = k;
    while (k2 < s.size() && is_digit(s[k2])) ++k2;
    std::size_t len2 = k2 - k;
    if (len2 < 1 || len2 > 2 || k2 >= s.size() || s[k2] != sep) continue;
    std::size_t l = k2 + 1;
    std::size_t l2 = l;
    while (l2 < s.size() && is_digit(s[l2])) ++l2;
    std::size_t len3 = l2 - l;
    int a = num(s, i, len1), b = num(s, k, len2), c = num(s, l, len3);
    if (len1 == 4 && len3 >= 1 && len3 <= 2) {
      if (valid_ymd(a, b, c)) return ymd(a, b, c);
    } else if (len1 <= 2 && len3 == 4) {
      if (valid_ymd(c, b, a)) return ymd(c, b, a);
    }
  }
  return {};
}

}  // namespace

std::string normalize_iso(std::string_view in) {
  std::string s = util::collapse(in);
  if (s.size() < 10) return {};
  int y = num(s, 0, 4), mo = num(s, 5, 2), d = num(s, 8, 2);
  if (y < 0 || mo < 0 || d < 0 || (s[4] != '-' && s[4] != '/') || s[7] != s[4]) return {};
  if (!valid_ymd(y, mo, d)) return {};
  std::string out = ymd(y, mo, d);
  if (s.size() == 10) return out;
  std::size_t p = 10;
  if (s[p] != 'T' && s[p] != ' ' && s[p] != 't') return out;
  ++p;
  int hh = num(s, p, 2);
  if (hh < 0 || hh > 23 || p + 5 > s.size() || s[p + 2] != ':') return out;
  int mi = num(s, p + 3, 2);
  if (mi < 0 || mi > 59) return out;
  p += 5;
  int ss = 0;
  if (p + 3 <= s.size() && s[p] == ':') {
    ss = num(s, p + 1, 2);
    if (ss < 0 || ss > 60) return out;
    p += 3;
    if (p < s.size() && (s[p] == '.' || s[p] == ',')) {
      ++p;
      while (p < s.size() && is_digit(s[p])) ++p;
    }
  }
  char buf[64];
  std::snprintf(buf, sizeof buf, "T%02d:%02d:%02d", hh, mi, ss);
  out += buf;
  while (p < s.size() && s[p] == ' ') ++p;
  if (p < s.size() && (s[p] == 'Z' || s[p] == 'z')) return out + "Z";
  if (p < s.size() && (s[p] == '+' || s[p] == '-')) {
    int oh = num(s, p + 1, 2);
    int om = 0;
    if (oh < 0 || oh > 14) return out;
    if (p + 3 < s.size() && s[p + 3] == ':')
      om = num(s, p + 4, 2);
    else if (p + 3 < s.size())
      om = num(s, p + 3, 2);
    if (om < 0 || om > 59) om = 0;
    std::snprintf(buf, sizeof buf, "%c%02d:%02d", s[p], oh, om);
    return out + buf;
  }
  return out;
}

std::string find_date(std::string_view text) {
  if (text.size() > 20000) text = text.substr(0, 20000);
  std::string digits = ascii_digits(text);
  std::string n = numeric_date(digits);
  std::string folded = util::fold(digits);
  std::string named = named_date(folded);
  if (named.empty()) return n;
  if (n.empty()) return named;
  // Both present: the one written first wins (approximated by the position of its year).
  return digits.find(n.substr(0, 4)) <= digits.find(named.substr(0, 4)) ? n : named;
}

std::string date_from_url(std::string_view url) {
  std::size_t start = url.find("://");
  start = start == std::string_view::npos ? 0 : url.find('/', start + 3);
  if (start == std::string_view::npos) return {};
  std::string_view path = url.substr(start, url.find_first_of("?#", start) - start);
  for (std::size_t i = 0; i + 9 < path.size(); ++i) {
    if (path[i] != '/' || !is_digit(path[i + 1])) continue;
    int y = num(path, i + 1, 4);
    if (y < 1990 || y > 2100) continue;
    std::size_t p = i + 5;
    if (p < path.size() && (path[p] == '/' || path[p] == '-')) {
      // /YYYY/MM/DD or /YYYY-MM-DD
      char sep = path[p];
      int m = num(path, p + 1, 2);
      if (m < 0 || p + 3 >= path.size() || path[p + 3] != sep) continue;
      int d = num(path, p + 4, 2);
      if (d >= 0 && (p + 6 == path.size() || !is_digit(path[p + 6])) && valid_ymd(y, m, d))
        return ymd(y, m, d);
    } else {
      // /YYYYMMDD followed by a separator
      int m = num(path, p, 2), d = num(path, p + 2, 2);
      std::size_t e = p + 4;
      if (m >= 0 && d >= 0 &&
          (e == path.size() || path[e] == '/' || path[e] == '-' || path[e] == '_' ||
           path[e] == '.') &&
          valid_ymd(y, m, d))
        return ymd(y, m, d);
    }
  }
  return {};
}

Meta read(const parse::Html& page) {
  Collector c;
  c.base = page.url();
  const xmlNode* root = page.root();
  if (root == nullptr) return c.m;
  c.element(root);
  c.walk(root, 0);
  Meta m = std::move(c.m);
  if (m.published.empty()) m.published = c.meta_published;
  if (m.published.empty()) m.published = c.time_published;
  if (m.author.empty()) m.author = c.meta_author;
  m.author = util::collapse(m.author);
  if (!c.og_site.empty()) m.site_name = c.og_site;
  if (m.canonical.empty() && !c.og_url.empty())
    m.canonical = url::resolve_http(c.base, util::collapse(c.og_url));
  m.lang = primary_lang(m.lang);
  if (m.lang.empty()) m.lang = primary_lang(c.content_language);
  if (m.dir.empty() && !m.lang.empty()) {
    static constexpr std::array<std::string_view, 8> rtl = {"ar", "fa", "he", "ur",
                                                            "ps", "ku", "yi", "dv"};
    m.dir = "ltr";
    for (auto l : rtl)
      if (m.lang == l) m.dir = "rtl";
  }
  return m;
}

std::string choose_title(const Meta& m, const std::vector<std::string>& h1s) {
  std::string og = m.og_title.empty() ? m.ld_headline : m.og_title;
  std::string html = strip_suffix(m.html_title, m.site_name);
  std::string f_og = util::fold(og), f_html = util::fold(m.html_title);
  for (const auto& h : h1s) {
    std::string fh = util::fold(h);
    if (fh.empty() || util::count(h).words < 2) continue;
    if ((!f_og.empty() && (f_og == fh || f_og.find(fh) != std::string::npos ||
                           fh.find(f_og) != std::string::npos)) ||
        (!f_html.empty() && f_html.find(fh) != std::string::npos))
      return h;
  }
  if (!og.empty()) return strip_suffix(og, m.site_name);
  if (!html.empty()) return html;
  for (const auto& h : h1s)
    if (!h.empty()) return h;
  return {};
}

std::string byline_author(std::string_view line) {
  std::string t = util::collapse(line);
  std::string_view v = t;
  // Leading dashes or bullets ("— بقلم …").
  while (!v.empty() && (v[0] == '-' || v[0] == ' ' || v[0] == '*')) v.remove_prefix(1);
  if (v.rfind("\xE2\x80\x94", 0) == 0 || v.rfind("\xE2\x80\x93", 0) == 0) v.remove_prefix(3);
  while (!v.empty() && v[0] == ' ') v.remove_prefix(1);
  struct Prefix {
    std::string_view word;
    bool needs_colon;  // the word opens ordinary sentences or headlines too
    bool short_only;   // without a colon, only a short line without punctuation
  };
  static constexpr Prefix kPrefixes[] = {
      {"Written by", false, false},  {"By", false, false},    {"بقلم", false, false},
      {"كتبت", false, true},         {"كتب", false, true},    {"تقرير", true, false},
      {"إعداد وتحرير", true, false}, {"إعداد", true, false},  {"اعداد", true, false},
      {"تحرير", true, false},        {"مراسلة", true, false}, {"مراسل", true, false},
  };
  for (const auto& p : kPrefixes) {
    if (v.size() <= p.word.size() || v.compare(0, p.word.size(), p.word) != 0) continue;
    std::string_view rest = v.substr(p.word.size());
    if (rest[0] != ' ' && rest[0] != ':') continue;  // "كتبه", "Byzantine"
    while (!rest.empty() && rest[0] == ' ') rest.remove_prefix(1);
    bool colon = !rest.empty() && rest[0] == ':';
    if (colon) rest.remove_prefix(1);
    while (!rest.empty() && rest[0] == ' ') rest.remove_prefix(1);
    if (p.needs_colon && !colon) return "";
    util::Counts line_counts = util::count(v);
    if (line_counts.words > 14) return "";  // a sentence, not a byline
    if (p.short_only && !colon &&
        (line_counts.words > 4 || line_counts.commas > 0 || line_counts.sentence_ends > 0))
      return "";
    // The name ends at a separator, a date or a parenthesis.
    std::size_t end = rest.size();
    for (std::string_view sep : {" | ", " - ", " \xE2\x80\x93 ", " \xE2\x80\x94 ", "\xD8\x8C", ",",
                                 " / ", "(", "|", " \xD9\x81\xD9\x8A "})  // "، ", " في "
      end = std::min(end, rest.find(sep));
    for (std::size_t i = 0; i < end; ++i) {
      unsigned char c = static_cast<unsigned char>(rest[i]);
      bool ascii_digit = c >= '0' && c <= '9';
      bool arabic_digit = c == 0xD9 && i + 1 < rest.size() &&
                          static_cast<unsigned char>(rest[i + 1]) >= 0xA0 &&
                          static_cast<unsigned char>(rest[i + 1]) <= 0xA9;
      if (ascii_digit || arabic_digit) {
        end = i;
        break;
      }
    }
    std::string name = util::collapse(rest.substr(0, end));
    while (!name.empty() && (name.back() == ':' || name.back() == '.')) name.pop_back();
    util::Counts k = util::count(name);
    if (k.words == 0 || k.words > 5 || k.sentence_ends > 0) return "";
    if (k.arabic + k.latin == 0) return "";
    if ((p.word == "By" || p.word == "Written by") && !(name[0] >= 'A' && name[0] <= 'Z'))
      return "";
    return name;
  }
  return "";
}

}  // namespace rasid::clean::meta
