// The rasid command line as a newcomer meets it (issue 12): `check` accepts exactly what `run`
// and `once` start on and names every problem in one pass, usage errors exit 2, options work
// after every subcommand, the configuration comes from --config, $RASID_CONFIG or
// /etc/rasid/rasid.toml, `once` fails when every source failed, and the commands that fetch say
// how to reach a local site. Real binary, real loopback HTTP server, real SQLite.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "storage/store.h"
#include "tests/e2e/fixtures.h"
#include "tests/support/http_server.h"
#include "tests/support/process.h"

namespace rasid::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

ProcessResult rasid(std::vector<std::string> args, const std::vector<std::string>& env = {}) {
  args.insert(args.begin(), RASID_BINARY);
  return run_process(args, env);
}

// A small Arabic news site: /feed.xml lists three items whose feed order, storage order and
// publication dates all differ; /news/<slug> are their pages; everything else is 404.
struct Item {
  std::string slug, title, body, pub_date;  // pub_date "" = none in the feed
};

std::vector<Item> site_items() {
  return {
      {"old", "قرار قديم بشأن القمح في سوريا", "نص الخبر الأقدم عن القمح في سوريا والأسواق.",
       "Thu, 01 Oct 2026 08:00:00 +0000"},
      {"mid", "تقرير متوسط عن القمح في سوريا", "نص الخبر الأوسط عن القمح في سوريا والأسعار.",
       "Sun, 01 Nov 2026 08:00:00 +0000"},
      {"undated", "خبر بلا تاريخ عن القمح في سوريا", "نص الخبر الذي لا تاريخ له عن القمح في سوريا.",
       ""},
  };
}

std::string site_feed(const std::string& base, bool with_bare_item) {
  std::string x =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?><rss version=\"2.0\"><channel>"
      "<title>موقع</title><link>" +
      base + "/</link>";
  for (const auto& i : site_items()) {
    x += "<item><title>" + i.title + "</title><link>" + base + "/news/" + i.slug +
         "</link><guid isPermaLink=\"false\">urn:t:" + i.slug + "</guid>";
    if (!i.pub_date.empty()) x += "<pubDate>" + i.pub_date + "</pubDate>";
    x += "<description>" + i.body + "</description></item>";
  }
  // No link, no text, a one-letter title: nothing worth storing (issue 12, item 7).
  if (with_bare_item)
    x += "<item><title>x</title><guid isPermaLink=\"false\">urn:t:bare</guid></item>";
  return x + "</channel></rss>";
}

std::string site_page(const Item& i) {
  return "<!DOCTYPE html><html lang=\"ar\" dir=\"rtl\"><head><meta charset=\"utf-8\"><title>" +
         i.title + "</title></head><body><article><h1>" + i.title + "</h1><p>" + i.body +
         " وتابع المراسل تفاصيل الخبر في الأسواق المحلية خلال الأسبوع الماضي.</p>"
         "<div class=\"promo\"><p>إعلان ترويجي يجب حذفه من النص بقاعدة المصدر في "
         "الإعدادات.</p></div>"
         "</article></body></html>";
}

