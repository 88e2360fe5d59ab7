#include "clean/prestrip.h"

#include <cstring>

#include "text/text.h"

namespace rasid::clean {

namespace {

char lc(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

// Case-insensitive: does s[pos..] start with the lower-case word w?
bool at(std::string_view s, std::size_t pos, std::string_view w) {
  if (pos + w.size() > s.size()) return false;
  for (std::size_t i = 0; i < w.size(); ++i)
    if (lc(s[pos + i]) != w[i]) return false;
  return true;
}

bool name_end(std::string_view s, std::size_t pos) {
  if (pos >= s.size()) return true;
  char c = s[pos];
  return c == '>' || c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '/';
}

// Position just after "</name ...>" searching from `from`; npos when it never closes.
std::size_t close_of(std::string_view s, std::size_t from, std::string_view name) {
  std::size_t p = from;
  while (true) {
    const void* hit = std::memchr(s.data() + p, '<', s.size() - p);
    if (hit == nullptr) return std::string_view::npos;
    p = static_cast<const char*>(hit) - s.data();
    if (p + 1 < s.size() && s[p + 1] == '/' && at(s, p + 2, name) &&
        name_end(s, p + 2 + name.size())) {
      std::size_t gt = s.find('>', p);
      return gt == std::string_view::npos ? s.size() : gt + 1;
    }
    ++p;
  }
}

}  // namespace

std::string prestrip(std::string_view s) {
  std::string out;
  out.reserve(s.size() / 2 + 64);
  std::size_t copied = 0;  // s[copied..] not yet copied
  std::size_t p = 0;
  while (p < s.size()) {
    const void* hit = std::memchr(s.data() + p, '<', s.size() - p);
    if (hit == nullptr) break;
    p = static_cast<const char*>(hit) - s.data();
    std::size_t skip_to = std::string_view::npos;
    if (at(s, p + 1, "!--")) {
      std::size_t e = s.find("-->", p + 4);
      skip_to = e == std::string_view::npos ? s.size() : e + 3;
    } else if ((at(s, p + 1, "/body") && name_end(s, p + 6)) ||
               (at(s, p + 1, "/html") && name_end(s, p + 6))) {
      // HTML5 puts what follows </body> or </html> into the body (the end tags are implied at
      // the end); libxml2 loses it. Pages that print their template twice or append the
      // article after a stray </html> keep their text when these end tags go.
      std::size_t gt = s.find('>', p);
      skip_to = gt == std::string_view::npos ? s.size() : gt + 1;
    } else {
      for (std::string_view name : {std::string_view("script"), std::string_view("style"),
                                    std::string_view("svg"), std::string_view("template")}) {
        if (!at(s, p + 1, name) || !name_end(s, p + 1 + name.size())) continue;
        std::size_t gt = s.find('>', p);
        if (gt == std::string_view::npos) break;
        if (name == "script") {
          // Keep JSON-LD: the metadata lives there.
          std::string_view open = s.substr(p, gt - p);
          bool ld = false;
          for (std::size_t i = 0; i + 8 <= open.size(); ++i)
            if (at(open, i, "ld+json")) {
              ld = true;
              break;
            }
          if (ld) break;
        }
        if (s[gt - 1] == '/' && name == "svg") {
          skip_to = gt + 1;
          break;
        }
        std::size_t e = close_of(s, gt + 1, name);
        skip_to = e == std::string_view::npos ? s.size() : e;
        break;
      }
    }
    if (skip_to != std::string_view::npos) {
      out.append(s.substr(copied, p - copied));
      copied = p = skip_to;
    } else {
      ++p;
    }
  }
  out.append(s.substr(copied));
  return out;
}

Result<parse::Html> read_page(std::string_view bytes, std::string_view url,
                              std::string_view content_type) {
  text::Decoded d = text::decode(bytes, content_type);
  // The decoded copy is no longer needed once stripped: keep peak memory at ~2x the page.
  std::string html = prestrip(d.utf8);
  d.utf8 = std::string();
  // Control characters as the feed path treats them (text/text.h): C0 bytes are gone (decode),
  // references to C0 and C1 code points are read as HTML5 does (libxml2 keeps &#x80; as U+0080).
  text::fix_control_refs(html);
  return parse::Html::parse(html, url);
}

}  // namespace rasid::clean
