#include "config/config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "config/toml_guard.h"
#include "config/values.h"
#include "tests/support/http_server.h"

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;

namespace rasid::config {
namespace {

// A valid 32-byte secret.
constexpr const char* kSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw6R8vGZ0SeVg=";

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "rasid-config-XXXXXX").string();
    char* p = mkdtemp(tmpl.data());
    EXPECT_NE(p, nullptr);
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  std::string write(const std::string& name, const std::string& content) const {
    fs::path p = path_ / name;
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << content;
    return p.string();
  }
  std::string path() const { return path_.string(); }

 private:
  fs::path path_;
};

// Sets an environment variable for the scope of a test.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const std::string* value) : name_(name) {
    if (const char* old = getenv(name)) old_ = old;
    if (value)
      setenv(name, value->c_str(), 1);
    else
      unsetenv(name);
  }
  ~ScopedEnv() {
    if (old_)
      setenv(name_, old_->c_str(), 1);
    else
      unsetenv(name_);
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

const char* kMinimal = R"(
[[source]]
name = "a"
feed = "https://example.com/feed"

[[webhook]]
name = "hook"
url = "http://127.0.0.1:9099/hook"

[[topic]]
name = "t"
query = "سوريا"
webhooks = ["hook"]
)";

std::string errors_of(std::string_view text, const std::string& path = "c.toml") {
  auto r = parse(text, path);
  EXPECT_FALSE(r.ok()) << "expected an error for:\n" << text;
  return r.ok() ? std::string() : r.error();
}

int count_lines(const std::string& s) {
  return s.empty() ? 0 : 1 + static_cast<int>(std::count(s.begin(), s.end(), '\n'));
}

TEST(ConfigParse, MinimalConfigGetsDefaults) {
  auto r = parse(kMinimal, "/etc/rasid/rasid.toml");
  ASSERT_TRUE(r.ok()) << r.error();
  const Config& c = r.value();
  EXPECT_EQ(c.path, "/etc/rasid/rasid.toml");
  EXPECT_EQ(c.daemon.database, "var/rasid.db");
  EXPECT_EQ(c.daemon.concurrency, 16);
  EXPECT_EQ(c.daemon.status_listen, "127.0.0.1:8079");
  ASSERT_EQ(c.sources.size(), 1u);
  EXPECT_EQ(c.sources[0].interval, std::chrono::minutes(10));
  EXPECT_EQ(c.sources[0].min_interval, std::chrono::minutes(2));
  EXPECT_EQ(c.sources[0].max_interval, std::chrono::minutes(40)) << "4 × interval, not 6 h";
  EXPECT_FALSE(c.sources[0].alert_on_first_poll);
  EXPECT_EQ(c.sources[0].line, 2);
  ASSERT_EQ(c.topics.size(), 1u);
  EXPECT_EQ(c.topics[0].query, "سوريا");
  EXPECT_EQ(c.topics[0].line, 12);  // the query's line
  ASSERT_NE(c.webhook("hook"), nullptr);
  EXPECT_EQ(c.webhook("hook")->format, WebhookFormat::json);
  EXPECT_TRUE(c.webhook("hook")->secret.empty());
  EXPECT_EQ(c.webhook("hook")->timeout, std::chrono::seconds(15));
  EXPECT_EQ(c.webhook("nope"), nullptr);
  EXPECT_EQ(c.source("a")->feed, "https://example.com/feed");
  EXPECT_EQ(c.source("b"), nullptr);
}

TEST(ConfigParse, ExampleConfigLoads) {
  auto r = load(testing::source_path("config/rasid.example.toml"));
  ASSERT_TRUE(r.ok()) << r.error();
  const Config& c = r.value();
  EXPECT_EQ(c.daemon.database, "var/rasid.db");
  ASSERT_EQ(c.sources.size(), 3u);
  EXPECT_EQ(c.sources[0].feed, "https://www.enabbaladi.net/feed");
  EXPECT_EQ(c.sources[0].interval, std::chrono::minutes(10));
  EXPECT_EQ(c.sources[1].interval, std::chrono::minutes(5));
  EXPECT_EQ(c.sources[1].max_interval, std::chrono::hours(2));
  EXPECT_EQ(c.sources[2].interval, std::chrono::seconds(900));
  EXPECT_EQ(c.sources[2].clean.drop.size(), 2u);
  ASSERT_EQ(c.topics.size(), 2u);
  EXPECT_EQ(c.topics[0].query, "سوريا AND (إيران OR روسيا)");
  EXPECT_EQ(c.topics[0].webhooks, std::vector<std::string>{"local"});
  ASSERT_EQ(c.webhooks.size(), 1u);
  EXPECT_EQ(c.webhooks[0].url, "http://127.0.0.1:9099/hook");
  EXPECT_EQ(c.daemon.allow_private, std::vector<std::string>{"127.0.0.1/8"});
}

TEST(ConfigParse, AllDaemonKeys) {
  auto r = parse(R"([daemon]
database = "/var/lib/rasid/rasid.db"
user_agent = "x/1"
concurrency = 8
per_host_concurrency = 1
per_host_delay_ms = 1500
fetch_timeout_s = 20
connect_timeout_s = 5
max_body_bytes = 1048576
proxy = "socks5h://127.0.0.1:9050"
allow_private = ["10.0.0.0/8", "::1", "10.9.8.7", "fd00::/8"]
status_listen = "[::1]:9000"
log_level = "debug"
)",
                 "d.toml");
  ASSERT_TRUE(r.ok()) << r.error();
  const Daemon& d = r.value().daemon;
  EXPECT_EQ(d.database, "/var/lib/rasid/rasid.db");
  EXPECT_EQ(d.concurrency, 8);
  EXPECT_EQ(d.per_host_concurrency, 1);
  EXPECT_EQ(d.per_host_delay, std::chrono::milliseconds(1500));
  EXPECT_EQ(d.fetch_timeout, std::chrono::seconds(20));
  EXPECT_EQ(d.connect_timeout, std::chrono::seconds(5));
  EXPECT_EQ(d.max_body_bytes, 1048576u);
  EXPECT_EQ(d.proxy, "socks5h://127.0.0.1:9050");
  EXPECT_EQ(d.allow_private.size(), 4u);
  EXPECT_EQ(d.allow_private_line, 11);
  EXPECT_EQ(d.status_listen, "[::1]:9000");
  EXPECT_EQ(d.log_level, "debug");
  // "" disables the status endpoint.
  auto off = parse("[daemon]\nstatus_listen = \"\"\n", "d.toml");
  ASSERT_TRUE(off.ok()) << off.error();
  EXPECT_EQ(off.value().daemon.status_listen, "");
}

