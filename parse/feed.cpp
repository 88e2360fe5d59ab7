// parse/feed.cpp — RSS 0.9x/1.0/2.0 and Atom 0.3/1.0 with pugixml into the neutral Feed/Entry.
//
// Elements are recognised by namespace URI, never by prefix: a scope chain carries the xmlns
// declarations (and xml:base) down the tree. One Record type collects what a channel or an item
// says, in document order; conversion to Feed/Entry happens once at the end, so every format
// shares the rules for links, authors, dates and text.
#include <algorithm>
#include <cctype>
#include <chrono>
#include <optional>
#include <pugixml.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "parse/feed_html.h"
#include "parse/feed_internal.h"
#include "parse/parser.h"
#include "text/text.h"
#include "url/url.h"

namespace rasid::parse {
namespace {

enum class Ns {
  none,
  atom10,
  atom03,
  rss10,
  rss090,
  rdf,
  content,
  dc,
  dcterms,
  media,
  sy,
  xhtml,
  itunes,
  xml,
  undeclared,
  other
};

Ns classify(std::string_view uri) {
  if (uri.empty()) return Ns::none;
  if (uri == "http://www.w3.org/2005/Atom") return Ns::atom10;
  if (uri == "http://purl.org/atom/ns#") return Ns::atom03;
  if (uri == "http://purl.org/rss/1.0/") return Ns::rss10;
  if (uri == "http://my.netscape.com/rdf/simple/0.9/") return Ns::rss090;
  if (uri == "http://www.w3.org/1999/02/22-rdf-syntax-ns#") return Ns::rdf;
  if (uri == "http://purl.org/rss/1.0/modules/content/") return Ns::content;
  if (uri == "http://purl.org/dc/elements/1.1/" || uri == "http://purl.org/dc/elements/1.0/")
    return Ns::dc;
  if (uri == "http://purl.org/dc/terms/") return Ns::dcterms;
  if (uri.starts_with("http://search.yahoo.com/mrss") ||
      uri == "http://tools.search.yahoo.com/mrss/")
    return Ns::media;
  if (uri == "http://purl.org/rss/1.0/modules/syndication/") return Ns::sy;
  if (uri == "http://www.w3.org/1999/xhtml") return Ns::xhtml;
  if (uri == "http://www.itunes.com/dtds/podcast-1.0.dtd") return Ns::itunes;
  if (uri == "http://www.w3.org/XML/1998/namespace") return Ns::xml;
  if (uri == "\x01") return Ns::undeclared;
  // RSS 2.0 and 0.9x as occasionally namespaced by their authors.
  if (uri == "http://backend.userland.com/rss2" || uri == "http://blogs.law.harvard.edu/tech/rss" ||
      uri == "http://backend.userland.com/rss")
    return Ns::none;
  return Ns::other;
}

// One element's namespace declarations and base URL; elements without xmlns/xml:base share
// their parent's scope.
struct Scope {
  const Scope* parent = nullptr;
  std::vector<std::pair<std::string_view, std::string_view>> decls;
  std::string base;
};

std::string_view lookup(const Scope* s, std::string_view prefix) {
  if (prefix == "xml") return "http://www.w3.org/XML/1998/namespace";
  for (; s; s = s->parent)
    for (auto it = s->decls.rbegin(); it != s->decls.rend(); ++it)
      if (it->first == prefix) return it->second;
  return prefix.empty() ? std::string_view() : std::string_view("\x01");
}

std::string_view local_of(std::string_view name) {
  auto c = name.find(':');
  return c == std::string_view::npos ? name : name.substr(c + 1);
}
std::string_view prefix_of(std::string_view name) {
  auto c = name.find(':');
  return c == std::string_view::npos ? std::string_view() : name.substr(0, c);
}

std::string trimmed(std::string&& s) {
  auto sp = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  std::size_t b = 0, e = s.size();
  while (b < e && sp(s[b])) ++b;
  while (e > b && sp(s[e - 1])) --e;
  if (b == 0 && e == s.size()) return std::move(s);
  return s.substr(b, e - b);
}

std::string trim(std::string_view s) {
  auto sp = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  while (!s.empty() && sp(s.front())) s.remove_prefix(1);
  while (!s.empty() && sp(s.back())) s.remove_suffix(1);
  return std::string(s);
}

bool has_element_children(pugi::xml_node n) {
  for (auto c : n.children())
    if (c.type() == pugi::node_element) return true;
  return false;
}

// Markup inside a text construct deeper than this is flattened away: it bounds the recursion
// on hostile input (pugixml itself parses any depth without recursing).
constexpr int kMaxDepth = 200;

void collect_text(pugi::xml_node n, std::string& out, int depth = 0) {
  for (auto c : n.children()) {
    if (c.type() == pugi::node_pcdata || c.type() == pugi::node_cdata)
      out += c.value();
    else if (c.type() == pugi::node_element)
      if (depth < kMaxDepth) collect_text(c, out, depth + 1);
  }
}

void serialize(pugi::xml_node n, std::string& out, int depth = 0) {
  for (auto c : n.children()) {
    switch (c.type()) {
      case pugi::node_pcdata:
      case pugi::node_cdata:
        out += text::escape_html(c.value());
        break;
      case pugi::node_element: {
        std::string_view name = local_of(c.name());
        out += '<';
        out += name;
        for (auto a : c.attributes()) {
          std::string_view an = a.name();
          if (an == "xmlns" || an.starts_with("xmlns:")) continue;
          out += ' ';
          out += an;
          out += "=\"";
          out += text::escape_html(a.value());
          out += '"';
        }
        if (!c.first_child()) {
          out += " />";
        } else {
          out += '>';
          if (depth < kMaxDepth) serialize(c, out, depth + 1);
          out += "</";
          out += name;
          out += '>';
        }
        break;
      }
      default:
        break;
    }
  }
}

std::string base64_decode(std::string_view in) {
  auto val = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+' || c == '-') return 62;
    if (c == '/' || c == '_') return 63;
    return -1;
  };
  std::string out;
  unsigned buf = 0;
  int bits = 0;
  for (char c : in) {
    int v = val(c);
    if (v < 0) continue;
    buf = (buf << 6) | static_cast<unsigned>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buf >> bits) & 0xFF);
    }
  }
  return out;
}

