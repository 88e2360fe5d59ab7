// The status endpoint of a real `rasid run` over loopback: a news site (one good feed whose
// article carries a hostile <script> title, one feed that answers 500) served by a real HTTP
// server, a real SQLite file, real HTTP requests to /healthz, /metrics, /api/*, and the page.

#include "daemon/status.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <regex>
#include <string>
#include <thread>

#include "config/config.h"
#include "daemon/metrics.h"
#include "daemon/runtime.h"
#include "tests/e2e/fixtures.h"
#include "tests/support/http_server.h"
#include "tests/support/process.h"
#include "tests/support/write_lock.h"
#include "text/text.h"

namespace rasid::testing {
namespace {

using namespace std::chrono_literals;

// ---- pieces without a network ------------------------------------------------------------------

TEST(StatusPieces, HtmlEscapeCoversTextAndAttributes) {
  EXPECT_EQ(text::escape_html("<script>alert(1)</script>"),
            "&lt;script&gt;alert(1)&lt;/script&gt;");
  EXPECT_EQ(text::escape_html("a\"b'c&d"), "a&quot;b&#39;c&amp;d");
  EXPECT_EQ(text::escape_html(std::string("x\x01y\x1bz", 5)), "x y z");
  EXPECT_EQ(text::escape_html("سوريا\nإيران"), "سوريا\nإيران");
}

TEST(StatusPieces, SinceAcceptsDurationsDatesAndRefusesJunk) {
  const storage::Millis now = 1'700'000'000'000;
  EXPECT_EQ(daemon::parse_since("", now, 1000).value(), now - 1000);
  EXPECT_EQ(daemon::parse_since("24h", now, 0).value(), now - 24 * 3600 * 1000LL);
  EXPECT_EQ(daemon::parse_since("7d", now, 0).value(), now - 7 * 86400 * 1000LL);
  EXPECT_EQ(daemon::parse_since("30m", now, 0).value(), now - 30 * 60 * 1000LL);
  EXPECT_EQ(daemon::parse_since("2w", now, 0).value(), now - 14 * 86400 * 1000LL);
  // The config file's duration syntax, parsed by config::parse_duration: the status server's
  // own parser refused compound durations the config file accepts.
  EXPECT_EQ(daemon::parse_since("1h30m", now, 0).value(), now - 5400 * 1000LL);
  EXPECT_EQ(daemon::parse_since("2024-05-01", now, 0).value(), 1714521600000LL);
  EXPECT_EQ(daemon::parse_since("2024-05-01T10:00:00Z", now, 0).value(), 1714557600000LL);
  EXPECT_EQ(daemon::parse_since("2024-05-01T10:00Z", now, 0).value(), 1714557600000LL);
  EXPECT_EQ(daemon::parse_since("1714521600", now, 0).value(), 1714521600000LL);
  for (const char* bad : {"yesterday", "24x", "2024-13-01", "2024-05-01T25:00Z", "h", "-5d",
                          "2024-05-01Tjunk", "99999999999999999d"})
    EXPECT_FALSE(daemon::parse_since(bad, now, 0).has_value()) << bad;
}

TEST(StatusPieces, WordsBecomeAQuotedFtsQuery) {
  EXPECT_EQ(daemon::fts_query_from_words("  سوريا   إيران "), "\"سوريا\" \"إيران\"");
  EXPECT_EQ(daemon::fts_query_from_words("a\"b OR NEAR("), "\"a\"\"b\" \"OR\" \"NEAR(\"");
  EXPECT_EQ(daemon::fts_query_from_words("   "), "");
}

TEST(StatusPieces, PrometheusPiecesAreWellFormed) {
  EXPECT_EQ(daemon::prometheus_label("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
  daemon::Histogram h({0.1, 1});
  h.observe(0.05);
  h.observe(0.5);
  h.observe(5);
  std::string out;
  h.render(out, "x_seconds", "kind=\"feed\"");
  EXPECT_NE(out.find("x_seconds_bucket{kind=\"feed\",le=\"0.1\"} 1\n"), std::string::npos) << out;
  EXPECT_NE(out.find("x_seconds_bucket{kind=\"feed\",le=\"1\"} 2\n"), std::string::npos) << out;
  EXPECT_NE(out.find("x_seconds_bucket{kind=\"feed\",le=\"+Inf\"} 3\n"), std::string::npos);
  EXPECT_NE(out.find("x_seconds_count{kind=\"feed\"} 3\n"), std::string::npos);
  EXPECT_NE(out.find("x_seconds_sum{kind=\"feed\"} 5.55\n"), std::string::npos) << out;

  daemon::PollOutcome o;
  o.ok = true;
  EXPECT_EQ(daemon::poll_result_class(o), "ok");
  o.not_modified = true;
  EXPECT_EQ(daemon::poll_result_class(o), "not_modified");
  o = {};
  o.failure = daemon::PollFailure::http_status;
  o.http_status = 503;
  EXPECT_EQ(daemon::poll_result_class(o), "http_5xx");
  o.http_status = 429;
  EXPECT_EQ(daemon::poll_result_class(o), "rate_limited");
  o.http_status = 404;
  EXPECT_EQ(daemon::poll_result_class(o), "http_4xx");
  o.failure = daemon::PollFailure::parse;
  EXPECT_EQ(daemon::poll_result_class(o), "parse");
  o.failure = daemon::PollFailure::fetch;
  EXPECT_EQ(daemon::poll_result_class(o), "network");
  o.failure = daemon::PollFailure::storage;
  EXPECT_EQ(daemon::poll_result_class(o), "storage");
  // The class comes from the kind, not the words: a message worded otherwise (as people read
  // it) does not move the poll to another class. The old prefix test called this "network".
  o.failure = daemon::PollFailure::parse;
  o.error = "not a feed: root element <html>";
  EXPECT_EQ(daemon::poll_result_class(o), "parse");
  o.failure = daemon::PollFailure::fetch;
  o.error = "HTTP 503 from the proxy";  // a fetch error whose text starts like a status
  EXPECT_EQ(daemon::poll_result_class(o), "network");
  o = {};
  o.dead = true;
  EXPECT_EQ(daemon::poll_result_class(o), "gone");
  EXPECT_GT(daemon::process_rss_bytes(), 1u << 20);
}

// ---- a real daemon
// -------------------------------------------------------------------------------

struct Reply {
  int status = 0;
  std::string head;  // status line + headers, as received
  std::string body;
  std::string header(const std::string& name) const {
    std::regex re("\r\n" + name + ": ([^\r]*)", std::regex::icase);
    std::smatch m;
    return std::regex_search(head, m, re) ? m[1].str() : "";
  }
};

// One request over a fresh connection (Connection: close), raw bytes on a real socket.
Reply request(int port, const std::string& target, const std::string& method = "GET",
              const std::string& extra_headers = "", int timeout_s = 10) {
  Reply r;
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    return r;
  }
  timeval tv{timeout_s, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  std::string req = method + " " + target +
                    " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n" + extra_headers +
                    "\r\n";
  if (::send(fd, req.data(), req.size(), MSG_NOSIGNAL) < 0) {
    ::close(fd);
    return r;
  }
  std::string all;
  char buf[65536];
  ssize_t n;
  while ((n = ::recv(fd, buf, sizeof buf, 0)) > 0) all.append(buf, static_cast<size_t>(n));
  ::close(fd);
  auto end = all.find("\r\n\r\n");
  if (end == std::string::npos) return r;
  r.head = all.substr(0, end);
  r.body = all.substr(end + 4);
  if (r.head.rfind("HTTP/1.1 ", 0) == 0) r.status = std::atoi(r.head.c_str() + 9);
  return r;
}

std::vector<FixtureArticle> status_articles() {
  auto items = fixture_articles();
  // The first article's title is hostile: markup that would run if it were not escaped.
  items[0].title = "<script>document.title='pwned';alert(1)</script> " + items[0].title;
  return items;
}

class Site {
 public:
  Site() : server_([this](const HttpRequest& r) { return handle(r); }), items_(status_articles()) {}

  HttpResponse handle(const HttpRequest& r) {
    std::lock_guard<std::mutex> lock(mu_);
    if (r.path == "/feed.xml")
      return {200,
              {{"Content-Type", "application/rss+xml; charset=utf-8"}},
              rss_feed(items_, server_.url(""))};
    if (r.path == "/broken.xml") return {500, {}, "upstream exploded"};
    if (r.path.rfind("/news/", 0) == 0) {
      for (const auto& a : items_)
        if (r.path.substr(6) == a.slug) return {200, {}, article_page(a, server_.url(""))};
      return {404, {}, "no"};
    }
    if (r.path == "/hook") return {200, {}, "ok"};
    if (r.path == "/down") {
      if (down_ok_) return {200, {}, "ok"};
      return {503, {{"Retry-After", "3600"}}, "down"};
    }
    if (r.path == "/flaky" || r.path == "/brittle") {  // 503 without Retry-After until recovery
      if (down_ok_) return {200, {}, "ok"};
      return {503, {}, "maintenance"};
    }
    return {404, {}, "no"};
  }

  std::string url(const std::string& path) const { return server_.url(path); }

  void accept_down() {
    std::lock_guard<std::mutex> lock(mu_);
    down_ok_ = true;
  }

  std::string config(const std::string& db, const std::string& extra_daemon = "") {
    return "[daemon]\ndatabase = \"" + db +
           "\"\nallow_private = [\"127.0.0.0/8\"]\nstatus_listen = \"127.0.0.1:0\"\n" +
           extra_daemon + "\n[[source]]\nname = \"khabar\"\nfeed = \"" + server_.url("/feed.xml") +
           "\"\nalert_on_first_poll = true\n\n"
           "[[source]]\nname = \"broken-site\"\nfeed = \"" +
           server_.url("/broken.xml") +
           "\"\n\n"
           "[[topic]]\nname = \"syria\"\nquery = 'سوريا AND إيران'\nwebhooks = [\"recv\", "
           "\"down\"]\n\n"
           "[[topic]]\nname = \"wheat\"\nquery = '\"أسعار القمح\"'\n\n"
           "[[webhook]]\nname = \"recv\"\nurl = \"" +
           server_.url("/hook") + "\"\n\n[[webhook]]\nname = \"down\"\nurl = \"" +
           server_.url("/down") + "\"\n";
  }

 private:
  HttpServer server_;
  std::mutex mu_;
  std::vector<FixtureArticle> items_;
  bool down_ok_ = false;
};

// `rasid once` fills the database, then `rasid run` serves it; the port is read from the log.
class Daemon {
 public:
  Daemon(const std::string& config_text, std::vector<std::string> env = {}) {
    dir_ = make_temp_dir();
    cfg_ = dir_ + "/rasid.toml";
    write_file(cfg_, config_text);
    once_ = run_process({RASID_BINARY, "once", "--config", cfg_}, env, 60);
    pid_ =
        spawn_process({RASID_BINARY, "run", "--config", cfg_}, env, dir_ + "/out", dir_ + "/err");
    std::regex re("status: listening on http://127\\.0\\.0\\.1:([0-9]+)/");
    for (int i = 0; i < 200 && port_ == 0; ++i) {
      std::smatch m;
      std::string err = read_file(dir_ + "/err");
      if (std::regex_search(err, m, re))
        port_ = std::stoi(m[1].str());
      else
        std::this_thread::sleep_for(50ms);
    }
  }
  ~Daemon() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      int st = 0;
      ::waitpid(pid_, &st, 0);
    }
  }
  int port() const { return port_; }
  const std::string& config() const { return cfg_; }
  const std::string& dir() const { return dir_; }
  const ProcessResult& once() const { return once_; }
  std::string log() const { return read_file(dir_ + "/err"); }

 private:
  std::string dir_, cfg_;
  ProcessResult once_;
  int pid_ = -1;
  int port_ = 0;
};

bool contains(const std::string& hay, const std::string& needle) {
  return hay.find(needle) != std::string::npos;
}

TEST(StatusServer, ApiMetricsAndPageOverRealHttp) {
  Site site;
  std::string dir = make_temp_dir();
  Daemon d(site.config(dir + "/rasid.db"));
  ASSERT_EQ(d.once().exit_code, 0) << d.once().err;
  ASSERT_GT(d.port(), 0) << d.log();

  // /healthz
  auto h = request(d.port(), "/healthz");
  EXPECT_EQ(h.status, 200) << h.body;
  auto hj = nlohmann::json::parse(h.body);
  EXPECT_EQ(hj["status"], "ok");
  EXPECT_EQ(hj["loop"], true);
  EXPECT_EQ(hj["database"], true);
  EXPECT_EQ(hj["scheduler"], true);
  EXPECT_EQ(h.header("Content-Type"), "application/json; charset=utf-8");

  // /api/sources: configuration order, failing source with its reason.
  auto s = request(d.port(), "/api/sources");
  ASSERT_EQ(s.status, 200);
  auto sj = nlohmann::json::parse(s.body);
  ASSERT_TRUE(sj.is_array());
  ASSERT_EQ(sj.size(), 2u);
  EXPECT_EQ(sj[0]["name"], "khabar");
  EXPECT_EQ(sj[0]["status"], "ok");
  EXPECT_EQ(sj[0]["consecutive_errors"], 0);
  EXPECT_FALSE(sj[0]["last_success"].get<std::string>().empty());
  EXPECT_EQ(sj[1]["name"], "broken-site");
  EXPECT_EQ(sj[1]["status"], "failing");
  EXPECT_EQ(sj[1]["last_error"], "HTTP 500");
  EXPECT_EQ(sj[1]["consecutive_errors"], 1);
  for (const char* k : {"url", "kind", "last_attempt", "next_check", "interval_s"})
    EXPECT_TRUE(sj[0].contains(k)) << k;

  // /api/articles: the topic filter, matches with snippets, "also reported by".
  auto a = request(d.port(), "/api/articles?topic=syria&since=7d");
  ASSERT_EQ(a.status, 200) << a.body;
  auto aj = nlohmann::json::parse(a.body);
  ASSERT_EQ(aj["articles"].size(), 1u) << a.body;
  const auto& art = aj["articles"][0];
  EXPECT_TRUE(contains(art["title"].get<std::string>(), "<script>")) << "stored as text";
  EXPECT_EQ(art["source"], "khabar");
  EXPECT_EQ(art["matches"][0]["topic"], "syria");
  EXPECT_TRUE(contains(art["matches"][0]["snippet"].get<std::string>(), "«سوريا»"));
  // The forms the terms matched, recorded with the match (issue 16): the word as written.
  EXPECT_TRUE(contains(art["matches"][0]["forms"].get<std::string>(), "إيران: وإيران"))
      << art["matches"][0].dump();
  EXPECT_TRUE(art["also_reported_by"].is_array());
  auto all = nlohmann::json::parse(request(d.port(), "/api/articles").body);
  EXPECT_EQ(all["articles"].size(), 3u) << "every stored article without a topic";
  auto wheat = nlohmann::json::parse(request(d.port(), "/api/articles?topic=wheat").body);
  ASSERT_EQ(wheat["articles"].size(), 1u);
  EXPECT_TRUE(contains(wheat["articles"][0]["title"].get<std::string>(), "القمح"));
  // q= (full text, typed words) and since= (future: nothing).
  auto q = nlohmann::json::parse(
      request(d.port(), "/api/articles?q=%D8%A7%D9%84%D9%85%D9%86%D8%AA%D8%AE%D8%A8").body);
  ASSERT_EQ(q["articles"].size(), 1u) << "q=المنتخب";
  EXPECT_TRUE(contains(q["articles"][0]["title"].get<std::string>(), "المنتخب"));
  auto hostile_q = request(d.port(), "/api/articles?q=%22%20OR%20NEAR(");
  EXPECT_EQ(hostile_q.status, 200) << "FTS syntax in q is quoted, not an error";
  auto future = nlohmann::json::parse(request(d.port(), "/api/articles?since=2999-01-01").body);
  EXPECT_EQ(future["articles"].size(), 0u);
  EXPECT_EQ(request(d.port(), "/api/articles?since=yesterday").status, 400);
  EXPECT_EQ(request(d.port(), "/api/articles?limit=0").status, 400);

  // /api/topics
  auto t = nlohmann::json::parse(request(d.port(), "/api/topics").body);
  ASSERT_EQ(t.size(), 2u);
  EXPECT_EQ(t[0]["name"], "syria");
  EXPECT_EQ(t[0]["matches_total"], 1);
  EXPECT_EQ(t[0]["webhooks"], nlohmann::json::array({"recv", "down"}));

  // The page: RTL, failing source first, hostile title escaped, matched terms marked.
  auto p = request(d.port(), "/");
  ASSERT_EQ(p.status, 200);
  EXPECT_EQ(p.header("Content-Type"), "text/html; charset=utf-8");
  EXPECT_TRUE(contains(p.header("Content-Security-Policy"), "default-src 'none'"));
  EXPECT_TRUE(contains(p.body, "<html dir=\"rtl\" lang=\"ar\">"));
  EXPECT_TRUE(
      contains(p.body, "&lt;script&gt;document.title=&#39;pwned&#39;;alert(1)&lt;/script&gt;"));
  EXPECT_FALSE(contains(p.body, "<script")) << "no script element at all";
  EXPECT_TRUE(contains(p.body, "<mark>سوريا</mark>")) << p.body;
  EXPECT_TRUE(contains(p.body, "<mark>وإيران</mark>")) << "the matched word as written";
  EXPECT_TRUE(contains(p.body, "<p class=\"forms muted\">طابق: <bdi>syria</bdi> — <bdi>"))
      << "each card says what the topic's terms matched";
  EXPECT_TRUE(contains(p.body, "إيران: وإيران")) << p.body;
  auto failing = p.body.find("data-source=\"broken-site\"");
  auto ok = p.body.find("data-source=\"khabar\"");
  ASSERT_NE(failing, std::string::npos);
  ASSERT_NE(ok, std::string::npos);
  EXPECT_LT(failing, ok) << "failing sources first";
  EXPECT_TRUE(contains(p.body, "HTTP 500"));
  EXPECT_TRUE(contains(p.body, "data-endpoint=\"down\"")) << "pending alerts of the 503 endpoint";
  EXPECT_TRUE(contains(p.body, "المصادر"));
  auto en = request(d.port(), "/?lang=en");
  EXPECT_TRUE(contains(en.body, "<html dir=\"ltr\" lang=\"en\">"));
  EXPECT_TRUE(contains(en.body, "Sources"));
  auto topic_page = request(d.port(), "/?topic=wheat");
  EXPECT_TRUE(contains(topic_page.body, "<mark>أسعار القمح</mark>")) << topic_page.body;
  auto from = topic_page.body.find("id=\"articles\""), to = topic_page.body.find("id=\"alerts\"");
  ASSERT_LT(from, to);
  EXPECT_FALSE(contains(topic_page.body.substr(from, to - from), "pwned"))
      << "the article list is filtered to the wheat topic";

  // Methods, unknown paths, HEAD.
  auto post = request(d.port(), "/api/sources", "POST", "Content-Length: 0\r\n");
  EXPECT_EQ(post.status, 405);
  EXPECT_EQ(post.header("Allow"), "GET, HEAD");
  EXPECT_EQ(request(d.port(), "/nope").status, 404);
  auto head = request(d.port(), "/api/sources", "HEAD");
  EXPECT_EQ(head.status, 200);
  EXPECT_TRUE(head.body.empty());
  EXPECT_EQ(std::stoul(head.header("Content-Length")), s.body.size());
  auto big = request(d.port(), "/", "GET", "X-Big: " + std::string(20000, 'a') + "\r\n");
  EXPECT_EQ(big.status, 431) << "request heads are bounded";

  // /metrics: names always present; counters once `run` has polled both sources (the start is
  // spread over up to 30 s).
  std::string m;
  auto deadline = std::chrono::steady_clock::now() + 45s;
  while (std::chrono::steady_clock::now() < deadline) {
    m = request(d.port(), "/metrics").body;
    if (contains(m, "source=\"broken-site\",result=\"http_5xx\"") &&
        contains(m, "source=\"khabar\",result="))
      break;
    std::this_thread::sleep_for(250ms);
  }
  for (const char* name :
       {"# TYPE rasid_polls_total counter", "# TYPE rasid_fetch_duration_seconds histogram",
        "# TYPE rasid_fetch_bytes_total counter", "# TYPE rasid_articles_stored_total counter",
        "# TYPE rasid_duplicates_total counter", "# TYPE rasid_matches_total counter",
        "# TYPE rasid_outbox_alerts gauge", "# TYPE rasid_alert_delivery_seconds histogram",
        "# TYPE rasid_sources gauge", "# TYPE rasid_source_consecutive_errors gauge",
        "# TYPE rasid_loop_lag_seconds gauge", "# TYPE process_resident_memory_bytes gauge"})
    EXPECT_TRUE(contains(m, name)) << name << "\n" << m;
  EXPECT_TRUE(contains(m, "rasid_polls_total{source=\"broken-site\",result=\"http_5xx\"} 1\n"))
      << m;
  EXPECT_TRUE(contains(m, "rasid_fetch_duration_seconds_bucket{kind=\"feed\",le=\"+Inf\"}")) << m;
  EXPECT_TRUE(contains(m, "rasid_matches_total{topic=\"syria\"} 0\n")) << "listed before any";
  EXPECT_TRUE(contains(m, "rasid_outbox_alerts{endpoint=\"down\",state=\"pending\"} 1\n")) << m;
  EXPECT_TRUE(contains(m, "rasid_outbox_alerts{endpoint=\"recv\",state=\"delivered\"} 1\n")) << m;
  EXPECT_TRUE(contains(m, "rasid_sources{state=\"failing\"} 1\n")) << m;
  EXPECT_TRUE(std::regex_search(m, std::regex("\nprocess_resident_memory_bytes [1-9][0-9]{5,}\n")))
      << m;
  // Every sample line is NAME{labels} VALUE or NAME VALUE.
  std::regex line_re(R"(^(# (HELP|TYPE) .*|[a-z_]+(\{[^}]*\})? [-+0-9.eInf]+)$)");
  size_t start = 0;
  while (start < m.size()) {
    auto nl = m.find('\n', start);
    std::string line = m.substr(start, nl - start);
    EXPECT_TRUE(std::regex_match(line, line_re)) << line;
    start = nl == std::string::npos ? m.size() : nl + 1;
  }

  // Delivery latency (queued → delivered): the endpoint comes back, the operator retries, the
  // running daemon delivers within its 5 s outbox look and the histogram counts it.
  site.accept_down();
  auto retry =
      run_process({RASID_BINARY, "alerts", "--config", d.config(), "retry", "--endpoint", "down"});
  ASSERT_EQ(retry.exit_code, 0) << retry.err;
  deadline = std::chrono::steady_clock::now() + 20s;
  while (std::chrono::steady_clock::now() < deadline) {
    m = request(d.port(), "/metrics").body;
    if (contains(m, "rasid_alert_delivery_seconds_count{endpoint=\"down\"} 1\n")) break;
    std::this_thread::sleep_for(250ms);
  }
  EXPECT_TRUE(contains(m, "rasid_alert_delivery_seconds_count{endpoint=\"down\"} 1\n")) << m;
  EXPECT_TRUE(
      contains(m, "rasid_alert_delivery_seconds_bucket{endpoint=\"down\",le=\"+Inf\"} 1\n"));
  EXPECT_TRUE(contains(m, "rasid_outbox_alerts{endpoint=\"down\",state=\"pending\"} 0\n")) << m;

  // The CLI reads the same view.
  auto cli =
      run_process({RASID_BINARY, "articles", "--config", d.config(), "--topic", "syria", "--json"});
  ASSERT_EQ(cli.exit_code, 0) << cli.err;
  auto cj = nlohmann::json::parse(cli.out);
  ASSERT_EQ(cj.size(), 1u);
  EXPECT_EQ(cj[0]["matches"][0]["topic"], "syria");
  auto text = run_process({RASID_BINARY, "articles", "--config", d.config(), "--topic", "wheat"});
  EXPECT_EQ(text.exit_code, 0) << text.err;
  EXPECT_TRUE(contains(text.out, "[wheat]")) << text.out;
  EXPECT_TRUE(contains(text.out, "«أسعار القمح»")) << text.out;
  auto bad = run_process({RASID_BINARY, "articles", "--config", d.config(), "--since", "soon"});
  EXPECT_EQ(bad.exit_code, 1);
}

TEST(StatusServer, BearerTokenGuardsAllButHealthz) {
  Site site;
  std::string dir = make_temp_dir();
  write_file(dir + "/token", "s3cret-token-0123456789\n");
  Daemon d(site.config(dir + "/rasid.db", "status_token_file = \"" + dir + "/token\"\n"));
  ASSERT_GT(d.port(), 0) << d.log();
  EXPECT_EQ(request(d.port(), "/healthz").status, 200);
  for (const char* path : {"/", "/metrics", "/api/sources", "/api/articles", "/api/topics"}) {
    auto r = request(d.port(), path);
    EXPECT_EQ(r.status, 401) << path;
    EXPECT_EQ(r.header("WWW-Authenticate"), "Bearer realm=\"rasid\"");
    EXPECT_EQ(
        request(d.port(), path, "GET", "Authorization: Bearer wrong-token-0123456789\r\n").status,
        401)
        << path;
    EXPECT_EQ(
        request(d.port(), path, "GET", "Authorization: Bearer s3cret-token-0123456789\r\n").status,
        200)
        << path;
  }
  EXPECT_FALSE(contains(d.log(), "s3cret")) << "the token is never logged";
}

// Another process holds the database's write lock and never lets go: the daemon can record
// nothing, so it is not healthy — and is again once the lock is released.
TEST(StatusServer, HealthzFailsWhenTheDatabaseDoesNotAnswer) {
  Site site;
  std::string dir = make_temp_dir();
  Daemon d(site.config(dir + "/rasid.db"));
  ASSERT_GT(d.port(), 0) << d.log();
  EXPECT_EQ(request(d.port(), "/healthz").status, 200);
  WriteLockHolder stuck(dir + "/rasid.db");
  ASSERT_TRUE(stuck.held());
  auto r = request(d.port(), "/healthz", "GET", "", 30);
  EXPECT_EQ(r.status, 503);
  auto j = nlohmann::json::parse(r.body, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << r.body;
  EXPECT_EQ(j["status"], "unhealthy");
  EXPECT_EQ(j["database"], false);
  EXPECT_EQ(j["loop"], true) << "the probe does not stall the loop: " << r.body;
  auto page = request(d.port(), "/", "GET", "", 30);
  EXPECT_TRUE(contains(page.body, "class=\"banner bad\"")) << "the page says so too";
  stuck.release();
  EXPECT_EQ(request(d.port(), "/healthz", "GET", "", 30).status, 200) << "healthy again";
}

TEST(StatusServer, OccupiedPortStopsTheStart) {
  Site site;
  HttpServer squatter([](const HttpRequest&) { return HttpResponse(200, {}, "not rasid"); });
  std::string dir = make_temp_dir();
  std::string cfg = site.config(dir + "/rasid.db");
  const std::string addr = "127.0.0.1:" + std::to_string(squatter.port());
  cfg.replace(cfg.find("127.0.0.1:0"), 11, addr);
  write_file(dir + "/rasid.toml", cfg);
  auto r = run_process({RASID_BINARY, "run", "--config", dir + "/rasid.toml"}, {}, 30);
  EXPECT_EQ(r.exit_code, 1) << "a configured status page that cannot be served stops the start\n"
                            << r.err;
  EXPECT_TRUE(contains(r.err, addr)) << r.err;
  EXPECT_TRUE(contains(r.err, "status_listen")) << r.err;
  EXPECT_TRUE(contains(r.err, "in use")) << r.err;
  EXPECT_FALSE(contains(r.err, "rasid running")) << r.err;
}

// ---- overall health: /api/health, the banner and the systemd line from one verdict ------------

// Plays systemd's notify socket: collects the STATUS= lines `rasid run` sends.
class NotifyListener {
 public:
  explicit NotifyListener(const std::string& path) : path_(path) {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    std::snprintf(a.sun_path, sizeof a.sun_path, "%s", path.c_str());
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) ADD_FAILURE() << "bind";
    timeval tv{0, 100000};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }
  ~NotifyListener() {
    ::close(fd_);
    ::unlink(path_.c_str());
  }
  // Reads until a STATUS= line starting with `prefix` and containing `needle` arrives.
  std::string wait_status(const std::string& prefix, const std::string& needle,
                          std::chrono::seconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      char buf[4096];
      ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) continue;
      std::string msg(buf, static_cast<size_t>(n));
      auto at = msg.find("STATUS=");
      if (at == std::string::npos) continue;
      std::string line = msg.substr(at + 7, msg.find('\n', at) - at - 7);
      last_ = line;
      if (line.rfind(prefix, 0) == 0 && line.find(needle) != std::string::npos) return line;
    }
    return "";
  }
  const std::string& last() const { return last_; }

