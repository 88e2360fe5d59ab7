// The soak test (issue 12): the real `rasid run` against a loopback world that mixes adversity
// in, asserting rasid's four promises rather than its mechanisms:
//   1. every article that appeared is stored within max(2 × its interval, 60 s) of appearing
//      (of its source coming back, for a source that went down before a poll at the interval
//      in force — up to max_interval — could see it);
//   2. every alert reaches every receiver that recovers, each webhook-id accepted exactly once
//      (a repeat only across a SIGKILL, which at-least-once delivery allows);
//   3. nothing for a receiver that never recovers is lost: every alert of it is in the outbox,
//      failed or pending, visible to `rasid alerts`;
//   4. /api/health is not "ok" while something fails, and is "ok" after recovery.
// and the daemon's peak RSS stays bounded.
//
// The world: nine sources, each on its own loopback address (its own host for politeness and
// Retry-After): pubDates years old, in the future, missing, all identical; GUIDs that churn; an
// archive republished with fresh dates; 429/503 with Retry-After in seconds and as an HTTP-date;
// a feed that hangs for a stretch; one that turns 404 and comes back. Six receivers: healthy;
// down for a minute with Retry-After: 1; down for a minute dropping connections; 500 then 200 on
// every alert; one that times out on every third request; one that never recovers. The process:
// SIGKILL and SIGTERM at random moments, SIGHUP reloads that add and remove a source, a topic and
// a webhook, and a second daemon started on the same database (it must refuse).
//
// RASID_SOAK_SECONDS sets the publishing phase (default 150 s: CI's short run, ≤ 5 minutes in
// all); RASID_SOAK_SECONDS=1800 is the long run of BENCHMARKS.md. Figures go to stdout
// ("soak: …").

#include <curl/curl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "storage/store.h"
#include "tests/e2e/fixtures.h"
#include "tests/support/http_get.h"
#include "tests/support/http_server.h"
#include "tests/support/ports.h"
#include "tests/support/process.h"

namespace rasid::testing {
namespace {

using namespace std::chrono_literals;
using Millis = std::int64_t;

Millis now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string rfc822(std::time_t t) {
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return buf;
}

int soak_seconds() {
  if (const char* s = std::getenv("RASID_SOAK_SECONDS"); s && std::atoi(s) >= 60)
    return std::atoi(s);
  return 150;
}

// The world's clock: seconds since the start, and the adversity cycle (one per 150 s in the
// short run; every 300 s in a long one).
struct Clock {
  Millis t0 = now_ms();
  int cycle_s = 150;
  double t() const { return static_cast<double>(now_ms() - t0) / 1000.0; }
  // Position in the current cycle, seconds.
  double in_cycle() const { return std::fmod(t(), cycle_s); }
  // Adversity happens in the publishing phase only; the settling phase is calm.
  double end_s = 1e9;
  bool window(double from, double to) const {
    return t() < end_s && in_cycle() >= from && in_cycle() < to;
  }
};

const char* const kCities[] = {"حلب",  "حمص",   "اللاذقية", "دير الزور", "درعا",
                               "إدلب", "طرطوس", "الرقة",    "السويداء",  "القامشلي"};

enum class Kind {
  old_dates,
  future_dates,
  no_dates,
  same_dates,
  churn_guid,
  republish,
  throttle,
  hang,
  flap
};
const char* kind_name(Kind k) {
  switch (k) {
    case Kind::old_dates:
      return "old-dates";
    case Kind::future_dates:
      return "future-dates";
    case Kind::no_dates:
      return "no-dates";
    case Kind::same_dates:
      return "same-dates";
    case Kind::churn_guid:
      return "churning-guids";
    case Kind::republish:
      return "republished-archive";
    case Kind::throttle:
      return "429-503-retry-after";
    case Kind::hang:
      return "hangs";
    case Kind::flap:
      return "404-then-back";
  }
  return "?";
}

struct Item {
  FixtureArticle a;
  Millis appeared = 0;  // when it entered the feed (ms since the epoch)
};

// One news site on its own loopback address.
class Site {
 public:
  Site(std::string name, Kind kind, const std::string& ip, const Clock& clock)
      : name_(std::move(name)),
        kind_(kind),
        clock_(clock),
        server_([this](const HttpRequest& r) { return handle(r); }, ip) {
    if (kind_ == Kind::republish) {
      // An archive already in the feed before rasid's first poll; republished later.
      for (int i = 0; i < 3; ++i) publish_locked(/*archive=*/true);
    }
  }
  std::string feed_url() const { return server_.url("/feed.xml"); }
  const std::string& name() const { return name_; }
  Kind kind() const { return kind_; }
  void publish() {
    std::lock_guard l(mu_);
    publish_locked(false);
  }
  std::vector<Item> items() {
    std::lock_guard l(mu_);
    return items_;
  }
  // Adversity windows in the cycle: the feed hangs or answers 404 during them.
  bool down_at(Millis ms) const {
    if (static_cast<double>(ms - clock_.t0) / 1000.0 >= clock_.end_s) return false;
    const double pos = std::fmod(static_cast<double>(ms - clock_.t0) / 1000.0, clock_.cycle_s);
    if (kind_ == Kind::hang) return pos >= 20 && pos < 50;
    if (kind_ == Kind::flap) return pos >= 60 && pos < 90;
    return false;
  }
  bool down_now() const { return down_at(now_ms()); }
  // When rasid can first see an article that appeared at `ms`: then, or, when the feed is down
  // within the interval in force after it, when the feed answers again. The interval in force
  // is not the configured one: polls that find nothing lengthen it up to max_interval (4 ×
  // interval by default, README "What rasid promises"), and jitter adds 10 %.
  Millis visible_from(Millis ms, Millis max_interval_ms) const {
    bool hit = false;
    Millis t = ms;
    for (; t <= ms + max_interval_ms * 11 / 10 || (hit && down_at(t)); t += 250)
      if (down_at(t)) hit = true;
    return hit ? t : ms;
  }

