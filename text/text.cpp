// text/text.cpp — UTF-8 hygiene, Arabic-aware normalization and word segmentation.
#include "text/text.h"

#include <unicode/brkiter.h>
#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/utext.h>

#include <memory>

#include "text/utf8.h"

namespace rasid::text {

using detail::append_utf8;
using detail::decode_one;
using detail::kReplacement;

// ---- UTF-8 hygiene ---------------------------------------------------------------------------

bool is_valid_utf8(std::string_view s) {
  std::size_t i = 0;
  const std::size_t n = s.size();
  while (i < n) {
    // ASCII fast path, eight bytes at a time.
    while (i + 8 <= n) {
      std::uint64_t w;
      __builtin_memcpy(&w, s.data() + i, 8);
      if (w & 0x8080808080808080ULL) break;
      i += 8;
    }
    if (i >= n) break;
    if (static_cast<unsigned char>(s[i]) < 0x80) {
      ++i;
      continue;
    }
    std::size_t len;
    if (decode_one(s, i, len) < 0) return false;
    i += len;
  }
  return true;
}

namespace {

bool bad_cp(std::int32_t cp) {
  if (cp < 0) return true;
  if (cp < 0x20) return cp != '\t' && cp != '\n' && cp != '\r';
  return cp == 0xFFFE || cp == 0xFFFF;
}

}  // namespace

std::string sanitize_utf8(std::string_view s) {
  // Find the first offending position; most input is clean and is copied once.
  std::size_t i = 0;
  const std::size_t n = s.size();
  for (;;) {
    if (i >= n) return std::string(s);
    std::size_t len;
    std::int32_t cp = decode_one(s, i, len);
    if (bad_cp(cp)) break;
    i += len;
  }
  std::string out;
  out.reserve(n + 16);
  out.append(s.substr(0, i));
  while (i < n) {
    std::size_t len;
    std::int32_t cp = decode_one(s, i, len);
    if (bad_cp(cp)) {
      out.append(kReplacement);
    } else {
      out.append(s.substr(i, len));
    }
    i += len;
  }
  return out;
}

namespace {

bool is_space_cp(std::int32_t cp) {
  if (cp < 0x80) return cp == ' ' || (cp >= 0x09 && cp <= 0x0D);
  if (cp >= 0x200B && cp <= 0x200F) return true;
  if (cp == 0x2060 || cp == 0xFEFF) return true;
  return u_isUWhiteSpace(cp);
}

}  // namespace

std::string collapse_space(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  bool pending = false;
  std::size_t i = 0;
  while (i < s.size()) {
    std::size_t len;
    std::int32_t cp = decode_one(s, i, len);
    if (cp >= 0 && is_space_cp(cp)) {
      pending = !out.empty();
    } else {
      if (pending) out.push_back(' ');
      pending = false;
      if (bad_cp(cp)) {
        out.append(kReplacement);
      } else {
        out.append(s.substr(i, len));
      }
    }
    i += len;
  }
  return out;
}

// ---- Normalization ---------------------------------------------------------------------------

namespace {

// Arabic-specific folding applied after NFKC_Casefold. Returns -1 to drop the code point.
inline std::int32_t fold_cp(std::int32_t c) {
  if (c < 0x0600) return c;
  if (c <= 0x06FF) {
    if ((c >= 0x064B && c <= 0x065F) || c == 0x0670 || c == 0x0640) return -1;
    switch (c) {
      case 0x0622:
      case 0x0623:
      case 0x0625:
      case 0x0671:
      case 0x0672:
      case 0x0673:
        return 0x0627;
      case 0x0649:
      case 0x0626:
      case 0x06CC:  // Persian yeh
        return 0x064A;
      case 0x0629:
        return 0x0647;
      case 0x0624:
        return 0x0648;
      case 0x06A9:  // Persian keheh
        return 0x0643;
      default:
        break;
    }
    if (c >= 0x0660 && c <= 0x0669) return '0' + (c - 0x0660);
    if (c >= 0x06F0 && c <= 0x06F9) return '0' + (c - 0x06F0);
  }
  return c;
}

// Code points whose NFKC_Casefold is themselves (or ASCII lower-casing) and that cannot combine
// under NFKC into anything the Arabic folding would treat differently. Text made only of these
// skips ICU entirely (the common case for Arabic news text, token by token).
inline bool fast_cp(std::int32_t c) {
  if (c < 0x80) return c >= 0x20 || c == '\t' || c == '\n' || c == '\r';
  if (c >= 0x0621 && c <= 0x0671) return !(c >= 0x066A && c <= 0x066D);
  switch (c) {
    case 0x060C:
    case 0x061B:
    case 0x061F:
    case 0x067E:
    case 0x0686:
    case 0x0698:
    case 0x06A9:
    case 0x06AF:
    case 0x06CC:
      return true;
    default:
      return c >= 0x06F0 && c <= 0x06F9;
  }
}

void fold_into(std::string& out, std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    std::size_t len;
    std::int32_t cp = decode_one(s, i, len);
    if (cp < 0) {
      out.append(kReplacement);
    } else if (cp < 0x80) {
      out.push_back(static_cast<char>(cp >= 'A' && cp <= 'Z' ? cp + 32 : cp));
    } else {
      std::int32_t f = fold_cp(cp);
      if (f >= 0) append_utf8(out, static_cast<std::uint32_t>(f));
    }
    i += len;
  }
}

const icu::Normalizer2* nfkc_cf() {
  thread_local const icu::Normalizer2* n = [] {
    UErrorCode st = U_ZERO_ERROR;
    const icu::Normalizer2* p = icu::Normalizer2::getNFKCCasefoldInstance(st);
    return U_SUCCESS(st) ? p : nullptr;
  }();
  return n;
}

}  // namespace