 private:
  std::string path_, last_;
  int fd_ = -1;
};

nlohmann::json reason_for(const nlohmann::json& health, const std::string& key,
                          const std::string& name) {
  for (const auto& r : health["reasons"])
    if (r.contains(key) && r[key] == name) return r;
  return nullptr;
}

// A real daemon delivering to a real receiver that answers 503: `flaky` retries every second
// (max 100 attempts), `brittle` gives up at once (max_attempts = 1). /api/health, the page's
// banner and /healthz are read over real HTTP while it fails and after it recovers.
TEST(StatusServer, HealthFollowsAFailingReceiverAndItsRecovery) {
  Site site;
  std::string dir = make_temp_dir();
  std::string cfg = "[daemon]\ndatabase = \"" + dir +
                    "/rasid.db\"\nallow_private = [\"127.0.0.0/8\"]\n"
                    "status_listen = \"127.0.0.1:0\"\n\n"
                    "[[source]]\nname = \"khabar\"\nfeed = \"" +
                    site.url("/feed.xml") +
                    "\"\nalert_on_first_poll = true\n\n"
                    "[[topic]]\nname = \"syria\"\nquery = 'سوريا AND إيران'\n"
                    "webhooks = [\"flaky\", \"brittle\"]\n\n"
                    "[[webhook]]\nname = \"flaky\"\nurl = \"" +
                    site.url("/flaky") +
                    "\"\nretry_schedule = [\"1s\"]\nmax_attempts = 100\n\n"
                    "[[webhook]]\nname = \"brittle\"\nurl = \"" +
                    site.url("/brittle") + "\"\nmax_attempts = 1\n";
  NotifyListener systemd(dir + "/notify");
  Daemon d(cfg, {"NOTIFY_SOCKET=" + dir + "/notify"});
  ASSERT_EQ(d.once().exit_code, 0) << d.once().err;
  ASSERT_GT(d.port(), 0) << d.log();

  // While the receiver answers 503: failing, naming both endpoints with counts and the error.
  Reply h;
  nlohmann::json hj, flaky;
  auto deadline = std::chrono::steady_clock::now() + 30s;
  while (std::chrono::steady_clock::now() < deadline) {
    h = request(d.port(), "/api/health");
    hj = nlohmann::json::parse(h.body, nullptr, false);
    flaky = hj.is_object() ? reason_for(hj, "endpoint", "flaky") : nullptr;
    if (flaky.is_object() && flaky["level"] == "failing") break;
    std::this_thread::sleep_for(200ms);
  }
  ASSERT_TRUE(flaky.is_object()) << h.body;
  EXPECT_EQ(h.status, 503) << "failing answers 503";
  EXPECT_EQ(hj["status"], "failing") << h.body;
  EXPECT_EQ(flaky["kind"], "delivery");
  EXPECT_EQ(flaky["problem"], "retrying") << flaky;
  EXPECT_EQ(flaky["level"], "failing") << "3 attempts in a row failed: " << flaky;
  EXPECT_GE(flaky["attempts"].get<int>(), 3);
  EXPECT_EQ(flaky["count"], 1);
  EXPECT_EQ(flaky["last_error"], "HTTP 503");
  EXPECT_TRUE(contains(flaky["detail"].get<std::string>(), "1 alert pending")) << flaky;
  EXPECT_TRUE(contains(flaky["detail"].get<std::string>(), "HTTP 503")) << flaky;
  auto brittle = reason_for(hj, "endpoint", "brittle");
  ASSERT_TRUE(brittle.is_object()) << h.body;
  EXPECT_EQ(brittle["problem"], "failed");
  EXPECT_EQ(brittle["level"], "failing");
  EXPECT_EQ(brittle["count"], 1);
  EXPECT_TRUE(contains(brittle["detail"].get<std::string>(), "1 alert failed; last error:"))
      << brittle;
  EXPECT_TRUE(contains(brittle["detail"].get<std::string>(), "HTTP 503")) << brittle;
  EXPECT_EQ(hj["alerts"]["failed"], 1);

  // The page says the same; liveness stays a separate question.
  auto page = request(d.port(), "/");
  EXPECT_TRUE(contains(page.body, "class=\"banner bad\" data-status=\"failing\"")) << page.body;
  EXPECT_FALSE(contains(page.body, "كل شيء يعمل")) << "never green while alerts fail";
  EXPECT_TRUE(contains(page.body, "data-name=\"flaky\"")) << page.body;
  EXPECT_TRUE(contains(page.body, "data-name=\"brittle\"")) << page.body;
  EXPECT_TRUE(contains(page.body, "<span class=\"attempts\">المحاولات: ")) << page.body;
  EXPECT_EQ(request(d.port(), "/healthz").status, 200) << "the daemon itself is live";
  // systemd's STATUS= line (systemctl status) carries the same verdict.
  EXPECT_NE(systemd.wait_status("failing: ", "alert", 15s), "") << systemd.last();

  // The receiver recovers: `flaky` delivers on its own schedule and leaves the reasons;
  // `brittle` has given up, so it stays failing until its alert is sent again.
  site.accept_down();
  deadline = std::chrono::steady_clock::now() + 20s;
  while (std::chrono::steady_clock::now() < deadline) {
    hj = nlohmann::json::parse(request(d.port(), "/api/health").body, nullptr, false);
    if (hj.is_object() && reason_for(hj, "endpoint", "flaky").is_null()) break;
    std::this_thread::sleep_for(200ms);
  }
  EXPECT_TRUE(reason_for(hj, "endpoint", "flaky").is_null()) << hj.dump();
  EXPECT_EQ(hj["status"], "failing") << hj.dump();
  EXPECT_FALSE(reason_for(hj, "endpoint", "brittle").is_null()) << hj.dump();

  auto retry = run_process(
      {RASID_BINARY, "alerts", "--config", d.config(), "retry", "--endpoint", "brittle"});
  ASSERT_EQ(retry.exit_code, 0) << retry.err;
  deadline = std::chrono::steady_clock::now() + 20s;
  while (std::chrono::steady_clock::now() < deadline) {
    h = request(d.port(), "/api/health");
    hj = nlohmann::json::parse(h.body, nullptr, false);
    if (hj.is_object() && hj["status"] == "ok" && hj["alerts"]["pending"] == 0) break;
    std::this_thread::sleep_for(200ms);
  }
  EXPECT_EQ(h.status, 200) << h.body;
  EXPECT_EQ(hj["status"], "ok") << h.body;
  EXPECT_TRUE(hj["reasons"].empty()) << h.body;
  EXPECT_EQ(hj["alerts"]["pending"], 0);
  EXPECT_EQ(hj["alerts"]["failed"], 0);
  page = request(d.port(), "/");
  EXPECT_TRUE(contains(page.body, "class=\"banner ok\" data-status=\"ok\"")) << page.body;
  EXPECT_TRUE(contains(page.body, "كل شيء يعمل"));
  EXPECT_NE(systemd.wait_status("ok | ", "0 alerts pending, 0 failed", 15s), "") << systemd.last();
}