 private:
  void publish_locked(bool archive) {
    const int i = static_cast<int>(items_.size());
    Item it;
    it.a.slug = name_ + "-" + std::to_string(i);
    const std::string city = kCities[(i + name_.size()) % 10];
    it.a.title = "زلزال يهز ريف " + city + " في نشرة " + name_ + " رقم " + std::to_string(i);
    it.a.paragraphs = {
        "سجل مرصد الزلازل هزة أرضية قرب " + city + " شعر بها السكان دون أضرار كبيرة.",
        "وقال الدفاع المدني إن فرقه تتفقد المباني، في النشرة " + name_ + " رقم " +
            std::to_string(i) + "."};
    std::time_t now = std::time(nullptr);
    switch (kind_) {
      case Kind::old_dates:
        it.a.published = rfc822(now - (3 + i % 7) * 365L * 86400 - i * 7919);
        break;
      case Kind::future_dates:
        it.a.published = rfc822(now + (1 + i % 3) * 365L * 86400);
        break;
      case Kind::no_dates:
        it.a.published = "";
        break;
      case Kind::same_dates:
        it.a.published = "Mon, 01 Jan 2024 00:00:00 GMT";
        break;
      default:
        it.a.published = rfc822(now);
    }
    it.appeared = archive ? 0 : now_ms();
    items_.push_back(std::move(it));
  }

  std::string feed() {
    ++fetches_;
    std::string base = server_.url("");
    std::string x =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\"><channel><title>" +
        name_ + "</title><link>" + base + "/</link><description>أخبار</description>\n";
    // Newest first, at most 30 items (an outlet's feed shows its latest).
    std::vector<const Item*> shown;
    for (auto it = items_.rbegin(); it != items_.rend() && shown.size() < 30; ++it)
      shown.push_back(&*it);
    if (kind_ == Kind::republish && fetches_ % 4 == 0)
      for (int i = 0; i < 3 && i < static_cast<int>(items_.size()); ++i)
        shown.push_back(&items_[i]);  // the archive comes back, dated today
    for (const Item* it : shown) {
      const auto& a = it->a;
      std::string date = a.published;
      if (kind_ == Kind::republish && it->appeared == 0) date = rfc822(std::time(nullptr));
      x += "<item><title>" + escape_xml(a.title) + "</title><link>" + base + "/news/" + a.slug +
           "</link>";
      if (kind_ == Kind::churn_guid)
        x += "<guid isPermaLink=\"false\">urn:" + a.slug + ":" + std::to_string(fetches_) +
             "</guid>";
      else
        x += "<guid isPermaLink=\"false\">urn:" + a.slug + "</guid>";
      if (!date.empty()) x += "<pubDate>" + date + "</pubDate>";
      x += "<description>" + escape_xml(a.paragraphs[0]) + "</description></item>\n";
    }
    return x + "</channel></rss>\n";
  }

