#include "clean/dom.h"

#include "clean/textutil.h"
#include "text/text.h"

namespace rasid::clean::dom {

std::string_view attr(const xmlNode* n, std::string_view attr_name) {
  if (n == nullptr || n->type != XML_ELEMENT_NODE) return {};
  for (const xmlAttr* a = n->properties; a != nullptr; a = a->next) {
    if (a->name == nullptr) continue;
    if (iequals(reinterpret_cast<const char*>(a->name), attr_name)) {
      const xmlNode* c = a->children;
      return c == nullptr ? std::string_view() : content(c);
    }
  }
  return {};
}

bool has_attr(const xmlNode* n, std::string_view attr_name) {
  if (n == nullptr || n->type != XML_ELEMENT_NODE) return false;
  for (const xmlAttr* a = n->properties; a != nullptr; a = a->next)
    if (a->name != nullptr && iequals(reinterpret_cast<const char*>(a->name), attr_name))
      return true;
  return false;
}

namespace {
void collect(const xmlNode* n, std::string& out, std::size_t limit) {
  for (const xmlNode* c = n->children; c != nullptr && out.size() < limit; c = c->next) {
    if (is_text(c)) {
      util::append_collapsed(out, content(c));
    } else if (is_element(c)) {
      auto nm = name(c);
      if (nm == "script" || nm == "style" || nm == "template" || nm == "noscript") continue;
      if (nm == "br" || nm == "p" || nm == "div" || nm == "li") {
        if (!out.empty() && out.back() != ' ') out.push_back(' ');
      }
      collect(c, out, limit);
      if (nm == "p" || nm == "div" || nm == "li" || nm == "td") {
        if (!out.empty() && out.back() != ' ') out.push_back(' ');
      }
    }
  }
}
}  // namespace

std::string text(const xmlNode* n, std::size_t limit) {
  std::string out;
  if (n == nullptr) return out;
  if (is_text(n)) {
    util::append_collapsed(out, content(n));
  } else {
    collect(n, out, limit);
  }
  util::trim_right(out);
  if (out.size() > limit) {
    // Cut on a code point boundary.
    std::size_t k = limit;
    while (k > 0 && (static_cast<unsigned char>(out[k]) & 0xC0) == 0x80) --k;
    out.resize(k);
  }
  return out;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x += 32;
    if (y >= 'A' && y <= 'Z') y += 32;
    if (x != y) return false;
  }
  return true;
}

}  // namespace rasid::clean::dom
