// text/clitics.h — the Arabic clitic rules shared by matching (match/) and the full-text index
// (storage/'s FTS5 tokenizer), so a stored article is found by search with exactly the forms a
// topic matches: a query term matches a document word when it equals one of the word's forms.
//
// Forms of a normalized word (text::normalize): the word itself; the word without one proclitic
// (و ف ب ك ل ال وال بال كال فال لل …); and of each of those, the stem without a noun suffix (ة/ه
// ية ي ين ون ات ان …), with ة rebuilt where a suffix only follows ة turned ت (حكومتها → حكومه).
// Names are never stemmed beyond these table rules, and short words keep their letters (every
// affix leaves a minimum number of characters). Non-Arabic words have one form: themselves.
//
// Header-only and allocation-free: forms are reported as up to three string pieces to be
// concatenated (match/ hashes them without building strings). Pure and thread-safe.
#pragma once

#include <cstddef>
#include <string_view>

namespace rasid::text::clitics {

struct Affix {
  std::string_view s;
  std::size_t min_rest;  // characters that must remain after removing it
};

// Normalized proclitics (ة → ه, أ → ا already folded). Every applicable one is tried.
inline constexpr Affix kProclitics[] = {
    {"و", 2},   {"ف", 3},    {"ب", 3},    {"ك", 3},    {"ل", 3},    {"ال", 2},
    {"وال", 2}, {"فال", 2},  {"بال", 2},  {"كال", 2},  {"لل", 2},   {"ولل", 2},
    {"فلل", 2}, {"وبال", 2}, {"فبال", 2}, {"وكال", 2}, {"فكال", 2}, {"وب", 3},
    {"فب", 3},  {"ول", 3},   {"فل", 3},   {"وك", 3},   {"فك", 3},
};

// Noun suffixes (normalized: ة/ه is "ه", ية is "يه").
inline constexpr Affix kSuffixes[] = {
    {"ه", 3},
    {"يه", 3},
    {"ي", 3},
    {"ين", 3},
    {"ون", 3},
    {"ات", 3},
    {"ان", 3},
    {"يين", 3},
    {"يون", 3},
    {"يات", 3},
    {"يان", 3},
    {"تين", 2},
    {"تان", 2},
    // A noun in ة with a possessive pronoun: حكومته، حكومتها، حكومتهم → حكومه.
    {"ته", 2},
    {"تها", 2},
    {"تهم", 2},
    {"تهما", 2},
    {"تنا", 2},
    {"تك", 2},
};

// Suffixes that only exist after a ة turned ت: the stem is rebuilt with ه, never used bare.
inline bool taa_only(std::string_view s) {
  return s == "تين" || s == "تان" || s == "ته" || s == "تها" || s == "تهم" || s == "تهما" ||
         s == "تنا" || s == "تك";
}

inline bool starts_with(std::string_view s, std::string_view p) {
  return s.size() >= p.size() && s.compare(0, p.size(), p) == 0;
}
inline bool ends_with(std::string_view s, std::string_view p) {
  return s.size() >= p.size() && s.compare(s.size() - p.size(), p.size(), p) == 0;
}
inline std::size_t char_count(std::string_view s) {
  std::size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}
// Normalized Arabic letters are two-byte sequences D8..DB xx.
inline bool is_arabic_norm(std::string_view norm) {
  return !norm.empty() && (static_cast<unsigned char>(norm[0]) >= 0xD8 &&
                           static_cast<unsigned char>(norm[0]) <= 0xDB);
}

// emit(a, b, c) for the form a+b+c of `rest` prefixed by `base` and of its suffix-stripped stems.
template <class Emit>
void expand_suffixes(std::string_view base, std::string_view rest, Emit& emit) {
  emit(base, rest, std::string_view{});
  const std::size_t n = char_count(rest);
  for (const Affix& a : kSuffixes) {
    if (!ends_with(rest, a.s)) continue;
    const std::size_t sn = char_count(a.s);
    if (n < sn + a.min_rest) continue;
    std::string_view stem = rest.substr(0, rest.size() - a.s.size());
    // A feminine plural, dual or possessed noun in ة: حكومات / حكومتين / حكومتها → حكومه.
    const bool taa = a.s == "ات" || taa_only(a.s);
    if (!taa_only(a.s)) emit(base, stem, std::string_view{});
    if (taa) emit(base, stem, std::string_view{"ه"});
  }
}

// Calls emit(a, b, c) for every form (a+b+c, possibly repeated) a query term may take to match
// this normalized word, and form(rest) for the word and each proclitic-stripped form (what prefix
// terms are compared against).
template <class Emit, class Form>
void expand(std::string_view norm, Emit&& emit, Form&& form) {
  if (!is_arabic_norm(norm)) {
    emit(std::string_view{}, norm, std::string_view{});
    form(norm);
    return;
  }
  expand_suffixes(std::string_view{}, norm, emit);
  form(norm);
  const std::size_t n = char_count(norm);
  for (const Affix& p : kProclitics) {
    if (!starts_with(norm, p.s)) continue;
    const std::size_t pn = char_count(p.s);
    if (n < pn + p.min_rest) continue;
    std::string_view rest = norm.substr(p.s.size());
    expand_suffixes(std::string_view{}, rest, emit);
    form(rest);
    // لل is ل + ال: للرئيس is a form of الرئيس.
    if (ends_with(p.s, "لل")) expand_suffixes(std::string_view{"ال"}, rest, emit);
  }
}

}  // namespace rasid::text::clitics
