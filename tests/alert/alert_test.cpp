#include "alert/alert.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>

#include "alert/textfit.h"

namespace rasid::alert {
namespace {

Alert sample() {
  Alert a;
  a.topic = "syria-iran";
  a.story_id = 4815162342;
  a.title = "محادثات بين سوريا وإيران حول إعادة الإعمار في دمشق";
  a.url = "https://example.net/news/talks?utm_source=rss";
  a.canonical = "https://example.net/news/talks";
  a.source = "khabar";
  a.published = rasid::text::parse_date("2026-11-22T07:00:00Z");
  a.lang = "ar";
  a.snippet = "عقد وفدان من «سوريا» و«إيران» اجتماعاً مطولاً في دمشق";
  a.also_reported_by = {"bbc-arabic", "aljazeera"};
  return a;
}

TEST(AlertSign, StandardWebhooksTestVector) {
  EXPECT_EQ(sign("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek",
                 1614265330, R"({"test": 2432232314})"),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
}

TEST(AlertSign, MalformedSecretsGiveEmptySignature) {
  EXPECT_EQ(sign("whsec_", "id", 1, "{}"), "");
  EXPECT_EQ(sign("whsec_not base64!", "id", 1, "{}"), "");
  EXPECT_EQ(sign("", "id", 1, "{}"), "");
  EXPECT_EQ(sign("whsec_AAAA=AAA", "id", 1, "{}"), "");  // data after padding
  // Any change of id, timestamp or body changes the signature.
  const std::string s = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
  std::set<std::string> sigs{sign(s, "a", 1, "{}"), sign(s, "b", 1, "{}"), sign(s, "a", 2, "{}"),
                             sign(s, "a", 1, "{ }")};
  EXPECT_EQ(sigs.size(), 4u);
}

TEST(AlertId, DeterministicAndDistinct) {
  const auto id = webhook_id("desk", "syria-iran", 42);
  EXPECT_EQ(id, webhook_id("desk", "syria-iran", 42));
  EXPECT_EQ(id.rfind("msg_", 0), 0u);
  EXPECT_EQ(id.size(), 4u + 32u);
  EXPECT_EQ(id.find_first_not_of("0123456789abcdef", 4), std::string::npos);
  std::set<std::string> ids{id,
                            webhook_id("desk", "syria-iran", 43),
                            webhook_id("desk2", "syria-iran", 42),
                            webhook_id("desk", "syria", 42),
                            webhook_id("deskx", "yria-iran", 42),  // separator matters
                            webhook_id("desks", "yria-iran", 42)};
  EXPECT_EQ(ids.size(), 6u);
}

TEST(AlertPayload, SchemaV1WithArabicText) {
  const auto body = payload_json(sample());
  auto j = nlohmann::json::parse(body);
  EXPECT_EQ(j["type"], "article.matched");
  EXPECT_EQ(j["version"], 1);
  EXPECT_EQ(j["topic"], "syria-iran");
  EXPECT_EQ(j["story_id"], 4815162342);
  EXPECT_EQ(j["article"]["title"], sample().title);
  EXPECT_EQ(j["article"]["url"], sample().url);
  EXPECT_EQ(j["article"]["canonical"], "https://example.net/news/talks");
  EXPECT_EQ(j["article"]["source"], "khabar");
  EXPECT_EQ(j["article"]["published"], "2026-11-22T07:00:00Z");
  EXPECT_EQ(j["article"]["language"], "ar");
  EXPECT_EQ(j["article"]["direction"], "rtl");
  EXPECT_EQ(j["snippet"], sample().snippet);
  EXPECT_EQ(j["also_reported_by"], nlohmann::json::array({"bbc-arabic", "aljazeera"}));
  // Arabic is written as UTF-8, not \u escapes, and the key order is the documented one.
  EXPECT_NE(body.find("محادثات"), std::string::npos);
  EXPECT_EQ(body.rfind(R"({"type":"article.matched","version":1,"topic":)", 0), 0u);
}

TEST(AlertPayload, InvalidUtf8AndControlsAreReplaced) {
  Alert a = sample();
  a.title = std::string("خبر \xff\xfe عاجل\x01");
  a.snippet = std::string("\xd8");  // truncated sequence
  const auto body = payload_json(a);
  auto j = nlohmann::json::parse(body);  // throws on invalid UTF-8
  const std::string title = j["article"]["title"];
  EXPECT_NE(title.find("\xEF\xBF\xBD"), std::string::npos);
  EXPECT_EQ(title.find('\x01'), std::string::npos);
}

TEST(AlertPayload, DirectionFromLanguageOrScript) {
  Alert a = sample();
  a.lang = "en";
  a.title = "Talks in Damascus";
  EXPECT_EQ(nlohmann::json::parse(payload_json(a))["article"]["direction"], "ltr");
  a.lang = "fa-IR";
  EXPECT_EQ(nlohmann::json::parse(payload_json(a))["article"]["direction"], "rtl");
  a.lang = "";
  a.title = "انفجار في بيروت";
  a.snippet = "";
  EXPECT_EQ(nlohmann::json::parse(payload_json(a))["article"]["direction"], "rtl");
  a.dir = "ltr";  // an explicit direction wins
  EXPECT_EQ(nlohmann::json::parse(payload_json(a))["article"]["direction"], "ltr");
}

TEST(AlertRetry, ScheduleWithBoundedJitter) {
  using namespace std::chrono;
  const std::vector<seconds> expect = {seconds(0), seconds(5), minutes(5), minutes(30),
                                       hours(2),   hours(5),   hours(10),  hours(14),
                                       hours(20),  hours(24),  hours(24),  hours(24)};
  for (int attempt = 0; attempt < static_cast<int>(expect.size()); ++attempt) {
    std::set<long long> seen;
    for (std::uint64_t seed = 0; seed < 50; ++seed) {
      const auto d = retry_delay(attempt, seed);
      const auto base = duration_cast<milliseconds>(expect[attempt]).count();
      EXPECT_GE(d.count(), static_cast<long long>(base * 0.9)) << attempt;
      EXPECT_LE(d.count(), static_cast<long long>(base * 1.1) + 1) << attempt;
      EXPECT_EQ(d, retry_delay(attempt, seed));  // deterministic per seed
      seen.insert(d.count());
    }
    if (attempt > 0) {
      EXPECT_GT(seen.size(), 40u) << "jitter spreads rows, attempt " << attempt;
    }
  }
}

TEST(AlertRetry, EndpointScheduleAndScale) {
  using namespace std::chrono;
  Endpoint ep;
  EXPECT_EQ(retry_delay(ep, 3, 9), retry_delay(3, 9));  // the default
  ep.retry_scale = 0.5;
  EXPECT_EQ(retry_delay(ep, 3, 9).count(), retry_delay(3, 9).count() / 2);
  ep.retry_scale = 1.0;
  ep.schedule = {seconds(10), minutes(1)};
  for (int attempt : {1, 2, 3, 7}) {
    const auto base = attempt == 1 ? 10000 : 60000;
    const auto d = retry_delay(ep, attempt, 5).count();
    EXPECT_GE(d, base * 9 / 10) << attempt;
    EXPECT_LE(d, base * 11 / 10) << attempt;
  }
  EXPECT_EQ(retry_delay(ep, 0, 5).count(), 0);
}

fetch::Response response(long status, fetch::Error e = fetch::Error::none) {
  fetch::Response r;
  r.status = status;
  r.error = status >= 400 ? fetch::Error::http_status : e;
  return r;
}

TEST(AlertClassify, Outcomes) {
  EXPECT_EQ(classify(response(200)).kind, Outcome::delivered);
  EXPECT_EQ(classify(response(204)).kind, Outcome::delivered);
  auto gone = classify(response(410));
  EXPECT_EQ(gone.kind, Outcome::failed);
  EXPECT_EQ(gone.error, "endpoint gone (410)");
  auto e500 = classify(response(500));
  EXPECT_EQ(e500.kind, Outcome::retry);
  EXPECT_EQ(e500.error, "HTTP 500");
  EXPECT_FALSE(e500.retry_after);
  auto limited = response(429);
  limited.headers["retry-after"] = "7";
  auto o = classify(limited);
  EXPECT_EQ(o.kind, Outcome::retry);
  ASSERT_TRUE(o.retry_after);
  EXPECT_EQ(o.retry_after->count(), 7000);
  auto tg = response(429);
  tg.body = R"({"ok":false,"error_code":429,"parameters":{"retry_after":35}})";
  o = classify(tg);
  ASSERT_TRUE(o.retry_after);
  EXPECT_EQ(o.retry_after->count(), 35000);
  auto dc = response(429);
  dc.body = R"({"message":"You are being rate limited.","retry_after":1.5,"global":false})";
  o = classify(dc);
  ASSERT_TRUE(o.retry_after);
  EXPECT_EQ(o.retry_after->count(), 1500);
  auto busy = response(503);
  busy.headers["retry-after"] = "2";
  EXPECT_EQ(classify(busy).retry_after->count(), 2000);
  auto e500ra = response(500);  // Retry-After only counts on 429/503
  e500ra.headers["retry-after"] = "2";
  EXPECT_FALSE(classify(e500ra).retry_after);
  auto timeout = response(0, fetch::Error::timeout);
  timeout.error_message = "Operation timed out";
  o = classify(timeout);
  EXPECT_EQ(o.kind, Outcome::retry);
  EXPECT_NE(o.error.find("timed out"), std::string::npos) << o.error;
  EXPECT_EQ(classify(response(0, fetch::Error::cancelled)).kind, Outcome::cancelled);
  auto big = response(200, fetch::Error::too_large);
  EXPECT_EQ(classify(big).kind, Outcome::delivered);
}

TEST(AlertFormat, NamesRoundTrip) {
  for (Format f : {Format::json, Format::slack, Format::discord, Format::telegram, Format::ntfy}) {
    auto p = parse_format(to_string(f));
    ASSERT_TRUE(p);
    EXPECT_EQ(*p, f);
  }
  EXPECT_FALSE(parse_format("teams"));
}

}  // namespace
}  // namespace rasid::alert

namespace rasid::alert {
namespace {

TEST(AlertId, StoryUpdateIdsArePerOutletAndNeverAnAlertsId) {
  const auto id = story_update_id("desk", "syria-iran", 42, "bbc-arabic");
  EXPECT_EQ(id, story_update_id("desk", "syria-iran", 42, "bbc-arabic")) << "a retry keeps it";
  EXPECT_EQ(id.rfind("msg_", 0), 0u);
  EXPECT_EQ(id.size(), 4u + 32u);
  std::set<std::string> ids{id,
                            story_update_id("desk", "syria-iran", 42, "aljazeera"),
                            story_update_id("desk", "syria-iran", 43, "bbc-arabic"),
                            story_update_id("desk2", "syria-iran", 42, "bbc-arabic"),
                            story_update_id("desk", "syria", 42, "bbc-arabic"),
                            webhook_id("desk", "syria-iran", 42)};
  EXPECT_EQ(ids.size(), 6u);
}

TEST(AlertPayload, StoryUpdatedNamesItsAlertAndEveryOutlet) {
  Alert u = sample();
  u.event = "story.updated";
  u.refers_to = webhook_id("desk", u.topic, u.story_id);
  u.source = "bbc-arabic";
  u.url = "https://bbc.example/talks";
  u.outlets = {{"khabar", "https://example.net/news/talks", "محادثات بين سوريا وإيران"},
               {"bbc-arabic", "https://bbc.example/talks", "دمشق تستضيف محادثات"}};
  const auto body = payload_json(u);
  auto j = nlohmann::json::parse(body);
  EXPECT_EQ(
      body.rfind(R"({"type":"story.updated","version":1,"topic":"syria-iran","story_id":)", 0), 0u)
      << body;
  EXPECT_EQ(j["refers_to"], webhook_id("desk", "syria-iran", 4815162342));
  EXPECT_EQ(j["article"]["source"], "bbc-arabic");
  EXPECT_EQ(j["article"]["url"], "https://bbc.example/talks");
  ASSERT_EQ(j["outlets"].size(), 2u);
  EXPECT_EQ(j["outlets"][0]["source"], "khabar");
  EXPECT_EQ(j["outlets"][0]["url"], "https://example.net/news/talks");
  EXPECT_EQ(j["outlets"][1]["source"], "bbc-arabic");
  EXPECT_EQ(j["outlets"][1]["title"], "دمشق تستضيف محادثات");
  EXPECT_FALSE(j.contains("snippet")) << "an update carries no match of its own";
  // article.matched keeps its shape: no refers_to, no outlets.
  auto m = nlohmann::json::parse(payload_json(sample()));
  EXPECT_FALSE(m.contains("refers_to"));
  EXPECT_FALSE(m.contains("outlets"));
}

// The pause note an older deliverer wrote (Unix seconds) reads as a date; other notes as written.
TEST(AlertNote, OldPauseNoteReadsAsADate) {
  EXPECT_EQ(readable_note("endpoint disabled: it answered 410 Gone; next probe at 1700000000 "
                          "(Unix s)"),
            "endpoint disabled: it answered 410 Gone; next probe at 2023-11-14T22:13:20Z");
  for (const char* kept :
       {"", "endpoint gone (410)",
        "endpoint disabled: it answered 410 Gone; next probe at "
        "2023-11-14T22:13:20Z",
        "next probe at (Unix s)", "next probe at 17x (Unix s)", "still failing (probe): HTTP 503"})
    EXPECT_EQ(readable_note(kept), kept);
}

}  // namespace
}  // namespace rasid::alert