// 150 graphemes of Arabic before the word a topic looks for.
std::string long_title() {
  std::string t = "بداية العنوان الطويل";
  while (t.size() < 600) t += " في الأسواق المحلية";
  return t + " والقمح";
}

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<HttpServer>([this](const HttpRequest& r) { return handle(r); });
    dir_ = make_temp_dir();
    cfg_ = dir_ + "/rasid.toml";
  }
  HttpResponse handle(const HttpRequest& r) {
    std::lock_guard<std::mutex> lock(mu_);
    if (r.method == "POST") hooks_.push_back(r);
    const std::string base = server_->url("");
    if (r.path == "/feed.xml")
      return {200, {{"Content-Type", "application/rss+xml"}}, site_feed(base, true)};
    if (r.path == "/hook") return {204};
    if (r.path == "/long.xml")
      return {200,
              {{"Content-Type", "application/rss+xml"}},
              "<?xml version=\"1.0\" encoding=\"UTF-8\"?><rss version=\"2.0\"><channel><title>t"
              "</title><item><title>" +
                  long_title() +
                  "</title><guid isPermaLink=\"false\">urn:long</guid>"
                  "<description>نص قصير عن الخبر الطويل.</description></item>"
                  "</channel></rss>"};
    for (const auto& i : site_items())
      if (r.path == "/news/" + i.slug)
        return {200, {{"Content-Type", "text/html; charset=utf-8"}}, site_page(i)};
    return {404, {}, "not found"};
  }
  std::string daemon_block(bool allow = true) const {
    return "[daemon]\ndatabase = \"" + dir_ + "/rasid.db\"\nstatus_listen = \"\"\n" +
           (allow ? "allow_private = [\"127.0.0.0/8\"]\n" : "");
  }
  std::string source_block(const std::string& name, const std::string& path) const {
    return "\n[[source]]\nname = \"" + name + "\"\nfeed = \"" + server_->url(path) + "\"\n";
  }
  std::vector<HttpRequest> hooks() {
    std::lock_guard<std::mutex> lock(mu_);
    return hooks_;
  }

  std::unique_ptr<HttpServer> server_;
  std::string dir_, cfg_;
  std::mutex mu_;
  std::vector<HttpRequest> hooks_;
};

int count_lines(const std::string& s) {
  int n = 0;
  for (char c : s) n += c == '\n';
  return n;
}

// ---- 1. check = what run builds, every problem at once -----------------------------------------

TEST_F(CliTest, CheckNamesEveryKindOfProblemInOnePass) {
  write_file(cfg_,
             "[daemon]\n"
             "database = \"" +
                 dir_ +
                 "/rasid.db\"\n"
                 "allow_private = [\"intranet.example\"]\n"  // line 3
                 "\n[[source]]\n"                            // line 5
                 "name = \"s\"\nfeed = \"https://example.org/feed\"\n"
                 "  [source.clean]\n  drop = [\"//div[@class='x'\"]\n"
                 "\n[[webhook]]\n"  // line 11
                 "name = \"w\"\nurl = \"ftp://hooks.example.org/x\"\n"
                 "\n[[topic]]\nname = \"t\"\n"
                 "query = 'سوريا AND'\n"  // line 17
                 "webhooks = [\"w\"]\n");
  auto r = rasid({"check", "--config", cfg_});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_THAT(r.err,
              HasSubstr(cfg_ + ":3: daemon.allow_private: \"intranet.example\": a host name"));
  EXPECT_THAT(
      r.err, HasSubstr(":9: source.clean.drop: invalid XPath \"//div[@class='x'\" (source \"s\")"));
  EXPECT_THAT(r.err, HasSubstr(":13: webhook.url: must be an http:// or https:// URL"));
  EXPECT_THAT(r.err, HasSubstr(":17: topic.query:"));
  EXPECT_EQ(count_lines(r.err), 4) << r.err;
  // In file order, so the list reads like the file.
  EXPECT_LT(r.err.find(":3:"), r.err.find(":9:"));
  EXPECT_LT(r.err.find(":13:"), r.err.find(":17:"));
  EXPECT_EQ(r.out, "");

  // run and once refuse the same file with the same report, and never abort.
  auto once = rasid({"once", "--config", cfg_});
  EXPECT_EQ(once.exit_code, 1) << once.err;
  EXPECT_THAT(once.err, HasSubstr("a host name cannot be allowed"));
  EXPECT_THAT(once.err, HasSubstr("topic.query:"));
}

