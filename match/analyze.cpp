// match/analyze.cpp — the document side: words → clitic-aware keys with positions; evaluation of
// a compiled query over them; the presearch key set of a query.
#include <algorithm>
#include <cstring>

#include "match/internal.h"
#include "text/text.h"

namespace rasid::match {

namespace analysis {

std::uint64_t key_hash_continue(std::uint64_t h, std::string_view s) {
  for (unsigned char c : s) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return h;
}

std::uint64_t key_hash(std::string_view s) { return key_hash_continue(0xcbf29ce484222325ULL, s); }

std::size_t char_count(std::string_view s) {
  std::size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

// The first `chars` characters of s.
std::string_view first_chars(std::string_view s, std::size_t chars) {
  std::size_t i = 0, n = 0;
  while (i < s.size()) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) {
      if (n == chars) break;
      ++n;
    }
    ++i;
  }
  return s.substr(0, i);
}

std::uint64_t prefix_key(std::string_view p) {
  const std::size_t n = std::min<std::size_t>(char_count(p), kPrefixKeyChars);
  return key_hash_continue(key_hash("\x01"), first_chars(p, n));
}

bool is_arabic_norm(std::string_view norm) {
  // Normalized Arabic letters are two-byte sequences D8..DB xx.
  return !norm.empty() && (static_cast<unsigned char>(norm[0]) >= 0xD8 &&
                           static_cast<unsigned char>(norm[0]) <= 0xDB);
}

}  // namespace analysis

using namespace analysis;

AnalyzedDoc::AnalyzedDoc(const Document& doc) {
  std::vector<text::Token> title = text::tokenize(doc.title);
  std::vector<text::Token> body = text::tokenize(doc.body);
  title_count_ = static_cast<std::uint32_t>(title.size());
  words_.reserve(title.size() + body.size());
  entries_.reserve((title.size() + body.size()) * 6);
  norms_.reserve(title.size() + body.size());
  // News prose repeats its words: each distinct word is expanded once, and a repeat copies the
  // keys its first occurrence appended to entries_ (expand() is a pure function of the word).
  // memo: open addressing on the word's hash → the first occurrence's index and its keys' range.
  struct Memo {
    std::uint32_t word = 0xFFFFFFFFu;  // index into norms_; 0xFFFFFFFF: empty
    std::uint32_t begin = 0, end = 0;  // entries_[begin, end)
  };
  std::size_t memo_cap = 16;
  while (memo_cap < (title.size() + body.size()) * 2) memo_cap <<= 1;
  std::vector<Memo> memo(memo_cap);
  auto add = [&](std::uint32_t word, std::uint32_t pos) {
    const std::string_view norm = norms_[word];
    std::size_t at = (key_hash(norm) * 0x9E3779B97F4A7C15ULL >> 32) & (memo_cap - 1);
    while (memo[at].word != 0xFFFFFFFFu && norms_[memo[at].word] != norm)
      at = (at + 1) & (memo_cap - 1);
    Memo& m = memo[at];
    if (m.word != 0xFFFFFFFFu) {
      for (std::uint32_t i = m.begin; i < m.end; ++i) {
        const std::uint64_t h = entries_[i].first;
        entries_.emplace_back(h, pos);
      }
      return;
    }
    m.word = word;
    m.begin = static_cast<std::uint32_t>(entries_.size());
    expand(
        norm, [&](std::uint64_t h) { entries_.emplace_back(h, pos); },
        [&](std::string_view form) {
          const std::size_t n = char_count(form);
          for (std::size_t k = 2; k <= std::min(n, kPrefixKeyChars); ++k)
            entries_.emplace_back(prefix_key(first_chars(form, k)), pos);
        });
    m.end = static_cast<std::uint32_t>(entries_.size());
  };
  // norms_ is reserved for every word, so the views the memo compares stay valid.
  for (std::uint32_t i = 0; i < title.size(); ++i) {
    words_.push_back({title[i].begin, title[i].end, true});
    norms_.push_back(std::move(title[i].norm));
    add(static_cast<std::uint32_t>(norms_.size() - 1), i);
  }
  for (std::uint32_t i = 0; i < body.size(); ++i) {
    words_.push_back({body[i].begin, body[i].end, false});
    norms_.push_back(std::move(body[i].norm));
    add(static_cast<std::uint32_t>(norms_.size() - 1), kBodyBase + i);
  }
  // entries_ are in position order. Counting into an open-addressing table, then filling in
  // the same order, groups positions by key ascending without sorting.
  std::size_t cap = 16;
  while (cap < entries_.size() * 2) cap <<= 1;
  mask_ = cap - 1;
  slots_.assign(cap, Slot{});
  auto find = [&](std::uint64_t h) -> Slot& {
    std::size_t at = (h * 0x9E3779B97F4A7C15ULL >> 32) & mask_;
    while (slots_[at].begin != Slot::kEmpty && slots_[at].key != h) at = (at + 1) & mask_;
    return slots_[at];
  };
  for (const auto& e : entries_) {
    Slot& s = find(e.first);
    if (s.begin == Slot::kEmpty) {
      s.key = e.first;
      s.begin = 0;
      s.end = 0;
      distinct_.push_back(e.first);
    }
    ++s.end;  // count for now
  }
  std::uint32_t run = 0;
  for (Slot& s : slots_) {
    if (s.begin == Slot::kEmpty) continue;
    s.begin = run;
    run += s.end;
    s.end = s.begin;  // fill pointer
  }
  pos_.assign(run, 0);
  for (const auto& e : entries_) {
    Slot& s = find(e.first);
    if (s.end > s.begin && pos_[s.end - 1] == e.second) continue;  // same word, same key
    pos_[s.end++] = e.second;
  }
  entries_.clear();
  entries_.shrink_to_fit();
  source_ = text::collapse_space(text::normalize(doc.source));
  lang_ = text::normalize(doc.lang);
}

