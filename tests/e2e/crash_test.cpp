// The crash test (issue 7): real processes, real sockets, a real SQLite file. A local news site
// publishes a stream of Arabic articles that match topics; `rasid run` is killed with SIGKILL at
// random moments and restarted; a local receiver records every delivery. At the end every
// expected alert was received, each distinct webhook-id is counted once (repeats are allowed by
// at-least-once delivery and counted separately), none is missing, and each endpoint received its
// alerts in outbox order. A second test keeps the receiver down for a long stretch (scaled retry
// schedule) and checks that everything arrives after it comes back, in order per endpoint.
//
// RASID_CRASH_KILLS=100 runs the benchmark (default 30 kills); figures go to stdout
// ("crash-test: …") for BENCHMARKS.md.

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <functional>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "storage/store.h"
#include "tests/e2e/fixtures.h"
#include "tests/support/http_server.h"
#include "tests/support/process.h"

namespace rasid::testing {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

const char* const kCities[] = {"حلب",  "حمص",   "اللاذقية", "دير الزور", "درعا",
                               "إدلب", "طرطوس", "الرقة",    "السويداء",  "القامشلي"};

std::string rfc822_now() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S +0000", &tm);
  return buf;
}

// Article i: kind i%3 matches exactly one topic. Bodies stay under the 40 words from which
// near-duplicate stories are joined, so every article is its own story (its own alerts).
FixtureArticle make_article(int i) {
  std::string city = kCities[i % 10];
  std::string n = std::to_string(i);
  FixtureArticle a;
  a.slug = "a" + n;
  a.published = rfc822_now();
  switch (i % 3) {
    case 0:
      a.title =
          "زلزال بقوة " + std::to_string(4 + i % 3) + " درجات يهز ريف " + city + " في النشرة " + n;
      a.paragraphs = {
          "سجل مرصد الزلازل هزة أرضية قرب " + city +
              " شعر بها السكان في الأحياء القديمة دون أضرار كبيرة.",
          "وقال الدفاع المدني إن فرقه تتابع الوضع وتتفقد المباني، في النشرة رقم " + n + "."};
      break;
    case 1:
      a.title = "انتخابات المجلس البلدي في " + city + " تشهد إقبالاً متوسطاً في التقرير " + n;
      a.paragraphs = {"فتحت مراكز الاقتراع أبوابها في " + city +
                          " صباح اليوم وسط إجراءات تنظيمية وحضور لافت للشباب.",
                      "وأعلنت لجنة انتخابات المدينة أن النتائج الأولية تصدر مساء الغد، في "
                      "التقرير رقم " +
                          n + "."};
      break;
    default:
      a.title = "ارتفاع أسعار القمح في أسواق " + city + " مع تراجع الكميات في المتابعة " + n;
      a.paragraphs = {
          "قال تجار في " + city + " إن أسعار القمح والطحين ارتفعت خلال الأسبوع بسبب تكاليف النقل.",
          "وطالب مزارعون بدعم البذور والأسمدة قبل الموسم، بحسب المتابعة رقم " + n + "."};
  }
  return a;
}

// (topic, endpoint) pairs each article kind must produce.
std::vector<std::pair<std::string, std::string>> alerts_of_kind(int kind) {
  if (kind == 0) return {{"quake", "a"}, {"quake", "b"}};
  if (kind == 1) return {{"vote", "a"}};
  return {{"wheat", "b"}};
}

class NewsSite {
 public:
  NewsSite() : server_([this](const HttpRequest& r) { return handle(r); }) {}
  void publish(int n) {
    std::lock_guard<std::mutex> lock(mu_);
    for (int k = 0; k < n; ++k) items_.push_back(make_article(static_cast<int>(items_.size())));
  }
  int published() {
    std::lock_guard<std::mutex> lock(mu_);
    return static_cast<int>(items_.size());
  }
  std::string url(const std::string& p) const { return server_.url(p); }