// Every file check accepts, once starts on (and finishes) — the edge cases of issue 12.
TEST_F(CliTest, WhatCheckAcceptsOnceRuns) {
  const std::vector<std::pair<std::string, std::string>> configs = {
      {"no sources at all", daemon_block()},
      {"addresses and networks, v4 and v6",
       "[daemon]\ndatabase = \"" + dir_ +
           "/rasid.db\"\nstatus_listen = \"\"\n"
           "allow_private = [\"127.0.0.1\", \"127.0.0.0/8\", \"::1\", \"fd00::/8\", \"[::1]\"]\n" +
           source_block("a", "/feed.xml")},
      {"clean rules and a page source",
       daemon_block() + source_block("a", "/feed.xml") +
           "  [source.clean]\n  drop = [\"//div[@class='promo']\"]\n  body = \"//article\"\n"
           "\n[[source]]\nname = \"p\"\npage = \"" +
           server_->url("/news/old") + "\"\nlink_selector = \"//article//a\"\n"},
      {"webhook on a port with a path and query, topic with every operator",
       daemon_block() + source_block("a", "/feed.xml") + "\n[[webhook]]\nname = \"w\"\nurl = \"" +
           server_->url("/hook?x=1") +
           "\"\nmin_interval = \"250ms\"\n"
           "\n[[topic]]\nname = \"t\"\nquery = '\"القمح في\" AND (سوريا OR title:خبر*) NOT "
           "source:zz'\nwebhooks = [\"w\"]\n"},
  };
  for (const auto& [what, text] : configs) {
    std::filesystem::remove(dir_ + "/rasid.db");
    write_file(cfg_, text);
    auto c = rasid({"check", "--config", cfg_});
    if (c.exit_code != 0) {
      ADD_FAILURE() << what << ": check refused it:\n" << c.err;
      continue;
    }
    auto o = rasid({"once", "--config", cfg_});
    EXPECT_EQ(o.exit_code, 0) << what << ":\n" << o.err;
    EXPECT_THAT(o.err, Not(HasSubstr("internal error"))) << what;
  }
}

// A row an older deliverer paused after a 410 (before schema 9) keeps the note it wrote then,
// with the time in Unix seconds; `rasid alerts` printed it as written ("next probe at
// 1700000000 (Unix s)"). It now shows the date, text and JSON alike; nothing in the row changes.
TEST_F(CliTest, AlertsShowsAnOldPauseNoteWithADate) {
  write_file(cfg_, daemon_block() + "\n[[webhook]]\nname = \"desk\"\nurl = \"" +
                       server_->url("/hook") + "\"\n");
  const std::string old_note =
      "endpoint disabled: it answered 410 Gone; next probe at 1700000000 (Unix s)";
  {
    auto store = storage::Store::open(dir_ + "/rasid.db");
    ASSERT_TRUE(store.ok()) << store.error();
    storage::NewArticle a;
    a.source = "khabar";
    a.entry_key = "e1";
    a.url = a.canonical = "https://example.net/1";
    a.title = "خبر";
    a.body = "نص";
    ASSERT_TRUE(store.value()->add_article(a, {{"t", ""}}, {{"desk", "t", "msg_1", "{}"}}).ok());
    auto head = store.value()->queue_head("desk");
    ASSERT_TRUE(head.ok() && head->has_value());
    ASSERT_TRUE(store.value()
                    ->defer(head->value().id, 1700000000000LL, storage::Hold::none, old_note)
                    .ok());
  }
  auto text = rasid({"alerts", "--config", cfg_});
  EXPECT_EQ(text.exit_code, 0) << text.err;
  EXPECT_THAT(text.out, HasSubstr("next probe at 2023-11-14T22:13:20Z")) << text.out;
  EXPECT_THAT(text.out, Not(HasSubstr("(Unix s)")));
  auto json = rasid({"alerts", "--json", "--config", cfg_});
  EXPECT_EQ(json.exit_code, 0) << json.err;
  auto j = nlohmann::json::parse(json.out, nullptr, false);
  ASSERT_TRUE(j.is_array() && j.size() == 1u) << json.out;
  EXPECT_EQ(j[0]["last_error"],
            "endpoint disabled: it answered 410 Gone; next probe at 2023-11-14T22:13:20Z");
  // Read-time only: the stored note is as it was.
  auto store = storage::Store::open(dir_ + "/rasid.db");
  ASSERT_TRUE(store.ok());
  EXPECT_EQ(store.value()->queue_head("desk").value()->last_error, old_note);
}

// ---- 2. the address guard names its setting ----------------------------------------------------

