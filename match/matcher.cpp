// match/matcher.cpp — many topics against one article: a presearch index of each topic's
// required keys, then exact evaluation of the candidates only.
#include <algorithm>

#include "match/internal.h"

namespace rasid::match {

struct Matcher::Impl {
  struct Topic {
    int id;
    NodePtr root;
    // What evaluating the topic reads first (its root node, the root's list of kids and the first
    // kids), prefetched a few candidates ahead so the loads overlap (unused slots: null).
    static constexpr std::size_t kLines = 5;
    const void* lines[kLines] = {};
  };
  std::vector<Topic> topics;
  // key → postings (topic index << 3 | group number): open addressing with the postings' vector
  // in the slot, so a present key costs one slot load instead of a bucket and a node.
  struct Slot {
    std::uint64_t key = 0;
    std::vector<std::uint32_t> post;  // empty: a free slot (a key in use has a posting)
  };
  std::vector<Slot> index = std::vector<Slot>(1024);
  std::size_t index_used = 0;
  std::size_t slot_of(std::uint64_t k) const {
    const std::size_t mask = index.size() - 1;
    std::size_t at = (k * 0x9E3779B97F4A7C15ULL >> 32) & mask;
    while (!index[at].post.empty() && index[at].key != k) at = (at + 1) & mask;
    return at;
  }
  const std::vector<std::uint32_t>* postings(std::uint64_t k) const {
    const Slot& s = index[slot_of(k)];
    return s.post.empty() ? nullptr : &s.post;
  }
  std::vector<std::uint32_t>& postings_for_add(std::uint64_t k) {
    if ((index_used + 1) * 2 > index.size()) {
      std::vector<Slot> old(index.size() * 2);
      old.swap(index);
      for (Slot& s : old) {
        if (!s.post.empty()) index[slot_of(s.key)] = std::move(s);
      }
    }
    Slot& s = index[slot_of(k)];
    if (s.post.empty()) {
      s.key = k;
      ++index_used;
    }
    return s.post;
  }
  std::vector<std::uint8_t> full;     // per topic: the mask of all its groups (0: always)
  std::vector<std::uint32_t> always;  // topics without required groups
  // A one-hash bit filter of the index's keys (2^21 bits, 256 KB; a few % set at 100k topics): most
  // of a document's keys are in no topic, and the filter answers them from cache without the
  // hash map's bucket and node look-ups (profile of bench_match at 100k topics, issue 16).
  static constexpr unsigned kFilterShift = 64 - 21;
  std::vector<std::uint64_t> filter = std::vector<std::uint64_t>(std::size_t{1} << (21 - 6), 0);
  bool maybe_indexed(std::uint64_t k) const {
    const std::uint64_t b = (k * 0x9E3779B97F4A7C15ULL) >> kFilterShift;
    return filter[b >> 6] >> (b & 63) & 1;
  }

  std::vector<std::uint32_t> candidates(const AnalyzedDoc& d) const;

  TopicMatch result(const Topic& t, const AnalyzedDoc& d) const {
    // Spans are sorted and de-duplicated as light references; only the survivors copy their
    // term (the same comparisons on the same sequence as sorting Hits, so the same survivors).
    thread_local std::vector<HitRef> refs;
    refs.clear();
    collect_hits(*t.root, d, refs);
    std::sort(refs.begin(), refs.end(), [](const HitRef& a, const HitRef& b) {
      if (a.in_title != b.in_title) return a.in_title;
      return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
    });
    refs.erase(std::unique(refs.begin(), refs.end(),
                           [](const HitRef& a, const HitRef& b) {
                             return a.in_title == b.in_title && a.begin == b.begin &&
                                    a.end == b.end;
                           }),
               refs.end());
    TopicMatch m;
    m.topic = t.id;
    m.hits.reserve(refs.size());
    for (const HitRef& r : refs)
      m.hits.push_back(Hit{r.in_title, r.begin, r.end, hit_term(*r.node)});
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
  Impl::Topic entry{topic, query.root_};
  {
    std::size_t n = 0;
    const Query::Node& r = *query.root_;
    entry.lines[n++] = &r;
    if (!r.kids.empty()) entry.lines[n++] = r.kids.data();
    for (const auto& k : r.kids) {
      if (n == Impl::Topic::kLines) break;
      entry.lines[n++] = k.get();
    }
  }
  impl_->topics.push_back(std::move(entry));
  Groups groups = required_groups(*query.root_);
  impl_->full.push_back(static_cast<std::uint8_t>((1u << groups.size()) - 1));
  if (groups.empty()) {
    impl_->always.push_back(idx);
    return;
  }
  for (std::uint32_t g = 0; g < groups.size(); ++g) {
    for (std::uint64_t k : groups[g]) {
      const std::uint64_t b = (k * 0x9E3779B97F4A7C15ULL) >> Impl::kFilterShift;
      impl_->filter[b >> 6] |= std::uint64_t{1} << (b & 63);
      auto& post = impl_->postings_for_add(k);
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
    if (!maybe_indexed(k)) continue;
    const std::vector<std::uint32_t>* post = postings(k);
    if (!post) continue;
    for (std::uint32_t v : *post) {
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
    // Topic entries and trees are scattered over memory (the profile's hottest spot is waiting
    // for them): fetch the entry well ahead, then its tree once the entry has arrived.
    if (c + 16 < cand.size()) __builtin_prefetch(&topics[cand[c + 16]]);
    if (c + 8 < cand.size()) {
      for (const void* p : topics[cand[c + 8]].lines) {
        if (p) __builtin_prefetch(p);
      }
    }
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
