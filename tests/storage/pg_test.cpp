// The PostgreSQL foundations of issue 15 against a real server (tests/support/pg_cluster.h):
// the libpq wrapper (storage/pg.h) and the migrations (storage/pg_schema.h). Skipped, with the
// reason, where PostgreSQL's binaries are missing.
#include "storage/pg.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "storage/pg_schema.h"
#include "tests/support/pg_cluster.h"
#include "tests/support/process.h"

namespace rasid::storage::pg {
namespace {

using testing::PgCluster;
using namespace std::chrono_literals;

class PgTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why;
    cluster_ = PgCluster::shared(&why);
    if (!cluster_) GTEST_SKIP() << why;
  }
  std::unique_ptr<Connection> connect(const std::string& uri) {
    auto c = Connection::open(uri);
    EXPECT_TRUE(c.ok()) << c.error();
    return c.ok() ? std::move(c.value()) : nullptr;
  }
  PgCluster* cluster_ = nullptr;
};

// A cluster of the test's own, for tests that stop or restart the server.
class PgRestartTest : public PgTest {
 protected:
  void SetUp() override {
    std::string why;
    own_ = PgCluster::start_new(&why);
    if (!own_) GTEST_SKIP() << why;
    cluster_ = own_.get();
  }
  std::unique_ptr<PgCluster> own_;
};

// Every table and index of the schema, as the catalog lists them.
std::string schema_objects(PgCluster& cl, const std::string& db) {
  return cl.query(db,
                  "SELECT string_agg(relname, ',' ORDER BY relname) FROM pg_class c JOIN "
                  "pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND "
                  "c.relkind IN ('r', 'i')");
}

TEST_F(PgTest, MigrationsApplyFromZero) {
  const std::string uri = cluster_->create_database();
  const std::string db = PgCluster::database_name(uri);
  auto c = connect(uri);
  ASSERT_TRUE(c);
  auto before = schema_version(*c);
  ASSERT_TRUE(before.ok()) << before.error();
  EXPECT_EQ(before.value(), 0);
  auto v = migrate(*c);
  ASSERT_TRUE(v.ok()) << v.error();
  EXPECT_EQ(v.value(), latest_version());
  EXPECT_EQ(cluster_->query(db, "SELECT version FROM rasid_schema"),
            std::to_string(latest_version()));
  const std::string objects = "," + schema_objects(*cluster_, db) + ",";
  for (const char* name : {"articles",
                           "articles_canonical_key",
                           "articles_source_entry_key_key",
                           "articles_story",
                           "articles_fetched",
                           "articles_tokens",
                           "matches",
                           "matches_article_id_topic_key",
                           "outbox",
                           "outbox_webhook_id_key",
                           "outbox_queue",
                           "outbox_status",
                           "outbox_story",
                           "seen",
                           "sources",
                           "source_identity",
                           "site_templates",
                           "instances",
                           "sources_due",
                           "sources_lease",
                           "rasid_schema"})
    EXPECT_NE(objects.find(std::string(",") + name + ","), std::string::npos)
        << name << " missing from " << objects;
  EXPECT_EQ(cluster_->query(db,
                            "SELECT amname FROM pg_class c JOIN pg_am a ON a.oid = c.relam "
                            "WHERE relname = 'articles_tokens'"),
            "gin");
  EXPECT_EQ(cluster_->query(db, "SELECT count(*) FROM rasid_schema"), "1");
}

TEST_F(PgTest, SecondMigrateIsANoOp) {
  const std::string uri = cluster_->create_database();
  auto c = connect(uri);
  ASSERT_TRUE(c);
  ASSERT_TRUE(migrate(*c).ok());
  auto ins = c->exec("insert source", "INSERT INTO sources (name) VALUES ($1)", "kept");
  ASSERT_TRUE(ins.ok()) << ins.error();
  auto again = connect(uri);
  ASSERT_TRUE(again);
  auto v = migrate(*again);
  ASSERT_TRUE(v.ok()) << v.error();
  EXPECT_EQ(v.value(), latest_version());
  auto rows = again->exec("count sources", "SELECT count(*) FROM sources WHERE name = $1", "kept");
  ASSERT_TRUE(rows.ok()) << rows.error();
  EXPECT_EQ(rows->i64(0, 0), 1);
}