// The rule itself, step by step, on a real SQLite file: the JSON of /api/health, the page's
// banner and the systemd line always agree.
class HealthRules : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = make_temp_dir();
    store_ = std::move(storage::Store::open(dir_ + "/h.db")).value();
    auto cfg = config::parse(
        "[[source]]\nname = \"alpha\"\nfeed = \"https://example.com/a\"\n"
        "[[source]]\nname = \"beta\"\nfeed = \"https://example.com/b\"\n"
        "[[topic]]\nname = \"syria\"\nquery = 'سوريا'\nwebhooks = [\"desk\"]\n"
        "[[webhook]]\nname = \"desk\"\nurl = \"https://hooks.example.org/desk\"\n",
        "h.toml");
    ASSERT_TRUE(cfg) << cfg.error();
    rt_ = std::move(daemon::build_runtime(std::move(cfg).value())).value();
    ctx_.store = store_.get();
    ctx_.metrics = &metrics_;
    ctx_.runtime = [this] { return rt_; };
    ctx_.health = [this] { return live_; };
  }

  // What each asker sees now; checks that they agree.
  std::string verdict() {
    auto api = daemon::handle_status_request(ctx_, "GET", "/api/health", "");
    json_ = nlohmann::json::parse(api.body);
    page_ = daemon::handle_status_request(ctx_, "GET", "/", "").body;
    auto overall = daemon::assess_health(*store_, *rt_, live_, storage::now_ms());
    line_ = daemon::health_line(overall);
    const std::string status = json_["status"];
    EXPECT_EQ(api.status, status == "failing" ? 503 : 200);
    EXPECT_EQ(line_.rfind(status, 0), 0u) << line_;
    EXPECT_TRUE(contains(page_, "data-status=\"" + status + "\"")) << status;
    EXPECT_EQ(contains(page_, "كل شيء يعمل"), status == "ok") << "the banner follows: " << status;
    const char* cls = status == "ok" ? "ok" : status == "degraded" ? "warn" : "bad";
    EXPECT_TRUE(contains(page_, std::string("class=\"banner ") + cls + "\"")) << status;
    return status;
  }

  void source(const std::string& name, const std::string& status, int errors,
              const std::string& error) {
    storage::SourceState st;
    st.name = name;
    st.status = status;
    st.consecutive_errors = errors;
    st.last_error = error;
    st.last_success = status == "ok" ? storage::now_ms() : 0;
    ASSERT_TRUE(store_->save_source(st));
  }

  // One article with one alert per webhook; returns the rows' ids by webhook.
  std::map<std::string, std::int64_t> alert(const std::string& key,
                                            const std::vector<std::string>& webhooks,
                                            const std::string& published = "") {
    storage::NewArticle a;
    a.source = "alpha";
    a.entry_key = key;
    a.url = "https://example.com/" + key;
    a.canonical = a.url;
    a.title = "خبر عن سوريا " + key;
    a.body = "نص عن سوريا";
    a.published = rasid::text::parse_date(published);
    a.lang = "ar";
    std::vector<storage::NewAlert> alerts;
    for (const auto& w : webhooks)
      alerts.push_back({w, "syria", w + "-" + key, R"({"article":{"title":"t"}})"});
    auto r = store_->add_article(a, {{"syria", "«سوريا»"}}, alerts);
    EXPECT_TRUE(r) << r.error();
    std::map<std::string, std::int64_t> ids;
    auto rows = store_->outbox_rows("", "", 1000);
    for (const auto& row : rows.value())
      if (row.webhook_id.size() > key.size() &&
          row.webhook_id.compare(row.webhook_id.size() - key.size(), key.size(), key) == 0)
        ids[row.webhook] = row.id;
    return ids;
  }

  std::string dir_;
  std::unique_ptr<storage::Store> store_;
  std::shared_ptr<const daemon::Runtime> rt_;
  daemon::Metrics metrics_;
  daemon::StatusContext ctx_;
  daemon::Health live_;
  nlohmann::json json_;
  std::string page_, line_;
};

