#include "daemon/service.h"

#include <systemd/sd-daemon.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cmath>
#include <filesystem>
#include <map>
#include <random>
#include <set>
#include <utility>

#include "alert/alert.h"
#include "common/log.h"
#include "config/values.h"
#include "daemon/instance.h"
#include "daemon/metrics.h"
#include "daemon/pipeline.h"
#include "daemon/runtime.h"
#include "daemon/status.h"
#include "parse/parser.h"
#include "storage/instance_lock.h"
#include "storage/store.h"
#include "text/lexicon.h"
#include "url/url.h"

namespace rasid::daemon {

namespace asio = boost::asio;
using namespace std::chrono_literals;

ScheduleDecision decide_schedule(const ScheduleInput& in) {
  using std::chrono::seconds;
  ScheduleDecision d;
  if (in.dead) {
    d = {24h, "the feed answered 410 Gone: probed once a day"};
  } else if (in.consecutive_errors > 0) {
    // Exponential back-off from min_interval, capped at max(the configured interval, 30 s): half
    // the promise's bound, max(2 × interval, 60 s) from a source answering again to its articles
    // being stored, so the first poll after it answers (jitter never takes it past the cap)
    // leaves the other half for the fetch. A source is never given up on (a request every 30 s to a
    // failing host is no abuse; a server that wants fewer says so with Retry-After, which is
    // honoured below).
    seconds start = std::max(in.min_interval, seconds(10));
    double factor = std::pow(2.0, std::min(in.consecutive_errors - 1, 16));
    seconds cap = std::max({in.configured, seconds(30), start});
    d.interval = std::min(cap, seconds(static_cast<long long>(start.count() * factor)));
    d.reason = "backing off after " + std::to_string(in.consecutive_errors) + " failed polls";
    d.at_most = cap;
  } else {
    const auto ceiling = std::max(in.min_interval, in.max_interval);
    d.interval = std::clamp(in.interval, in.min_interval, ceiling);
    if (in.server_min) {
      d.at_least = std::min(*in.server_min, ceiling);
      if (*in.server_min > d.interval) {
        d.interval = d.at_least;
        d.reason = "the server asks for at least " + config::format_duration(*in.server_min) +
                   " (ttl, sy:updatePeriod or Cache-Control)";
      }
    }
  }
  if (in.retry_after) {
    const auto wait = std::min(*in.retry_after, seconds(24h));
    if (wait > d.interval) {
      d.interval = wait;
      d.reason = "the server answered Retry-After " + config::format_duration(*in.retry_after);
      d.at_most = seconds(0);
    }
    d.at_least = std::max(d.at_least, wait);
  }
  return d;
}

std::chrono::milliseconds next_delay(const ScheduleInput& in, double u) {
  using std::chrono::milliseconds;
  const auto d = decide_schedule(in);
  double jitter = 0.9 + 0.2 * std::clamp(u, 0.0, 1.0);
  milliseconds delay(
      static_cast<long long>(static_cast<double>(d.interval.count()) * 1000.0 * jitter));
  if (d.at_most.count() > 0) delay = std::min<milliseconds>(delay, d.at_most);
  return std::max<milliseconds>(delay, d.at_least);
}

ScheduleDecision adapt_interval(const AdaptInput& in) {
  using std::chrono::seconds;
  const seconds lo = in.min_interval, hi = std::max(in.min_interval, in.max_interval);
  if (in.first_poll) return {std::clamp(in.configured, lo, hi), ""};
  seconds next;
  std::string why;
  if (in.new_entries > 0) {
    // Never longer than now, nor than configured; shorter when entries arrive faster.
    next = std::min(in.current, in.configured);
    if (in.since_last_poll && in.since_last_poll->count() > 0) {
      const seconds arrival(in.since_last_poll->count() / in.new_entries);
      if (arrival < next) {
        next = std::max(arrival, lo);
        why = "shortened: new entries appear about every " + config::format_duration(arrival);
      }
    }
  } else {
    next =
        std::max(in.current + seconds(1),
                 seconds(static_cast<long long>(static_cast<double>(in.current.count()) * 1.25)));
    // The feed's dates may hold it short; they never stretch it.
    if (in.publish_gap && in.publish_gap->count() > 0)
      next = std::min(next, std::max(in.current, *in.publish_gap / 2));
    if (next > in.configured) why = "lengthened: recent polls found nothing new";
  }
  next = std::clamp(next, lo, hi);
  if (next == hi && next > in.configured)
    why = "lengthened to the ceiling (max_interval " + config::format_duration(hi) +
          "): recent polls found nothing new";
  if (next == in.configured) why.clear();
  if (why.empty() && next < in.configured) why = "shortened: the source publishes often";
  return {next, why};
}

namespace {

class Service {
 public:
  Service(ServiceOptions opts, std::shared_ptr<const Runtime> rt,
          std::unique_ptr<storage::Store> store)
      : opts_(std::move(opts)),
        rt_(std::move(rt)),
        store_(std::move(store)),
        fetcher_(std::make_unique<fetch::Fetcher>(io_, fetch_options(rt_->config.daemon))),
        pipeline_(*store_, *fetcher_),
        signals_(io_, SIGINT, SIGTERM, SIGHUP),
        deliver_timer_(io_),
        prune_timer_(io_),
        watchdog_timer_(io_),
        heartbeat_timer_(io_),
        claim_timer_(io_),
        status_timer_(io_),
        rng_(std::random_device{}()),
        instance_id_(make_instance_id()) {
    pipeline_.set_runtime(rt_);
    pipeline_.set_metrics(&metrics_);
    deliverer_ = std::make_unique<alert::Deliverer>(*store_, *fetcher_, rt_->endpoints);
    if (!opts_.once) deliverer_->set_on_answer([this] { arm_next_delivery(); });
  }