TEST_F(PgTest, ConcurrentMigrationsAllSucceedOnce) {
  const std::string uri = cluster_->create_database();
  constexpr int kOpeners = 6;
  std::vector<std::string> errors(kOpeners);
  std::vector<int> versions(kOpeners, -1);
  {
    std::vector<std::thread> threads;
    for (int i = 0; i < kOpeners; ++i)
      threads.emplace_back([&, i] {
        auto c = Connection::open(uri);
        if (!c) {
          errors[i] = c.error();
          return;
        }
        auto v = migrate(*c.value());
        if (v)
          versions[i] = v.value();
        else
          errors[i] = v.error();
      });
    for (auto& t : threads) t.join();
  }
  for (int i = 0; i < kOpeners; ++i) {
    EXPECT_EQ(errors[i], "") << "opener " << i;
    EXPECT_EQ(versions[i], latest_version()) << "opener " << i;
  }
}

TEST_F(PgTest, NewerSchemaIsRefused) {
  const std::string uri = cluster_->create_database();
  auto c = connect(uri);
  ASSERT_TRUE(c);
  ASSERT_TRUE(migrate(*c).ok());
  ASSERT_TRUE(c->exec("bump", "UPDATE rasid_schema SET version = $1", latest_version() + 1).ok());
  auto v = migrate(*c);
  ASSERT_FALSE(v.ok());
  EXPECT_NE(v.error().find("newer than this rasid supports"), std::string::npos) << v.error();
}

TEST_F(PgTest, ErrorsNameThePurposeAndTheSqlstate) {
  auto c = connect(cluster_->create_database());
  ASSERT_TRUE(c);
  ASSERT_TRUE(migrate(*c).ok());
  const std::string sql = "INSERT INTO sources (name) VALUES ($1)";
  ASSERT_TRUE(c->exec("save source", sql, "one").ok());
  auto dup = c->exec("save source twice", sql, "one");
  ASSERT_FALSE(dup.ok());
  EXPECT_NE(dup.error().find("storage: save source twice: "), std::string::npos) << dup.error();
  EXPECT_NE(dup.error().find("duplicate key"), std::string::npos) << dup.error();
  EXPECT_NE(dup.error().find("[SQLSTATE 23505]"), std::string::npos) << dup.error();
  EXPECT_EQ(c->last_sqlstate(), "23505");
  // The connection is usable afterwards.
  EXPECT_TRUE(c->exec("count", "SELECT count(*) FROM sources").ok());
}

TEST_F(PgTest, ParamsAndTypedRowsRoundTrip) {
  auto c = connect(cluster_->create_database());
  ASSERT_TRUE(c);
  ASSERT_TRUE(migrate(*c).ok());
  const std::string blob("\0\x01\xff\\x'\"", 7);
  auto w = c->exec("save site template",
                   "INSERT INTO site_templates (source, pages, state, updated) "
                   "VALUES ($1, $2, $3, $4)",
                   "مصدر", 3, Bytes{blob}, std::int64_t{1'700'000'000'123});
  ASSERT_TRUE(w.ok()) << w.error();
  EXPECT_EQ(w->affected(), 1);
  auto r = c->exec("read site template",
                   "SELECT source, pages, state, updated, NULL::text FROM site_templates "
                   "WHERE source = $1",
                   std::string("مصدر"));
  ASSERT_TRUE(r.ok()) << r.error();
  ASSERT_EQ(r->size(), 1);
  EXPECT_EQ(r->text(0, 0), "مصدر");
  EXPECT_EQ(r->i32(0, 1), 3);
  EXPECT_EQ(r->bytes(0, 2), blob);
  EXPECT_EQ(r->i64(0, 3), 1'700'000'000'123);
  EXPECT_TRUE(r->is_null(0, 4));
  auto b = c->exec("flag", "SELECT $1::boolean, $2::boolean", true, false);
  ASSERT_TRUE(b.ok()) << b.error();
  EXPECT_TRUE(b->boolean(0, 0));
  EXPECT_FALSE(b->boolean(0, 1));
}

