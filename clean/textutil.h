// clean/textutil.h — small UTF-8 helpers the cleaner needs on its hot path (no ICU, no
// allocation where avoidable). Internal to clean/.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace rasid::clean::util {

// Decodes one code point at s[i], advancing i; invalid bytes yield U+FFFD and advance by one.
char32_t next_cp(std::string_view s, std::size_t& i);
void append_cp(std::string& out, char32_t cp);

bool is_space_cp(char32_t c);       // Unicode white space incl. NBSP, ZWSP, bidi marks
bool is_arabic_letter(char32_t c);  // Arabic-script letters (not digits or punctuation)
bool is_letter_or_digit(char32_t c);

// Appends `s` to `out`, collapsing white space runs to one ' ' (never a leading space when out
// is empty or already ends in a space). Invalid UTF-8 becomes U+FFFD.
void append_collapsed(std::string& out, std::string_view s);
std::string collapse(std::string_view s);  // collapsed and trimmed
void trim_right(std::string& s);

// Light folding used to compare short phrases: strips tashkeel/tatweel and punctuation, folds
// alef/yeh/teh-marbuta variants, lower-cases ASCII, Arabic-Indic digits → ASCII, collapses space.
std::string fold(std::string_view s);

struct Counts {
  std::size_t chars = 0;          // non-space code points
  std::size_t words = 0;          // runs of letters/digits
  std::size_t arabic = 0;         // Arabic letters
  std::size_t latin = 0;          // other letters
  std::size_t commas = 0;         // , ، ؛
  std::size_t sentence_ends = 0;  // . ! ? ؟ …
};
Counts count(std::string_view s);

// True when the text ends like a sentence (., !, ?, ؟, :, …, closing quote after those).
bool ends_like_sentence(std::string_view s);

}  // namespace rasid::clean::util