  int run() {
    wait_signals();
    if (std::string w = lexicon_warning(); !w.empty())
      log::warn(w);
    else
      log::info("word list: " + std::to_string(text::default_lexicon().size()) + " entries from " +
                text::default_lexicon().source());
    if (opts_.once) {
      start_once();
    } else {
      if (!start_status()) return 1;
      register_sources();
      arm_claim(0ms);
      arm_delivery(0ms);
      arm_prune(0ms);
      arm_heartbeat(0ms);
      start_watchdog();
      sd_notify(0, "READY=1");
      update_status();
      log::info("rasid running: " + std::to_string(rt_->config.sources.size()) + " sources, " +
                std::to_string(rt_->topics.size()) + " topics, " +
                std::to_string(rt_->endpoints.size()) + " webhooks");
    }
    io_.run();
    // Every transfer still running is cancelled while the objects its callback uses are alive.
    pipeline_.stop();
    // Other instances stop listing this one, and its unfinished polls are theirs at once.
    if (!opts_.once && stopping_)
      if (auto s = store_->leave(instance_id_); !s)
        log::warn("leaving the instances: " + s.error());
    deliverer_.reset();
    fetcher_.reset();
    return exit_code_;
  }

 private:
  // ---- one-shot --------------------------------------------------------------------------
  // Every source, due or not, unless another instance holds its lease (it is polling it now).
  void start_once() {
    in_flight_ = static_cast<int>(rt_->config.sources.size()) + 1;
    for (const auto& s : rt_->config.sources) {
      auto lease = store_->lease_source(s.name, instance_id_, storage::now_ms(), lease_ms(), false);
      if (!lease || !lease->granted) {
        PollOutcome o;
        o.source = s.name;
        if (!lease) {
          o.error = "storage: " + lease.error();
          o.failure = PollFailure::storage;
          log::error("source=" + s.name + " " + o.error);
          once_failed_++;
        } else {
          log::info("source=" + s.name + " skipped: instance " + lease->holder + " is polling it");
        }
        --in_flight_;
        continue;
      }
      pipeline_.poll(s, std::move(lease->state), instance_id_, {}, [this](PollOutcome o) {
        after_poll(o);
        if (!o.ok) once_failed_++;
        if (--in_flight_ == 0) once_deliver();
      });
    }
    if (--in_flight_ == 0) once_deliver();
  }