  HttpResponse handle(const HttpRequest& r) {
    if (r.path == "/feed.xml") {
      const bool down = down_now();
      if (down && kind_ == Kind::hang) {
        std::this_thread::sleep_for(8s);  // beyond rasid's fetch timeout
        return {200, {}, ""};
      }
      if (down && kind_ == Kind::flap) return {404, {}, "not found"};
      std::lock_guard l(mu_);
      if (kind_ == Kind::throttle && ++throttle_n_ % 3 == 0) {
        if (throttle_n_ % 2 == 0) return {429, {{"Retry-After", "2"}}, "slow down"};
        return {503, {{"Retry-After", rfc822(std::time(nullptr) + 3)}}, "busy"};
      }
      return {200, {{"Content-Type", "application/rss+xml; charset=utf-8"}}, feed()};
    }
    if (r.path.rfind("/news/", 0) == 0) {
      std::lock_guard l(mu_);
      const std::string slug = r.path.substr(6);
      for (const auto& it : items_)
        if (it.a.slug == slug) return {200, {}, article_page(it.a, server_.url(""))};
    }
    return {404, {}, "not found"};
  }

  std::string name_;
  Kind kind_;
  const Clock& clock_;
  std::mutex mu_;
  std::vector<Item> items_;
  int fetches_ = 0;
  int throttle_n_ = 0;
  HttpServer server_;  // last: stopped first
};

enum class Behaviour { healthy, down_retry_after, down_drop, fail_then_ok, times_out, never };

struct Receipt {
  std::string id;
  std::string slug;
  Millis at = 0;
};

// One webhook receiver; it records the alerts it accepted (answered 2xx and did not time out).
class Receiver {
 public:
  Receiver(std::string name, Behaviour b, const Clock& clock)
      : name_(std::move(name)),
        b_(b),
        clock_(clock),
        server_([this](const HttpRequest& r) { return handle(r); }) {}
  std::string url() const { return server_.url("/" + name_); }
  const std::string& name() const { return name_; }
  Behaviour behaviour() const { return b_; }
  bool recovers() const { return b_ != Behaviour::never; }
  bool down_now() const {
    return (b_ == Behaviour::down_retry_after || b_ == Behaviour::down_drop) &&
           clock_.window(30, 90);
  }
  std::vector<Receipt> accepted() {
    std::lock_guard l(mu_);
    return accepted_;
  }

 private:
  HttpResponse handle(const HttpRequest& r) {
    auto body = nlohmann::json::parse(r.body, nullptr, false);
    Receipt rc;
    rc.id = r.header("webhook-id");
    if (body.is_object() && body.contains("article")) {
      std::string url = body["article"].value("url", "");
      auto p = url.find("/news/");
      if (p != std::string::npos) rc.slug = url.substr(p + 6, url.find_first_of("?#", p) - p - 6);
    }
    int n;
    {
      std::lock_guard l(mu_);
      n = requests_++;
    }
    switch (b_) {
      case Behaviour::never:
        return {503, {}, "gone fishing"};
      case Behaviour::down_retry_after:
        if (down_now()) return {503, {{"Retry-After", "1"}}, "maintenance"};
        break;
      case Behaviour::down_drop:
        if (down_now()) {
          HttpResponse drop;
          drop.raw = [](int) {};  // the connection closes without an answer
          return drop;
        }
        break;
      case Behaviour::fail_then_ok: {
        std::lock_guard l(mu_);
        if (tried_.insert(rc.id).second) return {500, {}, "first attempt fails"};
        break;
      }
      case Behaviour::times_out:
        if (n % 3 == 2) {
          std::this_thread::sleep_for(2500ms);  // rasid's timeout is 1 s: it never sees this
          return {200, {}, "too late"};
        }
        break;
      case Behaviour::healthy:
        break;
    }
    rc.at = now_ms();
    std::lock_guard l(mu_);
    accepted_.push_back(rc);
    return {200, {}, "ok"};
  }