namespace {

// NFKC_Casefold with ICU, then the Arabic folding, appended to out.
void icu_normalize_into(std::string& out, std::string_view in) {
  std::string clean = sanitize_utf8(in);
  const icu::Normalizer2* n = nfkc_cf();
  if (n == nullptr) {
    fold_into(out, clean);
    return;
  }
  icu::UnicodeString u = icu::UnicodeString::fromUTF8(clean);
  UErrorCode st = U_ZERO_ERROR;
  icu::UnicodeString norm = n->normalize(u, st);
  if (U_FAILURE(st)) {
    fold_into(out, clean);
    return;
  }
  std::string tmp;
  norm.toUTF8String(tmp);
  fold_into(out, tmp);
}

inline bool ascii_ws(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

}  // namespace

std::string normalize(std::string_view in) {
  // One pass: plain Arabic letters and ASCII are folded directly; a word (between ASCII spaces)
  // holding anything else goes through ICU as a whole. NFKC never composes across a space, so
  // word-wise normalization equals whole-text normalization.
  std::string out;
  out.reserve(in.size());
  std::size_t i = 0, word_in = 0, word_out = 0;
  while (i < in.size()) {
    const auto c = static_cast<unsigned char>(in[i]);
    if (c < 0x80) {
      if (ascii_ws(static_cast<char>(c))) {
        out.push_back(static_cast<char>(c));
        word_in = ++i;
        word_out = out.size();
        continue;
      }
      if (c >= 0x20) {
        out.push_back(static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c));
        ++i;
        continue;
      }
    } else {
      std::size_t len;
      const std::int32_t cp = decode_one(in, i, len);
      if (cp >= 0 && fast_cp(cp)) {
        const std::int32_t f = fold_cp(cp);
        if (f >= 0) append_utf8(out, static_cast<std::uint32_t>(f));
        i += len;
        continue;
      }
    }
    std::size_t end = i;
    while (end < in.size() && !ascii_ws(in[end])) ++end;
    out.resize(word_out);
    icu_normalize_into(out, in.substr(word_in, end - word_in));
    i = word_in = end;
    word_out = out.size();
  }
  return out;
}

// ---- Segmentation ----------------------------------------------------------------------------