 private:
  HttpResponse handle(const HttpRequest& r) {
    std::lock_guard<std::mutex> lock(mu_);
    if (r.path == "/feed.xml") {
      std::string etag = "\"v" + std::to_string(items_.size()) + "\"";
      if (r.header("if-none-match") == etag) return {304, {{"ETag", etag}}, ""};
      std::vector<FixtureArticle> newest_first(items_.rbegin(), items_.rend());
      return {200,
              {{"Content-Type", "application/rss+xml; charset=utf-8"}, {"ETag", etag}},
              rss_feed(newest_first, server_.url(""))};
    }
    if (r.path.rfind("/news/", 0) == 0) {
      std::string slug = r.path.substr(6);
      for (const auto& a : items_)
        if (a.slug == slug) return {200, {}, article_page(a, server_.url(""))};
    }
    return {404, {}, "not found"};
  }

  HttpServer server_;
  std::mutex mu_;
  std::vector<FixtureArticle> items_;
};

struct Delivery {
  std::string endpoint, id, topic, slug, type;
  Clock::time_point at;
};

// Records every delivery; answers slowly (so kills land mid-request) and can be "down" (503).
class Receiver {
 public:
  explicit Receiver(int max_latency_ms)
      : max_latency_ms_(max_latency_ms),
        server_([this](const HttpRequest& r) { return handle(r); }) {}
  std::string url(const std::string& p) const { return server_.url(p); }
  void set_down(bool down) {
    std::lock_guard<std::mutex> lock(mu_);
    down_ = down;
  }
  std::vector<Delivery> deliveries() {
    std::lock_guard<std::mutex> lock(mu_);
    return deliveries_;
  }
  std::vector<Delivery> refused() {
    std::lock_guard<std::mutex> lock(mu_);
    return refused_;
  }

