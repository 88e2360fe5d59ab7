#include "storage/index_terms.h"

#include <unordered_set>

#include "text/clitics.h"
#include "text/text.h"

namespace rasid::storage::detail {

bool for_each_index_term(std::string_view input, bool document, const TermFn& fn) {
  std::vector<std::string> forms;
  for (const text::Token& t : text::tokenize(input)) {
    if (t.norm.empty()) continue;
    if (!fn(t.norm, false, t.begin, t.end)) return false;
    if (!document) continue;  // queries and auxiliary functions see the word itself
    forms.clear();
    text::clitics::expand(
        t.norm,
        [&](std::string_view x, std::string_view y, std::string_view z) {
          std::string f;
          f.reserve(x.size() + y.size() + z.size());
          f.append(x).append(y).append(z);
          if (f == t.norm) return;
          for (const std::string& g : forms)
            if (g == f) return;
          forms.push_back(std::move(f));
        },
        [](std::string_view) {});
    for (const std::string& f : forms)
      if (!fn(f, true, t.begin, t.end)) return false;
  }
  return true;
}

std::vector<std::string> document_terms(std::string_view text) {
  std::vector<std::string> out;
  std::unordered_set<std::string> have;
  for_each_index_term(text, true, [&](std::string_view term, bool, std::size_t, std::size_t) {
    if (have.emplace(term).second) out.emplace_back(term);
    return true;
  });
  return out;
}

}  // namespace rasid::storage::detail
