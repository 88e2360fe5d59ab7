// parse/date.cpp — dates as feeds and pages write them.
//
// Two grammars: ISO 8601 / RFC 3339 (numeric, starts with a 4-digit year) and a token scanner for
// RFC 822 and its real-world relatives ("Thu, 1 Jan 2004 19:48 +0300", "1 January 2004",
// "January 1, 2004 7:48 PM EST", Arabic month names, Arabic-Indic digits). Anything the scanner
// cannot place with confidence yields nullopt rather than a guess.
#include <array>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "parse/parser.h"

namespace rasid::parse {
namespace {

using namespace std::chrono;

struct Fields {
  int year = -1, month = -1, day = -1;
  int hour = 0, minute = 0, second = 0;
  int offset_seconds = 0;  // local = UTC + offset
};

std::optional<Time> build(const Fields& f) {
  if (f.year < 1 || f.year > 9999 || f.month < 1 || f.month > 12 || f.day < 1 || f.day > 31)
    return std::nullopt;
  if (f.hour < 0 || f.hour > 24 || f.minute < 0 || f.minute > 59 || f.second < 0 || f.second > 61)
    return std::nullopt;
  year_month_day ymd{year{f.year}, month{static_cast<unsigned>(f.month)},
                     day{static_cast<unsigned>(f.day)}};
  if (!ymd.ok()) return std::nullopt;
  int sec = f.second > 59 ? 59 : f.second;  // leap seconds fold into :59
  Time t = sys_days{ymd} + hours{f.hour} + minutes{f.minute} + seconds{sec};
  return t - seconds{f.offset_seconds};
}

// Replaces Arabic-Indic (U+0660..9) and Persian (U+06F0..9) digits by ASCII, and the Arabic
// comma by a comma, so the scanners below see one alphabet.
std::string fold_digits(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == 0xD9 && i + 1 < s.size()) {
      unsigned char d = static_cast<unsigned char>(s[i + 1]);
      if (d >= 0xA0 && d <= 0xA9) {
        out += static_cast<char>('0' + (d - 0xA0));
        ++i;
        continue;
      }
    }
    if (c == 0xDB && i + 1 < s.size()) {
      unsigned char d = static_cast<unsigned char>(s[i + 1]);
      if (d >= 0xB0 && d <= 0xB9) {
        out += static_cast<char>('0' + (d - 0xB0));
        ++i;
        continue;
      }
    }
    if (c == 0xD8 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0x8C) {
      out += ',';
      ++i;
      continue;
    }
    out += static_cast<char>(c);
  }
  return out;
}

bool digits(std::string_view s, std::size_t pos, std::size_t n) {
  if (pos + n > s.size()) return false;
  for (std::size_t i = pos; i < pos + n; ++i)
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
  return true;
}
int num(std::string_view s, std::size_t pos, std::size_t n) {
  int v = 0;
  for (std::size_t i = pos; i < pos + n; ++i) v = v * 10 + (s[i] - '0');
  return v;
}

// "+03:00", "+0300", "+03", "Z", "-05:30".
std::optional<int> numeric_zone(std::string_view z) {
  if (z.empty()) return std::nullopt;
  if (z == "Z" || z == "z") return 0;
  int sign = z[0] == '+' ? 1 : z[0] == '-' ? -1 : 0;
  if (sign == 0) return std::nullopt;
  z.remove_prefix(1);
  int h = 0, m = 0;
  if (digits(z, 0, 2) && z.size() == 2) {
    h = num(z, 0, 2);
  } else if (digits(z, 0, 4) && z.size() == 4) {
    h = num(z, 0, 2);
    m = num(z, 2, 2);
  } else if (digits(z, 0, 2) && z.size() == 5 && z[2] == ':' && digits(z, 3, 2)) {
    h = num(z, 0, 2);
    m = num(z, 3, 2);
  } else if (digits(z, 0, 1) && z.size() == 1) {
    h = num(z, 0, 1);
  } else if (digits(z, 0, 1) && z.size() == 3 && digits(z, 1, 2)) {
    h = num(z, 0, 1);
    m = num(z, 1, 2);
  } else if (digits(z, 0, 1) && z.size() == 4 && z[1] == ':' && digits(z, 2, 2)) {
    h = num(z, 0, 1);
    m = num(z, 2, 2);
  } else {
    return std::nullopt;
  }
  if (h > 23 || m > 59) return std::nullopt;
  return sign * (h * 3600 + m * 60);
}