  storage::Millis lease_ms() const {
    return std::chrono::milliseconds(rt_->config.daemon.lease).count();
  }

  void once_deliver() {
    deliverer_->pump([this] {
      auto next = deliverer_->next_due();
      if (next && *next <= storage::now_ms() && ++once_rounds_ < 50) return once_deliver();
      const int total = static_cast<int>(rt_->config.sources.size());
      if (total > 0 && once_failed_ == total) {
        log::error("rasid once: every source failed (" + std::to_string(total) +
                   "); see the log above or `rasid sources`");
        exit_code_ = kExitAllSourcesFailed;
      }
      io_.stop();
    });
  }

  // ---- scheduling ------------------------------------------------------------------------
  // One claim loop, not a timer per source (issue 15: with a timer and a lease attempt per
  // source on every instance, 10,000 sources on 3 instances cost 39 statements per poll and
  // kept 0.28 of the promised polls). Each turn claims the due sources this instance has room
  // for in one statement (Store::claim_due), starts their polls, and sleeps until the next one
  // is due — at most kClaimEvery, since other instances and reloads move sources too. At most
  // max_polls() polls run at once, so a claimed source never waits in a queue longer than its
  // lease; when more are due, every finished poll that frees half the room claims again.
  static constexpr std::chrono::milliseconds kClaimEvery = 1s;
  static constexpr std::chrono::milliseconds kClaimAtLeast = 20ms;  // no busy loop on a race

  int max_polls() const { return std::max(8, 2 * rt_->config.daemon.concurrency); }

  // Rows for the configured sources (Store::register_sources); a new or overdue source is first
  // due within min(30 s, its interval), so a start does not hit every host at once.
  void register_sources() {
    const auto now = storage::now_ms();
    std::vector<storage::SourceSlot> slots;
    names_.clear();
    for (const auto& s : rt_->config.sources) {
      const auto window = std::min<long long>(30000, std::chrono::milliseconds(s.interval).count());
      const auto spread = static_cast<storage::Millis>(
          std::uniform_real_distribution<double>(0, 1)(rng_) * static_cast<double>(window));
      slots.push_back({s.name, s.feed.empty() ? s.page : s.feed, now + spread});
      names_.push_back(s.name);
    }
    auto r = store_->register_sources(slots, now);
    register_pending_ = !r.ok();
    if (!r)
      log::error("storage: registering the configured sources (tried again at the next claim): " +
                 r.error());
  }

  void arm_claim(std::chrono::milliseconds delay) {
    claim_timer_.expires_after(std::max(delay, kClaimAtLeast));
    claim_timer_.async_wait([this](const boost::system::error_code& ec) {
      if (ec || stopping_) return;
      claim();
    });
  }

  void claim() {
    last_claim_ = std::chrono::steady_clock::now();
    if (register_pending_) register_sources();
    const int room = max_polls() - in_flight_;
    backlog_ = room <= 0;
    if (backlog_) return arm_claim(kClaimEvery);
    auto c = store_->claim_due(names_, instance_id_, storage::now_ms(), lease_ms(), room);
    metrics_.claim();
    if (!c) {
      if (!claim_failing_) log::error("storage: claiming due sources: " + c.error());
      claim_failing_ = true;
      return arm_claim(kClaimEvery);
    }
    if (claim_failing_) log::info("storage: claiming due sources again");
    claim_failing_ = false;
    backlog_ = static_cast<int>(c->due.size()) >= room;
    for (auto& st : c->due) start_poll(std::move(st));
    auto delay = kClaimEvery;
    if (!backlog_ && c->next_due > 0)
      delay =
          std::clamp(std::chrono::milliseconds(c->next_due - storage::now_ms()), 0ms, kClaimEvery);
    arm_claim(delay);
  }

