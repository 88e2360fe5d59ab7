// text/clitics.h — the Arabic clitic rules shared by matching (match/) and the full-text index
// (storage/'s FTS5 tokenizer), so a stored article is found by search with exactly the forms a
// topic matches: a query term matches a document word when it equals one of the word's forms.
//
// Forms of a normalized word (text::normalize): the word itself; the word without one proclitic
// (و ف ب ك ل ال وال بال كال فال لل …); and of each of those, the stem without a noun suffix (ة/ه
// ية ي ين ون ات ان …), with ة rebuilt where a suffix only follows ة turned ت (حكومتها → حكومه).
// Also: a possessive pronoun (ه ها هم هما كم كن نا: جيشها, قواتها → قوات → قوه), tanwin with alef
// (اتفاقا → اتفاق), and for a nisba of a place its name (الروسيه → روسيا; text/places.tsv).
// Short words keep their letters (every affix leaves a minimum number of characters).
// Knowledge (text/lexicon.h, issue 16): a word of its own — an entry of the Hunspell word list or
// a place — keeps its proclitic letters (كمال, بغداد, وبغداد), its ة ان ين ون (لبنان, حماسه)
// and its pronoun / tanwin ending; ات gives the ة noun alone when that is a word (قطرات → قطره);
// nisba suffixes stay as before (الرئيسي → رئيس) except on a place (مالي). Without the word
// list only places are known. Non-Arabic words have one form: themselves.
//
// Header-only and allocation-free: forms are reported as up to three string pieces to be
// concatenated (match/ hashes them without building strings); lexicon look-ups are hash probes.
// Pure and thread-safe (the lexicon is immutable).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "text/lexicon.h"

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

// Possessive pronouns on nouns: جيشها, حربهم, اجتماعهم, سفيرها (after a ة they follow ت:
// حكومتها → حكومه). The stem keeps at least 3 characters.
inline constexpr std::string_view kPronouns[] = {"ه", "ها", "هم", "هما", "كم", "كن", "نا"};

// Nisba suffixes (ي يه يين يون يات يان): the stem may be a place name's nisba (روس → روسيا).
inline bool nisba(std::string_view s) {
  return s == "ي" || s == "يه" || s == "يين" || s == "يون" || s == "يات" || s == "يان";
}

// emit(a, b, c) for the form a+b+c of `rest` prefixed by `base` and of its suffix-stripped stems.
// With the lexicon (text/lexicon.h): a word of its own keeps its letters (لبنان is not لبن + ان,
// حماسة is not حماس + ة) except for nisba suffixes; ات gives the ة noun when that is a word
// (قطرات → قطرة, not قطر), else the bare stem (مطارات → مطار); a nisba stem also gives the
// place it is named after (الروسية → روسيا). `depth` > 0: a stem already cut from a pronoun or a
// tanwin alef, whose own pronoun / alef is not cut again.
template <class Emit>
void expand_suffixes(std::string_view base, std::string_view rest, const Lexicon& lex, Emit& emit,
                     int depth = 0, int* known = nullptr) {
  emit(base, rest, std::string_view{});
  const std::size_t n = char_count(rest);
  if (n < 4) return;  // every affix leaves at least 3 characters (2 with a rebuilt ة)
  // Is `rest` a word of its own? Looked up once, only when a rule needs it; `known` shares the
  // answer with the caller (-1: not looked up yet).
  int local = -1;
  int& state = known ? *known : local;
  auto own = [&] {
    if (state < 0) state = lex.known(rest) ? 1 : 0;
    return state == 1;
  };
  for (const Affix& a : kSuffixes) {
    if (!ends_with(rest, a.s)) continue;
    const std::size_t sn = char_count(a.s);
    if (n < sn + a.min_rest) continue;
    std::string_view stem = rest.substr(0, rest.size() - a.s.size());
    if (nisba(a.s)) {
      // Nouns take nisba suffixes (الرئيسي → رئيس, الأمنية → أمن) as before the lexicon; a
      // place that ends like one keeps its letters (مالي, جيبوتي), and a place's nisba also
      // names the place (الروسية → روسيا, العراقي → العراق and عراق).
      if (!lex.place(rest)) emit(base, stem, std::string_view{});
      for (const std::string& name : lex.places_of_nisba(stem)) {
        emit(std::string_view{}, name, std::string_view{});
        if (starts_with(name, "ال"))
          emit(std::string_view{}, std::string_view(name).substr(4), std::string_view{});
      }
      continue;
    }
    if (taa_only(a.s)) {  // حكومتين / حكومتها → حكومه
      if (!own()) emit(base, stem, std::string_view{"ه"});
      continue;
    }
    if (a.s == "ات") {  // حكومات → حكومه; مطارات → مطار; قطرات → قطره only (not قطر)
      emit(base, stem, std::string_view{"ه"});
      if (!lex.known(stem, "ه")) emit(base, stem, std::string_view{});
      continue;
    }
    // ه ان ين ون on a word of its own: لبنان, حماسه, فلسطين keep their letters; a feminine
    // adjective still gives its masculine (الانسانيه → انساني, الشعبيه → شعبي).
    if (own() && !(a.s == "ه" && ends_with(stem, "ي") && lex.known(stem))) continue;
    emit(base, stem, std::string_view{});
  }
  if (depth > 0) return;
  // Pronouns and tanwin end in ه م ن ا; a word of its own keeps them.
  if (!ends_with(rest, "ه") && !ends_with(rest, "م") && !ends_with(rest, "ن") &&
      !ends_with(rest, "ا"))
    return;
  if (own()) return;
  // Possessive pronouns: the stem is analysed again (قواتها → قوات → قوه), with ت → ة.
  for (std::string_view p : kPronouns) {
    if (!ends_with(rest, p)) continue;
    if (n < char_count(p) + 3) continue;
    std::string_view stem = rest.substr(0, rest.size() - p.size());
    if (p != "ه") expand_suffixes(base, stem, lex, emit, depth + 1);
    if (ends_with(stem, "ت")) emit(base, stem.substr(0, stem.size() - 2), std::string_view{"ه"});
  }
  // Tanwin with alef (اتفاقاً → اتفاقا → اتفاق, رسمياً → رسمي → رسم): never on a word of its
  // own or a place (روسيا, امريكا stay whole).
  if (ends_with(rest, "ا") && !ends_with(rest, "اا")) {
    expand_suffixes(base, rest.substr(0, rest.size() - 2), lex, emit, depth + 1);
  }
}