TEST(ConfigErrors, UnknownKeyNamesLineAndSuggests) {
  std::string e = errors_of("[daemon]\nconcurency = 4\n");
  EXPECT_EQ(e, "c.toml:2: daemon.concurency: unknown key (did you mean \"concurrency\"?)");
  e = errors_of("[[source]]\nname = \"a\"\nfeed = \"https://x.org/f\"\nintervall = \"5m\"\n");
  EXPECT_EQ(e, "c.toml:4: source.intervall: unknown key (did you mean \"interval\"?)");
  e = errors_of("[[source]]\nname = \"a\"\nfeed = \"https://x.org/f\"\nzzz = 1\n");
  EXPECT_EQ(e, "c.toml:4: source.zzz: unknown key");
  e = errors_of("\n[sources]\n");
  EXPECT_THAT(e, HasSubstr("c.toml:2: sources: unknown key (did you mean \"source\"?)"));
  e = errors_of("[[source]]\nname=\"a\"\nfeed=\"https://x.org/f\"\n[source.clean]\ndorp=[]\n");
  EXPECT_EQ(e, "c.toml:5: source.clean.dorp: unknown key (did you mean \"drop\"?)");
}

TEST(ConfigErrors, WrongTypes) {
  std::string e = errors_of("[daemon]\nconcurrency = \"16\"\nlog_level = 3\n");
  EXPECT_THAT(e, HasSubstr("c.toml:2: daemon.concurrency: must be an integer, not a string"));
  EXPECT_THAT(e, HasSubstr("c.toml:3: daemon.log_level: must be a string, not an integer"));
  e = errors_of("[[source]]\nname = 5\nfeed = \"https://x.org/f\"\nalert_on_first_poll = 1\n");
  EXPECT_THAT(e, HasSubstr("c.toml:2: source.name: must be a string, not an integer"));
  EXPECT_THAT(e, HasSubstr("c.toml:4: source.alert_on_first_poll: must be true or false"));
  e = errors_of("daemon = 3\n");
  EXPECT_THAT(e, HasSubstr("c.toml:1: daemon: must be a table, not an integer"));
  e = errors_of("[source]\nname = \"a\"\n");
  EXPECT_THAT(e, HasSubstr("c.toml:1: source: must be an array of tables, written [[source]]"));
  e = errors_of("[daemon]\nallow_private = [\"10.0.0.0/8\", 7]\n");
  EXPECT_THAT(e, HasSubstr("c.toml:2: daemon.allow_private: must be an array of strings"));
  e = errors_of("[daemon]\nfetch_timeout_s = 2.5\n");
  EXPECT_THAT(e, HasSubstr("daemon.fetch_timeout_s: must be an integer, not a float"));
}

TEST(ConfigErrors, DuplicateNames) {
  std::string e = errors_of(R"([[source]]
name = "a"
feed = "https://x.org/1"
[[source]]
name = "a"
feed = "https://x.org/2"
[[webhook]]
name = "w"
url = "https://h.org/"
[[webhook]]
name = "w"
url = "https://h.org/2"
[[topic]]
name = "t"
query = "x"
[[topic]]
name = "t"
query = "y"
)");
  EXPECT_THAT(e,
              HasSubstr("c.toml:4: source.name: duplicate name \"a\" (first defined at line 1)"));
  EXPECT_THAT(e,
              HasSubstr("c.toml:10: webhook.name: duplicate name \"w\" (first defined at line 7)"));
  // topics carry the line of their query
  EXPECT_THAT(e,
              HasSubstr("c.toml:18: topic.name: duplicate name \"t\" (first defined at line 15)"));
  EXPECT_EQ(count_lines(e), 3);
}

TEST(ConfigErrors, SameFeedUrlTwice) {
  std::string e = errors_of(
      "[[source]]\nname=\"a\"\nfeed=\"https://x.org/f\"\n"
      "[[source]]\nname=\"b\"\nfeed=\"https://x.org/f\"\n");
  EXPECT_EQ(e, "c.toml:4: source.feed: same URL as source \"a\" (line 1)");
}

TEST(ConfigErrors, TopicNamingUnknownWebhook) {
  std::string e = errors_of(R"([[webhook]]
name = "slack"
url = "https://hooks.example/1"
[[topic]]
name = "t"
query = "x"
webhooks = ["slack", "discrod"]
)");
  EXPECT_EQ(e, "c.toml:7: topic.webhooks: names unknown webhook \"discrod\"");  // the key's line
  e = errors_of("[[topic]]\nname = \"t\"\nquery = \"x\"\nwebhooks = [\"a\"]\n");
  EXPECT_THAT(e, HasSubstr("(no [[webhook]] is defined)"));
}