std::optional<Time> parse_iso(std::string_view s) {
  Fields f;
  std::size_t i = 0;
  if (!digits(s, 0, 4)) return std::nullopt;
  f.year = num(s, 0, 4);
  i = 4;
  bool basic = false;
  if (i < s.size() && s[i] == '-') {
    ++i;
    if (!digits(s, i, 2)) {
      // "2003-W.." week dates and "2003-365" ordinals are rare in feeds
      if (digits(s, i, 1) &&
          (i + 1 == s.size() || !std::isdigit(static_cast<unsigned char>(s[i + 1])))) {
        f.month = num(s, i, 1);
        i += 1;
      } else {
        return std::nullopt;
      }
    } else {
      f.month = num(s, i, 2);
      i += 2;
    }
    if (i < s.size() && s[i] == '-') {
      ++i;
      if (digits(s, i, 2)) {
        f.day = num(s, i, 2);
        i += 2;
      } else if (digits(s, i, 1)) {
        f.day = num(s, i, 1);
        i += 1;
      } else {
        return std::nullopt;
      }
    } else {
      f.day = 1;
    }
  } else if (digits(s, 4, 4)) {
    basic = true;
    f.month = num(s, 4, 2);
    f.day = num(s, 6, 2);
    i = 8;
  } else if (i == s.size()) {
    f.month = 1;
    f.day = 1;
  } else {
    return std::nullopt;
  }
  if (i < s.size() && (s[i] == 'T' || s[i] == 't' || s[i] == ' ')) {
    std::size_t j = i + 1;
    while (j < s.size() && s[j] == ' ') ++j;
    if (!digits(s, j, 2)) {
      if (s[i] == ' ') return build(f);  // trailing junk after a date
      return std::nullopt;
    }
    f.hour = num(s, j, 2);
    j += 2;
    if (j < s.size() && s[j] == ':') ++j;
    if (digits(s, j, 2)) {
      f.minute = num(s, j, 2);
      j += 2;
      if (j < s.size() && s[j] == ':') ++j;
      if (digits(s, j, 2)) {
        f.second = num(s, j, 2);
        j += 2;
        if (j < s.size() && (s[j] == '.' || s[j] == ',')) {
          ++j;
          while (j < s.size() && std::isdigit(static_cast<unsigned char>(s[j]))) ++j;
        }
      }
    } else if (basic) {
      return std::nullopt;
    }
    std::string_view zone = s.substr(j);
    while (!zone.empty() && zone.front() == ' ') zone.remove_prefix(1);
    while (!zone.empty() && zone.back() == ' ') zone.remove_suffix(1);
    if (!zone.empty()) {
      if (zone == "UTC" || zone == "GMT" || zone == "UT") {
        f.offset_seconds = 0;
      } else if (auto off = numeric_zone(zone)) {
        f.offset_seconds = *off;
      } else {
        return std::nullopt;
      }
    }
    return build(f);
  }
  if (i < s.size()) {
    // date followed by a zone only, e.g. "2003-12-31Z"
    std::string_view rest = s.substr(i);
    if (rest != "Z" && rest != "z") return std::nullopt;
  }
  return build(f);
}

struct Name {
  std::string_view name;
  int value;
};

constexpr std::array<Name, 12> kMonths = {{{"jan", 1},
                                           {"feb", 2},
                                           {"mar", 3},
                                           {"apr", 4},
                                           {"may", 5},
                                           {"jun", 6},
                                           {"jul", 7},
                                           {"aug", 8},
                                           {"sep", 9},
                                           {"oct", 10},
                                           {"nov", 11},
                                           {"dec", 12}}};

// Arabic month names: Egyptian/Gulf (transliterated) and Levantine/Iraqi (Syriac) series.
constexpr std::array<Name, 30> kArabicMonths = {{
    {"يناير", 1},  {"فبراير", 2}, {"مارس", 3},    {"أبريل", 4},   {"ابريل", 4},   {"إبريل", 4},
    {"مايو", 5},   {"يونيو", 6},  {"يونيه", 6},   {"يوليو", 7},   {"يوليه", 7},   {"أغسطس", 8},
    {"اغسطس", 8},  {"سبتمبر", 9}, {"أكتوبر", 10}, {"اكتوبر", 10}, {"نوفمبر", 11}, {"ديسمبر", 12},
    {"شباط", 2},   {"آذار", 3},   {"اذار", 3},    {"نيسان", 4},   {"أيار", 5},    {"ايار", 5},
    {"حزيران", 6}, {"تموز", 7},   {"آب", 8},      {"اب", 8},      {"أيلول", 9},   {"ايلول", 9},
}};

