// text/fingerprint.cpp — word shingles, MinHash signatures, LSH band keys, exact Jaccard.
#include <algorithm>
#include <deque>
#include <limits>
#include <unordered_map>

#include "text/text.h"

namespace rasid::text {

namespace {

inline std::uint64_t mix64(std::uint64_t x) {
  // splitmix64 finalizer: a fixed, well-distributed bijection.
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

}  // namespace

std::vector<std::uint64_t> shingles(const std::vector<std::string>& words, std::size_t k) {
  std::vector<std::uint64_t> out;
  if (words.empty()) return out;
  if (k == 0) k = 1;
  const std::size_t n = words.size() < k ? 1 : words.size() - k + 1;
  const std::size_t width = std::min(k, words.size());
  out.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    std::uint64_t h = 0xcbf29ce484222325ULL;
    for (std::size_t j = 0; j < width; ++j) {
      for (unsigned char c : words[i + j]) {
        h ^= c;
        h *= 0x100000001b3ULL;
      }
      h ^= 0x1F;  // word separator (a byte no normalized word contains)
      h *= 0x100000001b3ULL;
    }
    out.push_back(h);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

double jaccard(const std::vector<std::uint64_t>& a, const std::vector<std::uint64_t>& b) {
  if (a.empty() && b.empty()) return 0.0;
  std::size_t i = 0, j = 0, inter = 0;
  while (i < a.size() && j < b.size()) {
    if (a[i] < b[j]) {
      ++i;
    } else if (b[j] < a[i]) {
      ++j;
    } else {
      ++inter;
      ++i;
      ++j;
    }
  }
  const std::size_t uni = a.size() + b.size() - inter;
  return static_cast<double>(inter) / static_cast<double>(uni);
}

std::vector<std::uint32_t> minhash(const std::vector<std::uint64_t>& sh, std::size_t n) {
  std::vector<std::uint32_t> sig(n, std::numeric_limits<std::uint32_t>::max());
  if (sh.empty()) return sig;
  // Hash function i: mix64(x ^ seed_i). Mixing each shingle once and deriving the n values with
  // a cheap second mix keeps this linear in shingles × n with small constants.
  std::vector<std::uint64_t> seeds(n);
  for (std::size_t i = 0; i < n; ++i) seeds[i] = mix64(0x5A17D00DULL + i);
  for (std::uint64_t x : sh) {
    const std::uint64_t base = mix64(x);
    for (std::size_t i = 0; i < n; ++i) {
      std::uint64_t h = (base ^ seeds[i]) * 0xD6E8FEB86659FD93ULL;
      h ^= h >> 32;
      const auto v = static_cast<std::uint32_t>(h);
      if (v < sig[i]) sig[i] = v;
    }
  }
  return sig;
}

double minhash_similarity(const std::vector<std::uint32_t>& a,
                          const std::vector<std::uint32_t>& b) {
  const std::size_t n = std::min(a.size(), b.size());
  if (n == 0) return 0.0;
  std::size_t eq = 0;
  for (std::size_t i = 0; i < n; ++i) eq += a[i] == b[i];
  return static_cast<double>(eq) / static_cast<double>(n);
}

std::vector<std::uint64_t> lsh_bands(const std::vector<std::uint32_t>& sig, std::size_t bands) {
  std::vector<std::uint64_t> out;
  if (bands == 0 || sig.empty()) return out;
  const std::size_t rows = sig.size() / bands;
  if (rows == 0) return out;
  out.reserve(bands);
  for (std::size_t b = 0; b < bands; ++b) {
    std::uint64_t h = mix64(0xB00DULL + b);
    for (std::size_t r = 0; r < rows; ++r) h = mix64(h ^ sig[b * rows + r]);
    out.push_back(h);
  }
  return out;
}

}  // namespace rasid::text

// ---- StoryIndex --------------------------------------------------------------------------------

namespace rasid::text {

struct StoryIndex::Impl {
  struct Entry {
    std::int64_t id;
    std::uint64_t serial;  // insertion number, identifies the entry in the band lists
    std::vector<std::uint64_t> shingles;
    std::vector<std::uint64_t> bands;
  };
  std::size_t capacity;
  double threshold;
  std::uint64_t next_serial = 0;
  std::deque<Entry> entries;  // oldest first; serials are consecutive
  std::unordered_map<std::uint64_t, std::vector<std::uint64_t>> buckets;  // band → serials

  const Entry* entry(std::uint64_t serial) const {
    if (entries.empty() || serial < entries.front().serial) return nullptr;
    const std::uint64_t at = serial - entries.front().serial;
    return at < entries.size() ? &entries[at] : nullptr;
  }

  void evict() {
    const Entry& old = entries.front();
    for (std::uint64_t b : old.bands) {
      auto it = buckets.find(b);
      if (it == buckets.end()) continue;
      auto& v = it->second;
      v.erase(std::remove(v.begin(), v.end(), old.serial), v.end());
      if (v.empty()) buckets.erase(it);
    }
    entries.pop_front();
  }
};

StoryIndex::StoryIndex(std::size_t capacity, double threshold) : impl_(std::make_unique<Impl>()) {
  impl_->capacity = std::max<std::size_t>(capacity, 1);
  impl_->threshold = threshold;
}
StoryIndex::~StoryIndex() = default;
StoryIndex::StoryIndex(StoryIndex&&) noexcept = default;
StoryIndex& StoryIndex::operator=(StoryIndex&&) noexcept = default;

StoryIndex::Found StoryIndex::find(const std::vector<std::uint64_t>& sh) const {
  Found best;
  if (sh.empty()) return best;
  std::vector<std::uint64_t> seen;
  for (std::uint64_t b : lsh_bands(minhash(sh))) {
    auto it = impl_->buckets.find(b);
    if (it == impl_->buckets.end()) continue;
    for (std::uint64_t serial : it->second) {
      if (std::find(seen.begin(), seen.end(), serial) != seen.end()) continue;
      seen.push_back(serial);
      const Impl::Entry* e = impl_->entry(serial);
      if (e == nullptr) continue;
      const double j = jaccard(sh, e->shingles);
      // Ties go to the most recent text.
      if (j >= impl_->threshold && j >= best.jaccard) best = Found{e->id, j};
    }
  }
  return best;
}

void StoryIndex::add(std::int64_t id, std::vector<std::uint64_t> sh) {
  if (sh.empty()) return;
  while (impl_->entries.size() >= impl_->capacity) impl_->evict();
  Impl::Entry e{id, impl_->next_serial++, std::move(sh), {}};
  e.bands = lsh_bands(minhash(e.shingles));
  for (std::uint64_t b : e.bands) impl_->buckets[b].push_back(e.serial);
  impl_->entries.push_back(std::move(e));
}

std::size_t StoryIndex::size() const { return impl_->entries.size(); }

}  // namespace rasid::text