  void start_poll(storage::SourceState st) {
    const std::string name = st.name;
    const auto* src = rt_->source(name);
    if (!src || polling_.count(name)) return;  // removed by a reload; still polling it here
    // A host that answered 429 (Too Many Requests: a limit on this client, RFC 6585 §4) with
    // Retry-After is left alone by every source on it until then; each deferred source says so.
    std::string host = url::host(src->feed.empty() ? src->page : src->feed);
    if (auto it = host_not_before_.find(host); it != host_not_before_.end()) {
      auto now = std::chrono::steady_clock::now();
      if (it->second.until > now) {
        const auto wait =
            std::chrono::duration_cast<std::chrono::milliseconds>(it->second.until - now).count() +
            std::uniform_int_distribution<int>(0, 5000)(rng_);
        metrics_.lease("deferred");
        if (auto d =
                store_->defer_source(name, instance_id_, storage::now_ms() + wait, it->second.why);
            !d)
          log::error("source=" + name + " storage: deferring the source: " + d.error());
        return;
      }
      host_not_before_.erase(it);
    }
    metrics_.lease("granted");
    granted_at_[name] = polling_[name] = std::chrono::steady_clock::now();
    in_flight_++;
    // The schedule is part of the poll's record (written with it, in one transaction).
    auto plan = [this, name](const PollOutcome& o, storage::SourceState& state) {
      if (const auto* s = rt_->source(name)) plan_next(*s, o, state);
    };
    pipeline_.poll(*src, std::move(st), instance_id_, plan, [this, name](PollOutcome o) {
      in_flight_--;
      polling_.erase(name);
      after_poll(o);
      if (stopping_) return maybe_finish_stop();
      const auto* s = rt_->source(name);
      if (s && o.retry_after && o.http_status == 429) {
        // A 503's Retry-After is about the resource (other feeds of the host may well answer):
        // it holds back this source alone, through its schedule (decide_schedule).
        std::string h = url::host(s->feed.empty() ? s->page : s->feed);
        host_not_before_[h] = {std::chrono::steady_clock::now() + *o.retry_after,
                               "waiting: host " + h + " answered 429 Too Many Requests with " +
                                   "Retry-After " + config::format_duration(*o.retry_after) +
                                   " to source " + name + "; every source on it waits"};
      }
      if (s && o.failure == PollFailure::storage) {
        // Nothing of the poll was written, its schedule neither: due again shortly, and the
        // lease is given back (or runs out, if the database is gone).
        auto again = std::min<std::chrono::milliseconds>(s->interval, 10s) + small_jitter();
        (void)store_->defer_source(name, instance_id_, storage::now_ms() + again.count(), "");
      }
      if (backlog_ && in_flight_ <= max_polls() / 2) arm_claim(0ms);
    });
  }

  // Up to 250 ms: sources retried after the same failure do not all come back at once.
  std::chrono::milliseconds small_jitter() {
    return std::chrono::milliseconds(std::uniform_int_distribution<int>(0, 250)(rng_));
  }

  // The next poll of `s` after outcome `o`: when it is due (jitter included), the adapted
  // interval, the interval in force and why go into `st`.
  void plan_next(const config::Source& s, const PollOutcome& o, storage::SourceState& st) {
    ScheduleInput in{s.interval, s.min_interval, s.max_interval, st.consecutive_errors,
                     o.dead,     o.retry_after,  o.min_interval, s.interval};
    std::string adapted_why;
    auto current = st.interval_s > 0 ? std::chrono::seconds(st.interval_s) : s.interval;
    if (o.ok) {
      auto a = adapt_interval({current, s.interval, s.min_interval, s.max_interval, o.new_entries,
                               o.first_poll, o.since_last_poll, o.publish_gap});
      current = a.interval;
      adapted_why = a.reason;
      st.interval_s = current.count();
    }
    in.interval = std::clamp(current, s.min_interval, std::max(s.min_interval, s.max_interval));
    const auto decision = decide_schedule(in);
    auto delay = next_delay(in, std::uniform_real_distribution<double>(0, 1)(rng_));
    st.next_check = storage::now_ms() + delay.count();
    st.in_force_s = decision.interval.count();
    st.interval_reason = !decision.reason.empty() ? decision.reason
                         : o.ok                   ? adapted_why
                                                  : st.interval_reason;
    if (decision.interval == s.interval && decision.reason.empty()) st.interval_reason.clear();
  }