TEST(ConfigErrors, OnlyHttpUrls) {
  std::string e = errors_of(R"toml([[source]]
name = "a"
feed = "ftp://x.org/feed"
[[source]]
name = "b"
page = "file:///etc/passwd"
[[source]]
name = "c"
feed = "https://"
[[webhook]]
name = "w"
url = "javascript:alert(1)"
[[webhook]]
name = "v"
url = "https://user:pw@h.org/"
[[source]]
name = "d"
feed = "https://x.org/a b"
)toml");
  EXPECT_THAT(e, HasSubstr("c.toml:3: source.feed: must be an http:// or https:// URL"));
  EXPECT_THAT(e, HasSubstr("c.toml:6: source.page: must be an http:// or https:// URL"));
  EXPECT_THAT(e, HasSubstr("c.toml:9: source.feed: has no host"));
  EXPECT_THAT(e, HasSubstr("c.toml:12: webhook.url: must be an http:// or https:// URL"));
  EXPECT_THAT(e, HasSubstr("c.toml:15: webhook.url: credentials in the URL are not allowed"));
  EXPECT_THAT(e, HasSubstr("c.toml:18: source.feed: contains spaces or control characters"));
  EXPECT_EQ(count_lines(e), 6);
  auto ok = parse("[[source]]\nname=\"a\"\nfeed=\"http://[::1]:8080/feed?x=1\"\n", "c.toml");
  EXPECT_TRUE(ok.ok()) << ok.error();
}

TEST(ConfigErrors, NumbersInRange) {
  std::string e = errors_of(R"([daemon]
concurrency = 0
per_host_concurrency = 100
per_host_delay_ms = -1
fetch_timeout_s = 99999
connect_timeout_s = 0
max_body_bytes = 10
)");
  EXPECT_THAT(e, HasSubstr("c.toml:2: daemon.concurrency: must be between 1 and 1024, not 0"));
  EXPECT_THAT(e, HasSubstr("c.toml:3: daemon.per_host_concurrency: must be between 1 and 64"));
  EXPECT_THAT(e, HasSubstr("c.toml:4: daemon.per_host_delay_ms: must be between 0 and 600000"));
  EXPECT_THAT(e, HasSubstr("c.toml:5: daemon.fetch_timeout_s: must be between 1 and 3600"));
  EXPECT_THAT(e, HasSubstr("c.toml:6: daemon.connect_timeout_s: must be between 1 and 300"));
  EXPECT_THAT(e, HasSubstr("c.toml:7: daemon.max_body_bytes: must be between 1024 and"));
  e = errors_of("[daemon]\nconcurrency = 4\nper_host_concurrency = 8\n");
  EXPECT_EQ(e, "c.toml:3: daemon.per_host_concurrency: must not exceed daemon.concurrency (4)");
  e = errors_of("[daemon]\nfetch_timeout_s = 5\nconnect_timeout_s = 10\n");
  EXPECT_THAT(e, HasSubstr("c.toml:3: daemon.connect_timeout_s: must not exceed"));
}

// [daemon] lease (issue 15): a duration, 1 s to 1 h, 2 minutes when absent.
TEST(ConfigParse, DaemonLeaseIsABoundedDuration) {
  auto r = parse("[daemon]\nlease = \"45s\"\n", "c.toml");
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_EQ(r.value().daemon.lease, std::chrono::seconds(45));
  auto d = parse("[daemon]\n", "c.toml");
  ASSERT_TRUE(d.ok()) << d.error();
  EXPECT_EQ(d.value().daemon.lease, std::chrono::minutes(2));
  EXPECT_THAT(errors_of("[daemon]\nconcurrency = 4\nlease = \"2d\"\n"),
              HasSubstr("c.toml:3: daemon.lease: must be between 1s and 1h, not 2d"));
  EXPECT_THAT(errors_of("[daemon]\nlease = \"soon\"\n"),
              HasSubstr("c.toml:2: daemon.lease: not a duration: \"soon\""));
  EXPECT_THAT(errors_of("[daemon]\nlease = 0\n"), HasSubstr("c.toml:2: daemon.lease: must be"));
}

// The configuration fingerprint instances compare (issue 15): the same for the same sources,
// topics and webhooks in any order and whatever [daemon] says; different when any of them
// differs.
TEST(ConfigFingerprint, SameForReorderedFilesDifferentForAnyRoute) {
  const std::string a = "[[source]]\nname = \"a\"\nfeed = \"https://x.org/a\"\n";
  const std::string b = "[[source]]\nname = \"b\"\nfeed = \"https://x.org/b\"\n";
  const std::string t = "[[topic]]\nname = \"t\"\nquery = 'سوريا'\nwebhooks = [\"w\"]\n";
  const std::string w = "[[webhook]]\nname = \"w\"\nurl = \"https://hooks.x.org/w\"\n";
  auto fp = [](const std::string& text) {
    auto c = parse(text, "c.toml");
    EXPECT_TRUE(c.ok()) << c.error();
    return c.ok() ? fingerprint(c.value()) : std::string();
  };
  const std::string base = fp(a + b + t + w);
  EXPECT_EQ(base.size(), 16u);
  EXPECT_EQ(fp(w + t + b + a), base);
  EXPECT_EQ(fp("[daemon]\nstatus_listen = \"127.0.0.1:9\"\n" + a + b + t + w), base);
  EXPECT_NE(fp(a + t + w), base);
  EXPECT_NE(fp(a + b + "[[topic]]\nname = \"t\"\nquery = 'إيران'\nwebhooks = [\"w\"]\n" + w), base);
  EXPECT_NE(fp(a + b + t + "[[webhook]]\nname = \"w\"\nurl = \"https://hooks.x.org/v\"\n"), base);
  EXPECT_NE(
      fp(a + "[[source]]\nname = \"b\"\nfeed = \"https://x.org/b\"\ninterval = \"20m\"\n" + t + w),
      base);
}