// "Name (email)", "email (Name)", "Name <email>", "email", "Name".
Person person_from_text(std::string_view raw) {
  Person p;
  std::string s = trim(raw);
  std::size_t at = s.find('@');
  if (at != std::string::npos) {
    auto stop = [](char c) {
      return c == ' ' || c == '(' || c == ')' || c == '<' || c == '>' || c == '\t' || c == '"' ||
             c == '[' || c == ']';
    };
    std::size_t b = at, e = at;
    while (b > 0 && !stop(s[b - 1])) --b;
    while (e < s.size() && !stop(s[e])) ++e;
    p.email = s.substr(b, e - b);
    if (p.email.starts_with("mailto:")) p.email = p.email.substr(7);
    std::string rest = s.substr(0, b) + s.substr(e);
    std::string name;
    for (char c : rest)
      if (c != '(' && c != ')' && c != '<' && c != '>' && c != '[' && c != ']') name += c;
    p.name = text::collapse_space(name);
  } else {
    p.name = text::collapse_space(s);
  }
  return p;
}

std::string format_person(const Person& p) {
  if (!p.name.empty() && !p.email.empty()) return p.name + " (" + p.email + ")";
  return p.name.empty() ? p.email : p.name;
}

// What a channel or an item says, before conversion.
struct Record {
  std::optional<TextDetail> title, summary, subtitle;
  std::vector<TextDetail> contents;
  std::string link;
  std::vector<Link> links;
  std::string id;
  bool has_guid = false;
  bool guid_permalink = false;
  std::vector<Person> authors;
  std::string author_raw;
  std::string published, updated, created;
  std::vector<std::string> categories;
  std::vector<Enclosure> enclosures;
  std::string image;
  std::string language;
  std::optional<int> ttl;
  std::string sy_period;
  int sy_frequency = 0;
};

// Output strings come from the input's text, from character references and from our own
// UTF-8 encoder. Only references, invalid input bytes, control characters and C1 code points
// can make them need repair; input without any of those skips the per-string pass.
// `in` has no C0 controls left (FeedParser::run drops them first).
bool needs_sanitize(std::string_view in, bool known_valid) {
  if (in.find("&#") != std::string_view::npos) return true;
  for (std::size_t p = in.find('\xC2'); p != std::string_view::npos; p = in.find('\xC2', p + 1))
    if (p + 1 < in.size() && static_cast<unsigned char>(in[p + 1]) < 0xA0) return true;
  return !known_valid && !fast_valid_utf8(in);
}

// The start of the next CDATA section or comment at or after `p` (npos when none): their text
// is not markup, so references in them are not rewritten.
std::size_t next_verbatim(std::string_view in, std::size_t p) {
  for (std::size_t q = in.find("<!", p); q != std::string_view::npos; q = in.find("<!", q + 2))
    if (in.compare(q, 9, "<![CDATA[") == 0 || in.compare(q, 4, "<!--") == 0) return q;
  return std::string_view::npos;
}

// Named HTML references that XML does not define (&nbsp; &laquo; &hellip; &rsquo; …) are common
// in feeds, well-formed (an RSS 0.91 DOCTYPE declares the Latin-1 ones) or not. pugixml leaves
// an undefined reference as written, which would make it text ("&hellip;" in a title). So
// before parsing, each one outside CDATA sections and comments, and not declared by the
// document's own DTD subset (`declared`, expanded later), becomes the numeric reference of the
// HTML 4 entity of that name (html_entity: libxml2's table); other names stay as written.
// Numeric references to C0 controls other than tab, LF, CR (&#1;) are dropped, as the bytes are.
// Returns false, `out` untouched, when nothing needed it.
bool numeric_references(std::string_view in,
                        const std::vector<std::pair<std::string, std::string>>& declared,
                        std::string& out) {
  std::size_t copied = 0, p = 0;
  // The next CDATA section or comment, looked for only once a reference needs rewriting (most
  // feeds have none: their '&'s are &amp; &lt; …).
  std::size_t verbatim = std::string_view::npos;
  bool verbatim_known = false;
  bool any = false;
  // True when the reference at `a` lies in a CDATA section or comment (p then moves past it).
  auto in_verbatim = [&](std::size_t a) {
    if (!verbatim_known) {
      verbatim = next_verbatim(in, 0);
      verbatim_known = true;
    }
    while (verbatim < a) {
      bool cdata = in.compare(verbatim, 9, "<![CDATA[") == 0;
      std::size_t end = in.find(cdata ? "]]>" : "-->", verbatim + (cdata ? 9 : 4));
      if (end == std::string_view::npos) {
        p = in.size();
        return true;
      }
      if (a < end + 3) {
        p = end + 3;
        return true;
      }
      verbatim = next_verbatim(in, end + 3);
    }
    return false;
  };
  while (true) {
    std::size_t a = in.find('&', p);
    if (a == std::string_view::npos) break;
    p = a + 1;
    std::size_t j = a + 1;
    if (j < in.size() && in[j] == '#') {
      // A reference to a C0 control (&#1;, &#x1B;) is no more a character than the byte.
      auto ref = numeric_char_ref(in, j, 8);
      if (!ref) continue;
      const unsigned long v = ref->code_point;
      if (v >= 0x20 || v == '\t' || v == '\n' || v == '\r') continue;
      if (in_verbatim(a)) continue;
      if (!any) out.reserve(in.size());
      any = true;
      out.append(in.substr(copied, a - copied));
      copied = ref->semicolon + 1;
      p = copied;
      continue;
    }
    while (j < in.size() && j - a <= 32 && std::isalnum(static_cast<unsigned char>(in[j]))) ++j;
    if (j == a + 1 || j >= in.size() || in[j] != ';') continue;
    std::string_view name = in.substr(a + 1, j - a - 1);
    if (name == "amp" || name == "lt" || name == "gt" || name == "quot" || name == "apos") continue;
    if (std::any_of(declared.begin(), declared.end(),
                    [&](const auto& d) { return d.first == name; }))
      continue;
    unsigned cp = html_entity(name);
    if (cp == 0 || in_verbatim(a)) continue;
    if (!any) out.reserve(in.size() + 64);
    any = true;
    out.append(in.substr(copied, a - copied));
    out += "&#";
    out += std::to_string(cp);
    out += ';';
    copied = j + 1;
    p = copied;
  }
  if (!any) return false;
  out.append(in.substr(copied));
  return true;
}