TEST_F(HealthRules, SourcesDegradeThenFailWhenAllFail) {
  EXPECT_EQ(verdict(), "ok") << "new sources are not a problem";
  EXPECT_TRUE(json_["reasons"].empty());
  EXPECT_TRUE(contains(page_, "<meta http-equiv=\"refresh\" content=\"30\">"));

  source("alpha", "ok", 0, "");
  source("beta", "failing", 3, "HTTP 500");
  EXPECT_EQ(verdict(), "degraded");
  auto beta = reason_for(json_, "source", "beta");
  ASSERT_TRUE(beta.is_object()) << json_.dump();
  EXPECT_EQ(beta["count"], 3);
  EXPECT_EQ(beta["detail"], "3 errors in a row; last error: HTTP 500; last success: never");
  EXPECT_TRUE(contains(page_, "يعمل مع مشكلات"));
  EXPECT_TRUE(contains(page_, "data-name=\"beta\""));
  EXPECT_EQ(line_.rfind("degraded: beta: 3 errors in a row", 0), 0u) << line_;

  source("alpha", "dead", 1, "HTTP 410");
  EXPECT_EQ(verdict(), "failing") << "no source brings news";
  EXPECT_EQ(json_["reasons"][0]["problem"], "all_sources") << "failing reasons first";
  EXPECT_TRUE(contains(json_["reasons"][0]["detail"].get<std::string>(), "all 2 sources"));

  source("alpha", "ok", 0, "");
  source("beta", "ok", 0, "");
  EXPECT_EQ(verdict(), "ok") << "a source that succeeds again is ok";
}