TEST_F(CliTest, LoopbackRefusalsSayHowToAllowIt) {
  write_file(cfg_, daemon_block(false) + source_block("local", "/feed.xml"));
  auto o = rasid({"once", "--config", cfg_});
  EXPECT_THAT(o.err, HasSubstr("127.0.0.1 is loopback; add it to [daemon] allow_private"));

  auto c = rasid({"clean", server_->url("/news/old")});
  EXPECT_EQ(c.exit_code, 1);
  EXPECT_THAT(c.err, HasSubstr("add it to [daemon] allow_private"));
  EXPECT_THAT(c.err, HasSubstr("--config"));

  auto d = rasid({"discover", server_->url("/")});
  EXPECT_EQ(d.exit_code, 1);
  EXPECT_THAT(d.err, HasSubstr("allow_private"));
  EXPECT_THAT(d.err, HasSubstr("--config FILE"));
  auto help = rasid({"discover", "--help"});
  EXPECT_THAT(help.out, HasSubstr("allow_private"));

  // With a configuration that allows it, discover finds the feed though "/" is a 404.
  write_file(cfg_, daemon_block());
  auto ok = rasid({"discover", server_->url("/"), "--config", cfg_});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_THAT(ok.out, HasSubstr(server_->url("/feed.xml")));
}

// ---- 3. options after subcommands, $RASID_CONFIG ----------------------------------------------

TEST_F(CliTest, ConfigOptionWorksBeforeAndAfterEverySubcommand) {
  write_file(cfg_, daemon_block() + source_block("a", "/feed.xml") +
                       "\n[[webhook]]\nname = \"desk\"\nurl = \"" + server_->url("/hook") + "\"\n");
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"alerts", "retry", "--config", cfg_},
           {"alerts", "--config", cfg_, "retry"},
           {"alerts", "retry", "--endpoint", "desk", "--config", cfg_},
           {"topics", "test", "--query", "سوريا", "--config", cfg_},
           {"topics", "--config", cfg_, "test", "--query", "سوريا"},
           {"alerts", "test", "desk", "--config", cfg_},
           {"--config", cfg_, "check"},
           {"-c", cfg_, "sources"},
           {"--config", cfg_, "alerts", "retry"}}) {
    auto r = rasid(args);
    std::string line;
    for (const auto& a : args) line += a + " ";
    EXPECT_EQ(r.exit_code, 0) << line << "\n" << r.err;
  }
  EXPECT_EQ(hooks().size(), 1u) << "alerts test sent one signed event";
}

TEST_F(CliTest, ConfigFromTheEnvironmentAndAClearErrorWithoutOne) {
  write_file(cfg_, daemon_block());
  auto r = rasid({"check"}, {"RASID_CONFIG=" + cfg_});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr(cfg_ + ": OK"));
  // --config wins over the environment.
  auto over = rasid({"check", "--config", cfg_}, {"RASID_CONFIG=/nonexistent/rasid.toml"});
  EXPECT_EQ(over.exit_code, 0) << over.err;

  if (std::filesystem::exists("/etc/rasid/rasid.toml"))
    GTEST_SKIP() << "/etc/rasid/rasid.toml exists";
  auto none = rasid({"sources"}, {"RASID_CONFIG="});
  EXPECT_EQ(none.exit_code, 2);
  EXPECT_THAT(none.err, HasSubstr("--config FILE"));
  EXPECT_THAT(none.err, HasSubstr("RASID_CONFIG"));
  EXPECT_THAT(none.err, HasSubstr("/etc/rasid/rasid.toml"));
}

// ---- 4. exit codes ------------------------------------------------------------------------------

TEST_F(CliTest, UsageErrorsExit2AndUnknownCommandsAreNamed) {
  auto bogus = rasid({"bogus"});
  EXPECT_EQ(bogus.exit_code, 2);
  EXPECT_THAT(bogus.err, HasSubstr("unknown command \"bogus\""));
  EXPECT_THAT(bogus.err, HasSubstr("once"));
  EXPECT_THAT(bogus.err, HasSubstr("discover"));
  auto sub = rasid({"topics", "tset"});
  EXPECT_EQ(sub.exit_code, 2);
  EXPECT_THAT(sub.err, HasSubstr("unknown command \"tset\""));
  EXPECT_EQ(rasid({}).exit_code, 2);
  EXPECT_EQ(rasid({"once", "--no-such-option"}).exit_code, 2);
  EXPECT_EQ(rasid({"articles", "--limit", "0", "--config", cfg_}).exit_code, 2);
  EXPECT_EQ(rasid({"--help"}).exit_code, 0);
}

