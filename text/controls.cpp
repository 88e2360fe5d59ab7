// text/controls.cpp — control characters and the references that name them (text/text.h).
#include <algorithm>
#include <cctype>
#include <string>
#include <string_view>

#include "text/text.h"
#include "text/utf8.h"
#ifdef __SSE2__
#include <emmintrin.h>
#endif

namespace rasid::text {

bool has_controls(std::string_view in) {
  const char* p = in.data();
  const std::size_t n = in.size();
  std::size_t i = 0;
#ifdef __SSE2__
  // Bytes <= 0x1F (unsigned min) that are not \t \n \r; 64 bytes per test and branch. Feeds
  // are read whole, so this runs over every byte of every feed.
  const __m128i k1f = _mm_set1_epi8(0x1F);
  const __m128i tab = _mm_set1_epi8('\t');
  const __m128i lf = _mm_set1_epi8('\n');
  const __m128i cr = _mm_set1_epi8('\r');
  auto bad = [&](std::size_t at) {
    const __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + at));
    const __m128i low = _mm_cmpeq_epi8(_mm_min_epu8(b, k1f), b);
    const __m128i ok = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(b, tab), _mm_cmpeq_epi8(b, lf)),
                                    _mm_cmpeq_epi8(b, cr));
    return _mm_andnot_si128(ok, low);
  };
  for (; i + 64 <= n; i += 64) {
    const __m128i m =
        _mm_or_si128(_mm_or_si128(bad(i), bad(i + 16)), _mm_or_si128(bad(i + 32), bad(i + 48)));
    if (_mm_movemask_epi8(m) != 0) return true;
  }
  for (; i + 16 <= n; i += 16)
    if (_mm_movemask_epi8(bad(i)) != 0) return true;
  if (i < n && n >= 16) return _mm_movemask_epi8(bad(n - 16)) != 0;  // the last 16, overlapping
#endif
  for (; i < n; ++i) {
    unsigned char c = static_cast<unsigned char>(p[i]);
    if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') return true;
  }
  return false;
}

void drop_controls(std::string& s) {
  if (!has_controls(s)) return;
  auto control = [](char ch) {
    unsigned char c = static_cast<unsigned char>(ch);
    return c < 0x20 && c != '\t' && c != '\n' && c != '\r';
  };
  s.erase(std::remove_if(s.begin(), s.end(), control), s.end());
}

unsigned windows1252_c1(unsigned cp) {
  // WHATWG Encoding, index windows-1252, bytes 0x80..0x9F (the table HTML5 §13.2.5.80 uses for
  // numeric character references); U+FFFD for the five unassigned bytes.
  static constexpr unsigned kCp1252[32] = {
      0x20AC, 0xFFFD, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
      0x2039, 0x0152, 0xFFFD, 0x017D, 0xFFFD, 0xFFFD, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
      0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0xFFFD, 0x017E, 0x0178};
  return cp >= 0x80 && cp < 0xA0 ? kCp1252[cp - 0x80] : cp;
}

void fix_control_refs(std::string& html) {
  std::size_t p = html.find("&#");
  if (p == std::string::npos) return;
  std::string out;
  std::size_t copied = 0;
  bool any = false;
  for (; p != std::string::npos; p = html.find("&#", p + 1)) {
    std::size_t j = p + 2;
    const bool hex = j < html.size() && (html[j] == 'x' || html[j] == 'X');
    if (hex) ++j;
    const std::size_t d = j;
    unsigned long v = 0;
    while (j < html.size() && (hex ? std::isxdigit(static_cast<unsigned char>(html[j]))
                                   : std::isdigit(static_cast<unsigned char>(html[j])))) {
      const int c = std::tolower(static_cast<unsigned char>(html[j]));
      if (v < 0x110000)
        v = v * (hex ? 16 : 10) + static_cast<unsigned long>(c <= '9' ? c - '0' : c - 'a' + 10);
      ++j;
    }
    if (j == d) continue;
    const bool c0 = v < 0x20 && v != '\t' && v != '\n' && v != '\r';
    const bool c1 = v >= 0x80 && v < 0xA0;
    if (!c0 && !c1) continue;
    if (j < html.size() && html[j] == ';') ++j;  // HTML5 reads the reference without one too
    if (!any) out.reserve(html.size());
    any = true;
    out.append(html, copied, p - copied);
    if (c1) detail::append_utf8(out, windows1252_c1(static_cast<unsigned>(v)));
    copied = j;
    p = j - 1;
  }
  if (!any) return;
  out.append(html, copied, std::string::npos);
  html = std::move(out);
}

}  // namespace rasid::text