TEST(ConfigParse, Durations) {
  auto r = parse(R"([[source]]
name = "a"
feed = "https://x.org/f"
interval = "90s"
[[source]]
name = "b"
feed = "https://x.org/g"
interval = "1h30m"
min_interval = 600
max_interval = "1d"
[[source]]
name = "c"
feed = "https://x.org/h"
interval = 45
)",
                 "c.toml");
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_EQ(r.value().sources[0].interval, std::chrono::seconds(90));
  // defaults bend around an explicit short interval
  EXPECT_EQ(r.value().sources[0].min_interval, std::chrono::seconds(90));
  EXPECT_EQ(r.value().sources[1].interval, std::chrono::seconds(5400));
  EXPECT_EQ(r.value().sources[1].min_interval, std::chrono::seconds(600));
  EXPECT_EQ(r.value().sources[1].max_interval, std::chrono::hours(24));
  EXPECT_EQ(r.value().sources[2].interval, std::chrono::seconds(45));

  std::string e = errors_of(R"([[source]]
name = "a"
feed = "https://x.org/f"
interval = "10 minutes"
[[source]]
name = "b"
feed = "https://x.org/g"
interval = "5s"
[[source]]
name = "c"
feed = "https://x.org/h"
interval = "10m"
min_interval = "20m"
[[source]]
name = "d"
feed = "https://x.org/i"
interval = 1.5
)");
  EXPECT_THAT(e, HasSubstr("c.toml:4: source.interval: not a duration: \"10 minutes\""));
  EXPECT_THAT(e, HasSubstr("c.toml:8: source.interval: must be between 30s and 7d, not 5s"));
  EXPECT_THAT(e, HasSubstr("c.toml:13: source.min_interval: min_interval (20m) exceeds interval"));
  EXPECT_THAT(e, HasSubstr("c.toml:17: source.interval: must be seconds (integer) or a duration"));
  EXPECT_EQ(count_lines(e), 4);
}

TEST(ConfigValues, DurationSyntax) {
  EXPECT_EQ(parse_duration("90s"), 90);
  EXPECT_EQ(parse_duration("10m"), 600);
  EXPECT_EQ(parse_duration("2h"), 7200);
  EXPECT_EQ(parse_duration("1d2h3m4s"), 86400 + 7200 + 180 + 4);
  EXPECT_EQ(parse_duration(""), std::nullopt);
  EXPECT_EQ(parse_duration("10"), std::nullopt);
  EXPECT_EQ(parse_duration("m"), std::nullopt);
  EXPECT_EQ(parse_duration("30m1h"), std::nullopt);
  EXPECT_EQ(parse_duration("1h1h"), std::nullopt);
  EXPECT_EQ(parse_duration("-5m"), std::nullopt);
  EXPECT_EQ(parse_duration("99999999999999999999s"), std::nullopt);
  EXPECT_EQ(format_duration(std::chrono::seconds(5400)), "1h30m");
  EXPECT_EQ(format_duration(std::chrono::seconds(0)), "0s");
  EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);
  EXPECT_EQ(edit_distance("dorp", "drop"), 1u);
}

TEST(ConfigErrors, FeedPageExclusive) {
  std::string e = errors_of(R"([[source]]
name = "a"
feed = "https://x.org/f"
page = "https://x.org/news"
[[source]]
name = "b"
[[source]]
name = "c"
feed = "https://x.org/g"
link_selector = "//a"
)");
  EXPECT_THAT(e, HasSubstr("c.toml:4: source.page: a source has either feed or page, not both"));
  EXPECT_THAT(e, HasSubstr("c.toml:5: source.feed: missing (a source needs feed"));
  EXPECT_THAT(e, HasSubstr("c.toml:10: source.link_selector: only applies to page sources"));
  auto r = parse("[[source]]\nname=\"p\"\npage=\"https://x.org/news\"\nlink_selector=\"//h2/a\"\n",
                 "c.toml");
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_EQ(r.value().sources[0].page, "https://x.org/news");
  EXPECT_EQ(r.value().sources[0].link_selector, "//h2/a");
}

TEST(ConfigErrors, MissingRequiredKeysPointAtTheirTable) {
  std::string e = errors_of(
      "# comment\n\n[[source]]\nfeed = \"https://x.org/f\"\n\n[[topic]]\n"
      "name = \"t\"\n\n[[webhook]]\nformat = \"slack\"\n");
  EXPECT_THAT(e, HasSubstr("c.toml:3: source.name: missing"));
  EXPECT_THAT(e, HasSubstr("c.toml:6: topic.query: missing"));
  EXPECT_THAT(e, HasSubstr("c.toml:9: webhook.name: missing"));
  EXPECT_THAT(e, HasSubstr("c.toml:9: webhook.url: missing"));
  EXPECT_EQ(count_lines(e), 4);
}

// The fetcher's address guard judges addresses, never names: a host name in allow_private was
// accepted here and then aborted `rasid run` (issue 12). It is refused with the remedy.
TEST(ConfigErrors, AllowPrivateRefusesHostNamesWithTheRemedy) {
  std::string e = errors_of("[daemon]\nallow_private = [\"intranet.example\", \"127.0.0.0/8\"]\n");
  EXPECT_THAT(e, HasSubstr("c.toml:2: daemon.allow_private: \"intranet.example\": a host name "
                           "cannot be allowed"));
  EXPECT_THAT(e, HasSubstr("list its address or network instead"));
  EXPECT_EQ(count_lines(e), 1) << e;
}