// The man page's synopsis and the README's command table name every command the binary has.
TEST_F(CliTest, ManPageAndReadmeListEveryCommand) {
  auto r = rasid({"no-such-command"});
  const std::string marker = "the commands are: ";
  auto at = r.err.find(marker);
  ASSERT_NE(at, std::string::npos) << r.err;
  std::string list = r.err.substr(at + marker.size());
  list = list.substr(0, list.find(" ("));
  const std::string man = read_file(source_path("systemd/rasid.8"));
  const std::string readme = read_file(source_path("README.md"));
  const std::string synopsis = man.substr(0, man.find(".SH DESCRIPTION"));
  int n = 0;
  for (std::size_t b = 0; b < list.size();) {
    std::size_t e = list.find(", ", b);
    std::string cmd = list.substr(b, e == std::string::npos ? std::string::npos : e - b);
    b = e == std::string::npos ? list.size() : e + 2;
    ++n;
    std::string roff = cmd;  // "import-opml" is written "import\-opml" in roff
    for (std::size_t i = roff.find('-'); i != std::string::npos; i = roff.find('-', i + 2))
      roff.replace(i, 1, "\\-");
    EXPECT_THAT(synopsis, HasSubstr(".B rasid " + roff)) << cmd << " missing from rasid.8";
    EXPECT_THAT(readme, HasSubstr("`rasid " + cmd)) << cmd << " missing from README.md";
  }
  EXPECT_GE(n, 12);
}

TEST_F(CliTest, OnceFailsWhenEverySourceFailed) {
  write_file(cfg_, daemon_block() + source_block("gone", "/missing.xml") +
                       source_block("gone2", "/also-missing.xml"));
  auto all = rasid({"once", "--config", cfg_});
  EXPECT_EQ(all.exit_code, 3) << all.err;
  EXPECT_THAT(all.err, HasSubstr("every source failed (2)"));

  write_file(cfg_, daemon_block() + source_block("gone", "/missing.xml") +
                       source_block("ok", "/feed.xml"));
  auto some = rasid({"once", "--config", cfg_});
  EXPECT_EQ(some.exit_code, 0) << "one source worked\n" << some.err;
}

// ---- 6, 7. articles, search, alerts test, clean
// --------------------------------------------------

TEST_F(CliTest, ArticlesListsAllSearchIsNewestFirstBareItemsAreSkipped) {
  write_file(cfg_, daemon_block() + source_block("khabar", "/feed.xml") +
                       "\n[[topic]]\nname = \"t\"\nquery = 'title:تقرير'\n");
  auto o = rasid({"once", "--config", cfg_});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_THAT(o.err, HasSubstr("source=khabar feed item \"x\" has neither a link nor text"));

  auto all = rasid({"articles", "--config", cfg_, "--json"});
  ASSERT_EQ(all.exit_code, 0) << all.err;
  auto aj = nlohmann::json::parse(all.out);
  EXPECT_EQ(aj.size(), 3u) << "every article, matched or not; the bare item is not stored";
  for (const auto& a : aj) EXPECT_NE(a.value("url", ""), "") << a.dump();
  auto matched = rasid({"articles", "--matched", "--config", cfg_, "--json"});
  ASSERT_EQ(matched.exit_code, 0) << matched.err;
  EXPECT_EQ(nlohmann::json::parse(matched.out).size(), 1u);

  // Stored in reverse feed order (ids: undated < mid < old); newest first means by date.
  auto s = rasid({"search", "القمح", "--config", cfg_, "--json"});
  ASSERT_EQ(s.exit_code, 0) << s.err;
  auto res = nlohmann::json::parse(s.out)["results"];
  ASSERT_EQ(res.size(), 3u) << s.out;
  EXPECT_EQ(res[0]["url"], server_->url("/news/undated")) << "no date: fetched just now";
  EXPECT_EQ(res[1]["url"], server_->url("/news/mid"));
  EXPECT_EQ(res[2]["url"], server_->url("/news/old"));
  auto top = rasid({"search", "القمح", "--limit", "2", "--config", cfg_, "--json"});
  auto tj = nlohmann::json::parse(top.out)["results"];
  ASSERT_EQ(tj.size(), 2u);
  EXPECT_EQ(tj[1]["url"], server_->url("/news/mid"));
}

