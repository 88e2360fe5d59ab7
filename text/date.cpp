// text/date.cpp — the date reader (contract in text/date.h).
//
// Two grammars for whole values: ISO 8601 / RFC 3339 (numeric, starts with a 4-digit year) and
// a token scanner for RFC 822 and its real-world relatives. One scanner for free text (named and
// numeric day-month-year). All three share one month vocabulary (kMonthNames) and one calendar
// conversion (civil_day, ICU for the Hijri calendars).
#include "text/date.h"

#include <unicode/calendar.h>
#include <unicode/locid.h>
#include <unicode/timezone.h>
#include <unicode/uchar.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "text/text.h"
#include "text/utf8.h"

namespace rasid::text {
namespace {

using namespace std::chrono;

enum class Calendar { gregorian, hijri, persian };

// ---- vocabulary ------------------------------------------------------------------------------

struct MonthName {
  std::string_view name;  // as people write it; folded with normalize() before lookup
  Calendar cal;
  int month;
};

// Sources: the Arabic Gregorian month names in use (Egyptian/Gulf transliterations,
// Levantine/Iraqi Syriac names, Maghrebi French-derived names), the Hijri months, the Solar Hijri
// (Iranian) months, and the Latin-script languages of the pages we clean.
constexpr MonthName kMonthNames[] = {
    // Gregorian, Arabic transliterations
    {"يناير", Calendar::gregorian, 1},
    {"فبراير", Calendar::gregorian, 2},
    {"مارس", Calendar::gregorian, 3},
    {"أبريل", Calendar::gregorian, 4},
    {"إبريل", Calendar::gregorian, 4},
    {"مايو", Calendar::gregorian, 5},
    {"يونيو", Calendar::gregorian, 6},
    {"يونيه", Calendar::gregorian, 6},
    {"يوليو", Calendar::gregorian, 7},
    {"يوليه", Calendar::gregorian, 7},
    {"أغسطس", Calendar::gregorian, 8},
    {"سبتمبر", Calendar::gregorian, 9},
    {"أكتوبر", Calendar::gregorian, 10},
    {"نوفمبر", Calendar::gregorian, 11},
    {"ديسمبر", Calendar::gregorian, 12},
    // Levantine / Iraqi
    {"كانون الثاني", Calendar::gregorian, 1},
    {"شباط", Calendar::gregorian, 2},
    {"آذار", Calendar::gregorian, 3},
    {"نيسان", Calendar::gregorian, 4},
    {"أيار", Calendar::gregorian, 5},
    {"حزيران", Calendar::gregorian, 6},
    {"تموز", Calendar::gregorian, 7},
    {"آب", Calendar::gregorian, 8},
    {"أيلول", Calendar::gregorian, 9},
    {"تشرين الأول", Calendar::gregorian, 10},
    {"تشرين الثاني", Calendar::gregorian, 11},
    {"كانون الأول", Calendar::gregorian, 12},
    {"كانون ثاني", Calendar::gregorian, 1},
    {"تشرين أول", Calendar::gregorian, 10},
    {"تشرين ثاني", Calendar::gregorian, 11},
    {"كانون أول", Calendar::gregorian, 12},
    // Maghrebi
    {"جانفي", Calendar::gregorian, 1},
    {"فيفري", Calendar::gregorian, 2},
    {"أفريل", Calendar::gregorian, 4},
    {"ماي", Calendar::gregorian, 5},
    {"جوان", Calendar::gregorian, 6},
    {"جويلية", Calendar::gregorian, 7},
    {"أوت", Calendar::gregorian, 8},
    // Moroccan (French-derived spellings of the Gregorian months)
    {"يوليوز", Calendar::gregorian, 7},
    {"غشت", Calendar::gregorian, 8},
    {"شتنبر", Calendar::gregorian, 9},
    {"نونبر", Calendar::gregorian, 11},
    {"دجنبر", Calendar::gregorian, 12},
    // Portuguese, Spanish, French, Italian, German (English is matched by prefix, below)
    {"janeiro", Calendar::gregorian, 1},
    {"fevereiro", Calendar::gregorian, 2},
    {"março", Calendar::gregorian, 3},
    {"marco", Calendar::gregorian, 3},
    {"abril", Calendar::gregorian, 4},
    {"maio", Calendar::gregorian, 5},
    {"junho", Calendar::gregorian, 6},
    {"julho", Calendar::gregorian, 7},
    {"agosto", Calendar::gregorian, 8},
    {"setembro", Calendar::gregorian, 9},
    {"outubro", Calendar::gregorian, 10},
    {"novembro", Calendar::gregorian, 11},
    {"dezembro", Calendar::gregorian, 12},
    {"enero", Calendar::gregorian, 1},
    {"febrero", Calendar::gregorian, 2},
    {"marzo", Calendar::gregorian, 3},
    {"mayo", Calendar::gregorian, 5},
    {"junio", Calendar::gregorian, 6},
    {"julio", Calendar::gregorian, 7},
    {"septiembre", Calendar::gregorian, 9},
    {"setiembre", Calendar::gregorian, 9},
    {"octubre", Calendar::gregorian, 10},
    {"noviembre", Calendar::gregorian, 11},
    {"diciembre", Calendar::gregorian, 12},
    {"janvier", Calendar::gregorian, 1},
    {"février", Calendar::gregorian, 2},
    {"fevrier", Calendar::gregorian, 2},
    {"mars", Calendar::gregorian, 3},
    {"avril", Calendar::gregorian, 4},
    {"mai", Calendar::gregorian, 5},
    {"juin", Calendar::gregorian, 6},
    {"juillet", Calendar::gregorian, 7},
    {"août", Calendar::gregorian, 8},
    {"aout", Calendar::gregorian, 8},
    {"septembre", Calendar::gregorian, 9},
    {"octobre", Calendar::gregorian, 10},
    {"novembre", Calendar::gregorian, 11},
    {"décembre", Calendar::gregorian, 12},
    {"decembre", Calendar::gregorian, 12},
    {"gennaio", Calendar::gregorian, 1},
    {"febbraio", Calendar::gregorian, 2},
    {"aprile", Calendar::gregorian, 4},
    {"maggio", Calendar::gregorian, 5},
    {"giugno", Calendar::gregorian, 6},
    {"luglio", Calendar::gregorian, 7},
    {"settembre", Calendar::gregorian, 9},
    {"ottobre", Calendar::gregorian, 10},
    {"dicembre", Calendar::gregorian, 12},
    {"januar", Calendar::gregorian, 1},
    {"februar", Calendar::gregorian, 2},
    {"märz", Calendar::gregorian, 3},
    {"juni", Calendar::gregorian, 6},
    {"juli", Calendar::gregorian, 7},
    {"oktober", Calendar::gregorian, 10},
    {"dezember", Calendar::gregorian, 12},
    // Hijri (Islamic) months
    {"محرم", Calendar::hijri, 1},
    {"صفر", Calendar::hijri, 2},
    {"ربيع الأول", Calendar::hijri, 3},
    {"ربيع أول", Calendar::hijri, 3},
    {"ربيع الآخر", Calendar::hijri, 4},
    {"ربيع الثاني", Calendar::hijri, 4},
    {"ربيع ثاني", Calendar::hijri, 4},
    {"جمادى الأولى", Calendar::hijri, 5},
    {"جمادى الأول", Calendar::hijri, 5},
    {"جمادى الآخرة", Calendar::hijri, 6},
    {"جمادى الآخر", Calendar::hijri, 6},
    {"جمادى الثانية", Calendar::hijri, 6},
    {"جمادى الثاني", Calendar::hijri, 6},
    {"رجب", Calendar::hijri, 7},
    {"شعبان", Calendar::hijri, 8},
    {"رمضان", Calendar::hijri, 9},
    {"شوال", Calendar::hijri, 10},
    {"ذو القعدة", Calendar::hijri, 11},
    {"ذي القعدة", Calendar::hijri, 11},
    {"ذو الحجة", Calendar::hijri, 12},
    {"ذي الحجة", Calendar::hijri, 12},
    // Solar Hijri (Iranian) months, in Persian spelling
    {"فروردین", Calendar::persian, 1},
    {"اردیبهشت", Calendar::persian, 2},
    {"خرداد", Calendar::persian, 3},
    {"تیر", Calendar::persian, 4},
    {"مرداد", Calendar::persian, 5},
    {"شهریور", Calendar::persian, 6},
    {"مهر", Calendar::persian, 7},
    {"آبان", Calendar::persian, 8},
    {"آذر", Calendar::persian, 9},
    {"دی", Calendar::persian, 10},
    {"بهمن", Calendar::persian, 11},
    {"اسفند", Calendar::persian, 12},
};

constexpr std::array<std::string_view, 12> kEnglishMonths = {
    "january", "february", "march",     "april",   "may",      "june",
    "july",    "august",   "september", "october", "november", "december"};

struct MonthHit {
  Calendar cal = Calendar::gregorian;
  int month = 0;
  int words = 0;  // 1 or 2
};

// Folded name ("كانون الثاني" as "كانون الثاني" after normalize) → month.
const std::unordered_map<std::string, MonthHit>& month_table() {
  static const auto* table = [] {
    auto* t = new std::unordered_map<std::string, MonthHit>();
    for (const auto& m : kMonthNames) {
      std::string key = normalize(m.name);
      int words = key.find(' ') == std::string::npos ? 1 : 2;
      t->emplace(std::move(key), MonthHit{m.cal, m.month, words});
    }
    return t;
  }();
  return *table;
}

// English: any prefix of at least three letters of the month's name, or "sept".
std::optional<int> english_month(std::string_view w) {
  while (!w.empty() && w.back() == '.') w.remove_suffix(1);
  if (w.size() < 3) return std::nullopt;
  for (std::size_t i = 0; i < kEnglishMonths.size(); ++i)
    if (kEnglishMonths[i].starts_with(w)) return static_cast<int>(i) + 1;
  if (w == "sept") return 9;
  return std::nullopt;
}

// True when a two-word month name ("كانون الثاني") begins with the folded word `w`.
bool starts_two_word_month(std::string_view w) {
  static const auto* firsts = [] {
    auto* f = new std::vector<std::string>();
    for (const auto& [key, hit] : month_table())
      if (hit.words == 2) {
        std::string first = key.substr(0, key.find(' '));
        if (std::find(f->begin(), f->end(), first) == f->end()) f->push_back(std::move(first));
      }
    return f;
  }();
  return std::find(firsts->begin(), firsts->end(), w) != firsts->end();
}

// The month named by the folded word `w`, or by `w` and the folded word `next` after it ("" when
// there is none, or when `w` begins no two-word name: starts_two_word_month).
std::optional<MonthHit> month_at(std::string_view w, std::string_view next) {
  const auto& table = month_table();
  if (!next.empty()) {
    std::string two;
    two.reserve(w.size() + 1 + next.size());
    two.append(w).append(1, ' ').append(next);
    auto it = table.find(two);
    if (it != table.end()) return it->second;
  }
  auto it = table.find(std::string(w));
  if (it != table.end() && it->second.words == 1) return it->second;
  if (auto m = english_month(w)) return MonthHit{Calendar::gregorian, *m, 1};
  return std::nullopt;
}

// The month named at words[i] (folded words), one or two words long.
std::optional<MonthHit> month_at(const std::vector<std::string>& words, std::size_t i) {
  const bool two = i + 1 < words.size() && starts_two_word_month(words[i]);
  return month_at(words[i], two ? std::string_view(words[i + 1]) : std::string_view());
}

bool year_in_range(Calendar cal, int y) {
  switch (cal) {
    case Calendar::gregorian:
      return y >= 1 && y <= 9999;
    case Calendar::hijri:
      return y >= 1300 && y <= 1600;
    case Calendar::persian:
      return y >= 1200 && y <= 1500;
  }
  return false;
}

// ---- calendars -------------------------------------------------------------------------------

// The civil (proleptic Gregorian) day of a date in `cal`; nullopt when it does not exist.
std::optional<sys_days> civil_day(Calendar cal, int y, int m, int d) {
  if (m < 1 || m > 12 || d < 1 || d > 31 || !year_in_range(cal, y)) return std::nullopt;
  if (cal == Calendar::gregorian) {
    year_month_day ymd{year{y}, month{static_cast<unsigned>(m)}, day{static_cast<unsigned>(d)}};
    if (!ymd.ok()) return std::nullopt;
    return sys_days{ymd};
  }
  // One ICU calendar per thread and kind, in GMT so that the day boundary is UTC midnight.
  thread_local std::unique_ptr<icu::Calendar> cals[2];
  auto& c = cals[cal == Calendar::hijri ? 0 : 1];
  UErrorCode st = U_ZERO_ERROR;
  if (!c) {
    c.reset(icu::Calendar::createInstance(
        icu::TimeZone::getGMT()->clone(),
        icu::Locale(cal == Calendar::hijri ? "@calendar=islamic-umalqura" : "@calendar=persian"),
        st));
    if (U_FAILURE(st) || !c) {
      c.reset();
      return std::nullopt;
    }
  }
  c->clear();
  c->setLenient(false);
  c->set(y, m - 1, d);
  UDate ms = c->getTime(st);
  if (U_FAILURE(st)) return std::nullopt;
  return floor<days>(sys_time<milliseconds>{milliseconds{static_cast<long long>(ms)}});
}

// ---- building --------------------------------------------------------------------------------

struct Fields {
  Calendar cal = Calendar::gregorian;
  int year = -1, month = -1, day = -1;
  int hour = 0, minute = 0, second = 0;
  bool have_time = false;
  std::optional<int> offset_seconds;  // local = UTC + offset
};

// Completes a year from the context (see date.h); -1 when there is none.
int complete_year(Fields f, const DateContext& ctx) {
  if (f.cal != Calendar::gregorian) return -1;
  int y = ctx.year        ? *ctx.year
          : ctx.reference ? static_cast<int>(year_month_day{floor<days>(*ctx.reference)}.year())
                          : -1;
  if (y < 0) return -1;
  if (ctx.reference) {
    auto limit = *ctx.reference + days{1};
    for (int tries = 0; tries < 2; ++tries) {
      auto day = civil_day(Calendar::gregorian, y, f.month, f.day);
      if (day && sys_seconds{*day} <= limit) return y;
      --y;  // later than the reference: the year before (29 February looks back once more)
    }
    auto day = civil_day(Calendar::gregorian, y, f.month, f.day);
    return day && sys_seconds{*day} <= limit ? y : -1;
  }
  return y;
}

std::optional<Date> build(Fields f, const DateContext& ctx) {
  if (f.year < 0) f.year = complete_year(f, ctx);
  if (f.year < 0) return std::nullopt;
  if (f.hour < 0 || f.hour > 24 || f.minute < 0 || f.minute > 59 || f.second < 0 || f.second > 61)
    return std::nullopt;
  auto day = civil_day(f.cal, f.year, f.month, f.day);
  if (!day) return std::nullopt;
  int sec = f.second > 59 ? 59 : f.second;  // leap seconds fold into :59
  Date d;
  d.at = sys_seconds{*day} + hours{f.hour} + minutes{f.minute} + seconds{sec};
  d.day_only = !f.have_time && !f.offset_seconds;  // a zone written with a day: its midnight
  if (f.offset_seconds) {
    d.at -= seconds{*f.offset_seconds};
    d.offset = duration_cast<minutes>(seconds{*f.offset_seconds});
  }
  return d;
}

// ---- characters ------------------------------------------------------------------------------

// Arabic-Indic (U+0660..9) and Persian (U+06F0..9) digits → ASCII, the Arabic comma → ','.
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
bool all_digits(std::string_view w) { return !w.empty() && digits(w, 0, w.size()); }

std::string lower_ascii(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// ---- ISO 8601 --------------------------------------------------------------------------------

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

std::optional<Date> parse_iso(std::string_view s) {
  Fields f;
  std::size_t i = 0;
  if (!digits(s, 0, 4)) return std::nullopt;
  f.year = num(s, 0, 4);
  i = 4;
  bool basic = false;
  if (i < s.size() && (s[i] == '-' || s[i] == '/')) {
    char sep = s[i];
    ++i;
    if (!digits(s, i, 2)) {
      // "2003-W.." week dates and "2003-365" ordinals are rare in feeds
      if (sep == '-' && digits(s, i, 1) &&
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
    if (i < s.size() && s[i] == sep) {
      ++i;
      if (digits(s, i, 2)) {
        f.day = num(s, i, 2);
        i += 2;
      } else if (digits(s, i, 1) && sep == '-') {
        f.day = num(s, i, 1);
        i += 1;
      } else {
        return std::nullopt;
      }
    } else if (sep == '-') {
      f.day = 1;
    } else {
      return std::nullopt;
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
      if (s[i] == ' ') return build(f, {});  // trailing junk after a date
      return std::nullopt;
    }
    f.hour = num(s, j, 2);
    f.have_time = true;
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
    return build(f, {});
  }
  if (i < s.size()) {
    // date followed by a zone only, e.g. "2003-12-31Z"
    std::string_view rest = s.substr(i);
    if (rest != "Z" && rest != "z") return std::nullopt;
  }
  return build(f, {});
}

// ---- RFC 822 and relatives -------------------------------------------------------------------

struct ZoneName {
  std::string_view name;
  int hours;
};
constexpr std::array<ZoneName, 20> kZones = {
    {{"ut", 0},   {"utc", 0},  {"gmt", 0},  {"z", 0},    {"est", -5}, {"edt", -4}, {"cst", -6},
     {"cdt", -5}, {"mst", -7}, {"mdt", -6}, {"pst", -8}, {"pdt", -7}, {"bst", 1},  {"cet", 1},
     {"cest", 2}, {"eet", 2},  {"eest", 3}, {"ast", 3},  {"msk", 3},  {"ist", 2}}};

bool is_weekday(std::string_view word) {
  static constexpr std::array<std::string_view, 7> kDays = {"mon", "tue", "wed", "thu",
                                                            "fri", "sat", "sun"};
  std::string w = lower_ascii(word);
  if (w.size() < 3) return false;
  for (auto d : kDays)
    if (w.compare(0, 3, d) == 0) return true;
  return false;
}

std::optional<Date> parse_loose(std::string_view s, const DateContext& ctx) {
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
  // The month vocabulary is looked up on folded words (two-word months span two tokens), folded
  // when first needed: most tokens are numbers, times and zones.
  std::vector<std::string> folded(tokens.size());
  std::vector<bool> is_folded(tokens.size(), false);
  auto fold = [&](std::size_t k) -> std::string_view {
    if (!is_folded[k]) folded[k] = normalize(tokens[k]), is_folded[k] = true;
    return folded[k];
  };

  Fields f;
  bool have_month = false;
  std::vector<int> numbers;
  int pm = 0;  // 1 = pm, -1 = am
  for (std::size_t k = 0; k < tokens.size(); ++k) {
    std::string t = tokens[k];
    while (!t.empty() && t.back() == '.' && t.size() > 1) t.pop_back();
    if (t.empty()) continue;
    unsigned char c0 = static_cast<unsigned char>(t[0]);
    if (std::isdigit(c0) && t.find(':') != std::string::npos && !f.have_time) {
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
      f.have_time = true;
      if (j < t.size()) {
        std::string_view rest = std::string_view(t).substr(j);
        std::string lr = lower_ascii(rest);
        if (lr == "am" || lr == "pm") {
          pm = lr == "pm" ? 1 : -1;
        } else if (auto off = numeric_zone(rest)) {
          f.offset_seconds = *off;
        } else {
          return std::nullopt;
        }
      }
      continue;
    }
    if (std::isdigit(c0) && t.find('.') != std::string::npos) {
      // D.M.Y or Y.M.D with a 4-digit year ("29.11.2026"): unambiguous, read as the free-text
      // reader reads it (numeric_date); the only numeric form without a month name.
      int parts[3] = {0, 0, 0};
      std::size_t lens[3] = {0, 0, 0}, n = 0, j = 0;
      bool ok = true;
      while (ok && n < 3) {
        std::size_t b = j;
        while (j < t.size() && std::isdigit(static_cast<unsigned char>(t[j]))) ++j;
        lens[n] = j - b;
        ok = lens[n] >= 1 && lens[n] <= 4;
        if (ok) parts[n] = num(t, b, lens[n]);
        ++n;
        if (n < 3) ok = ok && j < t.size() && t[j++] == '.';
      }
      ok = ok && j == t.size() && !have_month && f.day < 0;
      if (ok && lens[2] == 4 && lens[0] <= 2 && lens[1] <= 2) {
        f.day = parts[0], f.month = parts[1], f.year = parts[2];
      } else if (ok && lens[0] == 4 && lens[1] <= 2 && lens[2] <= 2) {
        f.year = parts[0], f.month = parts[1], f.day = parts[2];
      } else {
        return std::nullopt;
      }
      have_month = true;
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
          all = all_digits(tt);
        }
      }
      if (!all || tt.size() > 4) return std::nullopt;
      numbers.push_back(std::stoi(tt) + (tt.size() == 4 ? 100000 : 0));  // mark 4-digit years
      continue;
    }
    if (t == "-") continue;  // "29 نوفمبر 2026 - 10:30": a separator between date and time
    if ((t[0] == '+' || t[0] == '-') && t.size() > 1) {
      if (auto off = numeric_zone(t)) {
        f.offset_seconds = *off;
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
    if (!have_month) {
      std::string_view w = fold(k);
      const bool two = k + 1 < tokens.size() && starts_two_word_month(w);
      if (auto m = month_at(w, two ? fold(k + 1) : std::string_view())) {
        f.cal = m->cal;
        f.month = m->month;
        have_month = true;
        k += static_cast<std::size_t>(m->words - 1);
        continue;
      }
    }
    if (is_weekday(t)) continue;
    if (lt == "at" || lt == "on" || lt == "the" || lt == "of") continue;
    bool zone_found = false;
    for (const auto& z : kZones) {
      if (lt == z.name) {
        f.offset_seconds = z.hours * 3600;
        zone_found = true;
        break;
      }
    }
    if (zone_found) continue;
    // "GMT+3", "UTC+03:00"
    if ((lt.starts_with("gmt") || lt.starts_with("utc")) && lt.size() > 3) {
      if (auto off = numeric_zone(std::string_view(t).substr(3))) {
        f.offset_seconds = *off;
        continue;
      }
    }
    if (lt.size() == 1 && std::isalpha(static_cast<unsigned char>(lt[0]))) {
      // military zones (RFC 822 got their signs backwards; treat as UTC like most readers)
      f.offset_seconds = 0;
      continue;
    }
    // Arabic weekday names, "هـ" and other words: ignore if non-ASCII (unless they hide digits
    // or a time), refuse unknown ASCII words.
    if (c0 >= 0x80) {
      bool odd = false;
      for (char c : t) odd = odd || std::isdigit(static_cast<unsigned char>(c)) || c == ':';
      if (odd) return std::nullopt;
      continue;
    }
    return std::nullopt;
  }
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
  if (!have_month) return std::nullopt;  // numeric-only dates are ambiguous (d/m vs m/d)
  for (int n : rest) {
    if (f.day < 0 && n >= 1 && n <= 31) {
      f.day = n;
    } else if (f.year < 0 && f.cal == Calendar::gregorian) {
      f.year = n < 50 ? 2000 + n : n < 100 ? 1900 + n : n;
    } else {
      return std::nullopt;
    }
  }
  if (f.day < 0) return std::nullopt;
  if (!f.have_time) f.hour = f.minute = f.second = 0;
  return build(f, ctx);
}

// ---- free text -------------------------------------------------------------------------------

struct Found {
  std::size_t pos = std::string::npos;  // byte offset in the folded text
  Fields f;
  bool has_year = false;
};

bool plausible_year(Calendar cal, int y) {
  switch (cal) {
    case Calendar::gregorian:
      return y >= 1900 && y <= 2100;
    case Calendar::hijri:
    case Calendar::persian:
      return year_in_range(cal, y);
  }
  return false;
}

// Numeric dates: YYYY/MM/DD, YYYY-MM-DD, YYYY.MM.DD, DD/MM/YYYY, DD-MM-YYYY, DD.MM.YYYY.
Found numeric_date(std::string_view s) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (!std::isdigit(static_cast<unsigned char>(s[i])) ||
        (i > 0 && std::isdigit(static_cast<unsigned char>(s[i - 1]))))
      continue;
    std::size_t j = i;
    while (j < s.size() && std::isdigit(static_cast<unsigned char>(s[j]))) ++j;
    std::size_t len1 = j - i;
    if (j >= s.size()) break;
    char sep = s[j];
    if (sep != '/' && sep != '-' && sep != '.') continue;
    std::size_t k = j + 1, k2 = k;
    while (k2 < s.size() && std::isdigit(static_cast<unsigned char>(s[k2]))) ++k2;
    std::size_t len2 = k2 - k;
    if (len2 < 1 || len2 > 2 || k2 >= s.size() || s[k2] != sep) continue;
    std::size_t l = k2 + 1, l2 = l;
    while (l2 < s.size() && std::isdigit(static_cast<unsigned char>(s[l2]))) ++l2;
    std::size_t len3 = l2 - l;
    if (len1 > 4 || len3 > 4) continue;
    Found r;
    r.pos = i;
    r.has_year = true;
    int a = num(s, i, len1), b = num(s, k, len2), c = num(s, l, len3);
    if (len1 == 4 && len3 >= 1 && len3 <= 2) {
      r.f.year = a, r.f.month = b, r.f.day = c;
    } else if (len1 >= 1 && len1 <= 2 && len3 == 4) {
      r.f.year = c, r.f.month = b, r.f.day = a;
    } else {
      continue;
    }
    if (plausible_year(Calendar::gregorian, r.f.year) &&
        civil_day(Calendar::gregorian, r.f.year, r.f.month, r.f.day))
      return r;
  }
  return {};
}

// Splits folded text into words (letters and digits; a digit run and a letter run are separate
// words: "1447ه", "2021م"), with their byte offsets.
void split_words(std::string_view s, std::vector<std::string>& words,
                 std::vector<std::size_t>& pos) {
  std::size_t i = 0;
  std::string cur;
  std::size_t start = 0;
  int kind = 0;  // 0 none, 1 letters, 2 digits
  auto flush = [&] {
    if (!cur.empty()) {
      words.push_back(cur);
      pos.push_back(start);
    }
    cur.clear();
    kind = 0;
  };
  while (i < s.size()) {
    std::size_t len = 1;
    std::int32_t cp = detail::decode_one(s, i, len);
    int k = cp >= '0' && cp <= '9'                                        ? 2
            : (cp > 0 && u_isalpha(cp)) || (cp >= 0x0610 && cp <= 0x061A) ? 1
                                                                          : 0;
    if (k == 0 || k != kind) flush();
    if (k != 0) {
      if (cur.empty()) start = i;
      kind = k;
      cur.append(s.substr(i, len));
    }
    i += len;
  }
  flush();
}

// Day-month-year and month-day-year written with month names, over folded words.
Found named_date(const std::vector<std::string>& w, const std::vector<std::size_t>& pos) {
  Found yearless;
  auto connector = [](std::string_view c) {
    return c == "من" || c == "de" || c == "di" || c == "del" || c == "of" || c == "le";
  };
  for (std::size_t i = 0; i < w.size(); ++i) {
    auto hit = month_at(w, i);
    if (!hit) continue;
    std::size_t after = i + static_cast<std::size_t>(hit->words) - 1;
    // An alternative name may follow ("نوفمبر/تشرين الثاني"): skip it.
    std::size_t k = after + 1;
    if (k < w.size() && !all_digits(w[k])) {
      if (auto alt = month_at(w, k)) k += static_cast<std::size_t>(alt->words);
    }
    // Day before the month ("26 [من] كانون الثاني 2021").
    int day = -1;
    std::size_t start = i;
    if (i >= 1 && all_digits(w[i - 1]) && w[i - 1].size() <= 2) {
      day = num(w[i - 1], 0, w[i - 1].size());
      start = i - 1;
    }
    if (day < 0 && i >= 2 && connector(w[i - 1]) && all_digits(w[i - 2]) && w[i - 2].size() <= 2) {
      day = num(w[i - 2], 0, w[i - 2].size());
      start = i - 2;
    }
    if (k + 1 < w.size() && connector(w[k]) && all_digits(w[k + 1]) && w[k + 1].size() == 4)
      ++k;  // "22 de outubro de 2010"
    int year = -1;
    if (k < w.size() && all_digits(w[k]) && w[k].size() == 4) {
      year = num(w[k], 0, 4);
    } else if (day < 0 && k + 1 < w.size() && all_digits(w[k]) && w[k].size() <= 2 &&
               all_digits(w[k + 1]) && w[k + 1].size() == 4) {
      // "January 5, 2021"
      day = num(w[k], 0, w[k].size());
      year = num(w[k + 1], 0, 4);
    }
    if (day < 1) continue;
    Found r;
    r.pos = pos[start];
    r.f.cal = hit->cal;
    r.f.month = hit->month;
    r.f.day = day;
    if (year > 0) {
      r.f.year = year;
      r.has_year = true;
      if (plausible_year(hit->cal, year) && civil_day(hit->cal, year, hit->month, day)) return r;
      continue;
    }
    // No year: a Gregorian day-month ("26 كانون الثاني"), kept in case nothing better follows.
    if (hit->cal == Calendar::gregorian && yearless.pos == std::string::npos &&
        civil_day(Calendar::gregorian, 2000, hit->month, day))  // 2000: a leap year
      yearless = r;
  }
  return yearless;
}

}  // namespace

std::optional<Date> parse_date(std::string_view in, const DateContext& ctx) {
  std::string s = fold_digits(in);
  std::string_view v = s;
  while (!v.empty() && std::isspace(static_cast<unsigned char>(v.front()))) v.remove_prefix(1);
  while (!v.empty() && std::isspace(static_cast<unsigned char>(v.back()))) v.remove_suffix(1);
  if (v.empty() || v.size() > 200) return std::nullopt;
  if (digits(v, 0, 4) && (v.size() == 4 || v[4] == '-' || v[4] == '/' || digits(v, 4, 4))) {
    if (auto t = parse_iso(v)) return t;
  }
  return parse_loose(v, ctx);
}

std::optional<Date> find_date(std::string_view text, const DateContext& ctx) {
  if (text.size() > 20000) text = text.substr(0, 20000);
  std::string folded = normalize(text);  // Arabic folded, lower case, ASCII digits
  Found n = numeric_date(folded);
  std::vector<std::string> words;
  std::vector<std::size_t> pos;
  split_words(folded, words, pos);
  Found named = named_date(words, pos);
  // A date with a year, the one written first; else a day-month completed from the context.
  Found best;
  if (n.has_year) best = n;
  if (named.has_year && (!best.has_year || named.pos < best.pos)) best = named;
  if (!best.has_year) {
    if (named.pos == std::string::npos) return std::nullopt;
    best = named;
  }
  return build(best.f, ctx);
}

std::optional<Date> date_from_url(std::string_view url) {
  std::size_t start = url.find("://");
  start = start == std::string_view::npos ? 0 : url.find('/', start + 3);
  if (start == std::string_view::npos) return std::nullopt;
  std::string_view path = url.substr(start, url.find_first_of("?#", start) - start);
  auto make = [](int y, int m, int d) -> std::optional<Date> {
    Fields f;
    f.year = y, f.month = m, f.day = d;
    return build(f, {});
  };
  for (std::size_t i = 0; i + 9 < path.size(); ++i) {
    if (path[i] != '/' || !digits(path, i + 1, 4)) continue;
    int y = num(path, i + 1, 4);
    if (y < 1990 || y > 2100) continue;
    std::size_t p = i + 5;
    if (p < path.size() && (path[p] == '/' || path[p] == '-')) {
      // /YYYY/MM/DD or /YYYY-MM-DD
      char sep = path[p];
      if (!digits(path, p + 1, 2) || p + 3 >= path.size() || path[p + 3] != sep ||
          !digits(path, p + 4, 2))
        continue;
      int m = num(path, p + 1, 2), d = num(path, p + 4, 2);
      if (p + 6 == path.size() || !std::isdigit(static_cast<unsigned char>(path[p + 6])))
        if (auto r = make(y, m, d)) return r;
    } else if (digits(path, p, 4)) {
      // /YYYYMMDD followed by a separator
      int m = num(path, p, 2), d = num(path, p + 2, 2);
      std::size_t e = p + 4;
      if (e == path.size() || path[e] == '/' || path[e] == '-' || path[e] == '_' || path[e] == '.')
        if (auto r = make(y, m, d)) return r;
    }
  }
  return std::nullopt;
}

std::string format_iso8601(const Date& d) {
  Time local = d.at + (d.offset ? duration_cast<seconds>(*d.offset) : seconds{0});
  auto dp = floor<days>(local);
  year_month_day ymd{dp};
  char buf[48];
  int n = std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                        static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  std::string out(buf, static_cast<std::size_t>(n));
  if (d.day_only) return out;
  hh_mm_ss hms{local - dp};
  std::snprintf(buf, sizeof buf, "T%02d:%02d:%02d", static_cast<int>(hms.hours().count()),
                static_cast<int>(hms.minutes().count()), static_cast<int>(hms.seconds().count()));
  out += buf;
  if (!d.offset) return out;
  long long off = d.offset->count();
  if (off == 0) return out + "Z";
  long long a = off < 0 ? -off : off;
  std::snprintf(buf, sizeof buf, "%c%02lld:%02lld", off < 0 ? '-' : '+', a / 60, a % 60);
  return out + buf;
}

std::string format_iso8601(Time t) { return format_iso8601(Date{t, minutes{0}, false}); }

}  // namespace rasid::text
