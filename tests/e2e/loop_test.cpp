// The whole loop over loopback: a real HTTP server serves an RSS feed and article pages, a real
// receiver takes the webhooks, and the real `rasid once` binary runs against a real SQLite file.

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include <atomic>
#include <cstdlib>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "storage/store.h"
#include "tests/e2e/fixtures.h"
#include "tests/e2e/once_fixture.h"
#include "tests/support/http_server.h"
#include "tests/support/process.h"

namespace rasid::testing {
namespace {

struct Delivery {
  std::string id;
  nlohmann::json body;
};

// The news site and the webhook receiver in one server.
class World {
 public:
  World()
      : server_([this](const HttpRequest& r) { return handle(r); }), items_(fixture_articles()) {}

  HttpResponse handle(const HttpRequest& r) {
    std::lock_guard<std::mutex> lock(mu_);
    if (r.path == "/feed.xml") {
      feed_requests_++;
      std::string etag = "\"v" + std::to_string(items_.size()) + "\"";
      if (r.header("if-none-match") == etag) {
        not_modified_++;
        return {304, {{"ETag", etag}}, ""};
      }
      std::string body = rss_feed(items_, server_.url(""));
      // A CMS's stray unclosed tag after the first entry: an XML error there, and the entries
      // after it nested inside the stray element, out of the channel.
      if (broken_) body.insert(body.find("</item>") + 7, "<p>");
      return {200,
              {{"Content-Type", "application/rss+xml; charset=utf-8"},
               {"ETag", etag + (broken_ ? "b" : "")}},
              body};
    }
    if (r.path.rfind("/news/", 0) == 0) {
      std::string slug = r.path.substr(6);
      if (challenge_)  // a bot wall in front of every article, answered with 200
        return {200,
                {{"Content-Type", "text/html; charset=utf-8"}},
                "<!DOCTYPE html><html><head><title>Just a moment...</title></head><body>"
                "<div class=\"main-wrapper\"><h1>news.example</h1><h2>Checking if the site "
                "connection is secure</h2><noscript>Enable JavaScript and cookies to continue"
                "</noscript></div></body></html>"};
      for (const auto& a : items_)
        if (a.slug == slug) return {200, {}, article_page(a, server_.url(""))};
      return {404, {}, "not found"};
    }
    if (r.path == "/hook" && r.method == "POST") {
      if (fail_hooks_ > 0) {
        fail_hooks_--;
        return {503, {}, "down"};
      }
      Delivery d;
      d.id = r.header("webhook-id");
      d.body = nlohmann::json::parse(r.body, nullptr, false);
      deliveries_.push_back(std::move(d));
      return {200, {}, "ok"};
    }
    return {404, {}, "no"};
  }

  std::string config(const std::string& db, bool alert_first) {
    return "[daemon]\ndatabase = \"" + db +
           "\"\nallow_private = [\"127.0.0.0/8\"]\nlog_level = \"debug\"\n\n"
           "[[source]]\nname = \"khabar\"\nfeed = \"" +
           server_.url("/feed.xml") +
           "\"\ninterval = \"10m\"\nalert_on_first_poll = " + (alert_first ? "true" : "false") +
           "\n\n[[topic]]\nname = \"syria-iran\"\nquery = 'سوريا AND إيران'\nwebhooks = "
           "[\"recv\"]\n\n"
           "[[topic]]\nname = \"wheat\"\nquery = '\"أسعار القمح\" OR طحين'\nwebhooks = "
           "[\"recv\"]\n\n"
           "[[topic]]\nname = \"unmatched\"\nquery = 'اليابان AND NOT سوريا'\nwebhooks = "
           "[\"recv\"]\n\n"
           "[[webhook]]\nname = \"recv\"\nurl = \"" +
           server_.url("/hook") + "\"\n";
  }