// load_all() keeps what it could read next to every problem, so that daemon/ can add the
// query and XPath checks to the same report.
TEST(ConfigErrors, ParseAllKeepsThePartialConfigAndEveryError) {
  auto l = parse_all(R"([daemon]
allow_private = ["intranet.example"]
[[topic]]
name = "t"
query = "سوريا AND"
webhooks = ["nope"]
)",
                     "p.toml");
  EXPECT_TRUE(l.parsed);
  ASSERT_EQ(l.errors.size(), 2u);
  EXPECT_THAT(l.errors[0], HasSubstr("p.toml:2: daemon.allow_private"));
  EXPECT_THAT(l.errors[1], HasSubstr("p.toml:6: topic.webhooks"));
  ASSERT_EQ(l.config.topics.size(), 1u);
  EXPECT_EQ(l.config.topics[0].query, "سوريا AND");
  auto bad = parse_all("a = [", "q.toml");
  EXPECT_FALSE(bad.parsed);
  ASSERT_EQ(bad.errors.size(), 1u);
  EXPECT_THAT(bad.errors[0], HasSubstr("q.toml:1: TOML syntax"));
}

TEST(ConfigErrors, EveryProblemReportedOnePerLine) {
  std::string e = errors_of(R"([daemon]
concurrency = -3
log_level = "loud"
status_listen = "8079"
allow_private = ["10.0.0.0/33", "not a host"]
proxy = "ftp://p"
[[source]]
name = ""
feed = "gopher://x"
[[webhook]]
name = "w"
url = "https://h.org/"
format = "xml"
[[topic]]
name = "t"
query = "  "
webhooks = ["nope"]
)",
                            "/etc/rasid/rasid.toml");
  std::istringstream lines(e);
  std::string l;
  int n = 0;
  while (std::getline(lines, l)) {
    ++n;
    EXPECT_THAT(l, ::testing::StartsWith("/etc/rasid/rasid.toml:")) << l;
  }
  EXPECT_EQ(n, 11) << e;
  EXPECT_THAT(e, HasSubstr(":3: daemon.log_level: must be one of debug, info, notice, warning"));
  EXPECT_THAT(e, HasSubstr(":4: daemon.status_listen: must be \"host:port\""));
  EXPECT_THAT(e, HasSubstr(":5: daemon.allow_private: \"10.0.0.0/33\": prefix length"));
  EXPECT_THAT(e, HasSubstr(":5: daemon.allow_private: \"not a host\": not a CIDR"));
  EXPECT_THAT(e, HasSubstr(":6: daemon.proxy: must be a proxy URL"));
  EXPECT_THAT(e, HasSubstr(":8: source.name: must not be empty"));
  EXPECT_THAT(e, HasSubstr(":13: webhook.format: must be one of json, slack, discord, telegram"));
  EXPECT_THAT(e, HasSubstr(":16: topic.query: must not be empty"));
  EXPECT_THAT(e, HasSubstr(":17: topic.webhooks: names unknown webhook \"nope\""));
}

TEST(ConfigErrors, ControlCharactersInStrings) {
  std::string e = errors_of("[daemon]\nuser_agent = \"x\\r\\nX-Evil: 1\"\n");
  EXPECT_EQ(e, "c.toml:2: daemon.user_agent: control characters are not allowed");
}

TEST(ConfigErrors, TelegramNeedsChatId) {
  std::string e = errors_of(
      "[[webhook]]\nname = \"tg\"\nurl = \"https://api.telegram.org/botX/sendMessage\"\n"
      "format = \"telegram\"\n");
  EXPECT_EQ(e, "c.toml:1: webhook.telegram_chat_id: missing (format = \"telegram\" needs it)");
  e = errors_of(
      "[[webhook]]\nname = \"j\"\nurl = \"https://h.org/\"\nformat = \"json\"\n"
      "telegram_chat_id = \"1\"\n");
  EXPECT_THAT(e, HasSubstr("c.toml:5: webhook.telegram_chat_id: only applies to format"));
  auto r = parse(
      "[[webhook]]\nname = \"tg\"\nurl = \"https://api.telegram.org/botX/sendMessage\"\n"
      "format = \"telegram\"\ntelegram_chat_id = \"-100123\"\ntimeout = \"30s\"\n",
      "c.toml");
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_EQ(r.value().webhooks[0].format, WebhookFormat::telegram);
  EXPECT_EQ(r.value().webhooks[0].telegram_chat_id, "-100123");
  EXPECT_EQ(r.value().webhooks[0].timeout, std::chrono::seconds(30));
}

TEST(ConfigSecrets, SecretFileRelativeToConfigAndTrimmed) {
  TempDir dir;
  dir.write("secrets/hook.key", std::string(kSecret) + "\n");
  std::string cfg = dir.write("rasid.toml",
                              "[[webhook]]\nname = \"w\"\nurl = \"https://h.org/\"\n"
                              "secret_file = \"secrets/hook.key\"\n");
  auto r = load(cfg);
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_EQ(r.value().webhooks[0].secret, kSecret);
  EXPECT_EQ(r.value().webhooks[0].secret_origin,
            "file:" + (fs::path(dir.path()) / "secrets/hook.key").string());
}

