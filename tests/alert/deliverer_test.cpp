// The Deliverer against a real receiver on 127.0.0.1, a real Fetcher and a real SQLite file.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <filesystem>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>
#include <utility>  // before asio

#include "alert/alert.h"
#include "tests/support/http_server.h"
#include "tests/support/write_lock.h"

namespace rasid::alert {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using testing::HttpRequest;
using testing::HttpResponse;
using testing::HttpServer;

const std::string kSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

class TempDir {
 public:
  TempDir() {
    std::string t = (fs::temp_directory_path() / "rasid-alert-XXXXXX").string();
    if (mkdtemp(t.data())) path_ = t;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  std::string file(const std::string& n) const { return path_ + "/" + n; }

 private:
  std::string path_;
};

// What the receiver saw, in arrival order.
struct Seen {
  std::string path, id, signature, timestamp, body;
  storage::Millis at = 0;
};

class Receiver {
 public:
  using Policy = std::function<HttpResponse(const HttpRequest&, int n)>;  // n: 0-based per path
  explicit Receiver(Policy p)
      : policy_(std::move(p)), server_([this](const HttpRequest& r) { return handle(r); }) {}
  std::string url(const std::string& path) const { return server_.url(path); }
  std::vector<Seen> all() {
    std::lock_guard l(mu_);
    return seen_;
  }
  // Deliveries answered 2xx, in order.
  std::vector<Seen> accepted() {
    std::lock_guard l(mu_);
    return accepted_;
  }
  int max_concurrent() const { return max_concurrent_; }

 private:
  HttpResponse handle(const HttpRequest& r) {
    int n;
    {
      std::lock_guard l(mu_);
      n = count_[r.path]++;
      seen_.push_back({r.path, r.header("webhook-id"), r.header("webhook-signature"),
                       r.header("webhook-timestamp"), r.body, storage::now_ms()});
      if (++concurrent_[r.path] > max_concurrent_) max_concurrent_ = concurrent_[r.path];
    }
    HttpResponse resp = policy_(r, n);
    std::lock_guard l(mu_);
    --concurrent_[r.path];
    if (resp.status >= 200 && resp.status < 300) accepted_.push_back(seen_[seen_.size() - 1]);
    return resp;
  }

  Policy policy_;
  std::mutex mu_;
  std::vector<Seen> seen_, accepted_;
  std::map<std::string, int> count_, concurrent_;
  int max_concurrent_ = 0;
  HttpServer server_;  // last: stopped first
};

fetch::Options fetch_options() {
  fetch::Options o;
  o.allow_private = {"127.0.0.0/8"};
  o.total_timeout = 5000ms;
  return o;
}

Endpoint endpoint(const std::string& name, const std::string& url) {
  Endpoint e;
  e.name = name;
  e.url = url;
  e.secret = kSecret;
  e.retry_scale = 0.0002;  // 5 s → 1 ms, 5 min → 60 ms, 30 min → 360 ms
  return e;
}

// Adds one article with one alert per webhook; returns the webhook ids in insertion order.
std::vector<std::string> add(storage::Store& store, int n, const std::vector<std::string>& hooks) {
  storage::NewArticle a;
  a.source = "khabar";
  a.entry_key = "e" + std::to_string(n);
  a.url = a.canonical = "https://example.net/" + std::to_string(n);
  a.title = "خبر " + std::to_string(n);
  a.body = "نص";
  std::vector<storage::NewAlert> alerts;
  std::vector<std::string> ids;
  for (const auto& h : hooks) {
    Alert al;
    al.topic = "t";
    al.story_id = n;
    al.title = a.title;
    al.url = a.url;
    al.lang = "ar";
    ids.push_back(webhook_id(h, "t", n));
    alerts.push_back({h, "t", ids.back(), payload_json(al)});
  }
  auto r = store.add_article(a, {{"t", ""}}, alerts);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error());
  return ids;
}

struct Rig {
  TempDir dir;
  std::unique_ptr<storage::Store> store;
  boost::asio::io_context io;
  std::unique_ptr<fetch::Fetcher> fetcher;
  std::unique_ptr<Deliverer> deliverer;

