// text/lexicon.h — what the analyzer knows about Arabic words, so that affix rules do not cut a
// word that is a word of its own (كمال is not ك + مال, لبنان is not لبن + ان, حماسة is not
// حماس + ة) and place names are linked to their nisba adjectives (روسيا ↔ الروسي).
//
// Two sources:
//   - the word list: the stems of Ayaspell's Arabic Hunspell dictionary as Debian ships it
//     (package hunspell-ar, /usr/share/hunspell/ar.dic, © 2006-2008 Mohamed Kebdani, GPL-2 /
//     LGPL-2.1 / MPL-1.1; read at run time, never copied into this repository). Each line
//     "word/flags" or "word" gives one entry, normalized with text::normalize; the affix flags are
//     not expanded (an inflected form such as حكومات is not an entry, its stem حكومة is).
//     The environment variable RASID_LEXICON names another file of that format; RASID_LEXICON=""
//     or a missing file means no word list (the fallback below).
//   - places (text/places.tsv, written for rasid and compiled in): countries, capitals and
//     large cities with the masculine nisba adjective (روسيا → روسي, أمريكا → أمريكي). Always
//     present; its names are also entries of the word list.
//
// Fallback without the word list (has_words() false): the affix rules apply as before this
// lexicon existed, except that place names still keep their letters; the rules that need to
// know words (ات to ة or not, tanwin alef, possessive pronouns) then apply without that check.
//
// Thread-safety: a Lexicon is immutable after construction; default_lexicon() is loaded once
// (on first use, thread-safe) and lives until exit. Lookups are allocation-free (64-bit FNV-1a
// hashes in an open-addressing table: a false "known" needs a 64-bit collision).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace rasid::text {

class Lexicon {
 public:
  // Places only (no word list).
  Lexicon();
  // Places plus the word list in `dic_path` (Hunspell .dic format); an unreadable file leaves
  // the word list empty (has_words() false).
  explicit Lexicon(const std::string& dic_path);
  ~Lexicon();
  Lexicon(Lexicon&&) noexcept;
  Lexicon& operator=(Lexicon&&) noexcept;

  // Is this normalized word an entry (a word of its own, or a place name)?
  bool known(std::string_view norm) const { return has(fnv(kBasis, norm)); }
  // Several pieces concatenated (no allocation).
  bool known(std::string_view a, std::string_view b, std::string_view c = {}) const {
    return has(fnv(fnv(fnv(kBasis, a), b), c));
  }
  // Is this normalized word a place name of places.tsv?
  bool place(std::string_view norm) const;
  // The place names (normalized, as written in places.tsv) whose nisba adjective, without its
  // final ي, is `stem` (روس → روسيا; امريك → امريكا). Empty when none.
  const std::vector<std::string>& places_of_nisba(std::string_view stem) const {
    const std::uint64_t h = fnv(kBasis, stem);
    if (!(nisba_bits_[(h >> 6) & 63] >> (h & 63) & 1)) return none_;  // most stems: no place
    return nisba_lookup(h);
  }

  bool has_words() const;
  std::size_t size() const;           // entries (words and places)
  const std::string& source() const;  // the word list's path, "" without one

 private:
  // The word set, inline for the analyzer's hot path: 64-bit FNV-1a hashes in open addressing
  // (0 = empty slot, a hash of 0 is stored as 1), owned by impl_.
  static constexpr std::uint64_t kBasis = 0xcbf29ce484222325ULL;
  static std::uint64_t fnv(std::uint64_t h, std::string_view s) {
    for (unsigned char c : s) {
      h ^= c;
      h *= 0x100000001b3ULL;
    }
    return h;
  }
  bool has(std::uint64_t k) const {
    if (mask_ == 0) return false;
    if (k == 0) k = 1;
    std::size_t at = (k * 0x9E3779B97F4A7C15ULL >> 32) & mask_;
    for (;;) {
      const std::uint64_t v = slots_[at];
      if (v == k) return true;
      if (v == 0) return false;
      at = (at + 1) & mask_;
    }
  }
  void bind();  // slots_ / mask_ from impl_
  const std::vector<std::string>& nisba_lookup(std::uint64_t stem_hash) const;
  std::uint64_t nisba_bits_[64] = {};  // a 4096-bit filter of the nisba stems' hashes
  static const std::vector<std::string> none_;
  const std::uint64_t* slots_ = nullptr;
  std::size_t mask_ = 0;
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The lexicon every analyzer of the process uses (matching and the full-text index alike):
// $RASID_LEXICON if set, else /usr/share/hunspell/ar.dic.
const Lexicon& default_lexicon();
inline constexpr const char* kDefaultLexiconPath = "/usr/share/hunspell/ar.dic";

}  // namespace rasid::text
