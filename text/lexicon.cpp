// text/lexicon.cpp — the word list (Hunspell .dic stems) and the places table as hash sets.
#include "text/lexicon.h"

#include <cstdlib>
#include <fstream>
#include <unordered_map>

#include "text/text.h"

namespace rasid::text {

namespace detail {
extern const char* const kPlacesTsv;  // text/places.tsv, compiled in (places_data.cpp.in)
}

namespace {

// A set of 64-bit hashes: open addressing, linear probing, 0 marks an empty slot.
class HashSet {
 public:
  void build(std::vector<std::uint64_t> keys) {
    std::size_t cap = 16;
    while (cap < keys.size() * 2) cap <<= 1;
    slots_.assign(cap, 0);
    mask_ = cap - 1;
    for (std::uint64_t k : keys) {
      if (k == 0) k = 1;
      std::size_t at = slot(k);
      while (slots_[at] != 0 && slots_[at] != k) at = (at + 1) & mask_;
      if (slots_[at] == 0) {
        slots_[at] = k;
        ++size_;
      }
    }
  }
  bool has(std::uint64_t k) const {
    if (slots_.empty()) return false;
    if (k == 0) k = 1;
    std::size_t at = slot(k);
    for (;;) {
      const std::uint64_t v = slots_[at];
      if (v == k) return true;
      if (v == 0) return false;
      at = (at + 1) & mask_;
    }
  }
  std::size_t size() const { return size_; }
  const std::uint64_t* data() const { return slots_.data(); }
  std::size_t mask() const { return mask_; }

 private:
  std::size_t slot(std::uint64_t k) const { return (k * 0x9E3779B97F4A7C15ULL >> 32) & mask_; }
  std::vector<std::uint64_t> slots_;
  std::size_t mask_ = 0;
  std::size_t size_ = 0;
};

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

bool ends_with(std::string_view s, std::string_view p) {
  return s.size() >= p.size() && s.compare(s.size() - p.size(), p.size(), p) == 0;
}

}  // namespace

struct Lexicon::Impl {
  HashSet words;                                                      // word list + place names
  HashSet places;                                                     // place names
  std::unordered_map<std::uint64_t, std::vector<std::string>> nisba;  // hash of nisba stem → names
  bool has_words = false;
  std::string source;
  std::vector<std::uint64_t> keys;  // while building

  void load_places() {
    std::vector<std::uint64_t> place_keys;
    std::string_view all(detail::kPlacesTsv);
    while (!all.empty()) {
      const std::size_t nl = all.find('\n');
      std::string_view line = all.substr(0, nl);
      all = nl == std::string_view::npos ? std::string_view{} : all.substr(nl + 1);
      line = trim(line);
      if (line.empty() || line.front() == '#') continue;
      // name <TAB> nisba <TAB> kind
      const std::size_t t1 = line.find('\t');
      if (t1 == std::string_view::npos) continue;
      const std::string name = normalize(trim(line.substr(0, t1)));
      std::string_view rest = line.substr(t1 + 1);
      const std::string nis = normalize(trim(rest.substr(0, rest.find('\t'))));
      keys.push_back(fnv(kBasis, name));
      place_keys.push_back(fnv(kBasis, name));
      // البحرين, اليمن: the name without its article is a word of its own too (بحرين ≠ بحر+ين).
      if (name.rfind("ال", 0) == 0 && name.size() > 8) keys.push_back(fnv(kBasis, name.substr(4)));
      if (ends_with(nis, "ي") && nis.size() > 2) {
        auto& v = nisba[fnv(kBasis, nis.substr(0, nis.size() - 2))];
        bool dup = false;
        for (const auto& x : v) dup = dup || x == name;
        if (!dup) v.push_back(name);
      }
    }
    places.build(std::move(place_keys));
  }

  void load_words(const std::string& path) {
    std::ifstream in(path);
    if (!in) return;
    std::string line;
    std::size_t n = 0;
    while (std::getline(in, line)) {
      std::string_view w = line;
      w = w.substr(0, w.find_first_of("/\t "));
      w = trim(w);
      if (w.empty() || static_cast<unsigned char>(w[0]) < 0x80) continue;  // counts, headings
      keys.push_back(fnv(kBasis, normalize(w)));
      ++n;
    }
    if (n > 0) {
      has_words = true;
      source = path;
    }
  }
};

const std::vector<std::string> Lexicon::none_;

Lexicon::Lexicon() : impl_(std::make_unique<Impl>()) {
  impl_->load_places();
  impl_->words.build(std::move(impl_->keys));
  bind();
}

Lexicon::Lexicon(const std::string& dic_path) : impl_(std::make_unique<Impl>()) {
  impl_->load_places();
  if (!dic_path.empty()) impl_->load_words(dic_path);
  impl_->words.build(std::move(impl_->keys));
  impl_->keys = {};
  bind();
}

void Lexicon::bind() {
  slots_ = impl_->words.data();
  mask_ = impl_->words.mask();
  for (const auto& [h, names] : impl_->nisba) nisba_bits_[(h >> 6) & 63] |= 1ULL << (h & 63);
}

Lexicon::~Lexicon() = default;
Lexicon::Lexicon(Lexicon&&) noexcept = default;
Lexicon& Lexicon::operator=(Lexicon&&) noexcept = default;

bool Lexicon::place(std::string_view norm) const { return impl_->places.has(fnv(kBasis, norm)); }

const std::vector<std::string>& Lexicon::nisba_lookup(std::uint64_t stem_hash) const {
  auto it = impl_->nisba.find(stem_hash);
  return it == impl_->nisba.end() ? none_ : it->second;
}

bool Lexicon::has_words() const { return impl_->has_words; }
std::size_t Lexicon::size() const { return impl_->words.size(); }
const std::string& Lexicon::source() const { return impl_->source; }

const Lexicon& default_lexicon() {
  static const Lexicon lex([] {
    const char* env = std::getenv("RASID_LEXICON");
    return std::string(env ? env : kDefaultLexiconPath);
  }());
  return lex;
}

}  // namespace rasid::text