  explicit Rig(std::vector<Endpoint> eps) {
    auto s = storage::Store::open(dir.file("rasid.db"));
    EXPECT_TRUE(s.ok());
    store = std::move(s).value();
    fetcher = std::make_unique<fetch::Fetcher>(io, fetch_options());
    deliverer = std::make_unique<Deliverer>(*store, *fetcher, std::move(eps));
  }

  // Runs the io loop until `pred` or the deadline.
  bool run_until(const std::function<bool()>& pred, std::chrono::milliseconds limit) {
    const auto end = std::chrono::steady_clock::now() + limit;
    while (!pred()) {
      if (std::chrono::steady_clock::now() > end) return false;
      io.restart();
      io.run_for(5ms);
      if (io.stopped()) std::this_thread::sleep_for(1ms);
    }
    return true;
  }

  // What the daemon does: pump, wait for the pass, sleep until next_due, again — until nothing
  // is pending or the deadline passes. Returns the number of passes.
  int drain(std::chrono::milliseconds limit) {
    const auto end = std::chrono::steady_clock::now() + limit;
    int passes = 0;
    while (std::chrono::steady_clock::now() < end) {
      bool done = false;
      deliverer->pump([&] { done = true; });
      ++passes;
      if (!run_until([&] { return done; }, limit)) break;
      auto next = deliverer->next_due();
      if (!next) break;
      if (*next > storage::now_ms() + std::chrono::duration_cast<std::chrono::milliseconds>(
                                          end - std::chrono::steady_clock::now())
                                          .count())
        break;  // not due before the deadline
      const auto wait = std::max<storage::Millis>(*next - storage::now_ms(), 0);
      run_until([] { return false; },
                std::chrono::milliseconds(std::min<storage::Millis>(wait, 1000)));
    }
    return passes;
  }