class FeedParser {
 public:
  // Fills `out`, which the caller returns (a Feed is large to move).
  FeedParser(std::string_view url, std::optional<Time> now, Known known, Feed& out)
      : url_(url),
        now_(now),
        known_valid_(known != Known::nothing),
        known_without_controls_(known == Known::valid_without_controls),
        feed_(out) {}
  Status run(std::string_view utf8);

 private:
  const Scope* enter(pugi::xml_node el, const Scope* parent, Scope& storage);
  Ns ns_of(pugi::xml_node el, const Scope* sc);
  std::string text(pugi::xml_node n);
  std::string expand(std::string s) const;
  TextDetail atom_text(pugi::xml_node el, const Scope* sc, Ns ns);
  TextDetail rss_text(pugi::xml_node el, const Scope* sc, bool html);
  Person atom_person(pugi::xml_node el, const Scope* sc);
  TextDetail xhtml_content(pugi::xml_node el, const std::string& base);
  void add_author(pugi::xml_node el, Record& r);
  void atom_link(pugi::xml_node el, const Scope* sc, Record& r);
  void element(pugi::xml_node el, const Scope* sc, Record& r, bool feed_level);
  void children(pugi::xml_node parent, const Scope* sc, Record& r, bool feed_level);
  void item(pugi::xml_node el, const Scope* sc);
  Entry to_entry(Record&& r);
  void scan_doctype(std::string_view doc);

  std::string url_;
  std::optional<Time> now_;
  bool known_valid_ = false;
  bool known_without_controls_ = false;
  int depth_ = 0;  // nesting of media:group/media:content recursion
  Feed& feed_;
  std::string_view root_uri_;
  bool atom_ = false;
  bool atom03_ = false;
  bool warned_ns_ = false;
  std::vector<std::pair<std::string, std::string>> entities_;
  std::vector<Record> items_;
};

const Scope* FeedParser::enter(pugi::xml_node el, const Scope* parent, Scope& storage) {
  bool any = false;
  for (auto a : el.attributes()) {
    std::string_view n = a.name();
    if (n == "xmlns" || n.starts_with("xmlns:") || n == "xml:base") {
      any = true;
      break;
    }
  }
  if (!any) return parent;
  storage.parent = parent;
  storage.base = parent ? parent->base : url_;
  for (auto a : el.attributes()) {
    std::string_view n = a.name();
    if (n == "xmlns")
      storage.decls.emplace_back(std::string_view(), a.value());
    else if (n.starts_with("xmlns:"))
      storage.decls.emplace_back(n.substr(6), a.value());
    else if (n == "xml:base")
      storage.base = url::resolve(storage.base, trim(a.value()));
  }
  return &storage;
}

Ns FeedParser::ns_of(pugi::xml_node el, const Scope* sc) {
  std::string_view uri = lookup(sc, prefix_of(el.name()));
  Ns ns = classify(uri);
  if (ns == Ns::undeclared && !warned_ns_) {
    warned_ns_ = true;
    feed_.warnings.push_back("undeclared namespace prefix: " + std::string(el.name()));
  }
  if (ns == Ns::other && !root_uri_.empty() && uri == root_uri_) return Ns::none;
  return ns;
}

std::string FeedParser::expand(std::string s) const {
  if (entities_.empty() || s.find('&') == std::string::npos) return s;
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '&') {
      bool done = false;
      for (const auto& [name, value] : entities_) {
        if (s.compare(i + 1, name.size(), name) == 0 && i + 1 + name.size() < s.size() &&
            s[i + 1 + name.size()] == ';') {
          out += value;  // one level only: no recursion, so no entity bombs
          i += name.size() + 1;
          done = true;
          break;
        }
      }
      if (done) continue;
    }
    out += s[i];
  }
  return out;
}

std::string FeedParser::text(pugi::xml_node n) {
  std::string out;
  collect_text(n, out);
  return expand(std::move(out));
}

TextDetail FeedParser::atom_text(pugi::xml_node el, const Scope* sc, Ns ns) {
  TextDetail t;
  std::string type = text::ascii_lower(trim(el.attribute("type").value()));
  std::string mode = text::ascii_lower(trim(el.attribute("mode").value()));
  const std::string& base = sc ? sc->base : url_;
  bool v03 = ns == Ns::atom03 || (ns != Ns::atom10 && atom03_);
  if (type.empty() || type == "text")
    type = "text/plain";
  else if (type == "html")
    type = "text/html";
  else if (type == "xhtml")
    type = "application/xhtml+xml";
  t.type = type;
  bool xml_type =
      type == "application/xhtml+xml" || type.ends_with("+xml") || type.ends_with("/xml");
  bool base64 =
      mode == "base64" || (!v03 && !type.starts_with("text/") && !xml_type && !type.empty());
  if (base64) {
    std::string decoded = base64_decode(text(el));
    t.value = type == "text/html" || xml_type || looks_like_html(decoded)
                  ? clean_html_fragment(decoded, base)
                  : decoded;
    return t;
  }
  if (mode == "escaped") {
    std::string s = trimmed(text(el));
    t.value = type == "text/plain" ? s : clean_html_fragment(s, base);
    return t;
  }
  if (xml_type || (v03 && has_element_children(el))) {
    pugi::xml_node body = el;
    if (!v03 && type == "application/xhtml+xml") {
      // atom 1.0 xhtml: the wrapping <div> is not part of the content
      pugi::xml_node only;
      int elements = 0;
      bool stray_text = false;
      for (auto c : el.children()) {
        if (c.type() == pugi::node_element) {
          only = c;
          ++elements;
        } else if ((c.type() == pugi::node_pcdata || c.type() == pugi::node_cdata) &&
                   !trim(c.value()).empty()) {
          stray_text = true;
        }
      }
      if (elements == 1 && !stray_text && local_of(only.name()) == "div") body = only;
    }
    std::string s;
    serialize(body, s);
    t.value = clean_html_fragment(trimmed(expand(std::move(s))), base);
    if (!xml_type) t.type = "application/xhtml+xml";
    return t;
  }
  std::string s = text(el);
  if (type == "text/html")
    t.value = clean_html_fragment(s, base);
  else
    t.value = std::move(s);
  return t;
}