namespace {

icu::BreakIterator* word_iterator() {
  thread_local std::unique_ptr<icu::BreakIterator> it = [] {
    UErrorCode st = U_ZERO_ERROR;
    std::unique_ptr<icu::BreakIterator> p(
        icu::BreakIterator::createWordInstance(icu::Locale::getRoot(), st));
    if (U_FAILURE(st)) p.reset();
    return p;
  }();
  return it.get();
}

enum class Cls { kNeutral, kArabic, kOther };

Cls classify(std::int32_t cp) {
  if (cp < 0) return Cls::kNeutral;
  if (cp < 0x80) {
    if ((cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9'))
      return Cls::kOther;
    return Cls::kNeutral;
  }
  // The common case: base Arabic letters and tatweel (which belongs to the Arabic run).
  if ((cp >= 0x0621 && cp <= 0x064A) || (cp >= 0x0671 && cp <= 0x06D3)) return Cls::kArabic;
  if (cp >= 0x064B && cp <= 0x065F) return Cls::kNeutral;  // tashkeel
  if (u_isdigit(cp)) return Cls::kOther;                   // tatweel belongs to the Arabic run
  if (u_isalpha(cp) || u_charType(cp) == U_OTHER_NUMBER || u_charType(cp) == U_LETTER_NUMBER)
    return detail::is_arabic_cp(cp) ? Cls::kArabic : Cls::kOther;
  return Cls::kNeutral;  // marks, joiners, inner punctuation: stay with the current run
}

bool has_word_char(std::string_view norm) {
  for (std::size_t i = 0; i < norm.size();) {
    std::size_t len;
    std::int32_t cp = decode_one(norm, i, len);
    if (cp >= 0 && (u_isalnum(cp) || u_charType(cp) == U_OTHER_NUMBER)) return true;
    i += len;
  }
  return false;
}

void emit(std::string_view s, std::size_t b, std::size_t e, std::vector<Token>& out) {
  if (b >= e) return;
  std::string norm = normalize(s.substr(b, e - b));
  if (norm.empty() || !has_word_char(norm)) return;
  out.push_back(Token{std::move(norm), b, e});
}

// Splits the segment [b, e) where Arabic script meets Latin (or other) letters or digits.
void split_runs(std::string_view s, std::size_t b, std::size_t e, std::vector<Token>& out) {
  std::size_t run = b;
  Cls cur = Cls::kNeutral;
  for (std::size_t i = b; i < e;) {
    std::size_t len;
    std::int32_t cp = decode_one(s, i, len);
    Cls c = classify(cp);
    if (c != Cls::kNeutral) {
      if (cur != Cls::kNeutral && c != cur) {
        emit(s, run, i, out);
        run = i;
      }
      cur = c;
    }
    i += len;
  }
  emit(s, run, e, out);
}

}  // namespace

std::vector<Token> tokenize(std::string_view s) {
  std::vector<Token> out;
  if (s.empty()) return out;
  icu::BreakIterator* bi = word_iterator();
  if (bi == nullptr) return out;
  UErrorCode st = U_ZERO_ERROR;
  UText ut = UTEXT_INITIALIZER;
  utext_openUTF8(&ut, s.data(), static_cast<int64_t>(s.size()), &st);
  if (U_FAILURE(st)) return out;
  bi->setText(&ut, st);
  if (U_FAILURE(st)) {
    utext_close(&ut);
    return out;
  }
  out.reserve(s.size() / 6);
  std::int32_t start = bi->first();
  for (std::int32_t end = bi->next(); end != icu::BreakIterator::DONE;
       start = end, end = bi->next()) {
    if (bi->getRuleStatus() < UBRK_WORD_NONE_LIMIT) continue;
    split_runs(s, static_cast<std::size_t>(start), static_cast<std::size_t>(end), out);
  }
  // Detach the iterator from the UText before it goes away.
  bi->setText(icu::UnicodeString());
  utext_close(&ut);
  return out;
}

std::vector<std::string> words(std::string_view s) {
  std::vector<std::string> out;
  for (Token& t : tokenize(s)) out.push_back(std::move(t.norm));
  return out;
}

bool is_arabic_word(std::string_view norm) {
  for (std::size_t i = 0; i < norm.size();) {
    std::size_t len;
    std::int32_t cp = decode_one(norm, i, len);
    if (cp >= 0 && u_isalpha(cp)) return detail::is_arabic_cp(cp);
    i += len;
  }
  return false;
}

double arabic_ratio(std::string_view s) {
  std::size_t letters = 0, arabic = 0;
  for (std::size_t i = 0; i < s.size();) {
    std::size_t len;
    std::int32_t cp = decode_one(s, i, len);
    if (cp >= 0) {
      if (cp < 0x80) {
        if ((cp | 0x20) >= 'a' && (cp | 0x20) <= 'z') ++letters;
      } else if (u_isalpha(cp)) {
        ++letters;
        if (detail::is_arabic_cp(cp)) ++arabic;
      }
    }
    i += len;
  }
  return letters == 0 ? 0.0 : static_cast<double>(arabic) / static_cast<double>(letters);
}

std::uint64_t fnv1a64(std::string_view s) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : s) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return h;
}

}  // namespace rasid::text
