#include "storage/fts_tokenizer.h"

#include <exception>
#include <string>
#include <string_view>

#include "storage/index_terms.h"

namespace rasid::storage::detail {

namespace {

using TokenFn = int (*)(void*, int, const char*, int, int, int);

// The tokenizer holds no state: every call analyses its own text.
int create(void*, const char**, int, Fts5Tokenizer** out) {
  static int instance = 0;
  *out = reinterpret_cast<Fts5Tokenizer*>(&instance);
  return SQLITE_OK;
}

void destroy(Fts5Tokenizer*) {}

int tokenize(Fts5Tokenizer*, void* ctx, int flags, const char* text, int n, TokenFn emit) {
  try {
    const std::string_view input(text ? text : "", n > 0 ? static_cast<std::size_t>(n) : 0);
    const bool document = (flags & FTS5_TOKENIZE_DOCUMENT) != 0;
    int rc = SQLITE_OK;
    for_each_index_term(
        input, document, [&](std::string_view term, bool colocated, std::size_t b, std::size_t e) {
          rc = emit(ctx, colocated ? FTS5_TOKEN_COLOCATED : 0, term.data(),
                    static_cast<int>(term.size()), static_cast<int>(b), static_cast<int>(e));
          return rc == SQLITE_OK;
        });
    return rc;
  } catch (const std::bad_alloc&) {
    return SQLITE_NOMEM;
  } catch (const std::exception&) {
    return SQLITE_ERROR;
  }
}

fts5_tokenizer kTokenizer = {create, destroy, tokenize};

}  // namespace

Status register_fts_tokenizer(sqlite3* db) {
  fts5_api* api = nullptr;
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &st, nullptr) != SQLITE_OK) {
    sqlite3_finalize(st);
    return Error{std::string("storage: FTS5 unavailable: ") + sqlite3_errmsg(db)};
  }
  sqlite3_bind_pointer(st, 1, static_cast<void*>(&api), "fts5_api_ptr", nullptr);
  sqlite3_step(st);
  sqlite3_finalize(st);
  if (api == nullptr || api->iVersion < 2) return Error{"storage: FTS5 API unavailable"};
  if (api->xCreateTokenizer(api, kTokenizerName, nullptr, &kTokenizer, nullptr) != SQLITE_OK)
    return Error{std::string("storage: register FTS5 tokenizer: ") + sqlite3_errmsg(db)};
  return Ok{};
}

}  // namespace rasid::storage::detail