TextDetail FeedParser::rss_text(pugi::xml_node el, const Scope* sc, bool html) {
  TextDetail t;
  const std::string& base = sc ? sc->base : url_;
  if (has_element_children(el)) {
    std::string s;
    serialize(el, s);
    t.value = clean_html_fragment(trimmed(expand(std::move(s))), base);
    t.type = "text/html";
    return t;
  }
  std::string s = trimmed(text(el));
  if (html || looks_like_html(s)) {
    t.type = "text/html";
    t.value = clean_html_fragment(s, base);
  } else {
    t.type = "text/plain";
    t.value = std::move(s);
  }
  return t;
}

Person FeedParser::atom_person(pugi::xml_node el, const Scope* sc) {
  Person p;
  Scope storage;
  const Scope* s = enter(el, sc, storage);
  for (auto c : el.children()) {
    if (c.type() != pugi::node_element) continue;
    Scope cs;
    const Scope* csc = enter(c, s, cs);
    std::string_view local = local_of(c.name());
    if (local == "name")
      p.name = text::collapse_space(text(c));
    else if (local == "email")
      p.email = trimmed(text(c));
    else if (local == "uri" || local == "url" || local == "homepage")
      p.uri = url::resolve(csc ? csc->base : url_, trimmed(text(c)));
  }
  if (p.name.empty() && p.email.empty() && !has_element_children(el))
    p = person_from_text(text(el));
  return p;
}

// Inline XHTML (RSS <body>, xhtml:body/div): serialized, entity-expanded and cleaned.
TextDetail FeedParser::xhtml_content(pugi::xml_node el, const std::string& base) {
  TextDetail t;
  std::string s;
  serialize(el, s);
  t.value = clean_html_fragment(trimmed(expand(std::move(s))), base);
  t.type = "application/xhtml+xml";
  return t;
}

// A free-text author (RSS <author>, dc:creator/author/contributor); the first one is also kept raw.
void FeedParser::add_author(pugi::xml_node el, Record& r) {
  std::string a = trimmed(text(el));
  if (a.empty()) return;
  if (r.author_raw.empty()) r.author_raw = a;
  r.authors.push_back(person_from_text(a));
}

void FeedParser::atom_link(pugi::xml_node el, const Scope* sc, Record& r) {
  Link l;
  pugi::xml_attribute h = el.attribute("href");
  if (!h) h = el.attribute("url");
  if (!h) return;
  std::string href = trim(h.value());
  l.href = url::resolve(sc ? sc->base : url_, href);
  l.rel = trim(el.attribute("rel").value());
  if (l.rel.empty()) l.rel = "alternate";
  l.type = trim(el.attribute("type").value());
  l.title = trim(el.attribute("title").value());
  if (l.type.empty() && l.rel == "self") l.type = "application/atom+xml";
  std::string len = trim(el.attribute("length").value());
  if (!len.empty() && std::all_of(len.begin(), len.end(), ::isdigit) && len.size() < 18)
    l.length = std::stoll(len);
  if (l.rel == "enclosure") r.enclosures.push_back({l.href, l.type, l.length});
  if (l.rel == "alternate" && r.link.empty() &&
      (l.type.empty() || l.type.find("html") != std::string::npos))
    r.link = l.href;
  r.links.push_back(std::move(l));
}

void FeedParser::children(pugi::xml_node parent, const Scope* sc, Record& r, bool feed_level) {
  for (auto c : parent.children())
    if (c.type() == pugi::node_element) element(c, sc, r, feed_level);
}

