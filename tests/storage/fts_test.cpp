// The "rasid" FTS5 tokenizer: search finds what a topic would match (tashkeel, tatweel, alef
// forms, clitics) where FTS5's unicode61 misses it, and never stems names.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "storage/fts_tokenizer.h"
#include "storage/sqlite_store.h"

namespace rasid::storage {
namespace {

namespace fs = std::filesystem;

class FtsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "rasid-fts-XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    auto r = SqliteStore::open(dir_ + "/rasid.db");
    ASSERT_TRUE(r.ok()) << r.error();
    store_ = std::move(r).value();
  }
  void TearDown() override {
    store_.reset();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  std::int64_t add(const std::string& title, const std::string& body) {
    NewArticle a;
    a.source = "src";
    a.entry_key = "k" + std::to_string(++n_);
    a.url = a.canonical = "https://example.net/" + std::to_string(n_);
    a.title = title;
    a.body = body;
    auto r = store_->add_article(a, {}, {});
    EXPECT_TRUE(r.ok()) << r.error();
    return r.ok() ? r->article_id : 0;
  }
  std::vector<std::int64_t> ids(const std::string& q) {
    auto r = store_->search(q, 100);
    EXPECT_TRUE(r.ok()) << q << ": " << r.error();
    std::vector<std::int64_t> out;
    if (r.ok())
      for (const Article& a : r.value()) out.push_back(a.id);
    return out;
  }
  std::string dir_;
  std::unique_ptr<SqliteStore> store_;
  int n_ = 0;
};

// What unicode61 (the tokenizer of migration 2) finds for the same text and query.
int unicode61_hits(const std::string& text, const std::string& query) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open(":memory:", &db), SQLITE_OK);
  sqlite3_exec(db,
               "CREATE VIRTUAL TABLE t USING fts5(body, tokenize='unicode61 remove_diacritics 2')",
               nullptr, nullptr, nullptr);
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(db, "INSERT INTO t(body) VALUES (?1)", -1, &st, nullptr);
  sqlite3_bind_text(st, 1, text.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_step(st);
  sqlite3_finalize(st);
  int n = -1;
  sqlite3_prepare_v2(db, "SELECT count(*) FROM t WHERE t MATCH ?1", -1, &st, nullptr);
  sqlite3_bind_text(st, 1, query.c_str(), -1, SQLITE_TRANSIENT);
  if (sqlite3_step(st) == SQLITE_ROW) n = sqlite3_column_int(st, 0);
  sqlite3_finalize(st);
  sqlite3_close(db);
  return n;
}

TEST_F(FtsTest, SchemaUsesTheRasidTokenizer) {
  EXPECT_EQ(store_->schema_version(), SqliteStore::latest_schema());
  sqlite3_stmt* st = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(store_->handle(),
                               "SELECT sql FROM sqlite_schema WHERE name = 'articles_fts'", -1, &st,
                               nullptr),
            SQLITE_OK);
  ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
  const std::string sql = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
  sqlite3_finalize(st);
  EXPECT_NE(sql.find("tokenize='rasid'"), std::string::npos) << sql;
}

struct Case {
  const char* stored;
  const char* query;
};

// Each of these is missed by unicode61 and found by the rasid tokenizer.
TEST_F(FtsTest, FindsWhatUnicode61Misses) {
  const Case cases[] = {
      {"وصل مُحَمَّدٌ إلى المدينة", "محمد"},         // tashkeel inside the word
      {"قال الرئيس إنّ الاتفاق قريب", "ان"},     // shadda
      {"زار أحمد القاهرة", "احمد"},             // hamza on alef
      {"الرئيس إبراهيم في الرياض", "ابراهيم"},  // hamza below alef
      {"وصل إلى القُدْس", "القدس"},               // sukun and damma
      {"أزمة إيـــران النووية", "إيران"},       // tatweel
      {"قال مستشفى المدينة", "مستشفي"},         // alef maqsura
      {"العاصمة الإيرانية طهران", "إيران"},     // ال + ية
      {"تظاهرات في طهران وإيران", "ايران"},     // و
      {"عاد إلى بغداد والبصرة", "البصره"},      // و + ال, ة
      {"قال للرئيس إن الوضع خطير", "الرئيس"},   // لل = ل + ال
      {"اجتماع الحكومات العربية", "حكومة"},     // ات on a noun in ة
      {"بيان حكومتها اليوم", "حكومة"},          // possessed noun in ة
  };
  for (const Case& c : cases) add("خبر", c.stored);
  for (const Case& c : cases) {
    EXPECT_EQ(unicode61_hits(c.stored, c.query), 0) << c.stored << " / " << c.query;
  }
  int i = 0;
  for (const Case& c : cases) {
    ++i;
    const auto found = ids(std::string("\"") + c.query + "\"");
    EXPECT_NE(std::find(found.begin(), found.end(), i), found.end())
        << c.stored << " / " << c.query;
  }
}

