#include <nlohmann/json.hpp>

#include "clean/extractor.h"

namespace rasid::clean {

std::string to_json_line(const std::string& file, const Result<Article>& article) {
  using json = nlohmann::ordered_json;
  json j;
  j["file"] = file;
  if (!article.ok()) {
    j["error"] = article.error();
  } else if (article.value().kind != PageKind::article) {
    j["url"] = article.value().url;
    j["kind"] = std::string(to_string(article.value().kind));
    j["error"] = "clean: not an article (" + std::string(to_string(article.value().kind)) + ")";
  } else {
    const Article& a = article.value();
    j["url"] = a.url;
    j["title"] = a.title;
    j["text"] = a.text();
    j["published"] = a.published ? json(text::format_iso8601(*a.published)) : json(nullptr);
    j["author"] = a.author;
    j["lang"] = a.lang;
    j["canonical"] = a.canonical;
    if (a.truncated) j["truncated"] = true;
  }
  // Strings are valid UTF-8 already; replace rather than throw should one slip through.
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace rasid::clean
