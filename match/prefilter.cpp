// Query::required(): the words a matching document must contain, as an AND of ORs.
#include <algorithm>

#include "match/internal.h"

namespace rasid::match {

namespace {

using Kind = Query::Node::Kind;
using Groups = std::vector<std::vector<Query::Requirement>>;

// Bounds the prefilter: more groups make the index query slower, not more selective.
constexpr std::size_t kMaxRequired = 16;

Groups required_of(const Query::Node& n) {
  switch (n.kind) {
    case Kind::kTerm:
    case Kind::kPhrase:
      return {{Query::Requirement{n.words, false, n.title_only}}};
    case Kind::kPrefix:
      return {{Query::Requirement{{n.value}, true, n.title_only}}};
    case Kind::kAnd:
    case Kind::kNear: {
      Groups all;
      for (const auto& k : n.kids) {
        Groups g = required_of(*k);
        all.insert(all.end(), g.begin(), g.end());
      }
      std::stable_sort(all.begin(), all.end(),
                       [](const auto& a, const auto& b) { return a.size() < b.size(); });
      if (all.size() > kMaxRequired) all.resize(kMaxRequired);
      return all;
    }
    case Kind::kOr: {
      // (a ∧ b) ∨ c requires (a ∨ c): the narrowest group of each alternative, united.
      std::vector<Query::Requirement> any;
      for (const auto& k : n.kids) {
        Groups g = required_of(*k);
        if (g.empty()) return {};
        auto best = std::min_element(
            g.begin(), g.end(), [](const auto& a, const auto& b) { return a.size() < b.size(); });
        any.insert(any.end(), best->begin(), best->end());
      }
      return {any};
    }
    default:  // NOT, source:, lang: require no word
      return {};
  }
}

}  // namespace

std::vector<std::vector<Query::Requirement>> Query::required() const {
  if (!root_) return {};
  return required_of(*root_);
}

}  // namespace rasid::match
