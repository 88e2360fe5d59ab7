#include "clean/textutil.h"

#include "text/utf8.h"

namespace rasid::clean::util {

// Decoding and encoding are text/'s (text/utf8.h); clean only keeps its own policy on invalid
// input: U+FFFD and a one-byte advance (decode_one's `len` would skip the maximal subpart).
char32_t next_cp(std::string_view s, std::size_t& i) {
  std::size_t len = 0;
  const std::int32_t cp = text::detail::decode_one(s, i, len);
  if (cp < 0) {
    ++i;
    return 0xFFFD;
  }
  i += len;
  return static_cast<char32_t>(cp);
}

void append_cp(std::string& out, char32_t cp) { text::detail::append_utf8(out, cp); }

bool is_space_cp(char32_t c) {
  switch (c) {
    case ' ':
    case '\t':
    case '\n':
    case '\r':
    case '\f':
    case '\v':
    case 0x85:
    case 0xA0:
    case 0x1680:
    case 0x2028:
    case 0x2029:
    case 0x202F:
    case 0x205F:
    case 0x3000:
    case 0xFEFF:
    case 0x061C:  // Arabic letter mark
      return true;
    default:
      return (c >= 0x2000 && c <= 0x200F) || (c >= 0x202A && c <= 0x202E) ||
             (c >= 0x2066 && c <= 0x2069);
  }
}

bool is_arabic_letter(char32_t c) {
  return (c >= 0x0621 && c <= 0x064A) || (c >= 0x066E && c <= 0x06D3) || c == 0x06D5 ||
         (c >= 0x06FA && c <= 0x06FC) || (c >= 0x0750 && c <= 0x077F) ||
         (c >= 0x08A0 && c <= 0x08C9) || (c >= 0xFB50 && c <= 0xFDFB) ||
         (c >= 0xFE70 && c <= 0xFEFC);
}

bool is_letter_or_digit(char32_t c) {
  if (c < 0x80) return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
  if (is_arabic_letter(c)) return true;
  if ((c >= 0x0660 && c <= 0x0669) || (c >= 0x06F0 && c <= 0x06F9)) return true;
  if (c >= 0x064B && c <= 0x065F) return true;  // marks stay inside words
  if (c == 0x0640 || c == 0x0670) return true;
  if (c >= 0xC0 && c <= 0x24F && c != 0xD7 && c != 0xF7) return true;  // Latin-1/Extended
  if (c >= 0x370 && c <= 0x58F) return true;                           // Greek, Cyrillic, …
  if (c >= 0x5D0 && c <= 0x5EA) return true;                           // Hebrew
  if (c >= 0x900 && c <= 0x1FFF) return true;   // Indic … Latin extended additional
  if (c >= 0x3040 && c <= 0x9FFF) return true;  // CJK
  if (c >= 0xAC00 && c <= 0xD7A3) return true;  // Hangul
  return false;
}

void append_collapsed(std::string& out, std::string_view s) {
  std::size_t i = 0;
  bool pending_space = false;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
        pending_space = true;
        ++i;
        continue;
      }
      if (c < 0x20 || c == 0x7F) {
        ++i;
        continue;
      }
      if (pending_space && !out.empty() && out.back() != ' ') out.push_back(' ');
      pending_space = false;
      out.push_back(static_cast<char>(c));
      ++i;
      continue;
    }
    std::size_t start = i;
    char32_t cp = next_cp(s, i);
    if (is_space_cp(cp)) {
      pending_space = true;
      continue;
    }
    if (pending_space && !out.empty() && out.back() != ' ') out.push_back(' ');
    pending_space = false;
    if (cp == 0xFFFD && i - start == 1)
      append_cp(out, 0xFFFD);
    else
      out.append(s.substr(start, i - start));
  }
  if (pending_space && !out.empty() && out.back() != ' ') out.push_back(' ');
}

void trim_right(std::string& s) {
  while (!s.empty() && s.back() == ' ') s.pop_back();
}

std::string collapse(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  append_collapsed(out, s);
  trim_right(out);
  return out;
}

std::string fold(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  std::size_t i = 0;
  bool space = false;
  while (i < s.size()) {
    char32_t c = next_cp(s, i);
    if (c >= 'A' && c <= 'Z') c += 32;
    if ((c >= 0x064B && c <= 0x065F) || c == 0x0670 || c == 0x0640) continue;  // tashkeel, tatweel
    switch (c) {
      case 0x0623:
      case 0x0625:
      case 0x0622:
      case 0x0671:
        c = 0x0627;
        break;
      case 0x0649:
        c = 0x064A;
        break;
      case 0x0629:
        c = 0x0647;
        break;
      case 0x0624:
        c = 0x0648;
        break;
      case 0x0626:
        c = 0x064A;
        break;
      default:
        break;
    }
    if (c >= 0x0660 && c <= 0x0669) c = '0' + (c - 0x0660);
    if (c >= 0x06F0 && c <= 0x06F9) c = '0' + (c - 0x06F0);
    if (!is_letter_or_digit(c) && c != 0xA9 && c != 0xD7) {
      space = true;
      continue;
    }
    if (space && !out.empty()) out.push_back(' ');
    space = false;
    append_cp(out, c);
  }
  return out;
}

Counts count(std::string_view s) {
  Counts r;
  std::size_t i = 0;
  bool in_word = false;
  while (i < s.size()) {
    char32_t c = next_cp(s, i);
    if (is_space_cp(c)) {
      in_word = false;
      continue;
    }
    ++r.chars;
    if (is_letter_or_digit(c)) {
      if (!in_word) ++r.words;
      in_word = true;
      if (is_arabic_letter(c))
        ++r.arabic;
      else if (c > '9')
        ++r.latin;
      continue;
    }
    in_word = false;
    if (c == ',' || c == 0x060C || c == 0x061B) ++r.commas;
    if (c == '.' || c == '!' || c == '?' || c == 0x061F || c == 0x2026 || c == 0x3002)
      ++r.sentence_ends;
  }
  return r;
}

bool ends_like_sentence(std::string_view s) {
  std::size_t end = s.size();
  // Walk back over spaces and closing quotes/brackets.
  while (end > 0) {
    std::size_t j = end - 1;
    while (j > 0 && (static_cast<unsigned char>(s[j]) & 0xC0) == 0x80) --j;
    std::size_t k = j;
    char32_t c = next_cp(s, k);
    if (is_space_cp(c) || c == '"' || c == '\'' || c == ')' || c == 0x201D || c == 0x2019 ||
        c == 0xBB || c == 0xAB || c == 0x201C || c == ']') {
      end = j;
      continue;
    }
    return c == '.' || c == '!' || c == '?' || c == 0x061F || c == ':' || c == 0x2026 ||
           c == 0x3002 || c == 0x06D4;
  }
  return false;
}

}  // namespace rasid::clean::util
