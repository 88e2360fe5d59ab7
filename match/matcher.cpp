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
  // key → postings (topic index << 3 | group number)
  std::unordered_map<std::uint64_t, std::vector<std::uint32_t>> index;
  std::vector<std::uint8_t> full;     // per topic: the mask of all its groups (0: always)
  std::vector<std::uint32_t> always;  // topics without required groups

  std::vector<std::uint32_t> candidates(const AnalyzedDoc& d) const;

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
  Groups groups = required_groups(*query.root_);
  impl_->full.push_back(static_cast<std::uint8_t>((1u << groups.size()) - 1));
  if (groups.empty()) {
    impl_->always.push_back(idx);
    return;
  }
  for (std::uint32_t g = 0; g < groups.size(); ++g) {
    for (std::uint64_t k : groups[g]) {
      auto& post = impl_->index[k];
      const std::uint32_t v = idx << 3 | g;
      if (post.empty() || post.back() != v) post.push_back(v);
    }
  }
}

std::size_t Matcher::size() const { return impl_->topics.size(); }

std::vector<std::uint32_t> Matcher::Impl::candidates(const AnalyzedDoc& d) const {
  std::vector<std::uint32_t> cand(always);
  // Per topic, the groups seen so far; a topic is a candidate once all its groups are seen.
  std::vector<std::uint8_t> seen(topics.size(), 0);
  for (std::uint64_t k : d.distinct_keys()) {
    auto it = index.find(k);
    if (it == index.end()) continue;
    for (std::uint32_t v : it->second) {
      const std::uint32_t t = v >> 3;
      const std::uint8_t before = seen[t];
      const auto after = static_cast<std::uint8_t>(before | (1u << (v & 7)));
      if (after != before) {
        seen[t] = after;
        if (after == full[t]) cand.push_back(t);
      }
    }
  }
  std::sort(cand.begin(), cand.end());
  return cand;
}

std::size_t Matcher::count_candidates(const Document& doc) const {
  if (impl_->topics.empty()) return 0;
  AnalyzedDoc d(doc);
  return impl_->candidates(d).size();
}

std::vector<TopicMatch> Matcher::match(const Document& doc) const {
  std::vector<TopicMatch> out;
  if (impl_->topics.empty()) return out;
  AnalyzedDoc d(doc);
  const std::vector<std::uint32_t> cand = impl_->candidates(d);
  const auto& topics = impl_->topics;
  for (std::size_t c = 0; c < cand.size(); ++c) {
    // Topic trees are scattered over the heap; fetch a few candidates ahead.
    if (c + 4 < cand.size()) __builtin_prefetch(topics[cand[c + 4]].root.get());
    const Impl::Topic& t = topics[cand[c]];
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
