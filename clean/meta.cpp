#include "clean/meta.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <optional>

#include "clean/dom.h"
#include "clean/textutil.h"
#include "text/text.h"
#include "url/url.h"

namespace rasid::clean::meta {

namespace {

using json = nlohmann::json;

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

// A machine-readable date field (JSON-LD, <meta>, <time datetime>): ISO 8601 only, as the
// formats define them, within 1900–2100. Sloppy CMS values ("Jun 24, 2025", "0001-01-01") are
// more often an update date or a placeholder than the article's date; the visible date is
// better evidence then.
std::optional<text::Date> machine_date(std::string_view v) {
  while (!v.empty() && (v.front() == ' ' || v.front() == '\n' || v.front() == '\t'))
    v.remove_prefix(1);
  if (v.size() < 10) return std::nullopt;
  for (int i = 0; i < 4; ++i)
    if (v[i] < '0' || v[i] > '9') return std::nullopt;
  auto d = text::parse_date(v);
  if (!d) return std::nullopt;
  int y = static_cast<int>(
      std::chrono::year_month_day{std::chrono::floor<std::chrono::days>(d->at)}.year());
  if (y < 1900 || y > 2100) return std::nullopt;
  return d;
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
    auto d = machine_date(get("datePublished"));
    if (!d) d = machine_date(get("dateCreated"));
    if (d && (!m.published || !webpage)) m.published = d;
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
  std::optional<text::Date> meta_published;  // article:published_time & co (JSON-LD wins)
  std::optional<text::Date> time_published;  // the best-placed <time> outside the furniture
  int time_rank = -1;
  std::optional<text::Date> furniture_time;  // the first <time> in the furniture
  std::string og_url;
  std::string meta_author;
  std::string og_site;
  std::string content_language;
  bool found_article = false;

  void element(const xmlNode* n) {
    auto nm = dom::name(n);
    if (nm == "meta") {
      std::string key = text::ascii_lower(dom::attr(n, "property"));
      if (key.empty()) key = text::ascii_lower(dom::attr(n, "name"));
      if (key.empty()) key = text::ascii_lower(dom::attr(n, "itemprop"));
      std::string heq = text::ascii_lower(dom::attr(n, "http-equiv"));
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
        if (!meta_published) meta_published = machine_date(val);
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
      std::string rel = text::ascii_lower(dom::attr(n, "rel"));
      std::string href = util::collapse(dom::attr(n, "href"));
      if (rel == "canonical" && m.canonical.empty() && !href.empty())
        m.canonical = url::resolve_http(base, href);
    } else if (nm == "title") {
      if (m.html_title.empty()) m.html_title = dom::text(n, 4096);
    } else if (nm == "script") {
      if (text::ascii_lower(dom::attr(n, "type")) == "application/ld+json") {
        std::string body;
        for (const xmlNode* c = n->children; c != nullptr; c = c->next)
          if (dom::is_text(c)) body.append(dom::content(c));
        if (body.size() > (4u << 20)) return;
        json j = json::parse(body, nullptr, /*allow_exceptions=*/false);
        if (!j.is_discarded()) walk_ld(j, m, 0, found_article);
      }
    } else if (nm == "time") {
      std::string_view dt = dom::attr(n, "datetime");
      auto d = machine_date(dt);
      if (!d) d = text::find_date(dom::text(n, 256));
      if (!d) return;
      Place place = place_of(n);
      if (place == Place::furniture) {
        if (!furniture_time) furniture_time = d;
        return;
      }
      bool strong =
          dom::has_attr(n, "pubdate") ||
          text::ascii_lower(dom::attr(n, "itemprop")).find("datepublished") != std::string::npos;
      // Inside the article first, then marked as the publication date; the first in the page
      // among equals (a list of related stories follows the article).
      int rank = (place == Place::article ? 2 : 0) + (strong ? 1 : 0);
      if (rank > time_rank) {
        time_published = d;
        time_rank = rank;
      }
    } else if (nm == "html") {
      std::string lang(dom::attr(n, "lang"));
      if (lang.empty()) lang = std::string(dom::attr(n, "xml:lang"));
      if (!lang.empty() && m.lang.empty()) m.lang = lang;
      std::string dir = text::ascii_lower(dom::attr(n, "dir"));
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

}  // namespace

namespace {

// Class/id words: split at anything that is not an ASCII letter or digit, lower-cased.
template <typename F>
void class_words(std::string_view v, F&& f) {
  std::size_t i = 0;
  while (i < v.size()) {
    while (i < v.size() && !std::isalnum(static_cast<unsigned char>(v[i]))) ++i;
    std::size_t j = i;
    while (j < v.size() && std::isalnum(static_cast<unsigned char>(v[j]))) ++j;
    if (j > i) f(text::ascii_lower(v.substr(i, j - i)));
    i = j;
  }
}

// header: page furniture unless inside the article (a site header, footer or side box).
enum class Mark { none, article, header, furniture };

// What one element says about the place of what it holds. The words are the usual names of
// page landmarks (HTML sectioning elements, ARIA roles, WordPress/CMS class conventions).
Mark mark_of(const xmlNode* n) {
  std::string_view nm = dom::name(n);
  if (nm == "nav") return Mark::furniture;
  if (nm == "article" || nm == "main") return Mark::article;
  // Inside an article these are its own (its header, its footer, its box of details).
  if (nm == "header" || nm == "footer" || nm == "aside") {
    bool furniture = false;
    for (const char* a : {"class", "id"})
      class_words(dom::attr(n, a), [&](const std::string& w) {
        furniture = furniture || w == "sidebar" || w == "widget" || w == "related" || w == "menu";
      });
    return furniture ? Mark::furniture : Mark::header;
  }
  std::string role = text::ascii_lower(dom::attr(n, "role"));
  if (role == "navigation") return Mark::furniture;
  if (role == "banner" || role == "contentinfo" || role == "complementary") return Mark::header;
  if (role == "main" || role == "article") return Mark::article;
  std::string_view ip = dom::attr(n, "itemprop");
  if (dom::iequals(ip, "articleBody")) return Mark::article;
  std::string_view it = dom::attr(n, "itemtype");
  if (it.find("Article") != std::string_view::npos ||
      it.find("BlogPosting") != std::string_view::npos)
    return Mark::article;
  Mark mark = Mark::none;
  for (const char* a : {"class", "id"}) {
    std::string_view v = dom::attr(n, a);
    std::size_t i = 0;
    while (i < v.size()) {
      std::size_t j = v.find(' ', i);
      if (j == std::string_view::npos) j = v.size();
      std::string_view token = v.substr(i, j - i);
      i = j + 1;
      // A layout container names the landmark it places ("c-layout-sidebar-left" holds the
      // article beside a sidebar): not a landmark itself.
      bool layout = false;
      class_words(token, [&](const std::string& w) {
        layout = layout || w == "layout" || w == "container" || w == "wrap" || w == "wrapper" ||
                 w == "with" || w == "has";
      });
      if (layout) continue;
      class_words(token, [&](const std::string& w) {
        if (w == "sidebar" || w == "widget" || w == "menu" || w == "nav" || w == "navbar" ||
            w == "navigation" || w == "ticker" || w == "breadcrumb" || w == "breadcrumbs" ||
            w == "related" || w == "today" || w == "topbar")
          mark = Mark::furniture;
        else if (mark == Mark::none && (w == "header" || w == "masthead" || w == "footer"))
          mark = Mark::header;
        else if ((mark == Mark::none || mark == Mark::header) &&
                 (w == "article" || w == "post" || w == "entry" || w == "story"))
          mark = Mark::article;  // "entry-header", "post-meta": the article's own
      });
    }
    if (mark == Mark::furniture) break;
  }
  return mark;
}

bool starts_with_today(std::string_view t) {
  std::string f = util::fold(t.substr(0, 200));
  return f.rfind(util::fold("اليوم"), 0) == 0 || f.rfind("today", 0) == 0;
}

void collect_text(const xmlNode* n, std::string& out, std::size_t max, int depth, bool article) {
  for (const xmlNode* c = n->children; c != nullptr && out.size() < max; c = c->next) {
    if (dom::is_text(c)) {
      util::append_collapsed(out, dom::content(c));
      continue;
    }
    if (!dom::is_element(c) || depth > 300) continue;
    std::string_view nm = dom::name(c);
    if (nm == "script" || nm == "style" || nm == "noscript" || nm == "template") continue;
    Mark mk = mark_of(c);
    if (mk == Mark::furniture || (mk == Mark::header && !article)) continue;
    std::string t = dom::text(c, 400);
    if (t.size() < 400 && starts_with_today(t) && util::count(t).words <= 12) continue;
    if (!out.empty() && out.back() != ' ') out.push_back(' ');
    collect_text(c, out, max, depth + 1, article || mk == Mark::article);
  }
}

}  // namespace

Place place_of(const xmlNode* n) {
  bool article = false, header = false;
  for (const xmlNode* a = n; a != nullptr && dom::is_element(a); a = a->parent) {
    std::string_view nm = dom::name(a);
    if (nm == "body" || nm == "html") break;
    switch (mark_of(a)) {
      case Mark::furniture:
        return Place::furniture;  // a teaser in a sidebar is furniture, whatever it holds
      case Mark::article:
        article = true;
        // What sits in the article's own header/footer/aside is the article's; <main> holds
        // the page's sidebars too.
        if (nm != "main") header = false;
        break;
      case Mark::header:
        header = true;  // furniture unless an article holds it (a teaser in an aside is not)
        break;
      case Mark::none:
        break;
    }
  }
  if (header) return Place::furniture;
  return article ? Place::article : Place::neutral;
}

std::string text_without_furniture(const xmlNode* root, std::size_t max) {
  std::string out;
  if (root != nullptr) collect_text(root, out, max, 0, false);
  return out;
}

Meta read(const parse::Html& page) {
  Collector c;
  c.base = page.url();
  const xmlNode* root = page.root();
  if (root == nullptr) return c.m;
  c.element(root);
  c.walk(root, 0);
  Meta m = std::move(c.m);
  if (!m.published) m.published = c.meta_published;
  if (!m.published) m.published = c.time_published;
  m.furniture_date = c.furniture_time;
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
    // A dash written as the separator ("كتبت – ليلى حسن") works as the colon does.
    for (std::string_view dash : {"\xE2\x80\x93", "\xE2\x80\x94", "-"}) {
      if (rest.rfind(dash, 0) != 0) continue;
      rest.remove_prefix(dash.size());
      colon = true;
      while (!rest.empty() && rest[0] == ' ') rest.remove_prefix(1);
      break;
    }
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
