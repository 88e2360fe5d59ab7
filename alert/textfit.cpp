#include "alert/textfit.h"

#include <unicode/brkiter.h>
#include <unicode/utext.h>

#include <memory>
#include <vector>

#include "text/text.h"

namespace rasid::alert::detail {

std::size_t measure(std::string_view s, Measure m) {
  if (m == Measure::bytes) return s.size();
  std::size_t n = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if ((c & 0xC0) == 0x80) continue;  // continuation byte
    n += (m == Measure::utf16 && c >= 0xF0) ? 2 : 1;
  }
  return n;
}

namespace {

// Byte offsets of every grapheme boundary of `s` (0 … s.size()), from ICU; falls back to code
// point boundaries if ICU cannot be set up.
std::vector<std::size_t> boundaries(std::string_view s) {
  std::vector<std::size_t> out;
  UErrorCode status = U_ZERO_ERROR;
  UText* ut = utext_openUTF8(nullptr, s.data(), static_cast<int64_t>(s.size()), &status);
  std::unique_ptr<icu::BreakIterator> it(
      U_SUCCESS(status)
          ? icu::BreakIterator::createCharacterInstance(icu::Locale::getRoot(), status)
          : nullptr);
  if (U_SUCCESS(status) && it) {
    it->setText(ut, status);
    if (U_SUCCESS(status)) {
      for (int32_t b = it->first(); b != icu::BreakIterator::DONE; b = it->next())
        out.push_back(static_cast<std::size_t>(b));
    }
  }
  it.reset();
  if (ut) utext_close(ut);
  if (out.empty() || out.back() != s.size()) {
    out.clear();
    for (std::size_t i = 0; i < s.size(); ++i)
      if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) out.push_back(i);
    out.push_back(s.size());
  }
  return out;
}

std::size_t cost(std::string_view s, Measure m, Escape escape) {
  return escape ? measure(escape(s), m) : measure(s, m);
}

bool is_space_byte(char c) { return c == ' ' || c == '\n' || c == '\t' || c == '\r'; }

}  // namespace

std::string fit(std::string_view s, std::size_t budget, Measure m, Escape escape,
                std::string_view ellipsis) {
  if (cost(s, m, escape) <= budget) return std::string(s);
  const std::size_t ell = measure(ellipsis, m);
  if (ell > budget) return std::string();
  const std::size_t room = budget - ell;
  const auto bounds = boundaries(s);
  std::size_t used = 0, cut = 0;
  for (std::size_t i = 0; i + 1 < bounds.size(); ++i) {
    const std::size_t c = cost(s.substr(bounds[i], bounds[i + 1] - bounds[i]), m, escape);
    if (used + c > room) break;
    used += c;
    cut = bounds[i + 1];
  }
  while (cut > 0 && is_space_byte(s[cut - 1])) --cut;
  std::string out(s.substr(0, cut));
  out += ellipsis;
  return out;
}

// Slack mrkdwn: only & < > are control characters (Slack "Formatting text for app surfaces");
// HTML (Telegram) goes through text::escape_html.
std::string escape_slack(std::string_view s) {
  std::string o;
  o.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&':
        o += "&amp;";
        break;
      case '<':
        o += "&lt;";
        break;
      case '>':
        o += "&gt;";
        break;
      default:
        o += c;
    }
  }
  return o;
}

std::string escape_discord(std::string_view s) {
  std::string o;
  o.reserve(s.size());
  bool line_start = true;
  for (char c : s) {
    switch (c) {
      case '\\':
      case '*':
      case '_':
      case '~':
      case '`':
      case '|':
      case '[':
      case ']':
        o += '\\';
        break;
      case '#':
      case '-':
      case '>':
        if (line_start) o += '\\';
        break;
      default:
        break;
    }
    o += c;
    line_start = c == '\n';
  }
  return o;
}

std::string header_value(std::string_view s) {
  std::string clean;
  clean.reserve(s.size());
  bool ascii = true;
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7F) {
      clean += ' ';
    } else {
      if (u >= 0x80) ascii = false;
      clean += c;
    }
  }
  if (ascii) return clean;
  return "=?UTF-8?B?" + text::encode_base64(clean) + "?=";
}

std::string header_url(std::string_view s) {
  static const char* hex = "0123456789ABCDEF";
  std::string o;
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7F) continue;
    if (u >= 0x80) {
      o += '%';
      o += hex[u >> 4];
      o += hex[u & 15];
    } else {
      o += c;
    }
  }
  return o;
}

}  // namespace rasid::alert::detail