  void after_poll(const PollOutcome& o) {
    metrics_.poll_done(o);
    if (o.new_articles || o.alerts)
      log::info("source=" + o.source + " " + std::to_string(o.new_articles) + " new articles, " +
                std::to_string(o.alerts) + " alerts queued");
    if (o.alerts > 0 && !opts_.once) arm_delivery(0ms);
    status_soon();
  }

  // ---- delivery --------------------------------------------------------------------------
  // Each endpoint goes at its own pace: a pump starts every due endpoint that is not busy, and
  // every answer re-arms the timer for the next due row, so a slow or failing receiver never
  // holds back the others (alert/alert.h Deliverer::set_on_answer).
  void arm_delivery(std::chrono::milliseconds delay) {
    deliver_timer_.expires_after(delay);
    deliver_timer_.async_wait([this](const boost::system::error_code& ec) {
      if (ec || stopping_) return;
      deliverer_->pump([this] {
        if (stopping_) return maybe_finish_stop();
        status_soon();
      });
      arm_next_delivery();
    });
  }

  void arm_next_delivery() {
    if (stopping_) return maybe_finish_stop();
    // Other processes (rasid alerts retry) may change the outbox: look again at least every 5 s.
    auto next = deliverer_->next_due();
    std::chrono::milliseconds d = 5s;
    if (next) d = std::clamp(std::chrono::milliseconds(*next - storage::now_ms()), 20ms, d);
    arm_delivery(d);
  }

  // Delivered outbox rows are kept 30 days (receivers' duplicate windows are shorter), then
  // pruned once a day; pending and failed rows are never pruned. With [daemon] keep, articles
  // fetched longer ago go too (storage::Store::prune_articles, 500 per transaction).
  void arm_prune(std::chrono::milliseconds delay) {
    prune_timer_.expires_after(delay);
    prune_timer_.async_wait([this](const boost::system::error_code& ec) {
      if (ec || stopping_) return;
      constexpr storage::Millis kKeepMs = 30LL * 24 * 3600 * 1000;
      auto n = store_->prune_delivered(storage::now_ms() - kKeepMs);
      if (!n)
        log::error("outbox prune: " + n.error());
      else if (n.value() > 0)
        log::info("outbox: pruned " + std::to_string(n.value()) +
                  " alerts delivered > 30 days ago");
      // Retention ([daemon] keep): articles older than that, in batches (storage/store.h).
      if (const auto keep = rt_->config.daemon.keep; keep.count() > 0) {
        const auto before = storage::now_ms() - keep.count() * 1000;
        auto p = store_->prune_articles(before, 500);
        if (!p)
          log::error("retention: " + p.error());
        else if (p->articles > 0 || p->kept > 0)
          log::info("retention: pruned " + std::to_string(p->articles) + " articles (" +
                    std::to_string(p->matches) + " matches, " + std::to_string(p->delivered) +
                    " delivered alerts) fetched before keep; kept " + std::to_string(p->kept) +
                    " whose alerts are not delivered yet");
      }
      arm_prune(24h);
    });
  }

  // ---- instances (daemon/instance.h) -------------------------------------------------------
  // Every kHeartbeatEvery: this instance's row (with the fingerprint of the configuration it
  // runs now, and the sources it was granted in the last minute), then a look at the others: a
  // live instance with another configuration is logged once per (instance, fingerprint).
  void arm_heartbeat(std::chrono::milliseconds delay) {
    heartbeat_timer_.expires_after(delay);
    heartbeat_timer_.async_wait([this](const boost::system::error_code& ec) {
      if (ec || stopping_) return;
      heartbeat();
      arm_heartbeat(kHeartbeatEvery);
    });
  }