TEST_F(FtsTest, NamesAreNotStemmedAndShortWordsKeepTheirLetters) {
  // As in match/: a query name never matches a shortened word (no stemmer turns بغداد into غداد).
  const auto baghdad = add("بغداد", "وصل الوفد إلى بغداد صباحا");
  const auto beirut = add("بيروت", "انفجار في مرفأ بيروت");
  add("غداد", "كلمة غداد ويروت وبغدا وحدها");
  EXPECT_EQ(ids("بغداد"), std::vector<std::int64_t>{baghdad});
  EXPECT_EQ(ids("بغدادي"), std::vector<std::int64_t>{});
  EXPECT_EQ(ids("بيروتي"), std::vector<std::int64_t>{});
  EXPECT_EQ(ids("وبيروت"), std::vector<std::int64_t>{});  // a query word is not stripped
  EXPECT_EQ(ids("بيروت"), std::vector<std::int64_t>{beirut});
}

TEST_F(FtsTest, PhrasesPrefixesColumnsAndLatinWork) {
  const auto a = add("مرفأ بيروت", "وقع الانفجار في مرفأ لبيروت قرب المرفأ الاقتصادية");
  const auto b = add("COVID-19 في لبنان", "وCOVID ينتشر بـ20 حالة");
  EXPECT_EQ(ids("\"مرفا بيروت\""), std::vector<std::int64_t>{a});  // ل before بيروت
  EXPECT_TRUE(ids("\"بيروت مرفا\"").empty());
  EXPECT_EQ(ids("اقتصاد*"), std::vector<std::int64_t>{a});
  EXPECT_EQ(ids("title:لبنان"), std::vector<std::int64_t>{b});
  EXPECT_TRUE(ids("title:الانفجار").empty());
  EXPECT_EQ(ids("covid"), std::vector<std::int64_t>{b});
  EXPECT_EQ(ids("\"covid 19\""), std::vector<std::int64_t>{b});
  EXPECT_EQ(ids("20"), std::vector<std::int64_t>{b});
  EXPECT_EQ(ids("covid AND مرفا"), std::vector<std::int64_t>{});
  EXPECT_EQ(ids("covid OR مرفا").size(), 2u);
}

TEST_F(FtsTest, RawConnectionsNeedTheTokenizerRegistered) {
  add("إيران", "طهران");
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir_ + "/rasid.db").c_str(), &db), SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  // Without it the table cannot even be opened: the failure is loud, not a silent miss.
  EXPECT_NE(sqlite3_prepare_v2(db, "SELECT count(*) FROM articles_fts WHERE articles_fts MATCH 'x'",
                               -1, &st, nullptr),
            SQLITE_OK);
  sqlite3_finalize(st);
  ASSERT_TRUE(detail::register_fts_tokenizer(db).ok());
  ASSERT_EQ(sqlite3_prepare_v2(db, "SELECT count(*) FROM articles_fts WHERE articles_fts MATCH ?1",
                               -1, &st, nullptr),
            SQLITE_OK);
  sqlite3_bind_text(st, 1, "ايران", -1, SQLITE_STATIC);
  ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_int(st, 0), 1);
  sqlite3_finalize(st);
  sqlite3_close(db);
}

}  // namespace
}  // namespace rasid::storage