TEST_F(PgTest, SearchTermsAreRasidsOwnLexemes) {
  const std::string uri = cluster_->create_database();
  const std::string db = PgCluster::database_name(uri);
  auto c = connect(uri);
  ASSERT_TRUE(c);
  ASSERT_TRUE(migrate(*c).ok());
  auto ins = c->exec(
      "insert article",
      "INSERT INTO articles (source, entry_key, url, canonical, title, body, fetched_at, tokens) "
      "VALUES ('s', 'k', 'u', 'c', $1, $2, 1, array_to_tsvector($3::text[])) RETURNING id",
      "عنوان", "قالت وإيران إن \"الاتفاق\" قائم",
      article_lexemes("عنوان", "قالت وإيران إن \"الاتفاق\" قائم"));
  ASSERT_TRUE(ins.ok()) << ins.error();
  auto hits = [&](const std::string& q) {
    auto r = c->exec("search", "SELECT count(*) FROM articles WHERE tokens @@ $1::tsquery", q);
    EXPECT_TRUE(r.ok()) << r.error();
    return r.ok() ? r->i64(0, 0) : -1;
  };
  EXPECT_EQ(hits(all_words_tsquery("إيران")), 1)  // the clitic form of وإيران, alef folded
      << cluster_->query(db, "SELECT tokens FROM articles");
  EXPECT_EQ(all_words_tsquery("إيران قائم"), "'ايران' & 'قايم'");
  EXPECT_EQ(hits(all_words_tsquery("إيران قائم")), 1);
  EXPECT_EQ(hits(all_words_tsquery("عنوان")), 1);  // the title is indexed too
  EXPECT_EQ(hits(all_words_tsquery("إيران باريس")), 0);
  EXPECT_EQ(all_words_tsquery("it's"), "'it''s'");
  EXPECT_EQ(all_words_tsquery("«»"), "");
}

TEST_F(PgTest, RedactedHidesPasswords) {
  EXPECT_EQ(redacted("postgresql://rasid:s3cret@db.example:5432/rasid?sslmode=require"),
            "postgresql://rasid:***@db.example:5432/rasid?sslmode=require");
  EXPECT_EQ(redacted("postgres:///rasid?host=/run/postgresql&password=s3cret&user=r"),
            "postgres:///rasid?host=/run/postgresql&password=***&user=r");
  EXPECT_EQ(redacted("host=/run/postgresql password='a b' dbname=rasid"),
            "host=/run/postgresql password=*** dbname=rasid");
  EXPECT_EQ(redacted("postgresql:///rasid?host=/run/postgresql&passfile=/etc/rasid/pgpass"),
            "postgresql:///rasid?host=/run/postgresql&passfile=/etc/rasid/pgpass");
  EXPECT_TRUE(is_uri("postgresql://x"));
  EXPECT_TRUE(is_uri("postgres:///rasid"));
  EXPECT_FALSE(is_uri("var/rasid.db"));
}

// The password comes from libpq's passfile; a password in the URI is refused; no error text
// ever shows one.
TEST_F(PgTest, PasswordFromPassfileNeverInErrors) {
  const std::string uri = cluster_->create_database();
  const std::string db = PgCluster::database_name(uri);
  cluster_->create_role("writer_pf", "pf-s3cret-🔑", db);
  const std::string dir = testing::make_temp_dir();
  const std::string passfile = dir + "/pgpass";
  testing::write_file(passfile, "*:*:*:writer_pf:pf-s3cret-🔑\n");
  ::chmod(passfile.c_str(), 0600);
  const std::string base = cluster_->uri(db, "writer_pf");

  auto ok = Connection::open(base + "&passfile=" + passfile);
  ASSERT_TRUE(ok.ok()) << ok.error();
  auto who = ok.value()->exec("who", "SELECT current_user");
  ASSERT_TRUE(who.ok()) << who.error();
  EXPECT_EQ(who->text(0, 0), "writer_pf");

  std::vector<std::string> errors;
  // No password at all.
  auto none = Connection::open(base + "&passfile=" + dir + "/empty");
  ASSERT_FALSE(none.ok());
  errors.push_back(none.error());
  // A wrong one in the file.
  testing::write_file(dir + "/wrong", "*:*:*:writer_pf:wrong-pf-s3cret\n");
  ::chmod((dir + "/wrong").c_str(), 0600);
  auto wrong = Connection::open(base + "&passfile=" + dir + "/wrong");
  ASSERT_FALSE(wrong.ok());
  EXPECT_NE(wrong.error().find("password authentication failed"), std::string::npos)
      << wrong.error();
  errors.push_back(wrong.error());
  // A file others can read: libpq would ignore it silently; refused with the reason.
  ::chmod((dir + "/wrong").c_str(), 0644);
  auto open_file = Connection::open(base + "&passfile=" + dir + "/wrong");
  ASSERT_FALSE(open_file.ok());
  EXPECT_NE(open_file.error().find("chmod 0600"), std::string::npos) << open_file.error();
  errors.push_back(open_file.error());
  // In the URI: refused before connecting.
  auto in_uri = Connection::open("postgresql://writer_pf:pf-s3cret-uri@/" + db +
                                 "?host=" + cluster_->socket_dir());
  ASSERT_FALSE(in_uri.ok());
  EXPECT_NE(in_uri.error().find("carries a password"), std::string::npos) << in_uri.error();
  errors.push_back(in_uri.error());
  for (const std::string& e : errors) {
    EXPECT_EQ(e.find("s3cret"), std::string::npos) << e;
  }
  std::filesystem::remove_all(dir);
}

