// clean/meta.h — page metadata: title, published date, author, canonical URL, language,
// direction, site name. Read from <head> (meta, link, JSON-LD) and <time> elements; dates are
// read by text/date.h (the program's one date reader), never here.
//
// Dates tied to the article beat page furniture: JSON-LD datePublished, article:published_time
// and its relatives, then the <time> elements ranked by their place (inside the article, not in
// page furniture, marked pubdate/datePublished, after the title). A <time> in the furniture (a
// site header's "today", a nav bar, a sidebar teaser) is kept apart as a last resort.
// Internal to clean/.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "parse/parser.h"
#include "text/date.h"

namespace rasid::clean::meta {

struct Meta {
  std::string html_title;                    // <title>
  std::string og_title;                      // og:title / twitter:title
  std::string ld_headline;                   // JSON-LD headline
  std::string site_name;                     // og:site_name / JSON-LD publisher
  std::optional<text::Date> published;       // tied to the article (see above)
  std::optional<text::Date> furniture_date;  // a <time> in page furniture: last resort
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

// Where an element sits on the page. `furniture`: inside nav, a sidebar, widget, menu, ticker,
// breadcrumb, "related" or "today" block, or inside a header, footer or aside (tag, ARIA role or
// class "header"/"masthead"/"footer") that is not the article's own; `article`: inside
// <article>, <main>, [itemprop=articleBody], an *Article itemtype, or a block whose class names
// the post/entry/article/story; `neutral` otherwise.
enum class Place { article, neutral, furniture };
Place place_of(const xmlNode* n);

// The page's text without its furniture and without "today is" lines (a short element whose
// text starts with "اليوم" / "today"), where an article date is looked for when nothing tied to
// the article has one. At most `max` bytes.
std::string text_without_furniture(const xmlNode* root, std::size_t max);

// The author named by a byline line written in the text: "بقلم سارة العتيبي", "بقلم: سارة
// العتيبي", "كتب: محمد علي", "كتبت هدى سالم", "تقرير: رامي خليل", "إعداد: …", "By Jane Doe"
// → the name (what follows a separator such as "|", " - ", "،" or a digit is cut: "بقلم سارة
// العتيبي | 12 مارس" → "سارة العتيبي"); "" when the line is not a byline. A sentence that merely
// begins with "كتب" ("كتب الوزير رسالة إلى المزارعين.") is not one: without a colon, "كتب"/
// "كتبت" make a byline only as a short line without punctuation; "تقرير"/"إعداد"/"تحرير" need
// the colon (they open headlines too).
std::string byline_author(std::string_view line);

}  // namespace rasid::clean::meta