  void heartbeat() {
    const auto steady = std::chrono::steady_clock::now();
    int leased = 0;
    for (auto it = granted_at_.begin(); it != granted_at_.end();) {
      if (steady - it->second > kLiveFor) {
        it = granted_at_.erase(it);
      } else {
        leased++;
        ++it;
      }
    }
    const auto now = storage::now_ms();
    const std::string mine = config::fingerprint(rt_->config);
    storage::InstanceInfo me{
        instance_id_, host_name(), static_cast<int>(::getpid()), started_ms_, now, mine, leased};
    if (auto s = store_->heartbeat(me); !s) {
      log::error("instance heartbeat: " + s.error());
      return;
    }
    auto live = store_->instances(now - std::chrono::milliseconds(kLiveFor).count());
    if (!live) {
      log::error("listing instances: " + live.error());
      return;
    }
    for (const auto& i : live.value()) {
      if (i.id == instance_id_ || i.config_fingerprint == mine) continue;
      if (!warned_configs_.insert(i.id + " " + i.config_fingerprint + " " + mine).second) continue;
      log::warn("instance " + i.id + " (pid " + std::to_string(i.pid) + " on " + i.host +
                ") runs a different configuration on this database: fingerprint " +
                i.config_fingerprint + ", this one " + mine +
                " (sources, topics or webhooks differ; see /api/instances)");
    }
  }

  // ---- systemd -----------------------------------------------------------------------------
  void start_watchdog() {
    uint64_t usec = 0;
    if (sd_watchdog_enabled(0, &usec) <= 0 || usec == 0) return;
    watchdog_interval_ = std::chrono::microseconds(usec / 2);
    arm_watchdog();
  }

  void arm_watchdog() {
    watchdog_timer_.expires_after(watchdog_interval_);
    watchdog_timer_.async_wait([this](const boost::system::error_code& ec) {
      if (ec) return;
      // The loop turned (we are here) — ping only if the database answers too.
      if (healthy())
        sd_notify(0, "WATCHDOG=1");
      else
        log::error("watchdog: database not answering; withholding the ping");
      arm_watchdog();
    });
  }

  // ---- status endpoint (daemon/status.h) -------------------------------------------------
  // False when a configured status endpoint cannot be served: `rasid run` then refuses to start
  // (whoever configured a status page relies on it; `status_listen = ""` turns it off).
  bool start_status() {
    const std::string& listen = rt_->config.daemon.status_listen;
    if (listen.empty()) return true;
    StatusContext ctx;
    ctx.store = store_.get();
    ctx.metrics = &metrics_;
    ctx.runtime = [this] { return rt_; };
    ctx.health = [this] { return status_health(); };
    ctx.instance_id = instance_id_;
    status_ = std::make_unique<StatusServer>(io_, std::move(ctx));
    auto bound = status_->start(listen);
    if (!bound) {
      log::error("cannot start: " + bound.error() +
                 " (the status page, [daemon] status_listen in " + opts_.config_path +
                 "); free that port, choose another address, or set status_listen = \"\" to run "
                 "without a status page");
      status_.reset();
      return false;
    }
    log::info("status: listening on http://" + bound.value() + "/");
    return true;
  }

  // Database answers; the claim loop turns, and no poll is stuck: a poll running for long is
  // one that never finished (fetch timeouts bound a healthy one).
  Health status_health() {
    Health h;
    h.database = healthy();
    h.database_reconnecting = !db_answers_ && h.database;
    if (!h.database) h.detail = "database not answering";
    const auto now = std::chrono::steady_clock::now();
    const auto limit =
        std::max<std::chrono::steady_clock::duration>(15min, 3 * rt_->config.daemon.fetch_timeout);
    std::string why;
    if (now - last_claim_ > std::max<std::chrono::steady_clock::duration>(60s, 60 * kClaimEvery))
      why = "the scheduler has not claimed sources since " +
            std::to_string(
                std::chrono::duration_cast<std::chrono::seconds>(now - last_claim_).count()) +
            " s";
    for (const auto& [name, since] : polling_)
      if (why.empty() && since + limit < now) why = "source " + name + " poll stuck";
    if (!why.empty()) {
      h.scheduler = false;
      h.detail += (h.detail.empty() ? "" : "; ") + why;
    }
    if (stopping_) {
      h.scheduler = false;
      h.detail += (h.detail.empty() ? "" : "; ") + std::string("stopping");
    }
    return h;
  }