  std::string name_;
  Behaviour b_;
  const Clock& clock_;
  std::mutex mu_;
  int requests_ = 0;
  std::set<std::string> tried_;
  std::vector<Receipt> accepted_;
  HttpServer server_;  // last: stopped first
};

long peak_rss_kb(int pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(f, line))
    if (line.rfind("VmHWM:", 0) == 0) return std::atol(line.c_str() + 6);
  return 0;
}

struct Event {
  double t;
  std::string what;
};

TEST(Soak, PromisesHoldUnderMixedAdversity) {
  const int publish_s = soak_seconds();
  Clock clock;
  clock.cycle_s = publish_s <= 200 ? 150 : 300;
  clock.end_s = publish_s;
  const std::string dir = make_temp_dir();
  const std::string db = dir + "/rasid.db", cfg = dir + "/rasid.toml";
  const int status_port = free_port();

  std::vector<std::unique_ptr<Site>> sites;
  const Kind kinds[] = {Kind::old_dates,  Kind::future_dates, Kind::no_dates,
                        Kind::same_dates, Kind::churn_guid,   Kind::republish,
                        Kind::throttle,   Kind::hang,         Kind::flap};
  int ip = 2;
  for (Kind k : kinds)
    sites.push_back(
        std::make_unique<Site>(kind_name(k), k, "127.0.0." + std::to_string(ip++), clock));
  // Added and removed by SIGHUP reloads; its articles are checked for duplicates only.
  Site extra("extra", Kind::no_dates, "127.0.0." + std::to_string(ip++), clock);

  std::vector<std::unique_ptr<Receiver>> rxs;
  rxs.push_back(std::make_unique<Receiver>("healthy", Behaviour::healthy, clock));
  rxs.push_back(std::make_unique<Receiver>("down-ra", Behaviour::down_retry_after, clock));
  rxs.push_back(std::make_unique<Receiver>("down-drop", Behaviour::down_drop, clock));
  rxs.push_back(std::make_unique<Receiver>("flaky", Behaviour::fail_then_ok, clock));
  rxs.push_back(std::make_unique<Receiver>("slow", Behaviour::times_out, clock));
  rxs.push_back(std::make_unique<Receiver>("never", Behaviour::never, clock));
  Receiver late("late", Behaviour::healthy, clock);  // a webhook a reload adds

  const int interval_s = 5;
  auto config = [&](bool with_extra, bool with_never) {
    std::string c = "[daemon]\ndatabase = \"" + db +
                    "\"\nallow_private = [\"127.0.0.0/8\"]\nfast_polling = true\n"
                    "fetch_timeout_s = 3\nconnect_timeout_s = 2\nstatus_listen = \"127.0.0.1:" +
                    std::to_string(status_port) + "\"\n\n";
    auto source = [&](const Site& s) {
      return "[[source]]\nname = \"" + s.name() + "\"\nfeed = \"" + s.feed_url() +
             "\"\ninterval = \"" + std::to_string(interval_s) +
             "s\"\nalert_on_first_poll = true\n\n";
    };
    for (const auto& s : sites) c += source(*s);
    if (with_extra) c += source(extra);
    std::string hooks;
    for (const auto& r : rxs) {
      if (r->behaviour() == Behaviour::never && !with_never) continue;
      hooks += std::string(hooks.empty() ? "" : ", ") + "\"" + r->name() + "\"";
    }
    c += "[[topic]]\nname = \"quake\"\nquery = 'زلزال'\nwebhooks = [" + hooks + "]\n\n";
    if (with_extra)
      c += "[[topic]]\nname = \"late-topic\"\nquery = 'مرصد'\nwebhooks = [\"late\"]\n\n";
    auto hook = [&](const Receiver& r) {
      std::string h =
          "[[webhook]]\nname = \"" + r.name() + "\"\nurl = \"" + r.url() + "\"\ntimeout = \"1s\"\n";
      if (r.behaviour() == Behaviour::never)
        h += "retry_schedule = [\"1s\"]\nmax_attempts = 2\n";
      else
        h += "retry_schedule = [\"1s\", \"2s\", \"4s\", \"8s\"]\nmax_attempts = 5\n";
      return h + "\n";
    };
    for (const auto& r : rxs)
      if (r->behaviour() != Behaviour::never || with_never) c += hook(*r);
    if (with_extra) c += hook(late);
    return c;
  };
  write_file(cfg, config(false, true));
  auto check = run_process({RASID_BINARY, "check", "--config", cfg});
  ASSERT_EQ(check.exit_code, 0) << check.err << check.out;

  DaemonProcess daemon(cfg, dir + "/rasid");
  daemon.start();
  std::vector<Event> events;
  std::vector<Millis> kill_times;
  int kills = 0, terms = 0, reloads = 0, second_refused = 0, second_started = 0;
  long peak_kb = 0;
  bool health_not_ok_seen = false;
  std::vector<std::string> health_during_outage;
  bool extra_on = false;
  std::mt19937 rng(20261130);
  std::vector<Millis> disturbances;  // kills, stops, reloads, second daemons (ms)
  auto ev = [&](const std::string& what) {
    events.push_back({clock.t(), what});
    disturbances.push_back(now_ms());
  };

  // The publishing phase: one article every 1.5 s, round-robin over the publishing sources
  // (the hanging one publishes too: its articles must arrive once it answers again).
  double next_publish = 2, next_action = 12 + std::uniform_real_distribution<double>(0, 6)(rng);
  int action = 0;
  auto kill_and_restart = [&] {
    daemon.stop(SIGKILL);
    kill_times.push_back(now_ms());
    kills++;
    ev("SIGKILL");
    daemon.start();
  };
  size_t rr = 0;
  while (clock.t() < publish_s) {
    if (clock.t() >= next_publish) {
      sites[rr++ % sites.size()]->publish();
      if (extra_on) extra.publish();
      next_publish += 1.5;
    }
    if (daemon.alive()) peak_kb = std::max(peak_kb, peak_rss_kb(daemon.pid()));
    if (clock.t() >= next_action) {
      switch (action++ % 5) {
        case 0:
          kill_and_restart();
          break;
        case 1: {
          auto r = run_process({RASID_BINARY, "run", "--config", cfg}, {}, 30);
          if (r.exit_code != 0 && r.err.find("PID") != std::string::npos)
            second_refused++;
          else
            second_started++;
          ev("second daemon: exit " + std::to_string(r.exit_code));
          break;
        }
        case 2:
          extra_on = !extra_on;
          write_file(cfg, config(extra_on, true));
          daemon.signal(SIGHUP);
          reloads++;
          ev(std::string("SIGHUP ") + (extra_on ? "adds" : "removes") +
             " a source, a topic and a webhook");
          break;
        case 3: {
          int st = daemon.stop(SIGTERM);
          terms++;
          ev("SIGTERM (exit " + std::to_string(WIFEXITED(st) ? WEXITSTATUS(st) : -1) + ")");
          EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0) << "SIGTERM stops cleanly";
          daemon.start();
          break;
        }
        case 4:
          kill_and_restart();
          break;
      }
      next_action = clock.t() + 10 + std::uniform_real_distribution<double>(0, 12)(rng);
    }
    // While a receiver is down, the health must say so.
    if (rxs[1]->down_now() && clock.window(50, 88)) {
      auto h = nlohmann::json::parse(http_get(status_port, "/api/health"), nullptr, false);
      if (h.is_object()) {
        const std::string s = h.value("status", "");
        if (health_during_outage.empty() || health_during_outage.back() != s)
          health_during_outage.push_back(s);
        if (s != "ok") health_not_ok_seen = true;
      }
    }
    std::this_thread::sleep_for(100ms);
  }
  ev("publishing stopped");
  // The extra source ends configured or not; "never" is removed at the end (see health below).
  if (extra_on) {
    extra_on = false;
    write_file(cfg, config(false, true));
    daemon.signal(SIGHUP);
    reloads++;
  }

