#include <gtest/gtest.h>

#include "daemon/pipeline.h"
#include "daemon/service.h"

namespace rasid::daemon {
namespace {

using namespace std::chrono_literals;

ScheduleInput base() { return ScheduleInput{10min, 2min, 6h, 0, false, std::nullopt, std::nullopt}; }

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

TEST(Schedule, ErrorsBackOffExponentiallyCappedNeverDisabled) {
  auto in = base();
  std::chrono::milliseconds prev{0};
  for (int e = 1; e <= 40; ++e) {
    in.consecutive_errors = e;
    auto d = next_delay(in, 0.5);
    EXPECT_GE(d, prev);
    EXPECT_LE(d, std::chrono::milliseconds(6h));
    prev = d;
  }
  in.consecutive_errors = 1;
  EXPECT_EQ(next_delay(in, 0.5), std::chrono::milliseconds(2min));
  in.consecutive_errors = 3;
  EXPECT_EQ(next_delay(in, 0.5), std::chrono::milliseconds(8min));
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

TEST(Adapt, FollowsThePublishingRateWithinBounds) {
  // A feed publishing every 4 minutes: poll about every 2 minutes (smoothed from 10).
  auto i = adapt_interval(10min, 2min, 6h, 4min, 0);
  EXPECT_EQ(i, 6min);
  for (int k = 0; k < 10; ++k) i = adapt_interval(i, 2min, 6h, 4min, 0);
  EXPECT_EQ(i, 2min);
  // A feed publishing once a day drifts to the maximum, never beyond.
  i = 10min;
  for (int k = 0; k < 30; ++k) i = adapt_interval(i, 2min, 6h, 24h, 0);
  EXPECT_EQ(i, 6h);
  // Without dates: empty polls slow down, polls with news speed up.
  EXPECT_EQ(adapt_interval(10min, 2min, 6h, std::nullopt, 0), 12min);
  EXPECT_EQ(adapt_interval(10min, 2min, 6h, std::nullopt, 3), 8min);
  EXPECT_EQ(adapt_interval(2min, 2min, 6h, std::nullopt, 3), 2min);
}

TEST(Adapt, PublishGapIsTheMedianOfRecentDates) {
  std::vector<parse::Entry> es(5);
  parse::Time t0{std::chrono::seconds(1'700'000'000)};
  es[0].published = t0;
  es[1].published = t0 - 10min;
  es[2].published = t0 - 20min;
  es[3].published = t0 - 30min;
  es[4].published = t0 - 30h;  // an old item does not drag the rate
  EXPECT_EQ(publish_gap(es), std::chrono::seconds(10min));
  es.resize(2);
  EXPECT_FALSE(publish_gap(es).has_value());
}

}  // namespace
}  // namespace rasid::daemon

namespace rasid::daemon {
namespace {
using namespace std::chrono_literals;

TEST(CacheLifetime, MaxAgeThenExpiresRelativeToDate) {
  parse::Time now{std::chrono::seconds(1'700'000'000)};
  EXPECT_EQ(cache_lifetime({{"cache-control", "public, max-age=900"}}, now), 900s);
  EXPECT_EQ(cache_lifetime({{"cache-control", "max-age=60, s-maxage=600"}}, now), 600s);
  EXPECT_FALSE(cache_lifetime({{"cache-control", "no-cache, max-age=600"}}, now).has_value());
  EXPECT_EQ(cache_lifetime({{"date", "Tue, 01 Jan 2030 10:00:00 GMT"},
                            {"expires", "Tue, 01 Jan 2030 10:30:00 GMT"}},
                           now),
            1800s)
      << "relative to the server's clock, not ours";
  EXPECT_FALSE(cache_lifetime({{"expires", "0"}}, now).has_value());
  EXPECT_FALSE(cache_lifetime({}, now).has_value());
}

}  // namespace
}  // namespace rasid::daemon
