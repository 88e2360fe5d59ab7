// match/matcher.cpp — many topics against one article: a presearch index of each topic's
// required keys, then exact evaluation of the candidates only.
#include <algorithm>
#include <unordered_map>

#include "match/internal.h"

namespace rasid::match {

struct Matcher::Impl {
  struct Topic {
    int id;
    NodePtr root;
  };
  std::vector<Topic> topics;
  std::unordered_map<std::uint64_t, std::vector<std::uint32_t>> index;  // key → topic indexes
  std::vector<std::uint32_t> always;  // topics without a required key set

  TopicMatch result(const Topic& t, const AnalyzedDoc& d) const {
    TopicMatch m;
    m.topic = t.id;
    collect_hits(*t.root, d, m.hits);
    std::sort(m.hits.begin(), m.hits.end(), [](const Hit& a, const Hit& b) {
      if (a.in_title != b.in_title) return a.in_title;
      return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
    });
    m.hits.erase(std::unique(m.hits.begin(), m.hits.end(),
                             [](const Hit& a, const Hit& b) {
                               return a.in_title == b.in_title && a.begin == b.begin &&
                                      a.end == b.end;
                             }),
                 m.hits.end());
    return m;
  }
};

Matcher::Matcher() : impl_(std::make_unique<Impl>()) {}
Matcher::~Matcher() = default;
Matcher::Matcher(Matcher&&) noexcept = default;
Matcher& Matcher::operator=(Matcher&&) noexcept = default;

void Matcher::add(int topic, const Query& query) {
  if (!query.root_) return;
  const auto idx = static_cast<std::uint32_t>(impl_->topics.size());
  impl_->topics.push_back({topic, query.root_});
  auto keys = required_keys(*query.root_);
  if (!keys) {
    impl_->always.push_back(idx);
    return;
  }
  for (std::uint64_t k : *keys) impl_->index[k].push_back(idx);
}

std::size_t Matcher::size() const { return impl_->topics.size(); }

std::vector<TopicMatch> Matcher::match(const Document& doc) const {
  std::vector<TopicMatch> out;
  if (impl_->topics.empty()) return out;
  AnalyzedDoc d(doc);
  std::vector<std::uint32_t> cand(impl_->always);
  const auto& index = impl_->index;
  for (std::uint64_t k : d.distinct_keys()) {
    auto it = index.find(k);
    if (it != index.end()) cand.insert(cand.end(), it->second.begin(), it->second.end());
  }
  std::sort(cand.begin(), cand.end());
  cand.erase(std::unique(cand.begin(), cand.end()), cand.end());
  for (std::uint32_t i : cand) {
    const Impl::Topic& t = impl_->topics[i];
    if (evaluate(*t.root, d)) out.push_back(impl_->result(t, d));
  }
  return out;
}

std::vector<TopicMatch> Matcher::match_brute_force(const Document& doc) const {
  std::vector<TopicMatch> out;
  if (impl_->topics.empty()) return out;
  AnalyzedDoc d(doc);
  for (const Impl::Topic& t : impl_->topics) {
    if (evaluate(*t.root, d)) out.push_back(impl_->result(t, d));
  }
  return out;
}

}  // namespace rasid::match