  // Settle: every article stored, every alert of a recovering receiver accepted.
  std::vector<Item> all;
  std::map<std::string, const Site*> site_of;
  for (const auto& s : sites)
    for (auto& it : s->items())
      if (it.appeared > 0) {
        site_of[it.a.slug] = s.get();
        all.push_back(it);
      }
  auto stored = [&]() {
    std::map<std::string, Millis> out;
    auto store = storage::Store::open(db);
    if (!store.ok()) return out;
    auto arts = store.value()->recent_articles(0, 1000000);
    if (!arts.ok()) return out;
    for (const auto& a : arts.value()) {
      auto p = a.canonical.find("/news/");
      if (p != std::string::npos) out[a.canonical.substr(p + 6)] = a.fetched_at;
    }
    return out;
  };
  auto all_arrived = [&]() {
    auto st = stored();
    for (const auto& it : all)
      if (!st.count(it.a.slug)) return false;
    for (const auto& r : rxs) {
      if (!r->recovers()) continue;
      std::set<std::string> got;
      for (const auto& rc : r->accepted()) got.insert(rc.slug);
      for (const auto& it : all)
        if (!got.count(it.a.slug)) return false;
    }
    return true;
  };
  const auto settle_end = std::chrono::steady_clock::now() + 150s;
  while (!all_arrived() && std::chrono::steady_clock::now() < settle_end) {
    if (daemon.alive()) peak_kb = std::max(peak_kb, peak_rss_kb(daemon.pid()));
    std::this_thread::sleep_for(500ms);
  }
  ev("settled");