void FeedParser::element(pugi::xml_node el, const Scope* parent_scope, Record& r, bool feed_level) {
  Scope storage;
  const Scope* sc = enter(el, parent_scope, storage);
  Ns ns = ns_of(el, sc);
  std::string_view local = local_of(el.name());
  const std::string& base = sc ? sc->base : url_;
  bool atom = ns == Ns::atom10 || ns == Ns::atom03 || (atom_ && ns == Ns::none);

  if (atom) {
    if (local == "entry" && feed_level) {
      item(el, parent_scope);
    } else if (local == "title") {
      r.title = atom_text(el, sc, ns);
    } else if (local == "subtitle" || local == "tagline") {
      r.subtitle = atom_text(el, sc, ns);
    } else if (local == "summary") {
      r.summary = atom_text(el, sc, ns);
    } else if (local == "content") {
      r.contents.push_back(atom_text(el, sc, ns));
    } else if (local == "link") {
      if (el.attribute("href") || el.attribute("url")) {
        atom_link(el, sc, r);
      } else if (!atom_) {
        // an RSS <link> in a default namespace that happens to be Atom's is still text
        r.link = url::resolve(base, trimmed(text(el)));
      }
    } else if (local == "id") {
      std::string id = trimmed(text(el));
      if (!id.empty()) r.id = url::scheme(id).empty() ? url::resolve(base, id) : id;
    } else if (local == "author") {
      r.authors.push_back(atom_person(el, sc));
    } else if (local == "published" || local == "issued") {
      r.published = trimmed(text(el));
    } else if (local == "updated" || local == "modified") {
      r.updated = trimmed(text(el));
    } else if (local == "created") {
      r.created = trimmed(text(el));
    } else if (local == "category") {
      std::string term = trim(el.attribute("term").value());
      if (term.empty()) term = trim(el.attribute("label").value());
      if (term.empty()) term = trimmed(text(el));
      if (!term.empty()) r.categories.push_back(term);
    } else if ((local == "logo" || local == "icon") && r.image.empty()) {
      r.image = url::resolve(base, trimmed(text(el)));
    }
    return;
  }

  switch (ns) {
    case Ns::none:
    case Ns::rss10:
    case Ns::rss090: {
      if (local == "item" && feed_level) {
        item(el, parent_scope);
      } else if (local == "title") {
        r.title = rss_text(el, sc, false);
      } else if (local == "link") {
        if (el.attribute("href")) {
          atom_link(el, sc, r);
        } else {
          std::string href = trimmed(text(el));
          if (!href.empty()) {
            r.link = url::resolve(base, href);
            r.links.push_back({r.link, "alternate", "text/html", "", 0});
          }
        }
      } else if (local == "description" || local == "summary" || local == "abstract") {
        if (!r.summary)
          r.summary = rss_text(el, sc, true);
        else
          r.contents.push_back(rss_text(el, sc, true));
      } else if (local == "body") {
        r.contents.push_back(xhtml_content(el, base));
      } else if (local == "fullitem") {
        r.contents.push_back(rss_text(el, sc, true));
      } else if (local == "guid") {
        r.id = trimmed(text(el));
        r.has_guid = true;
        std::string perma = text::ascii_lower(trim(el.attribute("isPermaLink").value()));
        r.guid_permalink = perma != "false";
      } else if (local == "author") {
        add_author(el, r);
      } else if (local == "pubDate") {
        r.published = trimmed(text(el));
      } else if (local == "lastBuildDate") {
        r.updated = trimmed(text(el));
      } else if (local == "category") {
        std::string c = trimmed(text(el));
        if (!c.empty()) r.categories.push_back(c);
      } else if (local == "enclosure") {
        Enclosure e;
        e.url = url::resolve(base, trim(el.attribute("url").value()));
        e.type = trim(el.attribute("type").value());
        std::string len = trim(el.attribute("length").value());
        if (!len.empty() && len.size() < 18 && std::all_of(len.begin(), len.end(), ::isdigit))
          e.length = std::stoll(len);
        if (!e.url.empty()) {
          r.links.push_back({e.url, "enclosure", e.type, "", e.length});
          r.enclosures.push_back(std::move(e));
        }
      } else if (local == "language") {
        r.language = trimmed(text(el));
      } else if (local == "ttl") {
        std::string t = trimmed(text(el));
        if (!t.empty() && t.size() < 9 && std::all_of(t.begin(), t.end(), ::isdigit))
          r.ttl = std::stoi(t);
      } else if (local == "image" && feed_level) {
        for (auto c : el.children())
          if (local_of(c.name()) == "url") r.image = url::resolve(base, trimmed(text(c)));
      }
      return;
    }
    case Ns::content:
      if (local == "encoded") r.contents.push_back(rss_text(el, sc, true));
      return;
    case Ns::xhtml:
      if (local == "body" || local == "div") {
        r.contents.push_back(xhtml_content(el, base));
      }
      return;
    case Ns::dc:
      if (local == "title") {
        r.title = rss_text(el, sc, false);
      } else if (local == "description") {
        if (!r.summary) r.summary = rss_text(el, sc, true);
      } else if (local == "creator" || local == "author" || local == "contributor") {
        add_author(el, r);
      } else if (local == "date") {
        r.updated = trimmed(text(el));
      } else if (local == "subject") {
        std::string c = trimmed(text(el));
        if (!c.empty()) r.categories.push_back(c);
      } else if (local == "language") {
        r.language = trimmed(text(el));
      } else if (local == "identifier" && r.id.empty()) {
        r.id = trimmed(text(el));
      }
      return;
    case Ns::dcterms:
      if (local == "issued")
        r.published = trimmed(text(el));
      else if (local == "modified")
        r.updated = trimmed(text(el));
      else if (local == "created")
        r.created = trimmed(text(el));
      return;
    case Ns::media:
      if (local == "group") {
        if (++depth_ < kMaxDepth) children(el, sc, r, false);
        --depth_;
      } else if (local == "content") {
        std::string u = trim(el.attribute("url").value());
        std::string medium = el.attribute("medium").value();
        std::string type = el.attribute("type").value();
        bool image =
            medium == "image" || type.starts_with("image/") || (medium.empty() && type.empty());
        if (!u.empty() && image && r.image.empty()) r.image = url::resolve(base, u);
        if (!u.empty() && !image && ++depth_ < kMaxDepth)
          children(el, sc, r, false);  // a video's thumbnail
        if (!u.empty() && !image) --depth_;
      } else if (local == "thumbnail") {
        std::string u = trim(el.attribute("url").value());
        if (!u.empty() && r.image.empty()) r.image = url::resolve(base, u);
      }
      return;
    case Ns::sy:
      if (local == "updatePeriod") {
        r.sy_period = text::ascii_lower(trimmed(text(el)));
      } else if (local == "updateFrequency") {
        std::string f = trimmed(text(el));
        if (!f.empty() && f.size() < 7 && std::all_of(f.begin(), f.end(), ::isdigit))
          r.sy_frequency = std::stoi(f);
      }
      return;
    case Ns::itunes:
      if (local == "author" && r.authors.empty()) {
        std::string a = trimmed(text(el));
        if (!a.empty()) r.authors.push_back(person_from_text(a));
      } else if (local == "image" && r.image.empty()) {
        std::string u = trim(el.attribute("href").value());
        if (!u.empty()) r.image = url::resolve(base, u);
      } else if (local == "summary" && !r.summary) {
        r.summary = rss_text(el, sc, false);
      }
      return;
    case Ns::rdf:
      if (local == "li" || local == "Seq") return;
      return;
    default:
      return;
  }
}

