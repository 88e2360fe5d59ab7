// storage/index_terms.h — internal: the terms rasid's full-text indexes hold for a text, shared
// by both backends so that search finds the same articles on each: the FTS5 "rasid" tokenizer
// (storage/fts_tokenizer.h, SQLite) and the tsvector column of PostgreSQL (storage/pg_schema.h).
//
// A document is split and normalized by text::tokenize (tashkeel and tatweel dropped, alef forms
// folded, Arabic split from Latin and digits); every word is a term, followed by its distinct
// clitic forms (text/clitics.h) at the same position (`colocated`). A query is only normalized:
// a query word finds exactly the stored words a topic term would match (وإيران, الإيرانية,
// إيـــران all index the form ايران). Pure functions; any thread.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace rasid::storage::detail {

// Called for each term in text order; [begin, end) is the word's byte range in the input.
// Returning false stops the walk.
using TermFn =
    std::function<bool(std::string_view term, bool colocated, std::size_t begin, std::size_t end)>;

// Walks the terms of `text` (document = with clitic forms; query = the words only). Returns false
// when `fn` stopped it.
bool for_each_index_term(std::string_view text, bool document, const TermFn& fn);

// The distinct terms of a document (words and clitic forms), in first-seen order: the lexemes of
// PostgreSQL's articles.tokens.
std::vector<std::string> document_terms(std::string_view text);

}  // namespace rasid::storage::detail
