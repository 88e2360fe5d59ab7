#include <gtest/gtest.h>

#include "daemon/pipeline.h"
#include "daemon/service.h"

namespace rasid::daemon {
namespace {

using namespace std::chrono_literals;

ScheduleInput base() {
  return ScheduleInput{10min, 2min, 6h, 0, false, std::nullopt, std::nullopt, 10min};
}

TEST(Schedule, HealthySourceUsesItsIntervalWithJitter) {
  auto in = base();
  EXPECT_EQ(next_delay(in, 0.5), std::chrono::milliseconds(10min));
  EXPECT_EQ(next_delay(in, 0.0), std::chrono::milliseconds(9min));
  EXPECT_EQ(next_delay(in, 1.0), std::chrono::milliseconds(11min));
}

TEST(Schedule, ServerHintsAreLowerBoundsWithinTheMaximum) {
  auto in = base();
  in.server_min = 1h;  // <ttl>60</ttl>
  EXPECT_EQ(next_delay(in, 0.5), std::chrono::milliseconds(1h));
  in.server_min = 48h;
  EXPECT_EQ(next_delay(in, 0.5), std::chrono::milliseconds(6h)) << "capped at max_interval";
  in.server_min = 1min;
  EXPECT_EQ(next_delay(in, 0.5), std::chrono::milliseconds(10min));
}

// A failing source is retried ever less often, but never so rarely that its articles arrive
// late once it answers again: the promise is that they are stored within max(2 × interval, 60 s)
// of it answering, and the back-off (jitter included) takes at most half of that, whatever the
// interval and however long the outage.
TEST(Schedule, ErrorsBackOffExponentiallyAndLeaveTheFetchHalfThePromisesBound) {
  auto in = base();
  std::chrono::milliseconds prev{0};
  for (int e = 1; e <= 40; ++e) {
    in.consecutive_errors = e;
    auto d = next_delay(in, 0.5);
    EXPECT_GE(d, prev);
    prev = d;
  }
  EXPECT_EQ(prev, std::chrono::milliseconds(10min)) << "never given up on";
  in.consecutive_errors = 1;
  EXPECT_EQ(next_delay(in, 0.5), std::chrono::milliseconds(2min));
  in.consecutive_errors = 3;
  EXPECT_EQ(next_delay(in, 0.5), std::chrono::milliseconds(8min));
  for (std::chrono::seconds interval : {5s, 30s, 45s, 600s, 3600s}) {
    const auto bound = std::max<std::chrono::milliseconds>(2 * interval, 60s);
    ScheduleInput s{interval,     std::min<std::chrono::seconds>(interval, 1min),
                    4 * interval, 0,
                    false,        std::nullopt,
                    std::nullopt, interval};
    for (int e = 1; e <= 40; ++e) {
      s.consecutive_errors = e;
      EXPECT_LE(next_delay(s, 1.0) * 2, bound)
          << "interval " << interval.count() << " s, " << e << " errors";
    }
  }
  // A 5 s source that fails for an hour is still tried every 30 s.
  ScheduleInput fast{5s, 5s, 20s, 700, false, std::nullopt, std::nullopt, 5s};
  EXPECT_EQ(next_delay(fast, 0.5), std::chrono::milliseconds(30s));
}

// A server's Retry-After (and its ttl) is a floor: the jitter that spreads polls never brings
// the next one earlier (a fresh try saw a 300 s Retry-After answered after 273.7 s).
TEST(Schedule, JitterNeverUndercutsTheServersFloor) {
  for (std::chrono::seconds wait : {1s, 29s, 30s, 120s, 300s, 10800s}) {
    for (int errors : {0, 1, 3, 10}) {
      for (double u : {0.0, 0.3, 0.5, 1.0}) {
        auto in = base();
        in.consecutive_errors = errors;
        in.retry_after = wait;
        EXPECT_GE(next_delay(in, u), std::chrono::milliseconds(wait))
            << wait.count() << " s, " << errors << " errors, jitter " << u;
        in.retry_after.reset();
        in.consecutive_errors = 0;
        in.server_min = wait;
        EXPECT_GE(next_delay(in, u),
                  std::chrono::milliseconds(std::min<std::chrono::seconds>(wait, 6h)))
            << "ttl " << wait.count() << " s, jitter " << u;
      }
    }
  }
}

TEST(Schedule, RetryAfterAndGone) {
  auto in = base();
  in.consecutive_errors = 1;
  in.retry_after = 3h;
  EXPECT_EQ(next_delay(in, 0.5), std::chrono::milliseconds(3h));
  in.dead = true;
  in.retry_after.reset();
  EXPECT_EQ(next_delay(in, 0.5), std::chrono::milliseconds(24h));
}

TEST(EntryKey, GuidThenCanonicalLinkThenHash) {
  parse::Entry e;
  e.id = "urn:x:1";
  e.link = "https://Example.com/a?utm_source=rss#top";
  EXPECT_EQ(entry_key(e), "id:urn:x:1");
  EXPECT_EQ(entry_key(e, false), "url:https://example.com/a");
  e.id.clear();
  e.link.clear();
  e.title = "عنوان";
  std::string k = entry_key(e);
  EXPECT_EQ(k.rfind("hash:", 0), 0u);
  EXPECT_EQ(k, entry_key(e)) << "stable";
  e.title = "عنوان آخر";
  EXPECT_NE(k, entry_key(e));
}

}  // namespace
}  // namespace rasid::daemon

