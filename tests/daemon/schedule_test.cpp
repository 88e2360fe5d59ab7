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