TEST_F(PgTest, PasswordFromCredentialsDirectory) {
  const std::string uri = cluster_->create_database();
  const std::string db = PgCluster::database_name(uri);
  cluster_->create_role("writer_cd", "cd-s3cret", db);
  const std::string dir = testing::make_temp_dir();
  const char* old = std::getenv("CREDENTIALS_DIRECTORY");
  const std::string saved = old ? old : "";
  ::setenv("CREDENTIALS_DIRECTORY", dir.c_str(), 1);
  testing::write_file(dir + "/rasid-db-password", "cd-s3cret\n");  // as systemd-creds writes it
  auto ok = Connection::open(cluster_->uri(db, "writer_cd"));
  EXPECT_TRUE(ok.ok()) << ok.error();
  testing::write_file(dir + "/rasid-db-password", "cd-wrong-s3cret");
  auto wrong = Connection::open(cluster_->uri(db, "writer_cd"));
  ASSERT_FALSE(wrong.ok());
  EXPECT_NE(wrong.error().find("password authentication failed"), std::string::npos)
      << wrong.error();
  EXPECT_EQ(wrong.error().find("s3cret"), std::string::npos) << wrong.error();
  if (old)
    ::setenv("CREDENTIALS_DIRECTORY", saved.c_str(), 1);
  else
    ::unsetenv("CREDENTIALS_DIRECTORY");
  std::filesystem::remove_all(dir);
}

// A server restarted while the connection idles: the next statement runs on a new connection.
TEST_F(PgRestartTest, IdleConnectionSurvivesARestart) {
  auto c = connect(cluster_->create_database());
  ASSERT_TRUE(c);
  ASSERT_TRUE(migrate(*c).ok());
  ASSERT_TRUE(c->exec("save", "INSERT INTO sources (name) VALUES ($1)", "a").ok());
  own_->restart();
  auto r = c->exec("count", "SELECT count(*) FROM sources");
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_EQ(r->i64(0, 0), 1);
  EXPECT_EQ(c->reconnects(), 1);
  // Prepared statements are prepared again on the new connection.
  EXPECT_TRUE(c->exec("save", "INSERT INTO sources (name) VALUES ($1)", "b").ok());
}