namespace rasid::daemon {
namespace {
using namespace std::chrono_literals;

// A source configured at 30 s whose items carry pubDates years apart (old items, wrong clocks,
// republished archives) and which finds something new on every poll stays at 30 s.
TEST(Adapt, PollsThatFindNewEntriesNeverLengthenTheInterval) {
  AdaptInput in{30s, 30s, 30s, 120s, 1, false, 30s, std::chrono::hours(24 * 365 * 3)};
  for (int k = 0; k < 20; ++k) {
    auto a = adapt_interval(in);
    EXPECT_EQ(a.interval, 30s) << "poll " << k;
    EXPECT_EQ(a.reason, "");
    in.current = a.interval;
  }
  // A stretched interval (learned while the source was quiet) snaps back on the first news.
  in.current = 2min;
  EXPECT_EQ(adapt_interval(in).interval, 30s);
}

TEST(Adapt, LearnsFromWhenEntriesAppearNotFromTheirDates) {
  // Configured 10 min; three new entries per 10-minute poll: entries arrive every 3m20s.
  AdaptInput in{10min, 10min, 2min, 40min, 3, false, 10min, std::nullopt};
  auto a = adapt_interval(in);
  EXPECT_EQ(a.interval, 200s);
  EXPECT_NE(a.reason.find("shortened"), std::string::npos) << a.reason;
  // Never below min_interval, however fast entries arrive.
  in.new_entries = 100;
  EXPECT_EQ(adapt_interval(in).interval, 2min);
  // Dates claiming one item a minute do not speed anything up on their own.
  in.new_entries = 0;
  in.since_last_poll = 10min;
  in.publish_gap = 1min;
  EXPECT_EQ(adapt_interval(in).interval, 10min) << "a hint holds the interval, never moves it";
}

TEST(Adapt, QuietSourcesSlowDownToASmallMultipleOfTheConfiguredInterval) {
  AdaptInput in{10min, 10min, 2min, 40min, 0, false, 10min, std::nullopt};
  auto a = adapt_interval(in);
  EXPECT_EQ(a.interval, 750s);
  EXPECT_NE(a.reason.find("lengthened"), std::string::npos);
  for (int k = 0; k < 30; ++k) {
    in.current = a.interval;
    a = adapt_interval(in);
  }
  EXPECT_EQ(a.interval, 40min) << "the ceiling, never beyond";
  EXPECT_NE(a.reason.find("max_interval"), std::string::npos) << a.reason;
  // The dates of a feed publishing every 20 minutes hold it at 10 min.
  in.current = 10min;
  in.publish_gap = 20min;
  EXPECT_EQ(adapt_interval(in).interval, 10min);
  // The first poll (everything is new) keeps the configured interval.
  in.current = 10min;
  in.first_poll = true;
  in.new_entries = 50;
  EXPECT_EQ(adapt_interval(in).interval, 10min);
}

TEST(Schedule, DecisionSaysWhyTheIntervalDiffers) {
  ScheduleInput in{10min, 2min, 40min, 0, false, std::nullopt, std::nullopt, 10min};
  EXPECT_EQ(decide_schedule(in).reason, "");
  in.server_min = 30min;
  EXPECT_EQ(decide_schedule(in).interval, 30min);
  EXPECT_NE(decide_schedule(in).reason.find("server"), std::string::npos);
  in.consecutive_errors = 2;
  EXPECT_NE(decide_schedule(in).reason.find("2 failed polls"), std::string::npos);
  in.retry_after = 3h;
  EXPECT_EQ(decide_schedule(in).interval, 3h);
  EXPECT_NE(decide_schedule(in).reason.find("Retry-After"), std::string::npos);
}

TEST(Adapt, PublishGapIsTheMedianOfRecentDates) {
  std::vector<parse::Entry> es(5);
  parse::Time t0{std::chrono::seconds(1'700'000'000)};
  es[0].published = t0;
  es[1].published = t0 - 10min;
  es[2].published = t0 - 20min;
  es[3].published = t0 - 30min;
  es[4].published = t0 - 30h;  // an old item does not drag the rate
  EXPECT_EQ(parse::publish_gap(es), std::chrono::seconds(10min));
  es.resize(2);
  EXPECT_FALSE(parse::publish_gap(es).has_value());
}

}  // namespace
}  // namespace rasid::daemon

namespace rasid::daemon {
namespace {
using namespace std::chrono_literals;

TEST(CacheLifetime, MaxAgeThenExpiresRelativeToDate) {
  parse::Time now{std::chrono::seconds(1'700'000'000)};
  EXPECT_EQ(fetch::freshness_lifetime({{"cache-control", "public, max-age=900"}}, now), 900s);
  EXPECT_EQ(fetch::freshness_lifetime({{"cache-control", "max-age=60, s-maxage=600"}}, now), 600s);
  EXPECT_FALSE(
      fetch::freshness_lifetime({{"cache-control", "no-cache, max-age=600"}}, now).has_value());
  EXPECT_EQ(fetch::freshness_lifetime({{"date", "Tue, 01 Jan 2030 10:00:00 GMT"},
                                       {"expires", "Tue, 01 Jan 2030 10:30:00 GMT"}},
                                      now),
            1800s)
      << "relative to the server's clock, not ours";
  EXPECT_FALSE(fetch::freshness_lifetime({{"expires", "0"}}, now).has_value());
  EXPECT_FALSE(fetch::freshness_lifetime({}, now).has_value());
}

}  // namespace
}  // namespace rasid::daemon
