// storage/fts_tokenizer.h — internal: the "rasid" FTS5 tokenizer, rasid's own analyzer inside
// SQLite. Not part of the contract; store.cpp registers it on every connection it opens.
//
// Documents are split and normalized by text::tokenize (tashkeel and tatweel dropped, alef forms
// folded, Arabic split from Latin and digits), and every word is indexed together with its
// clitic forms (text/clitics.h) at the same position (FTS5_TOKEN_COLOCATED). Query text is only
// normalized, so a query word finds exactly the stored words a topic term would match
// (وإيران, الإيرانية, إيـــران all index the form ايران). Phrases keep working: forms share the
// word's position.
#pragma once

#include <sqlite3.h>

#include "common/result.h"

namespace rasid::storage::detail {

inline constexpr const char* kTokenizerName = "rasid";

// Registers the tokenizer on this connection (fts5_api obtained with SELECT fts5(?1)).
Status register_fts_tokenizer(sqlite3* db);

}  // namespace rasid::storage::detail