// A restart inside a transaction: the statement that hits it fails with a clear error, the
// transaction is gone (never continued on a fresh connection), and the next call reconnects.
TEST_F(PgRestartTest, TransactionCutByARestartFailsClearlyThenReconnects) {
  auto c = connect(cluster_->create_database());
  ASSERT_TRUE(c);
  ASSERT_TRUE(migrate(*c).ok());
  {
    Tx tx(*c);
    ASSERT_TRUE(tx.begin().ok());
    ASSERT_TRUE(c->exec("save", "INSERT INTO sources (name) VALUES ($1)", "lost").ok());
    own_->restart();
    auto hit = c->exec("save the second source", "INSERT INTO sources (name) VALUES ($1)", "x");
    ASSERT_FALSE(hit.ok());
    EXPECT_NE(hit.error().find("storage: save the second source: connection to "),
              std::string::npos)
        << hit.error();
    EXPECT_NE(hit.error().find("lost (the transaction was rolled back)"), std::string::npos)
        << hit.error();
    // Still inside the Tx: nothing reconnects behind it.
    auto again = c->exec("save a third", "INSERT INTO sources (name) VALUES ($1)", "y");
    ASSERT_FALSE(again.ok());
    EXPECT_NE(again.error().find("lost inside a transaction"), std::string::npos) << again.error();
    EXPECT_FALSE(tx.commit().ok());
  }
  auto r = c->exec("count", "SELECT count(*) FROM sources");
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_EQ(r->i64(0, 0), 0);  // the cut transaction wrote nothing
  EXPECT_EQ(c->reconnects(), 1);
}

// A server that stays down: calls fail fast with the reason, attempts back off, and the
// connection comes back once the server does.
TEST_F(PgRestartTest, ServerDownThenBackWithBackoff) {
  auto c = connect(cluster_->create_database());
  ASSERT_TRUE(c);
  own_->stop();
  auto first = c->exec("count", "SELECT 1");
  ASSERT_FALSE(first.ok());
  EXPECT_NE(first.error().find("storage: count: reconnect to postgresql:///"), std::string::npos)
      << first.error();
  // Calls right after a failed attempt fail at once, without trying (the backoff); whichever
  // it is, the error names the statement, the redacted URI and when the next attempt is.
  int waited = 0;
  for (int i = 0; i < 20; ++i) {
    auto again = c->exec("count sources", "SELECT 1");
    ASSERT_FALSE(again.ok());
    EXPECT_NE(again.error().find("storage: count sources: "), std::string::npos) << again.error();
    EXPECT_NE(again.error().find(" to postgresql:///"), std::string::npos) << again.error();
    EXPECT_NE(again.error().find("next attempt in"), std::string::npos) << again.error();
    waited += again.error().find("not connected to") != std::string::npos;
  }
  EXPECT_GT(waited, 0) << "every call tried to reconnect: no backoff";
  own_->start();
  Result<Rows> back = Error{"not tried"};
  const auto deadline = std::chrono::steady_clock::now() + 15s;
  while (!(back = c->exec("count", "SELECT 1")).ok() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(20ms);
  ASSERT_TRUE(back.ok()) << back.error();
  EXPECT_EQ(c->reconnects(), 1);
}

}  // namespace
}  // namespace rasid::storage::pg

namespace rasid::storage::pg {
namespace {

// The FTS5 queries rasid writes (daemon/cmd_search.cpp fts_prefilter, daemon/status.cpp
// fts_query_from_words) become tsquery prefilters over the analyzer's words.
TEST(PgFts5Query, TranslatesRasidsQueries) {
  auto t = [](std::string_view q) {
    auto r = tsquery_from_fts5(q);
    return r.ok() ? r.value() : "error: " + r.error();
  };
  EXPECT_EQ(t("\"سوريا\" \"إيران\""), "('سوريا') & ('ايران')");
  EXPECT_EQ(t("(\"مال\" OR \"نفط\" *) AND (title : \"قائم\")"), "(('مال') | ('نفط':*)) & ('قايم')");
  EXPECT_EQ(t("\"وقف اطلاق النار\""), "'وقف' & 'اطلاق' & 'النار'");
  EXPECT_EQ(t("\"a\"\"b\" \"OR\" \"NEAR(\""), "(('a' & 'b') & ('or')) & ('near')");
  EXPECT_EQ(t("إيران NOT سوريا"), "('ايران') & !('سوريا')");
  EXPECT_EQ(t("\"«»\" إيران"), "'ايران'");  // a string without words is dropped
  EXPECT_EQ(t(""), "");
  EXPECT_NE(t("NEAR(a b)").find("NEAR is not supported"), std::string::npos);
  EXPECT_NE(t("(\"a\"").find("not closed"), std::string::npos);
  EXPECT_NE(t("\"a").find("not closed"), std::string::npos);
  EXPECT_NE(t("a OR").find("missing"), std::string::npos);
}

}  // namespace
}  // namespace rasid::storage::pg
