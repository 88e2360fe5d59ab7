// text/date.h — dates as people and programs write them, read once for the whole program.
//
// Owner: text/. Dates are text in a human language before they are anything else: Arabic
// month names of three naming traditions (Egyptian/Gulf "نوفمبر", Levantine/Iraqi "تشرين
// الثاني", Maghrebi "جوان"), Hijri and Solar Hijri calendars, Arabic-Indic digits, "هـ". text/
// already owns Arabic folding and ICU, and every module that meets a date reaches text/ without a
// new dependency: parse/ (feed pubDate, HTTP Date/Expires), clean/ (page metadata and visible
// dates), storage/ (its SQL column) and alert/ (the JSON payload). One vocabulary, one reader,
// one formatter; no other module holds a month name or an ISO formatter.
//
// Inside the program a date is a `Date`: a time point (std::chrono::sys_seconds, UTC) plus how
// it was written (the writer's UTC offset when one was given, whether only a day was written),
// so that the edges (JSON, SQL, logs) print it as the source wrote it ("2023-03-05T09:15:00+03:00",
// "2024-03-12") through the one formatter, format_iso8601. "No date" is an empty std::optional.
//
// Calendars: Gregorian by default; Hijri (Umm al-Qura, ICU "@calendar=islamic-umalqura") when
// a Hijri month name is written with a year (1300–1600, "هـ" optional); Solar Hijri (ICU
// "@calendar=persian") for Persian month names with a year (1200–1500). ICU does the arithmetic
// (Unicode CLDR calendar data); nothing here converts calendars by hand.
//
// A date written without a year ("26 كانون الثاني") is completed from a DateContext: the year of
// the page's other dates when known, else the reference's (fetch time) year, and never into the
// future: a completed date later than the reference (+1 day for zones) takes the year before.
// Without a context such a date is not a date (nullopt).
//
// Failure kinds: none thrown; anything not placed with confidence yields nullopt rather than a
// guess (numeric-only d/m vs m/d dates are refused, except Y-M-D and D.M.Y forms with a 4-digit
// year, which are unambiguous in the sources we read).
//
// Thread-safe: no shared mutable state (ICU calendars are per thread). Input is any bytes
// (invalid UTF-8 is tolerated), bounded: parse_date reads at most 200 bytes of a value,
// find_date the first 20,000 bytes of a text.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace rasid::text {

using Time = std::chrono::sys_seconds;

struct Date {
  Time at{};  // the instant, UTC (a day-only date: 00:00 UTC of that day)
  // The writer's offset from UTC ("+03:00" → 180 min); nullopt when no zone was written (the
  // time is then read as UTC, the convention of RFC 3339 readers and feed readers).
  std::optional<std::chrono::minutes> offset;
  bool day_only = false;  // only a calendar day was written ("2024-03-12", "26 كانون الثاني 2021")

  friend bool operator==(const Date&, const Date&) = default;
};

// What a date written without a year is completed from (see the header comment).
struct DateContext {
  std::optional<Time> reference;  // when the text was fetched; dates never complete past it
  std::optional<int> year;        // the year of the page's other dates, when known
};

// A whole value that is a date: ISO 8601 / RFC 3339, RFC 822 and its real-world variants (named
// and numeric zones, "GMT+3", AM/PM, Arabic AM/PM "ص"/"م"), month names of the vocabulary above
// (English abbreviations, Arabic of every tradition incl. two-word Levantine months, French,
// Spanish, Portuguese, Italian, German), Hijri and Solar Hijri months, Arabic-Indic and Persian
// digits, weekday names, connectors ("de", "من") and a "-", "–" or "،" between date and time
// skipped; D.M.Y and Y.M.D with dots and a 4-digit year ("29.11.2026").
std::optional<Date> parse_date(std::string_view value, const DateContext& ctx = {});

// The first date written in free text ("الإثنين 2021/11/22", "26 كانون الثاني 2021", "23
// نوفمبر/تشرين الثاني 2015", "٢٣ نوفمبر ٢٠١٥", "25.02.2025", "January 5, 2021", "15 رمضان 1447
// هـ", "2 تير 1399") as a day-only Date. A date with a year is preferred to an earlier one
// without; the latter is completed from `ctx` when nothing else is found.
std::optional<Date> find_date(std::string_view text, const DateContext& ctx = {});

// A date in a URL path: "/2021/04/13/slug", "/2021-04-13/", "/20250225/" (years 1990–2100).
std::optional<Date> date_from_url(std::string_view url);

// The one ISO 8601 formatter. A Date prints as written: "2024-03-12" (day only),
// "2023-03-05T09:15:00+03:00" (local time and offset), "2015-11-23T17:41:00Z" (offset 0),
// "2019-07-08T10:00:00" (no zone written). A Time prints in UTC with "Z".
std::string format_iso8601(const Date& d);
std::string format_iso8601(Time t);

}  // namespace rasid::text