void FeedParser::item(pugi::xml_node el, const Scope* parent_scope) {
  Scope storage;
  const Scope* sc = enter(el, parent_scope, storage);
  Record r;
  std::string about = trim(el.attribute("rdf:about").value());
  children(el, sc, r, false);
  if (r.id.empty() && !about.empty()) r.id = about;
  items_.push_back(std::move(r));
}

Entry FeedParser::to_entry(Record&& r) {
  Entry e;
  e.id = std::move(r.id);
  e.id_is_permalink = r.has_guid && r.guid_permalink;
  if (r.link.empty() && r.has_guid && r.guid_permalink) {
    std::string scheme = url::scheme(e.id);
    if (scheme == "http" || scheme == "https") {
      r.link = e.id;
      r.links.push_back({e.id, "alternate", "text/html", "", 0});
    }
  }
  e.link = std::move(r.link);
  if (r.title) {
    e.title_detail = std::move(*r.title);
    e.title = e.title_detail.type == "text/plain" ? text::collapse_space(e.title_detail.value)
                                                  : html_to_text(e.title_detail.value);
  }
  if (r.summary) {
    e.summary_detail = std::move(*r.summary);
    e.summary = e.summary_detail.value;
  }
  e.contents = std::move(r.contents);
  if (!e.contents.empty()) e.content = e.contents.front().value;
  e.authors = std::move(r.authors);
  if (!r.author_raw.empty() && e.authors.size() <= 1)
    e.author = r.author_raw;
  else if (!e.authors.empty())
    e.author = format_person(e.authors.front());
  e.published_text = std::move(r.published);
  e.updated_text = std::move(r.updated);
  e.created_text = std::move(r.created);
  read_entry_dates(e, now_);
  e.categories = std::move(r.categories);
  e.enclosures = std::move(r.enclosures);
  e.links = std::move(r.links);
  e.image = std::move(r.image);
  if (e.image.empty())
    for (const auto& enc : e.enclosures)
      if (enc.type.starts_with("image/")) {
        e.image = enc.url;
        break;
      }
  return e;
}

void FeedParser::scan_doctype(std::string_view doc) {
  // Only a DOCTYPE in the first 4 KB counts: the search stops there, not at the end of the feed.
  std::size_t d = doc.substr(0, 4096 + 9).find("<!DOCTYPE");
  if (d == std::string_view::npos || d > 4096) return;
  std::size_t root = doc.find('<', d + 9);
  std::size_t bracket = doc.substr(0, root).find('[', d);  // an internal subset before the root
  std::size_t gt = doc.find('>', d);
  if (doc.substr(0, gt).find("-//Netscape Communications//DTD RSS 0.91", d) !=
      std::string_view::npos)
    feed_.version = "rss091n";
  if (bracket == std::string_view::npos) return;
  std::size_t end = doc.find("]>", bracket);
  if (end == std::string_view::npos) return;
  std::string_view subset = doc.substr(bracket, end - bracket);
  for (std::size_t p = subset.find("<!ENTITY"); p != std::string_view::npos;
       p = subset.find("<!ENTITY", p + 8)) {
    std::size_t i = p + 8;
    while (i < subset.size() && std::isspace(static_cast<unsigned char>(subset[i]))) ++i;
    if (i < subset.size() && subset[i] == '%') continue;  // parameter entity
    std::size_t ns = i;
    while (i < subset.size() && !std::isspace(static_cast<unsigned char>(subset[i]))) ++i;
    std::string name(subset.substr(ns, i - ns));
    while (i < subset.size() && std::isspace(static_cast<unsigned char>(subset[i]))) ++i;
    if (i >= subset.size() || (subset[i] != '"' && subset[i] != '\'')) continue;
    char q = subset[i];
    std::size_t ve = subset.find(q, i + 1);
    if (ve == std::string_view::npos) break;
    if (entities_.size() < 64 && !name.empty())
      entities_.emplace_back(name, decode_entities(subset.substr(i + 1, ve - i - 1)));
  }
}

