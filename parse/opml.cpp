// parse/opml.cpp — OPML subscription lists in and out (pugixml both ways).
#include <cctype>
#include <map>
#include <pugixml.hpp>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "parse/parser.h"
#include "text/text.h"
#include "url/url.h"

namespace rasid::parse {
namespace {

// OPML in the wild spells attributes in any case (xmlUrl, xmlurl, XMLURL).
std::string attr_ci(pugi::xml_node n, std::string_view name) {
  for (auto a : n.attributes()) {
    std::string_view an = a.name();
    if (an.size() != name.size()) continue;
    bool eq = true;
    for (std::size_t i = 0; eq && i < an.size(); ++i)
      eq = std::tolower(static_cast<unsigned char>(an[i])) ==
           std::tolower(static_cast<unsigned char>(name[i]));
    if (eq) return text::collapse_space(a.value());
  }
  return {};
}

void walk(pugi::xml_node parent, const std::string& path, std::string_view base,
          std::vector<OpmlFeed>& out) {
  for (auto o : parent.children("outline")) {
    std::string title = attr_ci(o, "title");
    if (title.empty()) title = attr_ci(o, "text");
    std::string xml = attr_ci(o, "xmlUrl");
    if (!xml.empty()) {
      OpmlFeed f;
      f.title = title;
      f.xml_url = base.empty() ? xml : url::resolve(base, xml);
      std::string html = attr_ci(o, "htmlUrl");
      f.html_url = html.empty() || base.empty() ? html : url::resolve(base, html);
      f.category = path;
      if (f.category.empty()) {
        std::string cat = attr_ci(o, "category");
        f.category = cat.substr(0, cat.find(','));
        while (f.category.starts_with('/')) f.category.erase(0, 1);
      }
      out.push_back(std::move(f));
      walk(o, path, base, out);  // feeds nested under a feed still count
    } else {
      std::string sub = title.empty() ? path : (path.empty() ? title : path + "/" + title);
      walk(o, sub, base, out);
    }
  }
}

struct Folder {
  std::map<std::string, Folder> sub;
  std::vector<std::string> order;  // sub-folder names in first-seen order
  std::vector<const OpmlFeed*> feeds;
};

void emit(pugi::xml_node parent, const Folder& f) {
  for (const OpmlFeed* feed : f.feeds) {
    pugi::xml_node o = parent.append_child("outline");
    o.append_attribute("type") = "rss";
    o.append_attribute("text") = feed->title.c_str();
    o.append_attribute("title") = feed->title.c_str();
    o.append_attribute("xmlUrl") = feed->xml_url.c_str();
    if (!feed->html_url.empty()) o.append_attribute("htmlUrl") = feed->html_url.c_str();
  }
  for (const auto& name : f.order) {
    pugi::xml_node o = parent.append_child("outline");
    o.append_attribute("text") = name.c_str();
    o.append_attribute("title") = name.c_str();
    emit(o, f.sub.at(name));
  }
}

}  // namespace

Result<std::vector<OpmlFeed>> parse_opml(std::string_view utf8, std::string_view url) {
  pugi::xml_document doc;
  auto res = doc.load_buffer(utf8.data(), utf8.size(), pugi::parse_default, pugi::encoding_utf8);
  pugi::xml_node root = doc.document_element();
  if (!root || std::string_view(root.name()) != "opml")
    return Error{res ? "not OPML: no <opml> root" : std::string("not OPML: ") + res.description()};
  pugi::xml_node body = root.child("body");
  if (!body) return Error{"not OPML: no <body>"};
  std::vector<OpmlFeed> out;
  walk(body, "", url, out);
  for (auto& f : out) {
    if (!text::is_valid_utf8(f.title)) f.title = text::sanitize_utf8(f.title);
    if (!text::is_valid_utf8(f.category)) f.category = text::sanitize_utf8(f.category);
  }
  return out;
}

std::string write_opml(const std::vector<OpmlFeed>& feeds, std::string_view title) {
  Folder top;
  for (const auto& f : feeds) {
    Folder* cur = &top;
    std::string_view path = f.category;
    while (!path.empty()) {
      std::size_t slash = path.find('/');
      std::string name(path.substr(0, slash));
      path = slash == std::string_view::npos ? std::string_view() : path.substr(slash + 1);
      if (name.empty()) continue;
      if (!cur->sub.count(name)) cur->order.push_back(name);
      cur = &cur->sub[name];
    }
    cur->feeds.push_back(&f);
  }
  pugi::xml_document doc;
  auto decl = doc.append_child(pugi::node_declaration);
  decl.append_attribute("version") = "1.0";
  decl.append_attribute("encoding") = "UTF-8";
  pugi::xml_node opml = doc.append_child("opml");
  opml.append_attribute("version") = "2.0";
  opml.append_child("head").append_child("title").text().set(std::string(title).c_str());
  emit(opml.append_child("body"), top);
  std::ostringstream out;
  doc.save(out, "  ", pugi::format_default, pugi::encoding_utf8);
  return out.str();
}

}  // namespace rasid::parse
