// parse/links.cpp — article links of a section page, and feeds a page advertises.
//
// A section page lists articles among a lot of chrome: menus, tag clouds, author pages, share
// buttons, pagination. A link is kept when it stays on the site, is not inside navigation-like
// containers, and its path looks like an article: a numeric id, a date, a long slug (Latin or
// Arabic), or a document name; paths of listing pages (tag, author, category, section, page,
// search, …) and files (images, PDFs, scripts) are dropped. When the page has many candidates,
// a path "shape" shared by only one link and weak on its own is dropped too.
#include <libxml/tree.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "parse/feed_html.h"
#include "parse/parser.h"
#include "text/text.h"
#include "url/url.h"

namespace rasid::parse {
namespace {

std::string attr(xmlNode* n, const char* name) {
  xmlChar* v = xmlGetProp(n, BAD_CAST name);
  if (v == nullptr) return {};
  std::string s(reinterpret_cast<const char*>(v));
  xmlFree(v);
  return s;
}

std::string_view name_of(xmlNode* n) {
  return n->name ? std::string_view(reinterpret_cast<const char*>(n->name)) : std::string_view();
}

// The page's base: <base href> resolved against the page URL.
std::string page_base(const Html& page) {
  std::string base = page.url();
  std::vector<xmlNode*> stack{page.root()};
  int budget = 2000;  // <base> sits in <head>: look only at the first elements
  while (!stack.empty() && budget-- > 0) {
    xmlNode* n = stack.back();
    stack.pop_back();
    if (n->type != XML_ELEMENT_NODE) continue;
    if (text::ascii_lower(name_of(n)) == "base") {
      std::string href = attr(n, "href");
      if (!href.empty()) return url::resolve(base, href);
    }
    if (text::ascii_lower(name_of(n)) == "body") continue;
    std::vector<xmlNode*> kids;
    for (xmlNode* c = n->children; c; c = c->next) kids.push_back(c);
    for (auto it = kids.rbegin(); it != kids.rend(); ++it) stack.push_back(*it);
  }
  return base;
}

std::string site_of(std::string_view host) {
  std::string h(host);
  for (std::string_view p : {"www.", "m.", "amp.", "mobile."})
    if (h.starts_with(p)) h = h.substr(p.size());
  return h;
}

bool same_site(std::string_view a, std::string_view b) {
  std::string x = site_of(a), y = site_of(b);
  if (x.empty() || y.empty()) return false;
  if (x == y) return true;
  return x.ends_with("." + y) || y.ends_with("." + x);
}

// Containers whose links are chrome, by element name or by class/id words.
bool chrome_container(xmlNode* n) {
  std::string name = text::ascii_lower(name_of(n));
  if (name == "nav" || name == "header" || name == "footer" || name == "aside" || name == "menu" ||
      name == "form")
    return true;
  std::string ci =
      text::ascii_lower(attr(n, "class") + " " + attr(n, "id") + " " + attr(n, "role"));
  if (ci.size() <= 2) return false;
  static constexpr std::array<std::string_view, 16> kWords = {
      "navbar", "navigation",   "menu",     "breadcrumb", "footer",     "header",
      "share",  "social",       "tags",     "tag-list",   "pagination", "pager",
      "topbar", "sidebar-menu", "dropdown", "copyright"};
  for (auto w : kWords)
    if (ci.find(w) != std::string::npos) return true;
  if (ci.find("banner") != std::string::npos && ci.find("role") == std::string::npos) return false;
  return ci == "nav " || ci.starts_with("nav ") || ci.find(" nav ") != std::string::npos ||
         ci.find("navigation") != std::string::npos;
}

bool in_chrome(xmlNode* a) {
  for (xmlNode* p = a->parent; p && p->type == XML_ELEMENT_NODE; p = p->parent)
    if (chrome_container(p)) return true;
  return false;
}

std::vector<std::string> segments(std::string_view path) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < path.size()) {
    std::size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    if (j > i) out.emplace_back(path.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

std::string percent_decode(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

// Listing-page words (a path segment equal to one of these is not an article).
bool listing_word(std::string_view seg) {
  static constexpr std::array<std::string_view, 44> kWords = {
      "tag",        "tags",      "author",   "authors", "writer",     "writers",  "category",
      "categories", "section",   "sections", "topic",   "topics",     "page",     "search",
      "login",      "register",  "signup",   "contact", "contact-us", "about",    "about-us",
      "privacy",    "terms",     "feed",     "rss",     "wp-content", "wp-admin", "cdn-cgi",
      "newsletter", "subscribe", "archive",  "user",    "users",      "profile",  "account",
      "وسم",        "كاتب",      "كتاب",     "قسم",     "تصنيف",      "الكاتب",   "اتصل-بنا",
      "من-نحن",     "بحث"};
  std::string d = text::ascii_lower(percent_decode(seg));
  return std::find(kWords.begin(), kWords.end(), d) != kWords.end();
}

bool file_like(std::string_view last) {
  std::string l = text::ascii_lower(last);
  static constexpr std::array<std::string_view, 16> kExt = {
      ".jpg", ".jpeg", ".png", ".gif", ".webp", ".svg", ".pdf",  ".css",
      ".js",  ".xml",  ".mp3", ".mp4", ".zip",  ".ico", ".json", ".rss"};
  for (auto e : kExt)
    if (l.ends_with(e)) return true;
  return false;
}

// How much the path looks like an article: 0 = not at all.
int article_score(const url::Location& u) {
  std::vector<std::string> segs = segments(u.path);
  if (segs.empty()) {
    // "/?p=123" and "index.php?id=123" style
    return u.has_query && (u.query.find("id=") != std::string::npos ||
                           u.query.find("p=") != std::string::npos)
               ? 1
               : 0;
  }
  for (const auto& s : segs)
    if (listing_word(s)) return 0;
  if (file_like(segs.back())) return 0;
  if (u.has_query) {
    std::string q = text::ascii_lower(u.query);
    if (q.starts_with("page=") || q.find("&page=") != std::string::npos) return 0;
  }
  int score = 0;
  for (const auto& s : segs) {
    std::string d = percent_decode(s);
    int run = 0, best_run = 0, dashes = 0;
    for (char c : d) {
      run = std::isdigit(static_cast<unsigned char>(c)) ? run + 1 : 0;
      best_run = std::max(best_run, run);
      dashes += (c == '-' || c == '_');
    }
    if (best_run >= 5)
      score += 2;  // an article id
    else if (best_run == 4 && d.size() == 4)
      score += 1;  // a year
    if (dashes >= 3)
      score += 2;  // a slug
    else if (d.size() >= 30)
      score += 1;
    std::size_t non_ascii = 0;
    for (char c : d) non_ascii += static_cast<unsigned char>(c) >= 0x80;
    if (non_ascii >= 16) score += 1;  // an Arabic slug (8+ letters)
  }
  std::string last = text::ascii_lower(segs.back());
  if (last.ends_with(".html") || last.ends_with(".htm") || last.ends_with(".aspx") ||
      last.ends_with(".php"))
    score += segs.size() >= 2 || u.has_query ? 1 : 0;
  if (segs.size() == 1 && score < 2) return 0;  // "/sport", "/economy"
  return score;
}

void collect_anchors(xmlNode* n, std::vector<xmlNode*>& out) {
  for (xmlNode* c = n; c; c = c->next) {
    if (c->type != XML_ELEMENT_NODE) continue;
    if (text::ascii_lower(name_of(c)) == "a") out.push_back(c);
    if (c->children) collect_anchors(c->children, out);
  }
}

std::string node_text(xmlNode* n) {
  xmlChar* t = xmlNodeGetContent(n);
  if (t == nullptr) return {};
  std::string s(reinterpret_cast<const char*>(t));
  xmlFree(t);
  return text::collapse_space(s);
}

}  // namespace

std::vector<std::string> article_links(const Html& page, std::string_view selector) {
  std::vector<std::string> out;
  if (page.doc() == nullptr || page.root() == nullptr) return out;
  std::string base = page_base(page);
  std::string host = url::host(page.url().empty() ? base : page.url());
  std::string self = url::canonical(page.url());

  std::vector<xmlNode*> anchors;
  bool selected = !selector.empty();
  if (selected) {
    auto hits = select(page, selector);
    if (!hits) return out;  // `rasid check` refuses such a selector; nothing rather than all
    for (xmlNode* n : hits.value()) {
      if (n->type != XML_ELEMENT_NODE) continue;
      if (text::ascii_lower(name_of(n)) == "a")
        anchors.push_back(n);
      else if (n->children)
        collect_anchors(n->children, anchors);
    }
  } else {
    collect_anchors(page.root(), anchors);
  }

  struct Candidate {
    std::string url;
    std::string shape;
    int score;
  };
  std::vector<Candidate> cands;
  std::set<std::string> seen;
  for (xmlNode* a : anchors) {
    std::string href = attr(a, "href");
    if (href.empty() || href[0] == '#') continue;
    std::string abs = url::resolve_http(base, href);
    if (abs.empty()) continue;
    std::string canon = url::canonical(abs);
    if (canon == self || seen.count(canon)) continue;
    if (!host.empty() && !same_site(url::host(canon), host)) continue;
    url::Location u = url::location(canon);
    int score = article_score(u);
    if (!selected) {
      if (score == 0) continue;
      if (in_chrome(a)) continue;
      std::string rel = text::ascii_lower(attr(a, "rel"));
      if (rel.find("tag") != std::string::npos || rel.find("author") != std::string::npos ||
          rel.find("nofollow") != std::string::npos)
        continue;
    } else if (score == 0 && segments(u.path).empty()) {
      continue;
    }
    seen.insert(canon);
    std::vector<std::string> segs = segments(u.path);
    std::string shape = std::to_string(segs.size()) + ":" + (segs.empty() ? "" : segs[0]);
    cands.push_back({canon, shape, score});
    (void)node_text;
  }
  if (!selected && cands.size() >= 6) {
    std::map<std::string, int> shapes;
    for (const auto& c : cands) ++shapes[c.shape];
    for (const auto& c : cands)
      if (shapes[c.shape] > 1 || c.score >= 3) out.push_back(c.url);
  } else {
    for (auto& c : cands) out.push_back(std::move(c.url));
  }
  return out;
}

std::vector<std::string> feed_links(const Html& page) {
  std::vector<std::string> out;
  if (page.doc() == nullptr || page.root() == nullptr) return out;
  std::string base = page_base(page);
  std::vector<xmlNode*> stack{page.root()};
  std::set<std::string> seen;
  while (!stack.empty()) {
    xmlNode* n = stack.back();
    stack.pop_back();
    if (n->type != XML_ELEMENT_NODE) continue;
    std::string name = text::ascii_lower(name_of(n));
    if (name == "link" || name == "a") {
      std::string rel = " " + text::ascii_lower(attr(n, "rel")) + " ";
      std::string type = text::ascii_lower(text::collapse_space(attr(n, "type")));
      if (auto semi = type.find(';'); semi != std::string::npos) type = type.substr(0, semi);
      bool feed_type = type == "application/rss+xml" || type == "application/atom+xml" ||
                       type == "application/rdf+xml" || type == "application/feed+json" ||
                       type == "application/rss" || type == "text/rss+xml" ||
                       type == "application/x.atom+xml" || type == "application/x-atom+xml" ||
                       (type == "application/json" && name == "link") ||
                       (type == "text/xml" && name == "link");
      if (rel.find(" alternate ") != std::string::npos && feed_type) {
        std::string href = url::resolve_http(base, attr(n, "href"));
        if (!href.empty() && seen.insert(href).second) out.push_back(href);
      }
    }
    std::vector<xmlNode*> kids;
    for (xmlNode* c = n->children; c; c = c->next) kids.push_back(c);
    for (auto it = kids.rbegin(); it != kids.rend(); ++it) stack.push_back(*it);
  }
  return out;
}

}  // namespace rasid::parse