// PostgreSQL restarted under a running instance (fresh try): the store reconnects by itself, so
// the service stays live (/healthz 200, the watchdog keeps being fed) and every asker says
// degraded with the reason — not failing, which would have every instance restarted — and
// still counts the configured sources.
TEST_F(HealthRules, ADatabaseServerReconnectingIsDegradedNotFailing) {
  live_.database_reconnecting = true;
  EXPECT_EQ(verdict(), "degraded");
  ASSERT_EQ(json_["reasons"].size(), 1u) << json_.dump();
  auto r = json_["reasons"][0];
  EXPECT_EQ(r["kind"], "service");
  EXPECT_EQ(r["problem"], "database");
  EXPECT_NE(r["detail"].get<std::string>().find("reconnecting"), std::string::npos);
  EXPECT_EQ(json_["sources"]["configured"], 2);
  EXPECT_EQ(daemon::handle_status_request(ctx_, "GET", "/healthz", "").status, 200);
  live_.database_reconnecting = false;
  EXPECT_EQ(verdict(), "ok");
}

TEST_F(HealthRules, DeliveryRetriesFailuresAndRecovery) {
  source("alpha", "ok", 0, "");
  source("beta", "ok", 0, "");
  auto ids = alert("one", {"desk", "removed"});
  ASSERT_EQ(ids.size(), 2u);
  ASSERT_TRUE(store_->mark_failed(ids["removed"], "HTTP 404"));
  EXPECT_EQ(verdict(), "ok") << "a queued alert, and failures of a webhook no longer configured";

  const auto now = storage::now_ms();
  ASSERT_TRUE(store_->mark_retry(ids["desk"], "HTTP 503", now + 60'000));
  EXPECT_EQ(verdict(), "degraded") << "one failed attempt, a retry scheduled";
  auto desk = reason_for(json_, "endpoint", "desk");
  ASSERT_TRUE(desk.is_object()) << json_.dump();
  EXPECT_EQ(desk["problem"], "retrying");
  EXPECT_EQ(desk["attempts"], 1);
  EXPECT_EQ(desk["count"], 1);
  EXPECT_EQ(desk["last_error"], "HTTP 503");
  EXPECT_TRUE(desk.contains("next_attempt"));
  EXPECT_TRUE(contains(desk["detail"].get<std::string>(), "1 alert pending")) << desk;
  EXPECT_TRUE(contains(page_, "<span class=\"attempts\">المحاولات: 1</span>")) << page_;
  EXPECT_TRUE(contains(page_, "<span class=\"next-attempt\">المحاولة التالية: <time")) << page_;

  ASSERT_TRUE(store_->mark_retry(ids["desk"], "HTTP 503", now + 60'000));
  ASSERT_TRUE(store_->mark_retry(ids["desk"], "HTTP 503", now + 60'000));
  EXPECT_EQ(verdict(), "failing") << "three attempts in a row failed";
  EXPECT_TRUE(contains(reason_for(json_, "endpoint", "desk")["detail"].get<std::string>(),
                       "all 3 attempts failed"));

  ASSERT_TRUE(store_->mark_failed(ids["desk"], "gave up after 4 attempts: HTTP 503"));
  EXPECT_EQ(verdict(), "failing");
  desk = reason_for(json_, "endpoint", "desk");
  EXPECT_EQ(desk["problem"], "failed");
  EXPECT_EQ(desk["detail"], "1 alert failed; last error: gave up after 4 attempts: HTTP 503");
  EXPECT_TRUE(contains(line_, "failing: desk: 1 alert failed")) << line_;
  EXPECT_TRUE(contains(page_, "class=\"article alert failed\"")) << page_;

  // The operator's retry (or the deliverer's automatic re-queue) and a delivery: ok again.
  ASSERT_EQ(store_->retry_failed("desk").value(), 1);
  EXPECT_EQ(verdict(), "ok") << "re-queued and due: being sent";
  ASSERT_TRUE(store_->mark_delivered(ids["desk"], storage::now_ms()));
  EXPECT_EQ(verdict(), "ok");
}

TEST_F(HealthRules, StalledAndUnexplainedBacklogDegrade) {
  auto ids = alert("two", {"desk"});
  const auto now = storage::now_ms();
  ASSERT_TRUE(store_->mark_retry(ids["desk"], "timeout", now - 5 * 60'000));
  EXPECT_EQ(verdict(), "degraded");
  auto desk = reason_for(json_, "endpoint", "desk");
  EXPECT_EQ(desk["problem"], "stalled") << json_.dump();
  EXPECT_TRUE(contains(desk["detail"].get<std::string>(), "but not sent"));

  // No failed attempt, deferred (rate limit, digest, a webhook added by a reload): a wait of
  // an hour is not explained by a rate limit of 0.
  auto fresh = alert("three", {"desk"});
  ASSERT_TRUE(store_->mark_delivered(ids["desk"], now));
  ASSERT_TRUE(store_->defer(fresh["desk"], now + 2 * 3'600'000, storage::Hold::unknown_webhook,
                            "no webhook named \"desk\""));
  EXPECT_EQ(verdict(), "ok") << "just queued";
  auto later = daemon::assess_health(*store_, *rt_, live_, now + 3'600'000);
  ASSERT_EQ(later.status, daemon::HealthLevel::degraded);
  EXPECT_EQ(later.reasons[0].problem, "backlog");
  EXPECT_EQ(later.reasons[0].name, "desk");
}

// "Paused" is the kind the deliverer recorded (storage::Hold::endpoint_gone), never the words of
// the row's note: the old rule (last_error starts with "endpoint disabled") called the first row
// below retrying and the second paused.
TEST_F(HealthRules, APauseIsReadFromItsKindNotItsWords) {
  source("alpha", "ok", 0, "");
  source("beta", "ok", 0, "");
  auto ids = alert("gone", {"desk"});
  const auto now = storage::now_ms();
  ASSERT_TRUE(store_->mark_retry(ids["desk"], "HTTP 503", now + 60'000));
  ASSERT_TRUE(store_->defer(ids["desk"], now + 3'600'000, storage::Hold::endpoint_gone,
                            "410 Gone: the receiver removed this hook; probing again in an hour"));
  EXPECT_EQ(verdict(), "failing");
  auto desk = reason_for(json_, "endpoint", "desk");
  ASSERT_TRUE(desk.is_object()) << json_.dump();
  EXPECT_EQ(desk["problem"], "paused") << json_.dump();
  EXPECT_TRUE(contains(desk["detail"].get<std::string>(), "paused after 410 Gone")) << desk;
  EXPECT_TRUE(contains(page_, "معطّلة بعد أن أجابت 410")) << page_;

  // A failed attempt whose receiver's words begin like the old note is a retry, not a pause.
  ASSERT_TRUE(store_->mark_retry(ids["desk"], "endpoint disabled by the receiver (HTTP 503)",
                                 now + 60'000));
  EXPECT_EQ(verdict(), "degraded");
  desk = reason_for(json_, "endpoint", "desk");
  ASSERT_TRUE(desk.is_object()) << json_.dump();
  EXPECT_EQ(desk["problem"], "retrying") << json_.dump();
  EXPECT_FALSE(contains(page_, "معطّلة بعد أن أجابت 410")) << page_;
}

TEST_F(HealthRules, LivenessFailsEverything) {
  live_.database = false;
  live_.detail = "database not answering";
  EXPECT_EQ(verdict(), "failing");
  EXPECT_EQ(json_["reasons"][0]["kind"], "service");
  EXPECT_EQ(json_["reasons"][0]["detail"], "database not answering");
  EXPECT_TRUE(contains(page_, "خلل في الخدمة"));
}

TEST_F(HealthRules, CardsShowThePublishedDate) {
  alert("old", {}, "2015-11-23T17:41:00Z");
  auto page = daemon::handle_status_request(ctx_, "GET", "/", "").body;
  EXPECT_TRUE(
      contains(page, "<span class=\"published\">نُشر <time datetime=\"2015-11-23T17:41:00Z\""))
      << page;
  EXPECT_TRUE(contains(page, ">2015-11-23</time>")) << "an old article shows its date";
  EXPECT_TRUE(contains(page, "<span class=\"fetched muted\">جُلب <time")) << page;
  auto en = daemon::handle_status_request(ctx_, "GET", "/?lang=en", "").body;
  EXPECT_TRUE(contains(en, "<span class=\"published\">Published <time")) << en;
}

// A syndicated story on two sites is one card: the newest matched copy, listing the other
// copies with their outlets and links; its story.updated alert is marked among the alerts.
TEST_F(HealthRules, AStorysCopiesShareOneCard) {
  auto add = [&](const std::string& source, const std::string& key, std::int64_t story,
                 std::vector<storage::NewAlert> alerts) {
    storage::NewArticle a;
    a.source = source;
    a.entry_key = key;
    a.url = "https://" + source + ".example/" + key;
    a.canonical = a.url;
    a.title = "محادثات سوريا " + key;
    a.body = "نص عن سوريا";
    a.lang = "ar";
    a.story_id = story;
    auto r = store_->add_article(a, {{"syria", "«سوريا»"}}, alerts);
    EXPECT_TRUE(r) << r.error();
    return r ? r->story_id : 0;
  };
  const auto story =
      add("alpha", "orig", 0, {{"desk", "syria", "msg_alert", R"({"type":"article.matched"})"}});
  storage::NewAlert update{"desk", "syria", "msg_update",
                           R"({"type":"story.updated","article":{"title":"نسخة"}})"};
  update.event = "story.updated";
  update.refers_to = "msg_alert";
  ASSERT_EQ(add("beta", "copy", story, {update}), story);
  const auto other = add("alpha", "other", 0, {});
  ASSERT_NE(other, story);

  const auto page = daemon::handle_status_request(ctx_, "GET", "/", "").body;
  const std::string card = "data-story=\"" + std::to_string(story) + "\"";
  const auto first = page.find(card);
  ASSERT_NE(first, std::string::npos) << page;
  EXPECT_EQ(page.find(card, first + 1), std::string::npos) << "one card per story";
  EXPECT_TRUE(contains(page,
                       "<ul class=\"copies\" aria-label=\"نُسخ الخبر نفسه\"><li data-id=\"1\">"
                       "<span class=\"source\">alpha</span><a href=\"https://alpha.example/orig\" "
                       "rel=\"noreferrer noopener\">محادثات سوريا orig</a>"))
      << page;
  EXPECT_TRUE(contains(page, "data-story=\"" + std::to_string(other) + "\""))
      << "another story keeps its own card";
  EXPECT_TRUE(contains(page, "<span class=\"event\">تحديث القصة</span>")) << page;

  auto api = nlohmann::json::parse(
      daemon::handle_status_request(ctx_, "GET", "/api/articles?topic=syria", "").body);
  bool seen = false;
  for (const auto& a : api["articles"]) {
    if (a["source"] != "beta") continue;
    seen = true;
    ASSERT_EQ(a["copies"].size(), 1u) << a.dump();
    EXPECT_EQ(a["copies"][0]["source"], "alpha");
    EXPECT_EQ(a["copies"][0]["url"], "https://alpha.example/orig");
  }
  EXPECT_TRUE(seen) << api.dump();
}

}  // namespace
}  // namespace rasid::testing