Status FeedParser::run(std::string_view in) {
  scan_doctype(in.substr(0, std::min<std::size_t>(in.size(), 65536)));
  std::string rewritten, stripped;
  if (numeric_references(in, entities_, rewritten)) in = rewritten;
  if (!known_without_controls_ && text::has_controls(in)) {
    // Dropped before parsing so that no title shows them as U+FFFD (drop_controls).
    stripped.assign(in);
    drop_controls(stripped);
    in = stripped;
  }
  pugi::xml_document doc;
  // No parse_wconv_attribute: attribute whitespace is kept as written.
  unsigned flags =
      (pugi::parse_default & ~pugi::parse_wconv_attribute) | pugi::parse_ws_pcdata_single;
  pugi::xml_parse_result res = doc.load_buffer(in.data(), in.size(), flags, pugi::encoding_utf8);
  pugi::xml_node root = doc.document_element();
  if (!res) {
    if (!root) return Error{std::string("not a feed: XML error: ") + res.description()};
    feed_.warnings.push_back(std::string("XML error at byte ") + std::to_string(res.offset) + ": " +
                             res.description());
    // pugixml stops reading at the first error: whatever followed it (more entries, or, in a
    // body cut short, the rest the server never sent) is unknown.
    feed_.stopped = feed_.warnings.back();
  }

  Scope top;
  top.base = url_;
  for (auto a : root.attributes()) {
    std::string_view n = a.name();
    if (n == "xmlns")
      top.decls.emplace_back(std::string_view(), a.value());
    else if (n.starts_with("xmlns:"))
      top.decls.emplace_back(n.substr(6), a.value());
    else if (n == "xml:base")
      top.base = url::resolve(url_, trim(a.value()));
  }
  const Scope* sc = &top;
  std::string_view root_local = local_of(root.name());
  std::string_view root_uri = lookup(sc, prefix_of(root.name()));
  Ns root_ns = classify(root_uri);
  Record channel;

  if (root_local == "rss" || (root_local == "channel" && root_ns == Ns::none)) {
    std::string v = trim(root.attribute("version").value());
    if (feed_.version.empty() || v != "0.91") {
      if (v.empty())
        feed_.version = "rss";
      else if (v.starts_with("2"))
        feed_.version = "rss20";
      else if (v == "0.91")
        feed_.version = "rss091u";
      else if (v == "0.92")
        feed_.version = "rss092";
      else if (v == "0.93")
        feed_.version = "rss093";
      else if (v == "0.94")
        feed_.version = "rss094";
      else if (v == "0.90")
        feed_.version = "rss090";
      else
        feed_.version = "rss";
    }
    feed_.format = feed_.version.starts_with("rss09") ? "rss09x" : "rss20";
    root_uri_ = root_ns == Ns::other ? root_uri : std::string_view();
    pugi::xml_node ch = root_local == "channel" ? root : pugi::xml_node();
    for (auto c : root.children())
      if (c.type() == pugi::node_element && local_of(c.name()) == "channel") ch = c;
    if (ch) {
      Scope cs;
      const Scope* csc = ch == root ? sc : enter(ch, sc, cs);
      children(ch, csc, channel, true);
    }
    // items outside the channel (seen in 0.9x feeds and broken generators)
    if (ch != root)
      for (auto c : root.children())
        if (c.type() == pugi::node_element && local_of(c.name()) == "item") item(c, sc);
  } else if (root_local == "RDF" && root_ns == Ns::rdf) {
    Ns kind = Ns::rss10;
    for (const auto& d : top.decls)
      if (classify(d.second) == Ns::rss090) kind = Ns::rss090;
    for (auto c : root.children()) {
      if (c.type() != pugi::node_element) continue;
      Ns cns = classify(lookup(sc, prefix_of(c.name())));
      if (cns == Ns::rss090) kind = Ns::rss090;
    }
    feed_.version = kind == Ns::rss090 ? "rss090" : "rss10";
    feed_.format = kind == Ns::rss090 ? "rss09x" : "rss10";
    for (auto c : root.children()) {
      if (c.type() != pugi::node_element) continue;
      std::string_view l = local_of(c.name());
      if (l == "channel") {
        Scope cs;
        const Scope* csc = enter(c, sc, cs);
        children(c, csc, channel, true);
      } else if (l == "item") {
        item(c, sc);
      } else if (l == "image") {
        for (auto i : c.children())
          if (local_of(i.name()) == "url") channel.image = trimmed(text(i));
      }
    }
    for (auto c : root.children())
      if (c.type() == pugi::node_element && local_of(c.name()) == "channel" && channel.id.empty())
        channel.id = trim(c.attribute("rdf:about").value());
  } else if (root_local == "feed" || root_local == "entry") {
    std::string v = trim(root.attribute("version").value());
    atom_ = true;
    if (root_ns == Ns::atom10) {
      feed_.version = "atom10";
    } else if (root_ns == Ns::atom03 || v == "0.3") {
      feed_.version = "atom03";
      atom03_ = true;
    } else if (v.empty() && root_ns == Ns::none) {
      feed_.version = "atom10";  // un-namespaced but shaped like Atom
    } else {
      feed_.version = v.starts_with("0.")
                          ? "atom" + std::string(v.substr(0, 1)) + std::string(v.substr(2))
                          : "atom";
    }
    feed_.format = atom03_ ? "atom03" : "atom10";
    root_uri_ = root_ns == Ns::other ? root_uri : std::string_view();
    if (root_local == "entry") {
      item(root, sc);
    } else {
      children(root, sc, channel, true);
    }
  } else {
    return Error{"not a feed: root element <" + std::string(root.name()) + ">"};
  }

  // feed-level conversion
  if (channel.title) {
    feed_.title_detail = std::move(*channel.title);
    feed_.title = feed_.title_detail.type == "text/plain"
                      ? text::collapse_space(feed_.title_detail.value)
                      : html_to_text(feed_.title_detail.value);
  }
  if (channel.subtitle)
    feed_.subtitle_detail = std::move(*channel.subtitle);
  else if (channel.summary)
    feed_.subtitle_detail = std::move(*channel.summary);
  feed_.link = channel.link;
  feed_.links = std::move(channel.links);
  feed_.authors = std::move(channel.authors);
  feed_.language = std::move(channel.language);
  feed_.ttl_minutes = channel.ttl;
  feed_.image = std::move(channel.image);
  feed_.published_text = std::move(channel.published);
  feed_.updated_text = std::move(channel.updated);
  if (!feed_.published_text.empty()) feed_.published = parse_date(feed_.published_text);
  if (!feed_.updated_text.empty()) feed_.updated = parse_date(feed_.updated_text);
  if (!channel.sy_period.empty() || channel.sy_frequency > 0) {
    long long period = 86400;
    const std::string& p = channel.sy_period;
    if (p == "hourly")
      period = 3600;
    else if (p == "weekly")
      period = 7 * 86400;
    else if (p == "monthly")
      period = 30 * 86400;
    else if (p == "yearly")
      period = 365 * 86400;
    int freq = channel.sy_frequency > 0 ? channel.sy_frequency : 1;
    feed_.update_period = std::chrono::seconds(period / freq);
  }
  feed_.entries.reserve(items_.size());
  for (auto& r : items_) feed_.entries.push_back(to_entry(std::move(r)));
  if (needs_sanitize(in, known_valid_)) sanitize_feed(feed_);
  return Ok{};
}

}  // namespace

