// storage/fts_tokenizer.h — internal: the "rasid" FTS5 tokenizer, rasid's own analyzer inside
// SQLite. Not part of the contract; store.cpp registers it on every connection it opens.
//
// The terms are those of storage/index_terms.h (shared with the PostgreSQL backend): every word
// is indexed together with its clitic forms at the same position (FTS5_TOKEN_COLOCATED), so
// phrases keep working; query text is only normalized.
#pragma once

#include <sqlite3.h>

#include "common/result.h"

namespace rasid::storage::detail {

inline constexpr const char* kTokenizerName = "rasid";

// Registers the tokenizer on this connection (fts5_api obtained with SELECT fts5(?1)).
Status register_fts_tokenizer(sqlite3* db);

}  // namespace rasid::storage::detail