// Does a proclitic strip cut a word of its own? The single letters of the proclitic are checked
// one by one (وبغداد: neither وبغداد nor بغداد may lose a letter); ال is never part of a word.
inline bool keeps_letters(std::string_view norm, std::string_view proclitic, const Lexicon& lex,
                          int& norm_known) {
  // The letters before an article: وال → و, بال → ب, لل → ل, ال → none.
  std::size_t letters = proclitic.size();
  if (ends_with(proclitic, "لل")) {
    letters -= 2;  // ل + ال: the last ل belongs to the article
  } else if (ends_with(proclitic, "ال")) {
    letters -= 4;
  }
  if (letters == 0) return false;
  if (norm_known < 0) norm_known = lex.known(norm) ? 1 : 0;
  if (norm_known == 1) return true;
  for (std::size_t i = 2; i < letters; i += 2) {
    if (lex.known(norm.substr(i))) return true;
  }
  return false;
}

// Calls emit(a, b, c) for every form (a+b+c, possibly repeated) a query term may take to match
// this normalized word, and form(rest) for the word and each proclitic-stripped form (what prefix
// terms are compared against).
template <class Emit, class Form>
void expand(std::string_view norm, const Lexicon& lex, Emit&& emit, Form&& form) {
  if (!is_arabic_norm(norm)) {
    emit(std::string_view{}, norm, std::string_view{});
    form(norm);
    return;
  }
  int known = -1;  // at most one look-up of the word for the suffix and proclitic rules
  expand_suffixes(std::string_view{}, norm, lex, emit, 0, &known);
  form(norm);
  const std::size_t n = char_count(norm);
  for (const Affix& p : kProclitics) {
    if (!starts_with(norm, p.s)) continue;
    const std::size_t pn = char_count(p.s);
    if (n < pn + p.min_rest) continue;
    if (keeps_letters(norm, p.s, lex, known)) continue;  // كمال is not ك + مال, بيروت not ب + يروت
    std::string_view rest = norm.substr(p.s.size());
    int rest_known = -1;
    expand_suffixes(std::string_view{}, rest, lex, emit, 0, &rest_known);
    form(rest);
    // لل is ل + ال: للرئيس is a form of الرئيس.
    if (ends_with(p.s, "لل"))
      expand_suffixes(std::string_view{"ال"}, rest, lex, emit, 0, &rest_known);
  }
}

// Only form(rest) of expand() — the word and its proclitic-stripped forms, what prefix terms are
// compared against — without the suffix rules.
template <class Form>
void proclitic_forms(std::string_view norm, const Lexicon& lex, Form&& form) {
  form(norm);
  if (!is_arabic_norm(norm)) return;
  const std::size_t n = char_count(norm);
  int known = -1;
  for (const Affix& p : kProclitics) {
    if (!starts_with(norm, p.s)) continue;
    if (n < char_count(p.s) + p.min_rest) continue;
    if (keeps_letters(norm, p.s, lex, known)) continue;
    form(norm.substr(p.s.size()));
  }
}

// The same with the process's lexicon (text::default_lexicon()).
template <class Emit, class Form>
void expand(std::string_view norm, Emit&& emit, Form&& form) {
  expand(norm, default_lexicon(), emit, form);
}

}  // namespace rasid::text::clitics