 private:
  HttpResponse handle(const HttpRequest& r) {
    if (r.method != "POST") return {404, {}, "no"};
    Delivery d;
    d.endpoint = r.path.size() > 1 ? r.path.substr(1) : "";
    d.id = r.header("webhook-id");
    auto body = nlohmann::json::parse(r.body, nullptr, false);
    if (body.is_object()) {
      d.topic = body.value("topic", "");
      d.type = body.value("type", "");
      std::string url = body.contains("article") ? body["article"].value("url", "") : "";
      auto p = url.find("/news/");
      if (p != std::string::npos) d.slug = url.substr(p + 6, url.find_first_of("?#", p) - p - 6);
    }
    int latency = 0;
    {
      std::lock_guard<std::mutex> lock(mu_);
      latency = std::uniform_int_distribution<int>(0, max_latency_ms_)(rng_);
      if (down_) {
        d.at = Clock::now();
        refused_.push_back(std::move(d));
        return {503, {}, "down for maintenance"};
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(latency));
    std::lock_guard<std::mutex> lock(mu_);
    d.at = Clock::now();
    deliveries_.push_back(std::move(d));
    return {200, {}, "ok"};
  }

  int max_latency_ms_;
  std::mutex mu_;
  bool down_ = false;
  std::mt19937 rng_{7};
  std::vector<Delivery> deliveries_;
  std::vector<Delivery> refused_;
  HttpServer server_;  // last: stopped first
};

std::string config_text(const std::string& db, const NewsSite& site, const Receiver& recv,
                        const std::string& retry_schedule, const std::string& a_path = "/a") {
  std::string hooks;
  for (const char* name : {"a", "b"}) {
    hooks += "[[webhook]]\nname = \"" + std::string(name) + "\"\nurl = \"" +
             recv.url(std::string(name) == "a" ? a_path : "/b") +
             "\"\ntimeout = \"5s\"\nretry_schedule = " + retry_schedule + "\nmax_attempts = 100\n";
    if (std::string(name) == "b") hooks += "min_interval = \"20ms\"\n";
    hooks += "\n";
  }
  return "[daemon]\ndatabase = \"" + db +
         "\"\nallow_private = [\"127.0.0.0/8\"]\nper_host_delay_ms = 0\nconcurrency = 8\n"
         "per_host_concurrency = 4\nstatus_listen = \"\"\nfast_polling = true\n\n"
         "[[source]]\nname = \"khabar\"\nfeed = \"" +
         site.url("/feed.xml") +
         "\"\ninterval = \"1s\"\nmin_interval = \"1s\"\nmax_interval = \"1s\"\n"
         "alert_on_first_poll = true\n\n"
         "[[topic]]\nname = \"quake\"\nquery = 'زلزال'\nwebhooks = [\"a\", \"b\"]\n\n"
         "[[topic]]\nname = \"vote\"\nquery = 'انتخابات'\nwebhooks = [\"a\"]\n\n"
         "[[topic]]\nname = \"wheat\"\nquery = '\"أسعار القمح\"'\nwebhooks = [\"b\"]\n\n" +
         hooks;
}

// endpoint|topic|slug of every alert the published articles must produce.
std::set<std::string> expected_alerts(int published) {
  std::set<std::string> out;
  for (int i = 0; i < published; ++i)
    for (const auto& [topic, ep] : alerts_of_kind(i % 3))
      out.insert(ep + "|" + topic + "|a" + std::to_string(i));
  return out;
}

struct Figures {
  std::size_t expected = 0, received = 0, distinct_ids = 0, duplicates = 0, lost = 0,
              unexpected = 0;
  std::vector<std::string> missing;
};

Figures tally(const std::vector<Delivery>& ds, const std::set<std::string>& expected) {
  Figures f;
  f.expected = expected.size();
  f.received = ds.size();
  std::set<std::string> ids, keys;
  for (const auto& d : ds) {
    ids.insert(d.endpoint + "/" + d.id);
    keys.insert(d.endpoint + "|" + d.topic + "|" + d.slug);
  }
  f.distinct_ids = ids.size();
  f.duplicates = ds.size() - ids.size();
  for (const auto& e : expected)
    if (!keys.count(e)) f.missing.push_back(e);
  f.lost = f.missing.size();
  for (const auto& k : keys)
    if (!expected.count(k)) f.unexpected++;
  return f;
}

bool wait_for(const std::function<bool()>& done, std::chrono::milliseconds limit) {
  auto end = Clock::now() + limit;
  while (Clock::now() < end) {
    if (done()) return true;
    std::this_thread::sleep_for(50ms);
  }
  return done();
}

// The first receipt of each id per endpoint, in arrival order, must follow the outbox order.
void expect_outbox_order(const std::string& db, const std::vector<Delivery>& ds) {
  auto store = storage::Store::open(db);
  ASSERT_TRUE(store.ok()) << store.error();
  for (const char* ep : {"a", "b"}) {
    auto rows = store.value()->outbox_rows("", ep, 100000);
    ASSERT_TRUE(rows.ok()) << rows.error();
    std::vector<std::string> want;
    for (const auto& r : rows.value()) {
      EXPECT_EQ(r.status, "delivered") << ep << " " << r.webhook_id << " " << r.last_error;
      want.push_back(r.webhook_id);
    }
    std::vector<std::string> got;
    std::set<std::string> seen;
    for (const auto& d : ds)
      if (d.endpoint == ep && seen.insert(d.id).second) got.push_back(d.id);
    EXPECT_EQ(got, want) << "endpoint " << ep << " received its alerts out of outbox order";
  }
}

int kills_wanted() {
  if (const char* k = std::getenv("RASID_CRASH_KILLS"); k && std::atoi(k) > 0) return std::atoi(k);
  return 30;
}

TEST(CrashTest, SigkillAtRandomMomentsLosesNoAlert) {
  const int kills = kills_wanted();
  std::string dir = make_temp_dir();
  std::string db = dir + "/rasid.db", cfg = dir + "/rasid.toml";
  NewsSite site;
  Receiver recv(40);
  write_file(cfg, config_text(db, site, recv, "[\"200ms\", \"500ms\", \"1s\"]"));

  std::mt19937 rng(std::random_device{}());
  std::uniform_int_distribution<int> life_ms(50, 1400);
  DaemonProcess daemon(cfg, dir + "/rasid");
  auto t0 = Clock::now();
  int killed = 0;
  for (int k = 0; k < kills; ++k) {
    site.publish(1);
    daemon.start();
    int life = life_ms(rng);
    std::this_thread::sleep_for(std::chrono::milliseconds(life / 2));
    site.publish(1);  // appears while the daemon runs
    std::this_thread::sleep_for(std::chrono::milliseconds(life - life / 2));
    int status = daemon.stop(SIGKILL);
    if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
      killed++;
    else
      ADD_FAILURE() << "rasid exited by itself before the kill (status " << status << "); see "
                    << dir;
  }
  auto kill_phase = Clock::now() - t0;

  // The last start runs undisturbed until everything has arrived.
  const auto expected = expected_alerts(site.published());
  daemon.start();
  bool all = wait_for([&] { return tally(recv.deliveries(), expected).lost == 0; }, 60s);
  std::this_thread::sleep_for(1500ms);  // anything still in flight would show up as a repeat
  int status = daemon.stop(SIGTERM);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "status " << status;

  auto ds = recv.deliveries();
  Figures f = tally(ds, expected);
  std::printf(
      "crash-test: kills=%d articles=%d expected_alerts=%zu received=%zu distinct_ids=%zu "
      "duplicates_by_id=%zu lost=%zu unexpected=%zu kill_phase_s=%.1f\n",
      killed, site.published(), f.expected, f.received, f.distinct_ids, f.duplicates, f.lost,
      f.unexpected, std::chrono::duration<double>(kill_phase).count());
  EXPECT_TRUE(all);
  EXPECT_EQ(killed, kills);
  EXPECT_EQ(f.lost, 0u) << "first missing: " << (f.missing.empty() ? "" : f.missing[0]);
  EXPECT_EQ(f.unexpected, 0u);
  EXPECT_EQ(f.distinct_ids, f.expected) << "one webhook-id per alert";
  for (const auto& d : ds) EXPECT_FALSE(d.id.empty());
  expect_outbox_order(db, ds);
}

TEST(CrashTest, ReceiverDownForALongStretchGetsEverythingInOrder) {
  std::string dir = make_temp_dir();
  std::string db = dir + "/rasid.db", cfg = dir + "/rasid.toml";
  NewsSite site;
  Receiver recv(0);
  // The Standard Webhooks schedule scaled down: 250ms, 1s, then every 2s.
  write_file(cfg, config_text(db, site, recv, "[\"250ms\", \"1s\", \"2s\"]"));
  site.publish(6);
  recv.set_down(true);
  DaemonProcess daemon(cfg, dir + "/rasid");
  daemon.start();
  std::this_thread::sleep_for(4s);
  site.publish(3);  // more alerts queue up behind the failing heads
  std::this_thread::sleep_for(4s);
  // A restart in the middle of the outage must not reset or lose anything.
  daemon.stop(SIGKILL);
  daemon.start();
  std::this_thread::sleep_for(2s);
  auto refused = recv.refused();
  recv.set_down(false);
  auto up_at = Clock::now();
  const auto expected = expected_alerts(site.published());
  bool all = wait_for([&] { return tally(recv.deliveries(), expected).lost == 0; }, 30s);
  auto drained = Clock::now() - up_at;
  std::this_thread::sleep_for(500ms);
  daemon.stop(SIGTERM);

  auto ds = recv.deliveries();
  Figures f = tally(ds, expected);
  EXPECT_TRUE(all);
  EXPECT_EQ(f.lost, 0u) << "first missing: " << (f.missing.empty() ? "" : f.missing[0]);
  EXPECT_EQ(f.unexpected, 0u);
  EXPECT_EQ(f.distinct_ids, f.expected);
  expect_outbox_order(db, ds);

  // While down, each endpoint retried only its queue head, spaced by the schedule (no storm).
  std::map<std::string, std::vector<Clock::time_point>> tries;
  std::map<std::string, std::set<std::string>> ids_tried;
  for (const auto& r : refused) {
    tries[r.endpoint].push_back(r.at);
    ids_tried[r.endpoint].insert(r.id);
  }
  for (const char* ep : {"a", "b"}) {
    const auto& t = tries[ep];
    EXPECT_GE(t.size(), 3u) << ep;
    EXPECT_LE(t.size(), 14u) << ep << ": retried faster than the schedule";
    EXPECT_EQ(ids_tried[ep].size(), 1u) << ep << ": only the queue head is retried";
    std::string gaps;
    int short_gaps = 0;  // a request cut by the SIGKILL is not an attempt: resent at the restart
    for (std::size_t i = 1; i < t.size(); ++i) {
      auto gap = std::chrono::duration_cast<std::chrono::milliseconds>(t[i] - t[i - 1]);
      gaps += " " + std::to_string(gap.count());
      if (gap.count() < 200) short_gaps++;
    }
    EXPECT_LE(short_gaps, 1) << ep << " gaps ms:" << gaps;
    std::printf("receiver-down: endpoint %s: %zu refused attempts, gaps ms:%s\n", ep, t.size(),
                gaps.c_str());
  }
  std::printf(
      "receiver-down: expected=%zu received=%zu distinct_ids=%zu duplicates_by_id=%zu lost=%zu "
      "drained_after_up_ms=%lld\n",
      f.expected, f.received, f.distinct_ids, f.duplicates, f.lost,
      static_cast<long long>(
          std::chrono::duration_cast<std::chrono::milliseconds>(drained).count()));
}

// SIGHUP hands the new endpoints to the running Deliverer: alerts queued against the old URL
// go to the new one; `rasid alerts test` sends the alert module's test event.
TEST(AlertOps, ReloadRepointsQueuedAlertsAndAlertsTestSendsATestEvent) {
  std::string dir = make_temp_dir();
  std::string db = dir + "/rasid.db", cfg = dir + "/rasid.toml";
  NewsSite site;
  Receiver recv(0);
  const std::string schedule = "[\"300ms\"]";
  write_file(cfg, config_text(db, site, recv, schedule, "/old"));
  site.publish(3);  // quake (a, b), vote (a), wheat (b)
  recv.set_down(true);
  DaemonProcess daemon(cfg, dir + "/rasid");
  daemon.start();
  ASSERT_TRUE(wait_for([&] { return recv.refused().size() >= 2; }, 20s));
  write_file(cfg, config_text(db, site, recv, schedule, "/new"));
  daemon.signal(SIGHUP);
  std::this_thread::sleep_for(500ms);
  recv.set_down(false);
  const auto expected = expected_alerts(3);
  ASSERT_TRUE(wait_for(
      [&] {
        int n = 0;
        for (const auto& d : recv.deliveries()) n += d.endpoint == "new" || d.endpoint == "b";
        return n >= static_cast<int>(expected.size());
      },
      20s));
  daemon.stop(SIGTERM);
  int to_new = 0, to_old = 0;
  for (const auto& d : recv.deliveries()) {
    to_new += d.endpoint == "new";
    to_old += d.endpoint == "old";
  }
  EXPECT_EQ(to_new, 2) << "endpoint a's two alerts follow its new URL";
  EXPECT_EQ(to_old, 0);

  auto r = run_process({RASID_BINARY, "alerts", "--config", cfg, "test", "a"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  auto ds = recv.deliveries();
  ASSERT_FALSE(ds.empty());
  EXPECT_EQ(ds.back().endpoint, "new");
  EXPECT_EQ(ds.back().type, "test");
  EXPECT_FALSE(ds.back().id.empty());
  EXPECT_NE(r.out.find(ds.back().id), std::string::npos) << r.out;
}

}  // namespace
}  // namespace rasid::testing