  // A SQLite file that does not answer is a stuck daemon (the watchdog restarts it); a database
  // server that does not answer is reconnected to by the store itself (storage/pg.h), so the
  // process stays live and says it is degraded meanwhile.
  bool healthy() {
    db_answers_ = store_->ping();
    return db_answers_ || storage::is_server_uri(rt_->config.daemon.database);
  }
  bool db_answers_ = true;

  // The systemd STATUS= line after polls and deliveries, at most once per kStatusEvery: each
  // costs a read of every source's state and of the outbox (assess_health) and a database ping,
  // which after every poll made 10,000 sources cost O(sources) statements' work per poll.
  static constexpr std::chrono::milliseconds kStatusEvery = 1s;
  void status_soon() {
    if (status_pending_ || opts_.once) return;
    status_pending_ = true;
    status_timer_.expires_after(kStatusEvery);
    status_timer_.async_wait([this](const boost::system::error_code& ec) {
      status_pending_ = false;
      if (!ec) update_status();
    });
  }
  bool status_pending_ = false;

  // The same verdict as /api/health and the status page's banner (assess_health).
  void update_status() {
    if (stopping_) return;  // "stopping" is said by STOPPING=1, not as a failure
    auto overall = assess_health(*store_, *rt_, status_health(), storage::now_ms());
    sd_notify(0, ("STATUS=" + health_line(overall)).c_str());
  }

  // ---- signals -----------------------------------------------------------------------------
  void wait_signals() {
    signals_.async_wait([this](const boost::system::error_code& ec, int sig) {
      if (ec) return;
      if (sig == SIGHUP) {
        reload();
        return wait_signals();
      }
      log::info(std::string("received ") + (sig == SIGTERM ? "SIGTERM" : "SIGINT") + ", stopping");
      sd_notify(0, "STOPPING=1");
      stopping_ = true;
      pipeline_.stop();
      deliverer_->stop();
      claim_timer_.cancel();
      status_timer_.cancel();
      deliver_timer_.cancel();
      prune_timer_.cancel();
      watchdog_timer_.cancel();
      heartbeat_timer_.cancel();
      if (status_) status_->stop();
      // In-flight polls get a few seconds to finish their writes; then they are cancelled.
      auto force = std::make_shared<asio::steady_timer>(io_, 5s);
      force->async_wait([this, force](const boost::system::error_code&) { io_.stop(); });
      force_stop_ = force;
      maybe_finish_stop();
    });
  }

  void maybe_finish_stop() {
    if (stopping_ && in_flight_ == 0 && !(deliverer_ && deliverer_->busy())) io_.stop();
  }

  void reload() {
    sd_notify(0, "RELOADING=1");
    log::info("SIGHUP: reloading " + opts_.config_path);
    auto rt = load_runtime(opts_.config_path);
    if (!rt) {
      log::error("reload refused, keeping the running configuration:\n" + rt.error());
      sd_notify(0, "READY=1\nSTATUS=reload failed: invalid configuration; running on the old one");
      return;
    }
    // The database, the status address and the fetcher's settings are taken at start: say so
    // rather than pretend a reload changed them.
    const auto& was = rt_->config.daemon;
    const auto& now = rt.value()->config.daemon;
    std::string restart;
    auto differs = [&](bool changed, const char* key) {
      if (changed) restart += std::string(restart.empty() ? "" : ", ") + key;
    };
    differs(was.database != now.database, "database");
    differs(was.status_listen != now.status_listen, "status_listen");
    differs(was.user_agent != now.user_agent || was.proxy != now.proxy ||
                was.allow_private != now.allow_private || was.ca_file != now.ca_file ||
                was.concurrency != now.concurrency ||
                was.per_host_concurrency != now.per_host_concurrency ||
                was.per_host_delay != now.per_host_delay || was.fetch_timeout != now.fetch_timeout,
            "fetch settings");
    if (!restart.empty())
      log::warn("reload: [daemon] " + restart +
                " changed; they take effect at the next restart (the running values stay)");
    rt_ = std::move(rt).value();
    pipeline_.set_runtime(rt_);
    // Rows in flight finish with their old settings; queues, rate limits and digests go on.
    deliverer_->set_endpoints(rt_->endpoints);
    arm_delivery(0ms);
    // New sources get rows, changed feed URLs start again; the next claim sees both.
    register_sources();
    arm_claim(0ms);
    log::info("reloaded: " + std::to_string(rt_->config.sources.size()) + " sources, " +
              std::to_string(rt_->topics.size()) + " topics");
    sd_notify(0, "READY=1");
    update_status();
  }