// A long Arabic title whose matched word is at its end: topics test used to drop its beginning
// (the right-hand side on screen). It keeps the beginning and cuts the logical end, validly.
TEST_F(CliTest, TopicsTestCutsLongTitlesAtTheirLogicalEnd) {
  write_file(cfg_, daemon_block() + source_block("long", "/long.xml"));
  ASSERT_EQ(rasid({"once", "--config", cfg_}).exit_code, 0);
  auto r = rasid({"topics", "test", "--query", "القمح", "--config", cfg_});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("1 stored article matched"));
  EXPECT_THAT(r.out, HasSubstr("  بداية العنوان الطويل في الأسواق")) << r.out;
  EXPECT_THAT(r.out, HasSubstr("…")) << "cut, and marked as cut";
  // The sample's title line (the forms line above it names والقمح: what القمح matched).
  const auto at = r.out.find("  long  ");
  ASSERT_NE(at, std::string::npos) << r.out;
  const std::string title_line = r.out.substr(at, r.out.find('\n', at) - at);
  EXPECT_THAT(title_line, Not(HasSubstr("والقمح"))) << "the end is what goes";
  EXPECT_THAT(r.out, HasSubstr("  القمح: والقمح 1")) << "the form the term matched, counted";
  auto j = rasid({"topics", "test", "--query", "القمح", "--config", cfg_, "--json"});
  auto js = nlohmann::json::parse(j.out);  // throws on invalid UTF-8
  EXPECT_EQ(js["samples"][0]["title"], long_title());
  EXPECT_THAT(js["samples"][0]["title_marked"].get<std::string>(),
              HasSubstr("بداية العنوان الطويل"));
  EXPECT_THAT(js["samples"][0]["title_marked"].get<std::string>(), HasSubstr("«والقمح»"));
}

TEST_F(CliTest, AlertsTestSaysWhereAndWhy) {
  write_file(cfg_, daemon_block(false) + "\n[[webhook]]\nname = \"desk\"\nurl = \"" +
                       server_->url("/hook/secret-token") + "\"\n");
  auto r = rasid({"alerts", "test", "desk", "--config", cfg_});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("host 127.0.0.1 port " + std::to_string(server_->port())));
  EXPECT_THAT(r.err, HasSubstr("127.0.0.1 is loopback; add it to [daemon] allow_private"));
  EXPECT_THAT(r.err, Not(HasSubstr("secret-token"))) << "the URL's path may carry a token";
  EXPECT_TRUE(hooks().empty());
}

TEST_F(CliTest, CleanUsesTheConfigurationAndASourcesRules) {
  write_file(cfg_, daemon_block() + source_block("khabar", "/feed.xml") +
                       "  [source.clean]\n  drop = [\"//div[@class='promo']\"]\n");
  const std::string promo = "إعلان ترويجي";
  auto plain = rasid({"clean", server_->url("/news/old"), "--config", cfg_});
  ASSERT_EQ(plain.exit_code, 0) << plain.err;
  EXPECT_THAT(plain.out, HasSubstr("نص الخبر الأقدم"));
  auto ruled = rasid({"clean", "--config", cfg_, "--source", "khabar", server_->url("/news/old")});
  ASSERT_EQ(ruled.exit_code, 0) << ruled.err;
  EXPECT_THAT(ruled.out, HasSubstr("نص الخبر الأقدم"));
  EXPECT_THAT(ruled.out, Not(HasSubstr(promo)));
  if (plain.out.find(promo) == std::string::npos)
    GTEST_LOG_(INFO) << "the cleaner drops the promo by itself; the rule is still applied";
  auto unknown = rasid({"clean", "--config", cfg_, "--source", "nope", server_->url("/news/old")});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_THAT(unknown.err, HasSubstr("no source named \"nope\""));
}

}  // namespace
}  // namespace rasid::testing
