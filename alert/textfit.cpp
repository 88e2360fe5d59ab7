#include "alert/textfit.h"

#include <openssl/evp.h>
#include <unicode/brkiter.h>
#include <unicode/utext.h>

#include <memory>
#include <vector>

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

namespace {

// Telegram HTML and Slack mrkdwn escape the same three characters; HTML also escapes '"'.
std::string escape_amp_lt_gt(std::string_view s, bool quote) {
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
      case '"':
        if (quote)
          o += "&quot;";
        else
          o += c;
        break;
      default:
        o += c;
    }
  }
  return o;
}

}  // namespace

std::string escape_html(std::string_view s) { return escape_amp_lt_gt(s, true); }

std::string escape_slack(std::string_view s) { return escape_amp_lt_gt(s, false); }

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

std::string base64(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()),
                                static_cast<int>(bytes.size()));
  out.resize(n < 0 ? 0 : static_cast<std::size_t>(n));
  return out;
}

bool unbase64(std::string_view text, std::string& out) {
  out.clear();
  std::uint32_t acc = 0;
  int bits = 0;
  std::size_t pad = 0;
  for (char c : text) {
    int v;
    if (c >= 'A' && c <= 'Z')
      v = c - 'A';
    else if (c >= 'a' && c <= 'z')
      v = c - 'a' + 26;
    else if (c >= '0' && c <= '9')
      v = c - '0' + 52;
    else if (c == '+')
      v = 62;
    else if (c == '/')
      v = 63;
    else if (c == '=') {
      ++pad;
      continue;
    } else
      return false;
    if (pad) return false;  // data after padding
    acc = (acc << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xFF);
    }
  }
  return pad <= 2 && bits < 6;
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
  return "=?UTF-8?B?" + base64(clean) + "?=";
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
