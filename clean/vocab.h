// clean/vocab.h — page-chrome vocabulary (Arabic first, English too), one signal among others.
//
// Phrases are compared after util::fold(), so hamza/alef, yeh/alef-maksura, teh-marbuta,
// tanween and tatweel variants all match. Internal to clean/.
#pragma once

#include <string_view>

namespace rasid::clean::vocab {

enum class Chrome {
  none,
  line,     // the block is chrome by itself (share bar label, copyright, donation appeal …)
  section,  // the block introduces a chrome section (related, most read, comments …): what
            // follows it in the same container is chrome too
};

// Classifies one text block (already whitespace-collapsed). Only short blocks can be chrome:
// a long sentence mentioning "شارك" is an article sentence.
Chrome classify(std::string_view block);

// Phrases of responses that are not articles (clean::PageKind), matched on folded text with
// word boundaries. Sources: the texts the services themselves serve — Cloudflare's "Just a
// moment…" / "Checking your browser before accessing" / "Attention Required!" interstitials,
// DDoS-Guard's "DDoS protection by DDoS-Guard", IAB TCF consent walls ("We value your privacy",
// "Before you continue"), publishers' paywall and sign-in stubs, and 404 pages in English and
// Arabic ("الصفحة غير موجودة", "لم يتم العثور على الصفحة").
bool bot_challenge_phrase(std::string_view folded);
bool consent_phrase(std::string_view folded);
bool login_wall_phrase(std::string_view folded);
bool not_found_phrase(std::string_view folded);  // for titles and headings

// Class/id words (split on -, _ and camelCase boundaries, lower-cased).
// > 0 for words of article bodies ("content", "article", "entry" …), < 0 for chrome words
// ("share", "related", "comment", "sidebar" …), 0 otherwise.
int class_word_weight(std::string_view word);
// True for words whose element is chrome whatever its size ("share", "social", "related" …).
bool strong_chrome_word(std::string_view word);

}  // namespace rasid::clean::vocab
