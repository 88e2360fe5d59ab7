// clean/dom.h — read-only helpers over libxml2 nodes. Internal to clean/.
#pragma once

#include <libxml/tree.h>

#include <string>
#include <string_view>

namespace rasid::clean::dom {

inline bool is_element(const xmlNode* n) { return n != nullptr && n->type == XML_ELEMENT_NODE; }
inline bool is_text(const xmlNode* n) {
  return n != nullptr && (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE);
}
inline std::string_view name(const xmlNode* n) {
  return n->name == nullptr ? std::string_view() : reinterpret_cast<const char*>(n->name);
}
inline std::string_view content(const xmlNode* n) {
  return n->content == nullptr ? std::string_view() : reinterpret_cast<const char*>(n->content);
}

// Attribute value (first text child), "" when absent. Attribute names are lower case in HTML.
std::string_view attr(const xmlNode* n, std::string_view attr_name);
bool has_attr(const xmlNode* n, std::string_view attr_name);

// Whitespace-collapsed text of the subtree (script/style/template skipped), at most `limit`
// bytes (the rest is ignored).
std::string text(const xmlNode* n, std::size_t limit = 1 << 20);

// ASCII case-insensitive comparison.
bool iequals(std::string_view a, std::string_view b);

}  // namespace rasid::clean::dom
