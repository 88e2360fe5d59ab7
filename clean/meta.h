// clean/meta.h — page metadata: title, published date, author, canonical URL, language,
// direction, site name. Read from <head> (meta, link, JSON-LD) and, for dates, from the visible
// text (Arabic month names of both calendars' naming traditions, Arabic-Indic digits).
// Internal to clean/.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "parse/parser.h"

namespace rasid::clean::meta {

struct Meta {
  std::string html_title;   // <title>
  std::string og_title;     // og:title / twitter:title
  std::string ld_headline;  // JSON-LD headline
  std::string site_name;    // og:site_name / JSON-LD publisher
  std::string published;    // ISO-8601 as declared (offset kept), "" when none
  std::string author;
  std::string canonical;  // absolute
  std::string lang;       // primary subtag, lower case
  std::string dir;
  std::string description;
};

// Reads everything that does not depend on the chosen body.
Meta read(const parse::Html& page);

// Picks the title: an h1 that agrees with <title>/og:title wins; else og:title / JSON-LD
// headline; else <title> without its " | Site" part.
std::string choose_title(const Meta& m, const std::vector<std::string>& h1s);

// "2021-11-22T18:05:00+02:00", "2021-11-22 18:05", "2021-11-22" … → normalized ISO-8601
// ("YYYY-MM-DD" or "YYYY-MM-DDTHH:MM:SS" + "Z"/"±HH:MM" when a zone was given); "" when `s`
// is not such a date.
std::string normalize_iso(std::string_view s);

// First calendar date written in visible text: "الإثنين 2021/11/22", "26 كانون الثاني 2021",
// "23 نوفمبر/تشرين الثاني 2015", "٢٣ نوفمبر ٢٠١٥", "25.02.2025", "January 5, 2021" …
// → "YYYY-MM-DD"; "" when none.
std::string find_date(std::string_view text);

// A date written in a URL path: "/2021/04/13/slug", "/2021-04-13/", "/20250225/" → "YYYY-MM-DD";
// "" when none.
std::string date_from_url(std::string_view url);

// The author named by a byline line written in the text: "بقلم سارة العتيبي", "بقلم: سارة
// العتيبي", "كتب: محمد علي", "كتبت هدى سالم", "تقرير: رامي خليل", "إعداد: …", "By Jane Doe"
// → the name (what follows a separator such as "|", " - ", "،" or a digit is cut: "بقلم سارة
// العتيبي | 12 مارس" → "سارة العتيبي"); "" when the line is not a byline. A sentence that merely
// begins with "كتب" ("كتب الوزير رسالة إلى المزارعين.") is not one: without a colon, "كتب"/
// "كتبت" make a byline only as a short line without punctuation; "تقرير"/"إعداد"/"تحرير" need
// the colon (they open headlines too).
std::string byline_author(std::string_view line);

}  // namespace rasid::clean::meta