void read_entry_dates(Entry& e, std::optional<Time> now) {
  auto read = [](const std::string& s) { return s.empty() ? std::nullopt : text::parse_date(s); };
  std::optional<text::Date> published = read(e.published_text), updated = read(e.updated_text),
                            created = read(e.created_text);
  // The neutral "published" falls back on what the feed gave: dc:date, atom:updated, created.
  if (!published) published = created ? created : updated;
  auto clamp = [&](std::optional<text::Date>& d) {
    if (now && d && d->at > *now + std::chrono::hours(24))
      d = text::Date{*now, std::chrono::minutes{0}, false};
  };
  clamp(published);
  clamp(updated);
  clamp(created);
  auto at = [](const std::optional<text::Date>& d) {
    return d ? std::optional<Time>(d->at) : std::nullopt;
  };
  e.published = at(published);
  e.updated = at(updated);
  e.created = at(created);
  e.published_date = published;
}

// C1 controls (U+0080..U+009F) in feeds are Windows-1252 bytes mislabelled as Latin-1 (or
// &#146; references): map them to the characters they meant, as browsers do.
static void fix_c1(std::string& s) {
  if (s.find('\xC2') == std::string::npos) return;
  std::string out;
  out.reserve(s.size() + 8);
  for (std::size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == 0xC2 && i + 1 < s.size()) {
      unsigned char d = static_cast<unsigned char>(s[i + 1]);
      if (d >= 0x80 && d <= 0x9F) {
        append_utf8(out, windows1252_c1(d));
        ++i;
        continue;
      }
    }
    out += static_cast<char>(c);
  }
  s = std::move(out);
}

void sanitize_feed(Feed& f) {
  auto fix = [](std::string& s) {
    fix_c1(s);
    drop_controls(s);
    if (!fast_valid_utf8(s)) s = text::sanitize_utf8(s);
  };
  auto fix_text = [&](TextDetail& t) { fix(t.value); };
  auto fix_link = [&](Link& l) {
    fix(l.href);
    fix(l.rel);
    fix(l.type);
    fix(l.title);
  };
  auto fix_person = [&](Person& p) {
    fix(p.name);
    fix(p.email);
    fix(p.uri);
  };
  fix(f.title);
  fix(f.link);
  fix(f.language);
  fix(f.image);
  fix(f.published_text);
  fix(f.updated_text);
  fix_text(f.title_detail);
  fix_text(f.subtitle_detail);
  for (auto& l : f.links) fix_link(l);
  for (auto& p : f.authors) fix_person(p);
  for (auto& e : f.entries) {
    fix(e.id);
    fix(e.link);
    fix(e.title);
    fix(e.summary);
    fix(e.content);
    fix(e.author);
    fix(e.image);
    fix(e.published_text);
    fix(e.updated_text);
    fix(e.created_text);
    fix_text(e.title_detail);
    fix_text(e.summary_detail);
    for (auto& c : e.contents) fix_text(c);
    for (auto& c : e.categories) fix(c);
    for (auto& en : e.enclosures) {
      fix(en.url);
      fix(en.type);
    }
    for (auto& l : e.links) fix_link(l);
    for (auto& p : e.authors) fix_person(p);
  }
}

namespace {

// The feed is built where the caller's Result lives: returned by name on every path, it is never
// moved (a move of a Feed cost ≈ 1,100 instructions, 6 % of parsing a small feed).
Result<Feed> parse_xml_feed(std::string_view in, std::string_view url, std::optional<Time> now,
                            Known known) {
  Result<Feed> out(std::in_place);
  FeedParser p(url, now, known, out.value());
  if (Status st = p.run(in); !st.ok()) out = Error{st.error()};
  return out;
}

}  // namespace

Result<Feed> parse_feed(std::string_view utf8, std::string_view url, std::optional<Time> now) {
  return parse_feed_utf8(utf8, url, now, Known::nothing);
}

Result<Feed> parse_feed_utf8(std::string_view utf8, std::string_view url, std::optional<Time> now,
                             Known known) {
  std::string_view s = utf8;
  if (s.starts_with("\xEF\xBB\xBF")) s.remove_prefix(3);
  std::size_t i = 0;
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')) ++i;
  if (i == s.size()) return Error{"not a feed: empty document"};
  if (s[i] == '{') return parse_json_feed(s.substr(i), url, now);
  return parse_xml_feed(s.substr(i), url, now, known);
}

std::optional<std::chrono::seconds> publish_gap(const std::vector<Entry>& entries) {
  std::vector<Time> dates;
  for (const auto& e : entries)
    if (e.published) dates.push_back(*e.published);
  std::sort(dates.rbegin(), dates.rend());
  if (dates.size() > 20) dates.resize(20);
  if (dates.size() < 3) return std::nullopt;
  std::vector<long long> gaps;
  for (size_t i = 1; i < dates.size(); ++i) gaps.push_back((dates[i - 1] - dates[i]).count());
  std::nth_element(gaps.begin(), gaps.begin() + static_cast<long>(gaps.size() / 2), gaps.end());
  return std::chrono::seconds(std::max<long long>(gaps[gaps.size() / 2], 0));
}

std::optional<CharRef> numeric_char_ref(std::string_view s, std::size_t hash,
                                        std::size_t max_digits, bool upper_x) {
  const bool hex = hash + 1 < s.size() && (s[hash + 1] == 'x' || (upper_x && s[hash + 1] == 'X'));
  const std::size_t d = hash + (hex ? 2 : 1);
  std::size_t k = d;
  unsigned long v = 0;
  while (k < s.size() && k - d < max_digits &&
         (hex ? std::isxdigit(static_cast<unsigned char>(s[k]))
              : std::isdigit(static_cast<unsigned char>(s[k])))) {
    char c = static_cast<char>(std::tolower(static_cast<unsigned char>(s[k])));
    v = v * (hex ? 16 : 10) + static_cast<unsigned long>(c <= '9' ? c - '0' : c - 'a' + 10);
    ++k;
  }
  if (k == d || k >= s.size() || s[k] != ';') return std::nullopt;
  return CharRef{v, k};
}

}  // namespace rasid::parse