std::pair<const std::uint32_t*, const std::uint32_t*> AnalyzedDoc::lookup(std::uint64_t h) const {
  std::size_t at = (h * 0x9E3779B97F4A7C15ULL >> 32) & mask_;
  for (;;) {
    const Slot& s = slots_[at];
    if (s.begin == Slot::kEmpty) return {nullptr, nullptr};
    if (s.key == h) return {pos_.data() + s.begin, pos_.data() + s.end};
    at = (at + 1) & mask_;
  }
}

std::vector<std::uint32_t> AnalyzedDoc::prefix_positions(std::string_view prefix) const {
  if (!forms_built_) {
    // Built on the first prefix query only: most documents meet no prefix candidate.
    forms_.reserve(norms_.size() * 2);
    for (std::uint32_t i = 0; i < norms_.size(); ++i) {
      const std::uint32_t pos = i < title_count_ ? i : kBodyBase + (i - title_count_);
      text::clitics::proclitic_forms(
          norms_[i], text::default_lexicon(),
          [&](std::string_view form) { forms_.emplace_back(form, pos); });
    }
    std::sort(forms_.begin(), forms_.end());
    forms_built_ = true;
  }
  std::vector<std::uint32_t> out;
  auto it = std::lower_bound(forms_.begin(), forms_.end(), prefix,
                             [](const auto& e, std::string_view p) { return e.first < p; });
  for (; it != forms_.end() && starts_with(it->first, prefix); ++it) out.push_back(it->second);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

Hit AnalyzedDoc::hit(const Span& s) const {
  auto index = [&](std::uint32_t pos) {
    return pos >= kBodyBase ? title_count_ + (pos - kBodyBase) : pos;
  };
  const Word& a = words_[index(s.start)];
  const Word& b = words_[index(s.end)];
  return Hit{a.in_title, a.begin, b.end};
}

// ---- evaluation --------------------------------------------------------------------------------

namespace {

using Kind = Query::Node::Kind;

// Positions of a term's word; `exact` (non-null for =term) keeps only words equal to it.
std::vector<std::uint32_t> positions(std::uint64_t key, const AnalyzedDoc& d, bool title_only,
                                     const std::string* exact = nullptr) {
  auto [b, e] = d.lookup(key);
  std::vector<std::uint32_t> out;
  for (auto p = b; p != e; ++p) {
    if (title_only && *p >= kBodyBase) break;
    if (exact && d.norm(*p) != *exact) continue;
    out.push_back(*p);
  }
  return out;
}

std::vector<Span> spans(const Query::Node& n, const AnalyzedDoc& d) {
  std::vector<Span> out;
  switch (n.kind) {
    case Kind::kTerm:
      for (std::uint32_t p : positions(n.keys[0], d, n.title_only, n.exact ? &n.words[0] : nullptr))
        out.push_back({p, p});
      break;
    case Kind::kPrefix:
      for (std::uint32_t p : d.prefix_positions(n.value)) {
        if (n.title_only && p >= kBodyBase) break;
        out.push_back({p, p});
      }
      break;
    case Kind::kPhrase: {
      std::vector<std::vector<std::uint32_t>> lists;
      lists.reserve(n.keys.size());
      for (std::size_t i = 0; i < n.keys.size(); ++i) {
        lists.push_back(positions(n.keys[i], d, n.title_only, n.exact ? &n.words[i] : nullptr));
        if (lists.back().empty()) return out;
      }
      for (std::uint32_t p : lists[0]) {
        bool ok = true;
        for (std::size_t i = 1; i < lists.size() && ok; ++i) {
          ok = std::binary_search(lists[i].begin(), lists[i].end(),
                                  p + static_cast<std::uint32_t>(i));
        }
        if (ok) out.push_back({p, p + static_cast<std::uint32_t>(lists.size() - 1)});
      }
      break;
    }
    case Kind::kOr:
      for (const auto& k : n.kids) {
        std::vector<Span> s = spans(*k, d);
        out.insert(out.end(), s.begin(), s.end());
      }
      std::sort(out.begin(), out.end(), [](const Span& a, const Span& b) {
        return a.start != b.start ? a.start < b.start : a.end < b.end;
      });
      break;
    case Kind::kNear: {
      std::vector<Span> a = spans(*n.kids[0], d);
      if (a.empty()) return out;
      std::vector<Span> b = spans(*n.kids[1], d);
      const auto dist = static_cast<std::int64_t>(n.distance);
      for (const Span& x : a) {
        for (const Span& y : b) {
          bool ok = false;
          if (x.end < y.start) {
            ok = static_cast<std::int64_t>(y.start) - x.end - 1 <= dist;
          } else if (!n.ordered && y.end < x.start) {
            ok = static_cast<std::int64_t>(x.start) - y.end - 1 <= dist;
          }
          if (ok) out.push_back({std::min(x.start, y.start), std::max(x.end, y.end)});
        }
      }
      std::sort(out.begin(), out.end(), [](const Span& p, const Span& q) {
        return p.start != q.start ? p.start < q.start : p.end < q.end;
      });
      break;
    }
    default:
      break;
  }
  return out;
}

}  // namespace

bool evaluate(const Query::Node& n, const AnalyzedDoc& d) {
  switch (n.kind) {
    case Kind::kTerm: {
      auto [b, e] = d.lookup(n.key);
      if (b == e) return false;
      if (n.exact) return !spans(n, d).empty();
      return !n.title_only || *b < kBodyBase;
    }
    case Kind::kPrefix:
    case Kind::kPhrase:
    case Kind::kNear:
      return !spans(n, d).empty();
    case Kind::kAnd:
      for (const auto& k : n.kids) __builtin_prefetch(k.get());
      for (const auto& k : n.kids) {
        if (!evaluate(*k, d)) return false;
      }
      return true;
    case Kind::kOr:
      for (const auto& k : n.kids) __builtin_prefetch(k.get());
      for (const auto& k : n.kids) {
        if (evaluate(*k, d)) return true;
      }
      return false;
    case Kind::kNot:
      return !evaluate(*n.kids[0], d);
    case Kind::kSource:
      return d.source() == n.value;
    case Kind::kLang: {
      const std::string& l = d.lang();
      return l == n.value ||
             (l.size() > n.value.size() && starts_with(l, n.value) && l[n.value.size()] == '-');
    }
  }
  return false;
}

std::string hit_term(const Query::Node& n) {
  return n.kind == Kind::kPrefix ? n.value + "*" : n.value;
}

void collect_hits(const Query::Node& n, const AnalyzedDoc& d, std::vector<HitRef>& out) {
  switch (n.kind) {
    case Kind::kTerm:
    case Kind::kPrefix:
    case Kind::kPhrase:
      for (const Span& s : spans(n, d)) {
        const Hit h = d.hit(s);
        out.push_back({h.in_title, h.begin, h.end, &n});
      }
      break;
    case Kind::kAnd:
    case Kind::kOr:
    case Kind::kNear:
      for (const auto& k : n.kids) collect_hits(*k, d, out);
      break;
    default:
      break;
  }
}

namespace {

// The group of a node that is most selective: fewest keys, then longest words.
std::size_t best_group(const Groups& g) {
  std::size_t best = 0;
  for (std::size_t i = 1; i < g.size(); ++i) {
    if (g[i].size() < g[best].size()) best = i;
  }
  return best;
}

}  // namespace

Groups required_groups(const Query::Node& n) {
  switch (n.kind) {
    case Kind::kTerm:
    case Kind::kPrefix:
      return {{n.keys[0]}};
    case Kind::kPhrase: {
      // Every word of the phrase must be present; the longest words are likely the rarest.
      std::vector<std::size_t> order(n.words.size());
      for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
      std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        return n.words[a].size() > n.words[b].size();
      });
      Groups g;
      for (std::size_t i : order) {
        if (g.size() == kMaxGroups) break;
        if (std::none_of(g.begin(), g.end(), [&](const auto& x) { return x[0] == n.keys[i]; }))
          g.push_back({n.keys[i]});
      }
      return g;
    }
    case Kind::kAnd:
    case Kind::kNear: {
      Groups all;
      for (const auto& k : n.kids) {
        Groups g = required_groups(*k);
        all.insert(all.end(), g.begin(), g.end());
      }
      // Keep the most selective groups.
      std::stable_sort(all.begin(), all.end(),
                       [](const auto& a, const auto& b) { return a.size() < b.size(); });
      if (all.size() > kMaxGroups) all.resize(kMaxGroups);
      return all;
    }
    case Kind::kOr: {
      // (a1 ∧ a2) ∨ b requires (a1 ∨ b): one group of each alternative, united.
      std::vector<std::uint64_t> any;
      for (const auto& k : n.kids) {
        Groups g = required_groups(*k);
        if (g.empty()) return {};
        const auto& best = g[best_group(g)];
        any.insert(any.end(), best.begin(), best.end());
      }
      std::sort(any.begin(), any.end());
      any.erase(std::unique(any.begin(), any.end()), any.end());
      return {any};
    }
    default:
      return {};
  }
}

}  // namespace rasid::match