struct ZoneName {
  std::string_view name;
  int hours;
};
constexpr std::array<ZoneName, 20> kZones = {
    {{"ut", 0},   {"utc", 0},  {"gmt", 0},  {"z", 0},    {"est", -5}, {"edt", -4}, {"cst", -6},
     {"cdt", -5}, {"mst", -7}, {"mdt", -6}, {"pst", -8}, {"pdt", -7}, {"bst", 1},  {"cet", 1},
     {"cest", 2}, {"eet", 2},  {"eest", 3}, {"ast", 3},  {"msk", 3},  {"ist", 2}}};

std::string lower_ascii(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::optional<int> month_of(std::string_view word) {
  std::string w = lower_ascii(word);
  while (!w.empty() && w.back() == '.') w.pop_back();
  if (w.size() >= 3) {
    for (const auto& m : kMonths)
      if (w.compare(0, 3, m.name) == 0) {
        // Accept "jan", "january", "sept"; refuse unrelated words starting the same way.
        static constexpr std::array<std::string_view, 12> kFull = {
            "january", "february", "march",     "april",   "may",      "june",
            "july",    "august",   "september", "october", "november", "december"};
        std::string_view full = kFull[static_cast<std::size_t>(m.value - 1)];
        if (full.starts_with(w) || w == "sept") return m.value;
      }
  }
  for (const auto& m : kArabicMonths)
    if (word == m.name) return m.value;
  return std::nullopt;
}

bool is_weekday(std::string_view word) {
  static constexpr std::array<std::string_view, 7> kDays = {"mon", "tue", "wed", "thu",
                                                            "fri", "sat", "sun"};
  std::string w = lower_ascii(word);
  if (w.size() < 3) return false;
  for (auto d : kDays)
    if (w.compare(0, 3, d) == 0) return true;
  return false;
}

// RFC 822 and relatives: scan tokens, placing each where it fits.
std::optional<Time> parse_loose(std::string_view s) {
  std::vector<std::string> tokens;
  {
    std::string cur;
    auto flush = [&] {
      if (!cur.empty()) tokens.push_back(cur);
      cur.clear();
    };
    for (std::size_t i = 0; i < s.size(); ++i) {
      char c = s[i];
      if (c == ' ' || c == ',' || c == '\t' || c == '\n' || c == '\r' || c == '/' ||
          (c == '-' && !cur.empty() && std::isalpha(static_cast<unsigned char>(cur.back())))) {
        flush();
      } else if ((c == '+' || c == '-') && !cur.empty() &&
                 std::isdigit(static_cast<unsigned char>(cur.back())) &&
                 cur.find(':') != std::string::npos) {
        flush();  // "19:48:21+0300"
        cur += c;
      } else if (c == '-' && !cur.empty() && std::isdigit(static_cast<unsigned char>(cur.back()))) {
        flush();  // "01-Jan-2004"
      } else {
        cur += c;
      }
    }
    flush();
  }
  Fields f;
  bool have_time = false, have_zone = false;
  std::vector<int> numbers;
  int pm = 0;  // 1 = pm, -1 = am
  for (std::size_t k = 0; k < tokens.size(); ++k) {
    std::string t = tokens[k];
    while (!t.empty() && t.back() == '.' && t.size() > 1) t.pop_back();
    if (t.empty()) continue;
    unsigned char c0 = static_cast<unsigned char>(t[0]);
    if (std::isdigit(c0) && t.find(':') != std::string::npos && !have_time) {
      // hh:mm[:ss][.fff][zone]
      std::size_t j = 0;
      int h = 0;
      std::size_t n = 0;
      while (j < t.size() && std::isdigit(static_cast<unsigned char>(t[j]))) {
        if (n < 3) h = h * 10 + (t[j] - '0');  // long digit runs are refused below
        ++j;
        ++n;
      }
      if (n == 0 || n > 2 || j >= t.size() || t[j] != ':') return std::nullopt;
      ++j;
      if (!digits(t, j, 2)) return std::nullopt;
      f.hour = h;
      f.minute = num(t, j, 2);
      j += 2;
      if (j < t.size() && t[j] == ':' && digits(t, j + 1, 2)) {
        f.second = num(t, j + 1, 2);
        j += 3;
        if (j < t.size() && t[j] == '.') {
          ++j;
          while (j < t.size() && std::isdigit(static_cast<unsigned char>(t[j]))) ++j;
        }
      }
      have_time = true;
      if (j < t.size()) {
        std::string_view rest = std::string_view(t).substr(j);
        std::string lr = lower_ascii(rest);
        if (lr == "am" || lr == "pm") {
          pm = lr == "pm" ? 1 : -1;
        } else if (auto off = numeric_zone(rest)) {
          f.offset_seconds = *off;
          have_zone = true;
        } else if (lr == "z") {
          have_zone = true;
        } else {
          return std::nullopt;
        }
      }
      continue;
    }
    if (std::isdigit(c0)) {
      bool all = true;
      for (char c : t) all = all && std::isdigit(static_cast<unsigned char>(c));
      std::string tt = t;
      // "1st", "2nd", "23rd", "4th"
      if (!all && tt.size() > 2) {
        std::string suf = lower_ascii(tt.substr(tt.size() - 2));
        if (suf == "st" || suf == "nd" || suf == "rd" || suf == "th") {
          tt = tt.substr(0, tt.size() - 2);
          all = true;
          for (char c : tt) all = all && std::isdigit(static_cast<unsigned char>(c));
        }
      }
      if (!all || tt.size() > 4) return std::nullopt;
      numbers.push_back(std::stoi(tt) + (tt.size() == 4 ? 100000 : 0));  // mark 4-digit years
      continue;
    }
    if ((t[0] == '+' || t[0] == '-') && t.size() > 1) {
      if (auto off = numeric_zone(t)) {
        f.offset_seconds = *off;
        have_zone = true;
        continue;
      }
      return std::nullopt;
    }
    std::string lt = lower_ascii(t);
    if (lt == "am" || lt == "a.m" || lt == "ص" || lt == "صباحا") {
      pm = -1;
      continue;
    }
    if (lt == "pm" || lt == "p.m" || lt == "م" || lt == "مساء" || lt == "مساءً") {
      pm = 1;
      continue;
    }
    if (auto m = month_of(t); m && f.month < 0) {
      f.month = *m;
      continue;
    }
    if (is_weekday(t)) continue;
    if (lt == "at" || lt == "on" || lt == "the" || lt == "of") continue;
    bool zone_found = false;
    for (const auto& z : kZones) {
      if (lt == z.name) {
        f.offset_seconds = z.hours * 3600;
        have_zone = zone_found = true;
        break;
      }
    }
    if (zone_found) continue;
    // "GMT+3", "UTC+03:00"
    if ((lt.starts_with("gmt") || lt.starts_with("utc")) && lt.size() > 3) {
      if (auto off = numeric_zone(std::string_view(t).substr(3))) {
        f.offset_seconds = *off;
        have_zone = true;
        continue;
      }
    }
    if (lt.size() == 1 && std::isalpha(static_cast<unsigned char>(lt[0]))) {
      // military zones (RFC 822 got their signs backwards; treat as UTC like most readers)
      have_zone = true;
      continue;
    }
    // Arabic weekday names and other words: ignore if non-ASCII (unless they hide digits or a
    // time), refuse unknown ASCII words.
    if (c0 >= 0x80) {
      bool odd = false;
      for (char c : t) odd = odd || std::isdigit(static_cast<unsigned char>(c)) || c == ':';
      if (odd) return std::nullopt;
      continue;
    }
    return std::nullopt;
  }
  (void)have_zone;
  if (pm == 1 && f.hour < 12) f.hour += 12;
  if (pm == -1 && f.hour == 12) f.hour = 0;
  // Place numbers: day, year (and a numeric month when no month name).
  std::vector<int> rest;
  for (int n : numbers) {
    if (n >= 100000) {
      if (f.year >= 0) return std::nullopt;
      f.year = n - 100000;
    } else {
      rest.push_back(n);
    }
  }
  if (f.month < 0) return std::nullopt;  // numeric-only dates are ambiguous (d/m vs m/d)
  for (int n : rest) {
    if (f.day < 0 && n >= 1 && n <= 31) {
      f.day = n;
    } else if (f.year < 0) {
      f.year = n < 50 ? 2000 + n : n < 100 ? 1900 + n : n;
    } else {
      return std::nullopt;
    }
  }
  if (f.year < 0 || f.day < 0) return std::nullopt;
  if (!have_time) f.hour = f.minute = f.second = 0;
  return build(f);
}

}  // namespace

std::optional<Time> parse_date(std::string_view in) {
  std::string s = fold_digits(in);
  std::string_view v = s;
  while (!v.empty() && std::isspace(static_cast<unsigned char>(v.front()))) v.remove_prefix(1);
  while (!v.empty() && std::isspace(static_cast<unsigned char>(v.back()))) v.remove_suffix(1);
  if (v.empty() || v.size() > 200) return std::nullopt;
  if (digits(v, 0, 4) && (v.size() == 4 || v[4] == '-' || digits(v, 4, 4))) {
    if (auto t = parse_iso(v)) return t;
  }
  return parse_loose(v);
}

std::string format_iso8601(Time t) {
  auto dp = floor<days>(t);
  year_month_day ymd{dp};
  hh_mm_ss hms{t - dp};
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02dZ", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                static_cast<int>(hms.seconds().count()));
  return buf;
}

}  // namespace rasid::parse