  ServiceOptions opts_;
  asio::io_context io_;
  std::shared_ptr<const Runtime> rt_;
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<fetch::Fetcher> fetcher_;
  Pipeline pipeline_;
  std::unique_ptr<alert::Deliverer> deliverer_;
  asio::signal_set signals_;
  asio::steady_timer deliver_timer_;
  asio::steady_timer prune_timer_;
  asio::steady_timer watchdog_timer_;
  asio::steady_timer heartbeat_timer_;
  std::chrono::microseconds watchdog_interval_{0};
  std::shared_ptr<asio::steady_timer> force_stop_;
  asio::steady_timer claim_timer_;
  asio::steady_timer status_timer_;
  std::vector<std::string> names_;  // the configured sources, as claim_due asks for them
  bool register_pending_ = false;   // register_sources failed: tried again at the next claim
  bool backlog_ = false;            // the last claim filled every free poll slot
  bool claim_failing_ = false;      // logged once per run of failed claims
  std::chrono::steady_clock::time_point last_claim_ = std::chrono::steady_clock::now();
  std::map<std::string, std::chrono::steady_clock::time_point> polling_;  // in flight, since
  struct HostWait {
    std::chrono::steady_clock::time_point until;
    std::string why;  // the deferred sources' interval_reason
  };
  std::map<std::string, HostWait> host_not_before_;  // hosts that answered 429 + Retry-After
  std::mt19937_64 rng_;
  const std::string instance_id_;  // the owner of this process's source leases
  const storage::Millis started_ms_ = storage::now_ms();
  std::map<std::string, std::chrono::steady_clock::time_point> granted_at_;  // source → lease
  std::set<std::string> warned_configs_;  // (instance, its fingerprint, ours) already logged
  int in_flight_ = 0;
  int once_rounds_ = 0;
  int once_failed_ = 0;
  bool stopping_ = false;
  int exit_code_ = 0;
  Metrics metrics_;
  std::unique_ptr<StatusServer> status_;  // last: destroyed first
};

}  // namespace

int run_service(const ServiceOptions& options) {
  auto rt = load_runtime(options.config_path);
  if (!rt) {
    log::error(rt.error());
    return 1;
  }
  const auto& d = rt.value()->config.daemon;
  if (d.log_level == "debug")
    log::set_min_level(log::Level::debug);
  else if (d.log_level == "warning")
    log::set_min_level(log::Level::warning);
  else if (d.log_level == "error")
    log::set_min_level(log::Level::error);
  // One daemon per SQLite file (storage/instance_lock.h): a second one would deliver twice.
  // A PostgreSQL URI names no file: nothing to create or lock here.
  std::unique_ptr<storage::InstanceLock> lock;
  if (!storage::is_server_uri(d.database)) {
    std::error_code ec;
    auto parent = std::filesystem::path(d.database).parent_path();
    if (!parent.empty()) std::filesystem::create_directories(parent, ec);
    auto held = storage::InstanceLock::acquire(d.database);
    if (!held) {
      log::error(held.error());
      return 1;
    }
    lock = std::move(held).value();
  }
  auto store = storage::Store::open(d.database);
  if (!store) {
    log::error("database " + d.database + ": " + store.error());
    return 1;
  }
  Service svc(options, std::move(rt).value(), std::move(store).value());
  return svc.run();
}

}  // namespace rasid::daemon