  // 1. Every article stored within max(2 × interval, 60 s) of appearing (or of its source
  //    answering again).
  const Millis bound = std::max<Millis>(2 * interval_s * 1000, 60000);
  auto st = stored();
  int late_articles = 0, missing_articles = 0;
  std::vector<double> store_lag;
  for (const auto& it : all) {
    auto f = st.find(it.a.slug);
    if (f == st.end()) {
      missing_articles++;
      ADD_FAILURE() << "never stored: " << it.a.slug;
      continue;
    }
    const Millis from = site_of[it.a.slug]->visible_from(it.appeared, 4 * interval_s * 1000);
    const Millis lag = f->second - from;
    store_lag.push_back(static_cast<double>(f->second - it.appeared) / 1000.0);
    if (lag > bound) {
      late_articles++;
      ADD_FAILURE() << it.a.slug << " stored " << (f->second - it.appeared) / 1000.0
                    << " s after it appeared (" << lag / 1000.0 << " s after it was visible)";
    }
  }

  // 2. Every alert reaches every receiver that recovers, exactly once per webhook-id (a repeat
  //    only across a SIGKILL).
  int duplicates = 0, unexplained_duplicates = 0, lost = 0, delivered = 0;
  std::vector<double> latency, calm_latency;
  for (const auto& r : rxs) {
    if (!r->recovers()) continue;
    std::map<std::string, std::vector<Millis>> by_id;
    std::set<std::string> slugs;
    for (const auto& rc : r->accepted()) {
      by_id[rc.id].push_back(rc.at);
      slugs.insert(rc.slug);
      if (r->behaviour() == Behaviour::healthy && st.count(rc.slug) && by_id[rc.id].size() == 1) {
        const Millis stored_at = st[rc.slug];
        latency.push_back(static_cast<double>(rc.at - stored_at) / 1000.0);
        // "Calm": no kill, stop or reload between the article being stored and the 2xx.
        bool calm = true;
        for (Millis d : disturbances)
          if (d >= stored_at - 1000 && d <= rc.at) calm = false;
        if (calm) calm_latency.push_back(static_cast<double>(rc.at - stored_at) / 1000.0);
      }
    }
    delivered += static_cast<int>(by_id.size());
    for (const auto& [id, times] : by_id) {
      for (size_t k = 1; k < times.size(); ++k) {
        duplicates++;
        bool kill_between = false;
        for (Millis kt : kill_times)
          if (kt >= times[k - 1] - 2000 && kt <= times[k]) kill_between = true;
        if (!kill_between) {
          unexplained_duplicates++;
          ADD_FAILURE() << r->name() << " got " << id << " twice without a SIGKILL between";
        }
      }
    }
    for (const auto& it : all)
      if (!slugs.count(it.a.slug)) {
        lost++;
        ADD_FAILURE() << r->name() << " never got the alert for " << it.a.slug;
      }
  }
  // The reload-added webhook and source: never twice.
  {
    std::map<std::string, int> n;
    for (const auto& rc : late.accepted()) n[rc.id]++;
    for (const auto& [id, c] : n)
      if (c > 1) {
        bool explained = !kill_times.empty();
        if (!explained) ADD_FAILURE() << "late got " << id << " " << c << " times";
      }
  }