TEST(ConfigSecrets, BadSecretsAreRefusedWithoutPrintingThem) {
  TempDir dir;
  dir.write("short.key", "whsec_c2VjcmV0dmFsdWU=\n");               // 11 bytes
  dir.write("noprefix.key", "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\n");  // no whsec_
  dir.write("junk.key", "whsec_supersecret!!value-that-leaks\n");
  std::string cfg = dir.write("rasid.toml", R"([[webhook]]
name = "a"
url = "https://h.org/a"
secret_file = "short.key"
[[webhook]]
name = "b"
url = "https://h.org/b"
secret_file = "noprefix.key"
[[webhook]]
name = "c"
url = "https://h.org/c"
secret_file = "junk.key"
[[webhook]]
name = "d"
url = "https://h.org/d"
secret_file = "missing.key"
[[webhook]]
name = "e"
url = "https://h.org/e"
secret_file = "short.key"
secret_credential = "e"
)");
  auto r = load(cfg);
  ASSERT_FALSE(r.ok());
  const std::string& e = r.error();
  EXPECT_THAT(e, HasSubstr(":4: webhook.secret_file: file:"));
  EXPECT_THAT(e, HasSubstr("secret too short"));
  EXPECT_THAT(e, HasSubstr(":8: webhook.secret_file: file:"));
  EXPECT_THAT(e, HasSubstr("a secret must look like whsec_<base64>"));
  EXPECT_THAT(e, HasSubstr(":12: webhook.secret_file:"));
  EXPECT_THAT(e, HasSubstr(":16: webhook.secret_file: cannot read file:"));
  EXPECT_THAT(e, HasSubstr("No such file or directory"));
  EXPECT_THAT(e, HasSubstr(":21: webhook.secret_credential: use either secret_file or"));
  EXPECT_THAT(e, Not(HasSubstr("supersecret")));
  EXPECT_THAT(e, Not(HasSubstr("c2VjcmV0dmFsdWU")));
  EXPECT_THAT(e, Not(HasSubstr("MfKQ9r8G")));
}

TEST(ConfigSecrets, CredentialFromCredentialsDirectory) {
  TempDir dir;
  dir.write("creds/hook-secret", std::string(kSecret) + "\r\n");
  std::string creds = dir.path() + "/creds";
  ScopedEnv env("CREDENTIALS_DIRECTORY", &creds);
  const char* text =
      "[[webhook]]\nname = \"w\"\nurl = \"https://h.org/\"\nsecret_credential = \"hook-secret\"\n";
  auto r = parse(text, "c.toml");
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_EQ(r.value().webhooks[0].secret, kSecret);
  EXPECT_EQ(r.value().webhooks[0].secret_origin, "credential:hook-secret");

  std::string e = errors_of(
      "[[webhook]]\nname = \"w\"\nurl = \"https://h.org/\"\nsecret_credential = \"../x\"\n");
  EXPECT_EQ(e, "c.toml:4: webhook.secret_credential: must be a plain credential name (no '/')");
  e = errors_of(
      "[[webhook]]\nname = \"w\"\nurl = \"https://h.org/\"\nsecret_credential = \"absent\"\n");
  EXPECT_THAT(e, HasSubstr("c.toml:4: webhook.secret_credential: cannot read credential:absent"));
}

TEST(ConfigSecrets, CredentialWithoutCredentialsDirectory) {
  ScopedEnv env("CREDENTIALS_DIRECTORY", nullptr);
  std::string e =
      errors_of("[[webhook]]\nname = \"w\"\nurl = \"https://h.org/\"\nsecret_credential = \"k\"\n");
  EXPECT_THAT(e, HasSubstr("c.toml:4: webhook.secret_credential: $CREDENTIALS_DIRECTORY is not "
                           "set (run under systemd with LoadCredential=k:/path"));
}

TEST(ConfigSecrets, SecretSyntax) {
  std::string why;
  EXPECT_TRUE(valid_secret(kSecret, &why)) << why;
  EXPECT_FALSE(valid_secret("whsec_", &why));
  EXPECT_FALSE(valid_secret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw6R8vGZ0SeV", &why));  // len%4
  EXPECT_FALSE(valid_secret("whsec_MfKQ9r8GKYqr TwjUPD8ILPZIo2LaLaSw6R8vGZ0SeVg=", &why));
  EXPECT_EQ(trim_secret("abc\r\n\n"), "abc");
  EXPECT_EQ(trim_secret("abc "), "abc ");  // only line endings are trimmed
}

TEST(ConfigLoad, FileErrors) {
  TempDir dir;
  auto r = load(dir.path() + "/absent.toml");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(), dir.path() + "/absent.toml: cannot read: No such file or directory");
  r = load(dir.path());
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.error(), HasSubstr("is a directory"));
}

TEST(ConfigSyntax, TomlErrorsCarryLines) {
  std::string e = errors_of("[daemon]\nconcurrency = 4\nlog_level = \"info\n");
  EXPECT_THAT(e, ::testing::StartsWith("c.toml:3: TOML syntax: "));
  e = errors_of("[daemon]\nconcurrency = 4\nconcurrency = 5\n");
  EXPECT_THAT(e, ::testing::StartsWith("c.toml:3: TOML syntax: "));
}

// Inputs on which toml++ 3.3.0 asserts or reaches UB (found by fuzzing, see toml_guard.h).
// Each must come back as an error naming the line, never a crash.
TEST(ConfigSyntax, TomlPlusPlusCrashFormsAreErrors) {
  struct Case {
    std::string text;
    int line;
  };
  const Case cases[] = {
      {"a = 1979-05-27 0\n", 1},
      {"x = 1\na = [1979-05-27 0]\n", 2},
      {"a = 1979-05-27 0,\n", 1},
      {"a = 1979-05-27 0 # c\n", 1},
      {"a = 19_79-05-27 0\n", 1},
      {"\nc=1979-05-2' 7\n", 2},
      {"c = 1979-ab-cd 7]\n", 1},
      {"a = 1979-05-27T)7:32:1:00\n", 1},
      {"a = 1979-05-27T\n", 1},
      {"a = 1979-05-27tZ\n", 1},
      {"x = 1\n\n[!]\n", 3},
      {"[[#]]\n", 1},
      {"[ \n", 1},
      {"[[[[[:[[\n", 1},
      {"b = [}\n", 1},
      {"b = [1, }\n", 1},
      {"b = [[[[ }}}}\n", 1},
      {"a = 1 \xc3\xa9\n", 1},                 // é outside a string
      {"a = 2\xef\xbb\x90+03(:00\x10", 1},     // U+FED0 after a value
      {"q = 19'\xd0\x9e\x01;'\n", 1},          // a quote inside a bare value
      {"b = 0797-\"=\"{{=\xef\xb9\xbf\n", 1},  // a quote inside a bare value, then U+FE7F
      {"\xc2\xa1 = 1\n", 1},
      {"d = 1979-05-2A 07\"\"\xcf\xb5\n", 1},  // date-time scan across the space, then U+03F5
      {std::string("\f=\0\x04\0\0\0", 7), 1},  // once looped forever in the guard // ¡ as a key
      {"s = \"\"\"a\\\n  \xef\xbb\x90\"\"\"\n", 1},  // line-ending backslash, then U+FED0
      {"s = \"a\\\xc3\xa9\"\n", 1},                  // backslash + non-ASCII
  };
  for (const auto& c : cases) {
    auto r = parse(c.text, "c.toml");
    ASSERT_FALSE(r.ok()) << c.text;
    EXPECT_THAT(r.error(),
                ::testing::StartsWith("c.toml:" + std::to_string(c.line) + ": TOML syntax: "))
        << c.text;
  }
}