  std::vector<Delivery> deliveries() {
    std::lock_guard<std::mutex> lock(mu_);
    return deliveries_;
  }
  void add_item(FixtureArticle a) {
    std::lock_guard<std::mutex> lock(mu_);
    items_.insert(items_.begin(), std::move(a));
  }
  void fail_next_hooks(int n) {
    std::lock_guard<std::mutex> lock(mu_);
    fail_hooks_ = n;
  }
  void set_broken(bool on) {
    std::lock_guard<std::mutex> lock(mu_);
    broken_ = on;
  }
  void set_challenge(bool on) {
    std::lock_guard<std::mutex> lock(mu_);
    challenge_ = on;
  }
  int not_modified() {
    std::lock_guard<std::mutex> lock(mu_);
    return not_modified_;
  }

 private:
  HttpServer server_;
  std::mutex mu_;
  std::vector<FixtureArticle> items_;
  std::vector<Delivery> deliveries_;
  int feed_requests_ = 0;
  int not_modified_ = 0;
  int fail_hooks_ = 0;
  bool challenge_ = false;
  bool broken_ = false;
};

class LoopTest : public RasidOnceTest {};

std::multiset<std::string> topics_of(const std::vector<Delivery>& ds) {
  std::multiset<std::string> t;
  for (const auto& d : ds) t.insert(d.body.value("topic", ""));
  return t;
}

TEST_F(LoopTest, FeedToCleanArticleToMatchToWebhook) {
  World w;
  write_file(cfg_, w.config(db_, true));
  once();

  auto ds = w.deliveries();
  // talks matches syria-iran; wheat matches wheat; the football story matches nothing.
  EXPECT_EQ(topics_of(ds), (std::multiset<std::string>{"syria-iran", "wheat"}));
  std::set<std::string> ids;
  for (const auto& d : ds) {
    EXPECT_FALSE(d.id.empty());
    ids.insert(d.id);
    ASSERT_TRUE(d.body.is_object());
    EXPECT_FALSE(d.body["article"].value("title", "").empty());
    EXPECT_NE(d.body["article"].value("url", "").find("/news/"), std::string::npos);
  }
  EXPECT_EQ(ids.size(), ds.size()) << "each alert has its own webhook-id";

  // Every article stored once, with clean text.
  auto store = storage::Store::open(db_);
  ASSERT_TRUE(store.ok()) << store.error();
  auto arts = store.value()->recent_articles(0, 100);
  ASSERT_TRUE(arts.ok());
  ASSERT_EQ(arts->size(), 3u);
  for (const auto& a : arts.value()) {
    for (const auto& chrome : chrome_lines())
      EXPECT_EQ(a.body.find(chrome), std::string::npos) << chrome << " in " << a.title;
    bool found = false;
    for (const auto& f : fixture_articles()) {
      if (f.title != a.title) continue;
      found = true;
      for (const auto& p : f.paragraphs)
        EXPECT_NE(a.body.find(p), std::string::npos) << "lost paragraph: " << p;
    }
    EXPECT_TRUE(found) << a.title;
    EXPECT_EQ(a.canonical.find("utm_"), std::string::npos) << a.canonical;
  }

  // A second poll: the feed answers 304, nothing new is delivered.
  once();
  EXPECT_GE(w.not_modified(), 1);
  EXPECT_EQ(w.deliveries().size(), ds.size());
}

TEST_F(LoopTest, FirstPollIsQuietThenNewItemsAlertOnce) {
  World w;
  write_file(cfg_, w.config(db_, false));
  once();
  EXPECT_TRUE(w.deliveries().empty()) << "the first poll records what is there without alerts";

  w.add_item({"deal",
              "اتفاق جديد بين سوريا وإيران لتوريد الكهرباء",
              {"وقعت سوريا وإيران اتفاقاً لتوريد الكهرباء إلى المحافظات الجنوبية، في خطوة قال "
               "مسؤولون إنها ستخفف ساعات التقنين خلال الشتاء.",
               "ولم يكشف الطرفان عن قيمة الاتفاق أو مدة تنفيذه."},
              "Mon, 23 Nov 2026 08:00:00 +0300"});
  once();
  auto ds = w.deliveries();
  ASSERT_EQ(ds.size(), 1u);
  EXPECT_EQ(ds[0].body.value("topic", ""), "syria-iran");
  EXPECT_NE(ds[0].body["article"].value("title", "").find("الكهرباء"), std::string::npos);

  once();
  EXPECT_EQ(w.deliveries().size(), 1u) << "nothing is delivered twice";
}

TEST_F(LoopTest, ReceiverFailingThenRecoveringGetsEveryAlertOnce) {
  World w;
  write_file(cfg_, w.config(db_, true));
  w.fail_next_hooks(1000);
  once();
  EXPECT_TRUE(w.deliveries().empty());
  {
    auto store = storage::Store::open(db_);
    ASSERT_TRUE(store.ok());
    auto counts = store.value()->outbox_counts();
    ASSERT_TRUE(counts.ok());
    ASSERT_EQ(counts->size(), 1u);
    EXPECT_EQ(counts->at(0).pending, 2);
    EXPECT_FALSE(counts->at(0).last_error.empty());
  }
  w.fail_next_hooks(0);
  // The first retry is scheduled 5 s (±10 %) after the failure.
  std::this_thread::sleep_for(std::chrono::milliseconds(5800));
  once();
  auto ds = w.deliveries();
  EXPECT_EQ(topics_of(ds), (std::multiset<std::string>{"syria-iran", "wheat"}));
  once();
  EXPECT_EQ(w.deliveries().size(), 2u);
}

TEST_F(LoopTest, BotChallengeInsteadOfTheArticleIsAnErrorNotAnArticle) {
  World w;
  write_file(cfg_, w.config(db_, true));
  w.set_challenge(true);
  once();
  EXPECT_TRUE(w.deliveries().empty()) << "a challenge page is never matched or alerted on";
  {
    auto store = storage::Store::open(db_);
    ASSERT_TRUE(store.ok());
    auto arts = store.value()->recent_articles(0, 100);
    ASSERT_TRUE(arts.ok());
    EXPECT_TRUE(arts->empty()) << "nothing of a challenge page is stored";
    auto st = store.value()->source("khabar");
    ASSERT_TRUE(st.ok());
    EXPECT_NE(st->last_error.find("not an article (bot_challenge)"), std::string::npos)
        << st->last_error;
  }
  // The wall is gone and the feed has changed: the entries were left unseen, so they are
  // fetched again, stored and alerted on.
  w.set_challenge(false);
  w.add_item({"tokyo",
              "معرض للكتاب في طوكيو",
              {"افتتح في طوكيو معرض للكتاب يشارك فيه ناشرون من عشرين بلداً، ويستمر أسبوعاً."},
              "Mon, 23 Nov 2026 08:00:00 +0300"});
  once();
  EXPECT_EQ(topics_of(w.deliveries()), (std::multiset<std::string>{"syria-iran", "wheat"}));
  auto store = storage::Store::open(db_);
  ASSERT_TRUE(store.ok());
  auto st = store.value()->source("khabar");
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->last_error, "");
}

// An entry left unseen (here: a bot wall instead of the article) is fetched again on the next
// poll even when the feed has not changed: that poll must not be a conditional GET answered 304,
// or the alert waits until the outlet publishes something else.
TEST_F(LoopTest, ArticlesLeftUnseenAreFetchedAgainWhileTheFeedIsUnchanged) {
  World w;
  write_file(cfg_, w.config(db_, true));
  w.set_challenge(true);
  once();
  EXPECT_TRUE(w.deliveries().empty());
  w.set_challenge(false);  // the wall is gone; the feed is the same (same ETag)
  once();
  EXPECT_EQ(topics_of(w.deliveries()), (std::multiset<std::string>{"syria-iran", "wheat"}))
      << "the entries left unseen were not fetched again";
  // Nothing is left unseen now: the poll after is conditional again and answered 304.
  int before = w.not_modified();
  once();
  EXPECT_EQ(w.not_modified(), before + 1);
  EXPECT_EQ(w.deliveries().size(), 2u);
}

// A poll is recorded in one transaction (storage::Store::record_poll). When the database refuses
// it (here: another connection holds the write lock past the 5 s busy timeout), nothing of the
// poll is written — no article without its alerts, no entry marked seen — so the next poll
// fetches the same entries again and every alert arrives exactly once.
TEST_F(LoopTest, APollTheDatabaseRefusesIsFetchedAgainAndAlertedOnce) {
  World w;
  write_file(cfg_, w.config(db_, true));
  { ASSERT_TRUE(storage::Store::open(db_).ok()); }  // the schema exists before the lock is taken
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(db_.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);
  auto r = run_process({RASID_BINARY, "once", "--config", cfg_});
  sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
  sqlite3_close(db);
  EXPECT_EQ(r.exit_code, 3) << "the only source's poll failed: " << r.err;
  EXPECT_NE(r.err.find("recording the poll"), std::string::npos) << r.err;
  EXPECT_TRUE(w.deliveries().empty());
  {
    auto store = storage::Store::open(db_);
    ASSERT_TRUE(store.ok());
    auto arts = store.value()->recent_articles(0, 100);
    ASSERT_TRUE(arts.ok());
    EXPECT_TRUE(arts->empty()) << "nothing of the refused poll was written";
  }
  once();
  EXPECT_EQ(topics_of(w.deliveries()), (std::multiset<std::string>{"syria-iran", "wheat"}));
  once();
  std::set<std::string> ids;
  for (const auto& d : w.deliveries()) ids.insert(d.id);
  EXPECT_EQ(w.deliveries().size(), 2u);
  EXPECT_EQ(ids.size(), 2u);
}

TEST_F(LoopTest, BrokenFeedIsReportedAndOtherSourcesGoOn) {
  World w;
  HttpServer broken([](const HttpRequest&) {
    return HttpResponse{200, {{"Content-Type", "application/rss+xml"}}, "<rss><channel><item>"};
  });
  std::string cfg = w.config(db_, true);
  cfg += "\n[[source]]\nname = \"broken\"\nfeed = \"" + broken.url("/feed") + "\"\n";
  write_file(cfg_, cfg);
  auto r = once();
  EXPECT_NE(r.err.find("broken"), std::string::npos) << r.err;
  EXPECT_EQ(w.deliveries().size(), 2u);
}

// A feed cut by an XML error is a failed poll — logged with the source and the reason, the
// source failing (so `rasid run` retries it on the error back-off) — that still stores and
// alerts what it read;
// once the feed is whole again the rest arrives, each alert once (found by a fresh try: a broken
// feed showed "ok", and its interval lengthened as if the feed were quiet).
TEST_F(LoopTest, AFeedCutByAnXmlErrorIsAFailedPollThatKeepsWhatItRead) {
  World w;
  write_file(cfg_, w.config(db_, true));
  w.set_broken(true);
  auto r = run_process({RASID_BINARY, "once", "--config", cfg_});
  EXPECT_NE(r.err.find("source=khabar"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("XML error"), std::string::npos) << r.err;
  auto state = [&] {
    auto store = storage::Store::open(db_);
    EXPECT_TRUE(store.ok());
    auto st = store.value()->source("khabar");
    EXPECT_TRUE(st.ok());
    auto arts = store.value()->recent_articles(0, 100);
    EXPECT_TRUE(arts.ok());
    return std::make_pair(st.value(), arts->size());
  };
  auto [st, stored] = state();
  EXPECT_EQ(st.status, "failing");
  EXPECT_NE(st.last_error.find("XML error"), std::string::npos) << st.last_error;
  EXPECT_EQ(st.consecutive_errors, 1);
  EXPECT_EQ(stored, 1u) << "the entry before the error is stored";
  EXPECT_EQ(topics_of(w.deliveries()), (std::multiset<std::string>{"syria-iran"}));

  w.set_broken(false);
  once();
  std::tie(st, stored) = state();
  EXPECT_EQ(st.status, "ok");
  EXPECT_EQ(st.consecutive_errors, 0);
  EXPECT_EQ(stored, fixture_articles().size());
  EXPECT_EQ(topics_of(w.deliveries()), (std::multiset<std::string>{"syria-iran", "wheat"}));
  std::set<std::string> ids;
  for (const auto& d : w.deliveries()) ids.insert(d.id);
  EXPECT_EQ(ids.size(), w.deliveries().size()) << "each alert once";
}

TEST(Check, RefusesBadConfigWithFileLineKey) {
  std::string dir = make_temp_dir();
  write_file(dir + "/bad.toml",
             "[daemon]\ndatabase = \"x.db\"\n\n[[topic]]\nname = \"t\"\nquery = 'سوريا'\n"
             "webhooks = [\"nope\"]\n");
  auto r = run_process({RASID_BINARY, "check", "--config", dir + "/bad.toml"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find(dir + "/bad.toml:"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("nope"), std::string::npos) << r.err;

  write_file(dir + "/q.toml", "[[topic]]\nname = \"t\"\nquery = '(سوريا AND'\n");
  r = run_process({RASID_BINARY, "check", "--config", dir + "/q.toml"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("q.toml:"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("position"), std::string::npos) << r.err;
}

// Without the Arabic word list matching loses precision; check and the daemon say so (found by a
// fresh try: nothing was said) and still work.
// What check accepts, run starts: a PostgreSQL URI is read by check as rasid run reads it, so
// a password written into the TOML (or an unusable passfile) is refused by check, at its line,
// and the password is not repeated in the message.
TEST(Check, RefusesADatabaseUriRunWouldRefuseAndNeverEchoesItsPassword) {
  std::string dir = make_temp_dir();
  write_file(dir + "/pw.toml",
             "[daemon]\ndatabase = \"postgresql://rasid:s3cr3t-pw@db.example/rasid\"\n\n"
             "[[source]]\nname = \"x\"\nfeed = \"https://example.org/feed\"\n");
  auto r = run_process({RASID_BINARY, "check", "--config", dir + "/pw.toml"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find(dir + "/pw.toml:2: daemon.database:"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("password"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("s3cr3t-pw"), std::string::npos) << r.err;
  auto run = run_process({RASID_BINARY, "run", "--config", dir + "/pw.toml"}, {}, 30);
  EXPECT_EQ(run.exit_code, 1) << "run refuses what check refused";
  EXPECT_EQ(run.err.find("s3cr3t-pw"), std::string::npos) << run.err;

  write_file(dir + "/pf.toml",
             "[daemon]\ndatabase = \"postgresql:///rasid?host=/run/postgresql&passfile=" + dir +
                 "/missing.pgpass\"\n");
  r = run_process({RASID_BINARY, "check", "--config", dir + "/pf.toml"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("pf.toml:2: daemon.database:"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("missing.pgpass"), std::string::npos) << r.err;

  // A libpq key=value string is not taken for a SQLite file name (a private database each).
  write_file(dir + "/kv.toml",
             "[daemon]\ndatabase = \"host=/run/postgresql dbname=rasid user=rasid\"\n");
  r = run_process({RASID_BINARY, "check", "--config", dir + "/kv.toml"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("kv.toml:2: daemon.database:"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("key=value"), std::string::npos) << r.err;
}

// libpq reads its integer and enumerated parameters only when it connects: check refused nothing
// of "connect_timeout=abc" or "sslmode=bogus" and run failed later, at connect. Both now refuse it
// at its line, naming the parameter, and never repeat the password (here from the credentials
// directory).
TEST(Check, RefusesALibpqParameterLibpqWouldRefuseAtConnect) {
  std::string dir = make_temp_dir();
  ::mkdir((dir + "/creds").c_str(), 0700);
  write_file(dir + "/creds/rasid-db-password", "s3cr3t-pw\n");
  const std::vector<std::string> env = {"CREDENTIALS_DIRECTORY=" + dir + "/creds"};
  const std::string base = "postgresql://rasid@db.example/rasid?";
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"connect_timeout=abc", "connect_timeout \"abc\""},
      {"port=54x32", "port \"54x32\""},
      {"port=5432,70000", "port \"70000\""},
      {"keepalives_idle=-1", "keepalives_idle \"-1\""},
      {"keepalives=on", "keepalives \"on\""},
      {"tcp_user_timeout=1.5", "tcp_user_timeout \"1.5\""},
      {"sslmode=bogus", "sslmode \"bogus\" is not one of disable"},
      {"gssencmode=x", "gssencmode \"x\""},
      {"channel_binding=x", "channel_binding \"x\""},
      {"target_session_attrs=bogus", "target_session_attrs \"bogus\""}};
  for (const auto& [query, named] : bad) {
    write_file(dir + "/i.toml", "[daemon]\n\ndatabase = \"" + base + query +
                                    "\"\n\n[[source]]\nname = \"x\"\nfeed = "
                                    "\"https://example.org/feed\"\n");
    auto r = run_process({RASID_BINARY, "check", "--config", dir + "/i.toml"}, env);
    EXPECT_EQ(r.exit_code, 1) << query;
    EXPECT_NE(r.err.find(dir + "/i.toml:3: daemon.database:"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(named), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find("s3cr3t-pw"), std::string::npos) << r.err;
  }
  // run refuses the same string before connecting anywhere.
  write_file(dir + "/i.toml", "[daemon]\ndatabase = \"" + base + "connect_timeout=abc\"\n");
  auto run = run_process({RASID_BINARY, "run", "--config", dir + "/i.toml"}, env, 30);
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.err.find("connect_timeout \"abc\""), std::string::npos) << run.err;
  EXPECT_EQ(run.err.find("s3cr3t-pw"), std::string::npos) << run.err;
  // Numbers libpq reads are accepted (check does not connect).
  write_file(dir + "/ok.toml",
             "[daemon]\ndatabase = \"" + base +
                 "connect_timeout=5&port=5432&keepalives=1&keepalives_idle=30&keepalives_count=3"
                 "&keepalives_interval=10&tcp_user_timeout=9000&sslmode=verify-full&"
                 "gssencmode=disable&channel_binding=prefer&target_session_attrs=read-write"
                 "\"\n\n[[source]]\nname = \"x\"\n"
                 "feed = \"https://example.org/feed\"\n");
  auto ok = run_process({RASID_BINARY, "check", "--config", dir + "/ok.toml"}, env);
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
}

TEST(Check, SaysWhenTheWordListIsMissing) {
  ::setenv("RASID_LEXICON", "/nonexistent/ar.dic", 1);
  auto r =
      run_process({RASID_BINARY, "check", "--config", source_path("config/rasid.example.toml")});
  ::unsetenv("RASID_LEXICON");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("no Arabic word list (/nonexistent/ar.dic"), std::string::npos) << r.err;
}

TEST(Check, AcceptsTheExampleConfig) {
  auto r =
      run_process({RASID_BINARY, "check", "--config", source_path("config/rasid.example.toml")});
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

}  // namespace
}  // namespace rasid::testing

namespace rasid::testing {
namespace {
TEST(Check, RefusesInvalidCleanRuleXPath) {
  std::string dir = make_temp_dir();
  write_file(dir + "/x.toml",
             "[[source]]\nname = \"s\"\nfeed = \"https://example.net/feed\"\n"
             "  [source.clean]\n  drop = [\"//div[@class='ok']\", \"//div[\"]\n");
  auto r = run_process({RASID_BINARY, "check", "--config", dir + "/x.toml"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("x.toml:"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("invalid XPath \"//div[\""), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("ok']"), std::string::npos) << "only the bad rule is named: " << r.err;
}
}  // namespace
}  // namespace rasid::testing