  // 3. Nothing for the receiver that never recovers is lost: all its alerts are in the outbox,
  //    failed or still pending, none marked delivered.
  int never_failed = 0, never_pending = 0, never_delivered = 0;
  {
    auto store = storage::Store::open(db);
    ASSERT_TRUE(store.ok()) << store.error();
    auto rows = store.value()->outbox_rows("", "never", 1000000);
    ASSERT_TRUE(rows.ok()) << rows.error();
    std::set<std::string> slugs;
    for (const auto& r : rows.value()) {
      if (r.status == "failed")
        never_failed++;
      else if (r.status == "pending")
        never_pending++;
      else
        never_delivered++;
      auto j = nlohmann::json::parse(r.payload, nullptr, false);
      std::string url = j.is_object() && j.contains("article") ? j["article"].value("url", "") : "";
      auto p = url.find("/news/");
      if (p != std::string::npos) slugs.insert(url.substr(p + 6));
    }
    EXPECT_EQ(never_delivered, 0);
    for (const auto& it : all)
      EXPECT_TRUE(slugs.count(it.a.slug)) << "no outbox row for never/" << it.a.slug;
    EXPECT_GT(never_failed, 0) << "the never-recovering receiver's alerts end failed, visibly";
  }

  // 4. Health: not ok during the outage; not ok while "never" has failed alerts; ok once the
  //    operator removes that webhook and everything else has recovered.
  EXPECT_TRUE(health_not_ok_seen) << "/api/health said ok throughout a receiver's outage";
  auto health = [&] {
    return nlohmann::json::parse(http_get(status_port, "/api/health"), nullptr, false);
  };
  auto h_end = health();
  EXPECT_TRUE(h_end.is_object() && h_end.value("status", "") != "ok")
      << "failed alerts for a configured webhook, yet: " << h_end.dump();
  write_file(cfg, config(true, false));
  daemon.signal(SIGHUP);
  reloads++;
  std::string final_status;
  for (int i = 0; i < 60 && final_status != "ok"; ++i) {
    std::this_thread::sleep_for(1s);
    auto h = health();
    if (h.is_object()) final_status = h.value("status", "");
  }
  EXPECT_EQ(final_status, "ok") << "after recovery: " << health().dump();

  // Bounded memory.
  EXPECT_LT(peak_kb, 300 * 1024) << "peak RSS " << peak_kb << " kB";
  EXPECT_EQ(second_started, 0) << "a second daemon started on the same database";
  EXPECT_GT(second_refused, 0);

  auto pct = [](std::vector<double> v, double p) {
    if (v.empty()) return 0.0;
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())))];
  };
  std::printf(
      "soak: publish_s=%d articles=%zu stored_late=%d missing=%d alerts_delivered=%d "
      "duplicates_by_id=%d (unexplained %d) lost=%d never_failed=%d never_pending=%d kills=%d "
      "terms=%d reloads=%d second_daemon_refused=%d store_lag_p50=%.1fs p99=%.1fs "
      "alert_latency_p50=%.3fs p99=%.3fs (calm: n=%zu p50=%.3fs p99=%.3fs) peak_rss_kb=%ld\n",
      publish_s, all.size(), late_articles, missing_articles, delivered, duplicates,
      unexplained_duplicates, lost, never_failed, never_pending, kills, terms, reloads,
      second_refused, pct(store_lag, 0.5), pct(store_lag, 0.99), pct(latency, 0.5),
      pct(latency, 0.99), calm_latency.size(), pct(calm_latency, 0.5), pct(calm_latency, 0.99),
      peak_kb);
  for (const auto& e : events) std::printf("soak: t=%.1fs %s\n", e.t, e.what.c_str());
  std::string seq;
  for (const auto& s : health_during_outage) seq += s + " ";
  std::printf("soak: /api/health during the outage: %s\n", seq.c_str());
  EXPECT_EQ(daemon.stop(SIGTERM) & 0x7f, 0) << "exits cleanly at the end";
}

}  // namespace
}  // namespace rasid::testing