// The guard must not refuse valid TOML that merely looks like the crash forms.
TEST(ConfigSyntax, GuardAcceptsValidLookalikes) {
  const char* valid[] = {
      "a = \"1979-05-27 0 \"\n",
      "a = '[!]'\n# [! in a comment, 1979-05-27 0 ]\n",
      "a = 1979-05-27 07:32:00\nb = 1979-05-27T07:32:00.5+01:00\nc = 1979-05-27\n",
      "a = [\n  [1, 2],\n  [\n    3\n  ],\n  [ +1 ],\n  [ {x = 1} ],\n]\n",
      "[ \"quoted key\" ]\n[ 'lit' . b ]\n[[ arr ]]\n",
      "q = 'سوريا AND (إيران OR روسيا)' # تعليق\n",
      "s = \"\"\"\nline \\\n   next é\"\"\"\n",
      "s = '''\n[!]\n1979-05-27 0 ]\n'''\n",
      "s = \"\"\"x\"\"\"\"\"\n",
      "t = {a = [1, {b = 2}], c = \"}]\"}\n",
      "name=\"سوريا\"\nq=['إيران',\"روسيا\"]\nt={x=\"é\"}\n",
      "\xef\xbb\xbf"
      "a = 1\n",
  };
  for (const char* v : valid) EXPECT_EQ(guard_toml(v), std::nullopt) << v;
}

}  // namespace
}  // namespace rasid::config

namespace rasid::config {
namespace {

TEST(ConfigValues, MillisecondDurations) {
  EXPECT_EQ(parse_duration_ms("250ms"), 250);
  EXPECT_EQ(parse_duration_ms("2s"), 2000);
  EXPECT_EQ(parse_duration_ms("1m30s"), 90000);
  EXPECT_EQ(parse_duration_ms("ms"), std::nullopt);
  EXPECT_EQ(parse_duration_ms("1.5s"), std::nullopt);
  EXPECT_EQ(parse_duration_ms("-5ms"), std::nullopt);
  EXPECT_EQ(format_duration_ms(std::chrono::milliseconds(1500)), "1500ms");
  EXPECT_EQ(format_duration_ms(std::chrono::milliseconds(90000)), "1m30s");
}

TEST(ConfigParse, WebhookDeliveryPolicy) {
  auto r = parse(R"([[webhook]]
name = "a"
url = "https://hooks.example/a"
retry_schedule = ["500ms", "5s", 60, "1h"]
max_attempts = 20
min_interval = "1s"
digest = "10m"

[[webhook]]
name = "b"
url = "https://hooks.example/b"
)",
                 "c.toml");
  ASSERT_TRUE(r.ok()) << r.error();
  const auto& a = r.value().webhooks[0];
  using std::chrono::milliseconds;
  EXPECT_EQ(a.retry_schedule,
            (std::vector<milliseconds>{milliseconds(500), milliseconds(5000), milliseconds(60000),
                                       milliseconds(3600000)}));
  EXPECT_EQ(a.max_attempts, 20);
  EXPECT_EQ(a.min_interval, milliseconds(1000));
  EXPECT_EQ(a.digest, milliseconds(600000));
  const auto& b = r.value().webhooks[1];
  EXPECT_TRUE(b.retry_schedule.empty());
  EXPECT_EQ(b.max_attempts, 0) << "0 = the alert module's default";
  EXPECT_EQ(b.min_interval, milliseconds(0));
  EXPECT_EQ(b.digest, milliseconds(0));
}

TEST(ConfigErrors, WebhookDeliveryPolicy) {
  std::string e = errors_of(R"([[webhook]]
name = "a"
url = "https://hooks.example/a"
retry_schedule = ["5s", "soon", 2.5, "10ms"]
max_attempts = 0
min_interval = "2h"
digest = "forever"

[[webhook]]
name = "b"
url = "https://hooks.example/b"
retry_schedule = []
[[webhook]]
name = "c"
url = "https://hooks.example/c"
retry_schedule = "5s"
)");
  EXPECT_THAT(e, HasSubstr("c.toml:4: webhook.retry_schedule: not a duration: \"soon\""));
  EXPECT_THAT(e, HasSubstr("c.toml:4: webhook.retry_schedule: must be seconds (integer) or a "
                           "duration string like \"30s\", not a float"));
  EXPECT_THAT(e, HasSubstr("c.toml:4: webhook.retry_schedule: must be between 100ms and 7d, "
                           "not 10ms"));
  EXPECT_THAT(e, HasSubstr("c.toml:5: webhook.max_attempts: must be between 1 and 100, not 0"));
  EXPECT_THAT(e, HasSubstr("c.toml:6: webhook.min_interval: must be between 0s and 1h, not 2h"));
  EXPECT_THAT(e, HasSubstr("c.toml:7: webhook.digest: not a duration: \"forever\""));
  EXPECT_THAT(e, HasSubstr("c.toml:12: webhook.retry_schedule: must not be empty"));
  EXPECT_THAT(e, HasSubstr("c.toml:16: webhook.retry_schedule: must be an array of durations, "
                           "not a string"));
}

TEST(ConfigParse, FastPollingLowersTheIntervalFloor) {
  const std::string src =
      "[[source]]\nname = \"own\"\nfeed = \"http://127.0.0.1:1/f\"\ninterval = \"1s\"\n"
      "min_interval = \"1s\"\nmax_interval = \"2s\"\n";
  std::string e = errors_of(src);
  EXPECT_THAT(e, HasSubstr("c.toml:4: source.interval: must be between 30s and 7d, not 1s"));
  EXPECT_THAT(e, HasSubstr("c.toml:5: source.min_interval: must be between 10s and 30d, not 1s"));
  auto r = parse("[daemon]\nfast_polling = true\n\n" + src, "c.toml");
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_TRUE(r.value().daemon.fast_polling);
  EXPECT_EQ(r.value().sources[0].interval, std::chrono::seconds(1));
  EXPECT_EQ(r.value().sources[0].min_interval, std::chrono::seconds(1));
  EXPECT_EQ(r.value().sources[0].max_interval, std::chrono::seconds(2));
  // Still bounded below by 1s and still checked against each other.
  e = errors_of(
      "[daemon]\nfast_polling = true\n[[source]]\nname = \"own\"\n"
      "feed = \"http://127.0.0.1:1/f\"\ninterval = 0\n");
  EXPECT_THAT(e, HasSubstr("source.interval: must be between 1s and 7d, not 0s"));
}

// Retention (issue 15): [daemon] keep is a duration of at least a day; absent keeps everything.
TEST(ConfigParse, KeepIsADurationOfAtLeastADay) {
  auto none = parse("[daemon]\ndatabase = \"x.db\"\n", "c.toml");
  ASSERT_TRUE(none.ok()) << none.error();
  EXPECT_EQ(none.value().daemon.keep, std::chrono::seconds(0));
  auto r = parse("[daemon]\nkeep = \"180d\"\n", "c.toml");
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_EQ(r.value().daemon.keep, std::chrono::hours(24 * 180));
  EXPECT_THAT(errors_of("[daemon]\nlog_level = \"info\"\nkeep = \"2h\"\n"),
              HasSubstr("c.toml:3: daemon.keep: must be between 1d and"));
  EXPECT_THAT(errors_of("[daemon]\nkeep = \"forever\"\n"),
              HasSubstr("c.toml:2: daemon.keep: not a duration: \"forever\""));
  EXPECT_THAT(errors_of("[daemon]\nkeep = true\n"), HasSubstr("c.toml:2: daemon.keep: "));
}

// What check accepts, run starts: a directory named as the database is refused here, not by
// SQLite after the start.
TEST(ConfigErrors, DatabaseThatIsADirectoryIsRefused) {
  const std::string dir = std::filesystem::temp_directory_path().string();
  std::string e = errors_of("[daemon]\ndatabase = \"" + dir + "\"\n");
  EXPECT_THAT(e, HasSubstr("c.toml:2: daemon.database: \"" + dir + "\" is a directory"));
}

}  // namespace
}  // namespace rasid::config