  storage::OutboxCounts counts(const std::string& hook) {
    auto c = store->outbox_counts();
    EXPECT_TRUE(c.ok());
    for (auto& x : c.value())
      if (x.webhook == hook) return x;
    return {};
  }
};

TEST(Deliverer, RecoveringReceiverGetsEveryAlertExactlyOnceInOrder) {
  // /desk fails its first 3 requests (500, connection-level 503, 502), /ops always accepts.
  Receiver rx([](const HttpRequest& r, int n) {
    if (r.path == "/desk" && n < 3) return HttpResponse{n == 1 ? 503 : 500 + n, {}, "down"};
    return HttpResponse{200, {}, "ok"};
  });
  Rig rig({endpoint("desk", rx.url("/desk")), endpoint("ops", rx.url("/ops"))});
  std::vector<std::string> desk, ops;
  for (int i = 1; i <= 4; ++i) {
    auto ids = add(*rig.store, i, {"desk", "ops"});
    desk.push_back(ids[0]);
    ops.push_back(ids[1]);
  }
  rig.drain(10s);
  std::vector<std::string> got_desk, got_ops;
  for (const auto& s : rx.accepted()) (s.path == "/desk" ? got_desk : got_ops).push_back(s.id);
  EXPECT_EQ(got_desk, desk);  // every alert once, in order, despite 3 failures of the first
  EXPECT_EQ(got_ops, ops);
  EXPECT_EQ(rx.all().size(), 8u + 3u);
  EXPECT_EQ(rx.max_concurrent(), 1);  // never two requests in flight to one endpoint
  for (const auto& s : rx.all()) {
    EXPECT_EQ(s.signature, sign(kSecret, s.id, std::stoll(s.timestamp), s.body));
    auto j = nlohmann::json::parse(s.body);
    EXPECT_EQ(j["type"], "article.matched");
  }
  // The first desk row was retried with the same id each time.
  int first = 0;
  for (const auto& s : rx.all()) first += s.id == desk[0];
  EXPECT_EQ(first, 4);
  auto c = rig.counts("desk");
  EXPECT_EQ(c.delivered, 4);
  EXPECT_EQ(c.pending, 0);
  EXPECT_EQ(c.failed, 0);
  auto rows = rig.store->outbox_rows("delivered", "desk", 10);
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(rows->front().attempts, 4);
  EXPECT_EQ(rows->back().attempts, 1);
  EXPECT_FALSE(rig.deliverer->busy());
  EXPECT_FALSE(rig.deliverer->next_due().has_value());
}

TEST(Deliverer, GoneEndpointFailsRowAndDisablesEndpoint) {
  std::atomic<bool> gone{true};
  Receiver rx([&](const HttpRequest&, int) {
    return gone ? HttpResponse{410, {}, "gone"} : HttpResponse{200, {}, "ok"};
  });
  Rig rig({endpoint("desk", rx.url("/desk"))});
  const auto first = add(*rig.store, 1, {"desk"});
  const auto second = add(*rig.store, 2, {"desk"});
  rig.drain(3s);
  EXPECT_EQ(rx.all().size(), 1u);  // the endpoint is not hammered with the rest of its queue
  auto c = rig.counts("desk");
  EXPECT_EQ(c.failed, 1);
  EXPECT_EQ(c.pending, 1);
  auto failed = rig.store->outbox_rows("failed", "desk", 10);
  ASSERT_TRUE(failed.ok() && failed->size() == 1);
  EXPECT_EQ(failed->front().last_error, "endpoint gone (410)");
  auto waiting = rig.store->pending("desk");
  ASSERT_TRUE(waiting.ok() && waiting->size() == 1);
  EXPECT_NE(waiting->front().last_error.find("endpoint disabled"), std::string::npos);
  EXPECT_EQ(waiting->front().hold, storage::Hold::endpoint_gone) << "the pause is data";
  EXPECT_EQ(waiting->front().attempts, 0);
  EXPECT_GT(waiting->front().next_attempt, storage::now_ms() + 3500 * 1000);
  // The operator fixes the receiver, re-queues (`rasid alerts retry`) and reloads: both rows
  // arrive, in order, the first with the same id as before.
  gone = false;
  auto n = rig.store->retry_failed("desk");
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(n.value(), 1);
  rig.deliverer->set_endpoints({endpoint("desk", rx.url("/desk"))});
  rig.drain(3s);
  auto ok = rx.accepted();
  ASSERT_EQ(ok.size(), 2u);
  EXPECT_EQ(ok[0].id, first[0]);
  EXPECT_EQ(ok[1].id, second[0]);
  EXPECT_EQ(rx.all()[0].id, first[0]);
}

// The fresh try's case: the operator fixes the receiver and runs `rasid alerts retry` while the
// daemon runs — no reload, no restart. The pause after the 410 is data on the rows, so the retry
// resumes the endpoint at once: both alerts arrive, in order, the first with its first id.
TEST(Deliverer, AlertsRetryResumesAPausedEndpointWithoutAReload) {
  std::atomic<bool> gone{true};
  Receiver rx([&](const HttpRequest&, int) {
    return gone ? HttpResponse{410, {}, "gone"} : HttpResponse{200, {}, "ok"};
  });
  Rig rig({endpoint("desk", rx.url("/desk"))});
  const auto first = add(*rig.store, 1, {"desk"});
  const auto second = add(*rig.store, 2, {"desk"});
  rig.drain(3s);
  ASSERT_EQ(rx.all().size(), 1u);
  gone = false;
  auto n = rig.store->retry_failed("desk");  // what `rasid alerts retry` does, from outside
  ASSERT_TRUE(n.ok());
  rig.drain(3s);
  auto ok = rx.accepted();
  ASSERT_EQ(ok.size(), 2u);
  EXPECT_EQ(ok[0].id, first[0]);
  EXPECT_EQ(ok[1].id, second[0]);
  EXPECT_EQ(rig.counts("desk").pending, 0);
}

TEST(Deliverer, RetryAfterIsHonoured) {
  Receiver rx([](const HttpRequest&, int n) {
    if (n == 0) return HttpResponse{429, {{"Retry-After", "2"}}, "slow down"};
    return HttpResponse{200, {}, "ok"};
  });
  Rig rig({endpoint("desk", rx.url("/desk"))});
  add(*rig.store, 1, {"desk"});
  const auto t0 = storage::now_ms();
  bool done = false;
  rig.deliverer->pump([&] { done = true; });
  ASSERT_TRUE(rig.run_until([&] { return done; }, 5s));
  auto next = rig.deliverer->next_due();
  ASSERT_TRUE(next);
  EXPECT_GE(*next - t0, 1990);  // not the scaled 1 ms of the schedule
  EXPECT_LE(*next - t0, 4000);
  auto pending = rig.store->pending("desk");
  ASSERT_TRUE(pending.ok() && pending->size() == 1);
  EXPECT_EQ(pending->front().last_error, "HTTP 429");
  rig.drain(6s);
  auto seen = rx.all();
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_GE(seen[1].at - seen[0].at, 1900);
  EXPECT_EQ(rig.counts("desk").delivered, 1);
}

// A receiver that answers "503, Retry-After: 0" through an outage must not burn the schedule:
// the hint is a floor on the delay, never a shortcut, so the alert outlives a short outage.
TEST(Deliverer, RetryAfterIsAFloorNeverAShortcut) {
  std::atomic<storage::Millis> up_at{0};
  Receiver rx([&](const HttpRequest&, int) {
    if (storage::now_ms() < up_at.load()) return HttpResponse{503, {{"Retry-After", "0"}}, "down"};
    return HttpResponse{200, {}, "ok"};
  });
  auto ep = endpoint("desk", rx.url("/desk"));
  ep.schedule = {500ms, 1000ms, 2000ms};  // retries at about 0.5 s, 1.5 s, 3.5 s
  ep.max_attempts = 4;
  ep.retry_scale = 1.0;
  Rig rig({ep});
  const auto ids = add(*rig.store, 1, {"desk"});
  up_at = storage::now_ms() + 2000;  // a 2 s outage: shorter than the schedule
  rig.drain(8s);
  auto c = rig.counts("desk");
  EXPECT_EQ(c.delivered, 1);
  EXPECT_EQ(c.failed, 0) << "a short outage never fails an alert";
  auto seen = rx.all();
  ASSERT_GE(seen.size(), 2u);
  EXPECT_LE(seen.size(), 4u);
  for (size_t i = 1; i < seen.size(); ++i) {
    EXPECT_GE(seen[i].at - seen[i - 1].at, 450) << "attempt " << i << " came early";
    EXPECT_EQ(seen[i].id, ids[0]) << "same webhook-id on every retry";
  }
}

// Alerts that failed while an endpoint was down (attempts spent) go out by themselves when it
// delivers again: in their original order, each exactly once, with their webhook-id.
TEST(Deliverer, FailedAlertsQueueAgainWhenTheEndpointRecovers) {
  std::atomic<bool> down{true};
  Receiver rx([&](const HttpRequest&, int) {
    return down ? HttpResponse{500, {}, "down"} : HttpResponse{200, {}, "ok"};
  });
  auto ep = endpoint("desk", rx.url("/desk"));
  ep.max_attempts = 2;
  Rig rig({ep});
  std::vector<std::string> ids;
  for (int i = 1; i <= 3; ++i) ids.push_back(add(*rig.store, i, {"desk"})[0]);
  rig.drain(5s);
  ASSERT_EQ(rig.counts("desk").failed, 3);
  EXPECT_TRUE(rx.accepted().empty());

  down = false;
  ids.push_back(add(*rig.store, 4, {"desk"})[0]);  // the next alert finds the receiver back
  rig.drain(5s);
  auto c = rig.counts("desk");
  EXPECT_EQ(c.delivered, 4);
  EXPECT_EQ(c.failed, 0);
  EXPECT_EQ(c.pending, 0);
  auto ok = rx.accepted();
  ASSERT_EQ(ok.size(), 4u) << "each alert exactly once";
  EXPECT_EQ(ok[0].id, ids[3]);
  EXPECT_EQ(ok[1].id, ids[0]) << "the failed ones follow in their original order";
  EXPECT_EQ(ok[2].id, ids[1]);
  EXPECT_EQ(ok[3].id, ids[2]);
}

// An endpoint that recovers while nothing new is queued for it: its failed alerts are not left
// to an operator — the oldest is sent again as a probe, and once it gets through all follow.
TEST(Deliverer, FailedAlertsAreProbedWhenNothingNewComes) {
  std::atomic<bool> down{true};
  Receiver rx([&](const HttpRequest&, int) {
    return down ? HttpResponse{503, {}, "down"} : HttpResponse{200, {}, "ok"};
  });
  auto ep = endpoint("desk", rx.url("/desk"));
  ep.max_attempts = 2;
  Rig rig({ep});
  std::vector<std::string> ids;
  for (int i = 1; i <= 3; ++i) ids.push_back(add(*rig.store, i, {"desk"})[0]);
  rig.drain(3s);
  ASSERT_EQ(rig.counts("desk").failed, 3);
  const size_t refused = rx.all().size();
  rig.drain(1s);  // still down: probed now and then (scaled: every 120 ms), still failed
  EXPECT_GT(rx.all().size(), refused) << "no probe while down";
  EXPECT_EQ(rig.counts("desk").failed, 3);

  down = false;  // back, and no new alert comes
  rig.drain(3s);
  auto c = rig.counts("desk");
  EXPECT_EQ(c.delivered, 3);
  EXPECT_EQ(c.failed, 0);
  auto ok = rx.accepted();
  ASSERT_EQ(ok.size(), 3u) << "each once";
  for (size_t i = 0; i < 3; ++i) EXPECT_EQ(ok[i].id, ids[i]) << "in the original order";
}

// A receiver that never recovers loses nothing: its alerts end failed, with the reason, visible.
TEST(Deliverer, NeverRecoveringReceiverKeepsItsAlertsFailedAndVisible) {
  Receiver rx([](const HttpRequest&, int) { return HttpResponse{503, {}, "down"}; });
  auto ep = endpoint("desk", rx.url("/desk"));
  ep.max_attempts = 2;
  Rig rig({ep});
  for (int i = 1; i <= 3; ++i) add(*rig.store, i, {"desk"});
  rig.drain(5s);
  auto failed = rig.store->outbox_rows("failed", "desk", 10);
  ASSERT_TRUE(failed.ok());
  ASSERT_EQ(failed->size(), 3u);
  for (const auto& r : failed.value()) EXPECT_NE(r.last_error.find("HTTP 503"), std::string::npos);
}

TEST(Deliverer, GivesUpAfterMaxAttempts) {
  Receiver rx([](const HttpRequest&, int) { return HttpResponse{500, {}, "boom"}; });
  auto ep = endpoint("desk", rx.url("/desk"));
  ep.max_attempts = 3;
  ep.schedule = {1ms};
  ep.retry_scale = 1.0;  // so the first probe of the failed rows is 10 minutes away
  Rig rig({ep});
  add(*rig.store, 1, {"desk"});
  add(*rig.store, 2, {"desk"});
  rig.drain(3s);
  // Row 1: 3 attempts then failed; row 2 then gets its own 3 attempts.
  EXPECT_EQ(rx.all().size(), 6u);
  auto failed = rig.store->outbox_rows("failed", "desk", 10);
  ASSERT_TRUE(failed.ok());
  ASSERT_EQ(failed->size(), 2u);
  EXPECT_EQ(failed->front().attempts, 3);
  EXPECT_EQ(failed->front().last_error, "gave up after 3 attempts: HTTP 500");
}

TEST(Deliverer, ConnectionRefusedAndTimeoutAreRetried) {
  Receiver rx([](const HttpRequest&, int n) {
    if (n == 0) std::this_thread::sleep_for(1500ms);
    return HttpResponse{200, {}, "ok"};
  });
  auto slow = endpoint("slow", rx.url("/slow"));
  slow.timeout = 300ms;
  // A port nobody listens on: take a server's port, then stop it.
  std::string dead_url;
  {
    HttpServer tmp([](const HttpRequest&) { return HttpResponse{}; });
    dead_url = tmp.url("/dead");
  }
  auto dead = endpoint("dead", dead_url);
  dead.max_attempts = 2;
  Rig rig({slow, dead});
  add(*rig.store, 1, {"slow", "dead"});
  rig.drain(8s);
  EXPECT_EQ(rig.counts("slow").delivered, 1);
  auto failed = rig.store->outbox_rows("failed", "dead", 10);
  ASSERT_TRUE(failed.ok());
  ASSERT_EQ(failed->size(), 1u);
  EXPECT_NE(failed->front().last_error.find("connect"), std::string::npos)
      << failed->front().last_error;
  auto slow_rows = rig.store->outbox_rows("delivered", "slow", 10);
  ASSERT_TRUE(slow_rows.ok() && slow_rows->size() == 1);
  EXPECT_EQ(slow_rows->front().attempts, 2);  // the timed-out try counted
}

TEST(Deliverer, UnknownWebhookWaitsWithANote) {
  Receiver rx([](const HttpRequest&, int) { return HttpResponse{200, {}, "ok"}; });
  Rig rig({endpoint("desk", rx.url("/desk"))});
  add(*rig.store, 1, {"ghost", "desk"});
  rig.drain(5s);
  EXPECT_EQ(rx.all().size(), 1u);
  auto ghost = rig.store->pending("ghost");
  ASSERT_TRUE(ghost.ok() && ghost->size() == 1);
  EXPECT_EQ(ghost->front().attempts, 0);
  EXPECT_GT(ghost->front().next_attempt, storage::now_ms() + 3500 * 1000);
  EXPECT_NE(ghost->front().last_error.find("ghost"), std::string::npos);
  EXPECT_EQ(ghost->front().hold, storage::Hold::unknown_webhook);
  // A config reload that adds the webhook: retry_failed does not apply (not failed), but the row
  // is sent once it is due; here we make it due by hand.
  rig.deliverer->set_endpoints(
      {endpoint("desk", rx.url("/desk")), endpoint("ghost", rx.url("/g"))});
  ASSERT_TRUE(rig.store->defer(ghost->front().id, 0, storage::Hold::none).ok());
  rig.drain(5s);
  EXPECT_EQ(rig.counts("ghost").delivered, 1);
}

TEST(Deliverer, RateLimitSpacesRequests) {
  Receiver rx([](const HttpRequest&, int) { return HttpResponse{200, {}, "ok"}; });
  auto ep = endpoint("desk", rx.url("/desk"));
  ep.min_interval = 300ms;
  Rig rig({ep});
  for (int i = 1; i <= 3; ++i) add(*rig.store, i, {"desk"});
  rig.drain(5s);
  auto seen = rx.all();
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_GE(seen[1].at - seen[0].at, 290);
  EXPECT_GE(seen[2].at - seen[1].at, 290);
  EXPECT_EQ(rig.counts("desk").delivered, 3);
  auto rows = rig.store->outbox_rows("delivered", "desk", 10);
  ASSERT_TRUE(rows.ok());
  for (const auto& r : rows.value()) EXPECT_EQ(r.attempts, 1);  // deferral is not an attempt
}

TEST(Deliverer, DigestSendsOneMessageForAllPending) {
  Receiver rx([](const HttpRequest&, int) { return HttpResponse{200, {}, "ok"}; });
  auto ep = endpoint("desk", rx.url("/desk"));
  ep.digest = 60s;
  Rig rig({ep});
  for (int i = 1; i <= 5; ++i) add(*rig.store, i, {"desk"});
  rig.drain(3s);
  auto seen = rx.all();
  ASSERT_EQ(seen.size(), 1u);
  auto j = nlohmann::json::parse(seen[0].body);
  EXPECT_EQ(j["type"], "digest");
  EXPECT_EQ(j["count"], 5);
  EXPECT_EQ(rig.counts("desk").delivered, 5);
  // A new alert within the period waits for the next digest.
  add(*rig.store, 6, {"desk"});
  bool done = false;
  rig.deliverer->pump([&] { done = true; });
  ASSERT_TRUE(rig.run_until([&] { return done; }, 2s));
  EXPECT_EQ(rx.all().size(), 1u);
  auto next = rig.deliverer->next_due();
  ASSERT_TRUE(next);
  EXPECT_GT(*next, storage::now_ms() + 50 * 1000);
}

TEST(Deliverer, ShutdownMidFlightLeavesRowPending) {
  Receiver rx([](const HttpRequest&, int) {
    std::this_thread::sleep_for(500ms);
    return HttpResponse{200, {}, "ok"};
  });
  TempDir dir;
  const auto path = dir.file("rasid.db");
  {
    auto store = storage::Store::open(path);
    ASSERT_TRUE(store.ok());
    add(*store.value(), 1, {"desk"});
    boost::asio::io_context io;
    auto fetcher = std::make_unique<fetch::Fetcher>(io, fetch_options());
    Deliverer d(*store.value(), *fetcher, {endpoint("desk", rx.url("/desk"))});
    d.pump();
    io.run_for(100ms);
    EXPECT_TRUE(d.busy());
    fetcher.reset();  // cancels the transfer: its callback reports cancelled
    io.restart();
    io.run_for(50ms);
  }
  auto store = storage::Store::open(path);
  ASSERT_TRUE(store.ok());
  auto pending = store.value()->pending("desk");
  ASSERT_TRUE(pending.ok());
  ASSERT_EQ(pending->size(), 1u);
  EXPECT_EQ(pending->front().attempts, 0);  // a shutdown is not a failed attempt
}

// The receiver accepted (2xx) but the SQLite file is write-locked by another connection, so
// mark_delivered fails (after its 5 s busy wait) on every attempt: the deliverer records the
// answer again instead of sending the alert again. Before: one POST per pass, same webhook-id.
TEST(Deliverer, AcceptedAlertIsRecordedNotSentAgainWhileTheStoreIsLocked) {
  Receiver rx([](const HttpRequest&, int) { return HttpResponse{200, {}, "ok"}; });
  Rig rig({endpoint("desk", rx.url("/desk"))});
  const auto first = add(*rig.store, 1, {"desk"});
  const auto second = add(*rig.store, 2, {"desk"});
  int passes = 0;
  {
    testing::WriteLockHolder lock(rig.dir.file("rasid.db"));
    ASSERT_TRUE(lock.held());
    passes = rig.drain(12s);  // each failed recording waits out the store's 5 s busy timeout
    EXPECT_EQ(rig.counts("desk").pending, 2) << "nothing could be recorded while locked";
    EXPECT_TRUE(rig.deliverer->next_due().has_value()) << "the recording is still to do";
  }
  EXPECT_GE(passes, 2) << "several delivery attempts ran while the lock was held";
  ASSERT_EQ(rx.all().size(), 1u) << "only the head was sent, once; the next waits behind it";
  rig.drain(5s);
  std::map<std::string, int> posts;
  for (const auto& s : rx.all()) ++posts[s.id];
  EXPECT_EQ(posts[first[0]], 1);
  EXPECT_EQ(posts[second[0]], 1);
  ASSERT_EQ(rx.all().size(), 2u);
  EXPECT_EQ(rx.all()[0].id, first[0]);  // order kept
  auto c = rig.counts("desk");
  EXPECT_EQ(c.delivered, 2);
  EXPECT_EQ(c.pending, 0);
  auto rows = rig.store->outbox_rows("delivered", "desk", 10);
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ(rows->front().attempts, 1);  // recorded once, as one attempt
  EXPECT_FALSE(rig.deliverer->next_due().has_value());
}

}  // namespace
}  // namespace rasid::alert