namespace rasid::config {
namespace {
TEST(ConfigParse, StoryUpdatesIsPerWebhookAndOffByDefault) {
  auto r = parse(R"([[webhook]]
name = "a"
url = "https://hooks.example/a"
story_updates = true

[[webhook]]
name = "b"
url = "https://hooks.example/b"
)",
                 "c.toml");
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_TRUE(r.value().webhooks[0].story_updates);
  EXPECT_FALSE(r.value().webhooks[1].story_updates) << "off unless asked for";
}

TEST(ConfigErrors, StoryUpdatesMustBeABoolean) {
  std::string e = errors_of(R"([[webhook]]
name = "a"
url = "https://hooks.example/a"
story_updates = "yes"
[[webhook]]
name = "b"
url = "https://hooks.example/b"
story_update = true
)");
  EXPECT_THAT(e, HasSubstr("c.toml:4: webhook.story_updates: must be true or false, not a string"));
  EXPECT_THAT(e, HasSubstr("c.toml:8: webhook.story_update:")) << "a typo is an error";
}

// The secret check and the signer decode with one base64 (text::decode_base64, OpenSSL's). The
// signer had its own decoder, which took unpadded secrets the check refused.
TEST(ConfigValues, SecretIsCheckedWithTheSignersDecoder) {
  std::string why;
  EXPECT_TRUE(valid_secret("whsec_MfKQ9r8GKYqrTwjUPD8ILA==", &why)) << why;  // 16 bytes
  EXPECT_FALSE(valid_secret("whsec_MfKQ9r8GKYqrTwjUPD8I", &why));
  EXPECT_THAT(why, HasSubstr("secret too short"));
  EXPECT_FALSE(valid_secret("whsec_MfKQ9r8G=YqrTwjUPD8ILA==", &why));
  EXPECT_THAT(why, HasSubstr("whsec_<base64>"));
}

// An internationalized host is a valid source: its URL is checked in punycode (url::request_form).
TEST(ConfigErrors, InternationalizedHostIsAccepted) {
  auto ok = parse("[[source]]\nname=\"a\"\nfeed=\"https://مثال.إختبار/feed\"\n", "c.toml");
  EXPECT_TRUE(ok.ok()) << ok.error();
  auto bad = parse("[[source]]\nname=\"a\"\nfeed=\"https://\u0301x.example/feed\"\n", "c.toml");
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.error(), HasSubstr("host is not a valid domain name"));
}

}  // namespace
}  // namespace rasid::config
