#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "alert/alert.h"
#include "alert/textfit.h"
#include "text/text.h"

namespace rasid::alert {
namespace {

using detail::Measure;

const std::string kSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

Alert sample() {
  Alert a;
  a.topic = "syria-iran";
  a.story_id = 77;
  a.title = "محادثات بين سوريا وإيران حول إعادة الإعمار في دمشق";
  a.url = "https://example.net/news/talks";
  a.canonical = a.url;
  a.source = "khabar";
  a.published = rasid::text::parse_date("2026-11-22T07:00:00Z");
  a.lang = "ar";
  a.snippet = "عقد وفدان من «سوريا» و«إيران» اجتماعاً مطولاً في دمشق";
  return a;
}

storage::OutboxRow row_of(const Alert& a, const std::string& webhook = "desk") {
  storage::OutboxRow r;
  r.id = 1;
  r.webhook = webhook;
  r.topic = a.topic;
  r.webhook_id = webhook_id(webhook, a.topic, a.story_id);
  r.payload = payload_json(a);
  r.status = "pending";
  return r;
}

Endpoint endpoint(Format f, const std::string& secret = kSecret) {
  Endpoint e;
  e.name = "desk";
  e.url = "https://hooks.example.org/rasid";
  e.format = f;
  e.secret = secret;
  e.telegram_chat_id = "-100123";
  return e;
}

std::string header(const fetch::Request& r, const std::string& name) {
  for (const auto& [k, v] : r.headers)
    if (k == name) return v;
  return "";
}

std::string rfc2047_decode(const std::string& v) {
  const std::string pre = "=?UTF-8?B?", post = "?=";
  if (v.rfind(pre, 0) != 0) return v;
  auto out = text::decode_base64(v.substr(pre.size(), v.size() - pre.size() - post.size()));
  EXPECT_TRUE(out.has_value());
  return out.value_or("");
}

// Arabic letter + kasra + shadda: one grapheme of three code points (6 bytes).
std::string marked_text(int n) {
  std::string s;
  for (int i = 0; i < n; ++i) s += "بِّ";
  return s;
}

TEST(AlertRender, JsonIsTheStoredPayloadSignedPerStandardWebhooks) {
  const auto row = row_of(sample());
  const auto req = render(endpoint(Format::json), row, 1700000000);
  EXPECT_EQ(req.method, "POST");
  EXPECT_EQ(req.url, "https://hooks.example.org/rasid");
  EXPECT_EQ(req.body, row.payload);
  EXPECT_EQ(req.tag, "desk");
  EXPECT_EQ(req.timeout, std::chrono::milliseconds(15000));
  EXPECT_EQ(header(req, "Content-Type"), "application/json");
  EXPECT_EQ(header(req, "webhook-id"), row.webhook_id);
  EXPECT_EQ(header(req, "webhook-timestamp"), "1700000000");
  EXPECT_EQ(header(req, "webhook-signature"), sign(kSecret, row.webhook_id, 1700000000, req.body));
  EXPECT_EQ(header(req, "webhook-signature").rfind("v1,", 0), 0u);
  const auto unsigned_req = render(endpoint(Format::json, ""), row, 1700000000);
  EXPECT_EQ(header(unsigned_req, "webhook-signature"), "");
  EXPECT_EQ(header(unsigned_req, "webhook-id"), row.webhook_id);
}

TEST(AlertRender, SlackTextAndBlocksEscaped) {
  Alert a = sample();
  a.title = "عاجل: <script> & \"أخبار\"";
  const auto req = render(endpoint(Format::slack), row_of(a), 1);
  auto j = nlohmann::json::parse(req.body);
  ASSERT_TRUE(j["text"].is_string());
  ASSERT_TRUE(j["blocks"].is_array());
  const std::string section = j["blocks"][0]["text"]["text"];
  EXPECT_EQ(j["blocks"][0]["text"]["type"], "mrkdwn");
  EXPECT_NE(section.find("<https://example.net/news/talks|عاجل: &lt;script&gt; &amp; \"أخبار\">"),
            std::string::npos)
      << section;
  EXPECT_NE(section.find("«سوريا»"), std::string::npos);
  EXPECT_EQ(std::string(j["text"]).find("<script>"), std::string::npos);
  const std::string context = j["blocks"][1]["elements"][0]["text"];
  EXPECT_NE(context.find("khabar"), std::string::npos);
  EXPECT_FALSE(header(req, "webhook-signature").empty());
}

TEST(AlertRender, DiscordContentFitsAndNeverPings) {
  Alert a = sample();
  a.snippet = marked_text(3000);
  a.title = "@everyone **عاجل**";
  const auto req = render(endpoint(Format::discord), row_of(a), 1);
  auto j = nlohmann::json::parse(req.body);
  const std::string content = j["content"];
  EXPECT_LE(detail::measure(content, Measure::utf16), 2000u);
  EXPECT_GT(detail::measure(content, Measure::utf16), 1900u);  // the budget is used
  EXPECT_TRUE(j["allowed_mentions"]["parse"].empty());
  EXPECT_NE(content.find("\\*\\*عاجل\\*\\*"), std::string::npos) << content.substr(0, 200);
  EXPECT_NE(content.find("<https://example.net/news/talks>"), std::string::npos);
  // The snippet was cut between graphemes: the text before "…" is whole "بِّ" clusters.
  const auto ell = content.find("…");
  ASSERT_NE(ell, std::string::npos);
  const auto start = content.find(marked_text(1));
  ASSERT_NE(start, std::string::npos);
  const std::string kept = content.substr(start, ell - start);
  EXPECT_EQ(kept.size() % marked_text(1).size(), 0u);
  EXPECT_EQ(kept, marked_text(static_cast<int>(kept.size() / marked_text(1).size())));
}

TEST(AlertRender, TelegramHtmlEscapedWithinLimit) {
  Alert a = sample();
  a.title = "<b>خبر</b> & تحليل";
  a.snippet = std::string(5000, '&');  // escapes to 5 chars each: the cut must respect that
  a.url = "https://example.net/a?x=1&y=\"2\"";
  const auto req = render(endpoint(Format::telegram), row_of(a), 1);
  EXPECT_EQ(req.url, "https://hooks.example.org/rasid/sendMessage");
  auto j = nlohmann::json::parse(req.body);
  EXPECT_EQ(j["chat_id"], "-100123");
  EXPECT_EQ(j["parse_mode"], "HTML");
  const std::string t = j["text"];
  EXPECT_LE(detail::measure(t, Measure::utf16), 4096u);
  EXPECT_EQ(t.rfind("<b>&lt;b&gt;خبر&lt;/b&gt; &amp; تحليل</b>", 0), 0u) << t.substr(0, 100);
  EXPECT_NE(t.find("<a href=\"https://example.net/a?x=1&amp;y=%222%22\">khabar</a>"),
            std::string::npos);
  // No entity is cut: every '&' starts a complete "&amp;"/"&lt;"/"&gt;"/"&quot;".
  for (std::size_t p = t.find('&'); p != std::string::npos; p = t.find('&', p + 1)) {
    const auto semi = t.find(';', p);
    ASSERT_NE(semi, std::string::npos);
    const auto ent = t.substr(p, semi - p + 1);
    EXPECT_TRUE(ent == "&amp;" || ent == "&lt;" || ent == "&gt;" || ent == "&quot;" ||
                ent == "&#39;")
        << ent;
  }
  auto ep = endpoint(Format::telegram);
  ep.url = "https://api.telegram.org/bot123:abc/sendMessage";
  EXPECT_EQ(render(ep, row_of(a), 1).url, ep.url);
}

TEST(AlertRender, NtfyHeadersAreSafeAndDecodable) {
  Alert a = sample();
  a.url = "https://example.net/أخبار/1";
  const auto req = render(endpoint(Format::ntfy), row_of(a), 1);
  EXPECT_EQ(rfc2047_decode(header(req, "X-Title")), a.title);
  EXPECT_EQ(header(req, "X-Click"), "https://example.net/%D8%A3%D8%AE%D8%A8%D8%A7%D8%B1/1");
  EXPECT_EQ(header(req, "X-Tags"), "newspaper,syria-iran");
  EXPECT_NE(req.body.find(a.snippet), std::string::npos);
  EXPECT_NE(req.body.find(a.url), std::string::npos);
  // Header injection through a hostile ASCII title is impossible.
  Alert evil = sample();
  evil.title = "Breaking\r\nX-Evil: 1\r\n\r\nbody";
  evil.topic = "a,b";
  const auto r2 = render(endpoint(Format::ntfy), row_of(evil), 1);
  for (const auto& [k, v] : r2.headers) {
    EXPECT_EQ(v.find('\r'), std::string::npos) << k;
    EXPECT_EQ(v.find('\n'), std::string::npos) << k;
  }
  EXPECT_EQ(header(r2, "X-Title"), "Breaking  X-Evil: 1    body");
  EXPECT_EQ(header(r2, "X-Tags"), "newspaper,a b");
  // A long body is cut to 4096 bytes on a grapheme boundary.
  Alert big = sample();
  big.snippet = marked_text(2000);
  const auto r3 = render(endpoint(Format::ntfy), row_of(big), 1);
  EXPECT_LE(r3.body.size(), 4096u);
  EXPECT_TRUE(text::is_valid_utf8(r3.body));
  EXPECT_NE(r3.body.find("…\nhttps://example.net/news/talks"), std::string::npos);
}

TEST(AlertRender, EmojiSequencesAndCombiningMarksStayWhole) {
  const std::string family = "👨‍👩‍👧";  // one grapheme, 5 code points, 8 UTF-16 units
  std::string s;
  for (int i = 0; i < 10; ++i) s += family;
  const auto cut = detail::fit(s, 30, Measure::utf16);
  EXPECT_EQ(cut, family + family + family + "…");  // 3×8 + 1 ≤ 30 < 4×8 + 1
  EXPECT_EQ(detail::fit(s, 1000, Measure::utf16), s);
  EXPECT_EQ(detail::fit("abc", 0, Measure::bytes), "");
  EXPECT_EQ(detail::fit("كلمة   أخرى", 12, Measure::bytes), "كلمة…");  // trailing spaces dropped
  EXPECT_EQ(detail::measure("aب😀", Measure::bytes), 7u);
  EXPECT_EQ(detail::measure("aب😀", Measure::codepoints), 3u);
  EXPECT_EQ(detail::measure("aب😀", Measure::utf16), 4u);
}

TEST(AlertRender, DigestCarriesEveryRow) {
  std::vector<storage::OutboxRow> rows;
  for (int i = 0; i < 60; ++i) {
    Alert a = sample();
    a.story_id = i;
    a.title = "خبر رقم " + std::to_string(i) + " " + marked_text(20);
    auto r = row_of(a);
    r.id = i + 1;
    rows.push_back(r);
  }
  const auto json = render_digest(endpoint(Format::json), rows, 5);
  auto j = nlohmann::json::parse(json.body);
  EXPECT_EQ(j["type"], "digest");
  EXPECT_EQ(j["count"], 60);
  ASSERT_EQ(j["alerts"].size(), 60u);
  EXPECT_EQ(j["alerts"][3]["webhook_id"], rows[3].webhook_id);
  EXPECT_EQ(j["alerts"][3]["article"]["title"],
            nlohmann::json::parse(rows[3].payload)["article"]["title"]);
  const auto id = header(json, "webhook-id");
  EXPECT_EQ(id, header(render_digest(endpoint(Format::json), rows, 99), "webhook-id"));
  rows.pop_back();
  EXPECT_NE(id, header(render_digest(endpoint(Format::json), rows, 5), "webhook-id"));
  const auto discord = render_digest(endpoint(Format::discord), rows, 5);
  const std::string content = nlohmann::json::parse(discord.body)["content"];
  EXPECT_LE(detail::measure(content, Measure::utf16), 2000u);
  EXPECT_NE(content.find("rasid: 59 alerts"), std::string::npos);
  EXPECT_NE(content.find("… +"), std::string::npos);
  for (Format f : {Format::slack, Format::telegram, Format::ntfy}) {
    const auto r = render_digest(endpoint(f), rows, 5);
    EXPECT_TRUE(text::is_valid_utf8(r.body));
    EXPECT_NE(r.body.find("خبر رقم 0"), std::string::npos) << to_string(f);
  }
}

TEST(AlertRender, TestEventIsSignedAndTyped) {
  const auto req = render_test(endpoint(Format::json), 1614265330);
  auto j = nlohmann::json::parse(req.body);
  EXPECT_EQ(j["type"], "test");
  EXPECT_EQ(header(req, "webhook-signature"),
            sign(kSecret, header(req, "webhook-id"), 1614265330, req.body));
  const auto slack = render_test(endpoint(Format::slack), 1614265330);
  EXPECT_NE(slack.body.find("راصد"), std::string::npos);
}

}  // namespace
}  // namespace rasid::alert

namespace rasid::alert {
namespace {

Alert story_update(int outlets) {
  Alert u = sample();
  u.event = "story.updated";
  u.refers_to = webhook_id("desk", u.topic, u.story_id);
  u.source = "bbc-arabic";
  u.url = "https://bbc.example/talks";
  for (int i = 0; i < outlets; ++i)
    u.outlets.push_back({i == 0 ? "khabar" : "site-" + std::to_string(i),
                         "https://site" + std::to_string(i) + ".example/talks", u.title});
  return u;
}

storage::OutboxRow update_row(const Alert& u) {
  auto row = row_of(u);
  row.webhook_id = story_update_id("desk", u.topic, u.story_id, u.source);
  return row;
}

TEST(AlertRender, StoryUpdateJsonIsTheStoredPayloadWithItsOwnId) {
  const auto row = update_row(story_update(2));
  const auto req = render(endpoint(Format::json), row, 1700000000);
  EXPECT_EQ(req.body, row.payload);
  EXPECT_EQ(header(req, "webhook-id"), row.webhook_id);
  EXPECT_NE(header(req, "webhook-id"), webhook_id("desk", "syria-iran", 77));
  EXPECT_EQ(header(req, "webhook-signature"), sign(kSecret, row.webhook_id, 1700000000, req.body));
}

TEST(AlertRender, StoryUpdateIsAShortTextNamingTheOutletsInEveryFormat) {
  const auto row = update_row(story_update(2));
  {
    auto j = nlohmann::json::parse(render(endpoint(Format::slack), row, 1).body);
    const std::string section = j["blocks"][0]["text"]["text"];
    EXPECT_NE(section.find("<https://bbc.example/talks|محادثات"), std::string::npos) << section;
    EXPECT_NE(section.find("Now carried by 2 outlets: <https://site0.example/talks|khabar>, "
                           "<https://site1.example/talks|site-1>"),
              std::string::npos)
        << section;
    EXPECT_NE(std::string(j["text"]).find("khabar, site-1"), std::string::npos);
    EXPECT_EQ(section.find("«سوريا»"), std::string::npos) << "no snippet in an update";
  }
  {
    auto j = nlohmann::json::parse(render(endpoint(Format::discord), row, 1).body);
    const std::string c = j["content"];
    EXPECT_EQ(c.rfind("**↻ محادثات", 0), 0u) << c;
    EXPECT_NE(c.find("khabar <https://site0.example/talks>, site-1 <https://site1.example/talks>"),
              std::string::npos)
        << c;
    EXPECT_TRUE(j["allowed_mentions"]["parse"].empty());
  }
  {
    auto j = nlohmann::json::parse(render(endpoint(Format::telegram), row, 1).body);
    const std::string t = j["text"];
    EXPECT_NE(t.find("<a href=\"https://site1.example/talks\">site-1</a>"), std::string::npos) << t;
    EXPECT_EQ(j["parse_mode"], "HTML");
  }
  {
    auto req = render(endpoint(Format::ntfy), row, 1);
    EXPECT_EQ(rfc2047_decode(header(req, "X-Title")), "↻ " + sample().title);
    EXPECT_EQ(req.body,
              "Now carried by 2 outlets:\nkhabar https://site0.example/talks\n"
              "site-1 https://site1.example/talks\n");
    EXPECT_EQ(header(req, "X-Click"), "https://bbc.example/talks");
  }
}

TEST(AlertRender, StoryUpdateWithManyOutletsStaysWithinEachLimit) {
  const auto row = update_row(story_update(400));
  auto slack = nlohmann::json::parse(render(endpoint(Format::slack), row, 1).body);
  const std::string section = slack["blocks"][0]["text"]["text"];
  EXPECT_LE(detail::measure(section, Measure::codepoints), 3000u);
  EXPECT_NE(section.find(" +"), std::string::npos) << "the rest is counted, not cut mid-link";
  auto discord = nlohmann::json::parse(render(endpoint(Format::discord), row, 1).body);
  EXPECT_LE(detail::measure(std::string(discord["content"]), Measure::utf16), 2000u);
  EXPECT_NE(std::string(discord["content"]).find(" +"), std::string::npos);
  auto tg = nlohmann::json::parse(render(endpoint(Format::telegram), row, 1).body);
  EXPECT_LE(detail::measure(std::string(tg["text"]), Measure::utf16), 4096u);
  auto ntfy = render(endpoint(Format::ntfy), row, 1);
  EXPECT_LE(ntfy.body.size(), 4096u);
  EXPECT_NE(ntfy.body.find("\n+"), std::string::npos);
  // Every link that is shown is whole: as many "<" as ">".
  EXPECT_EQ(std::count(section.begin(), section.end(), '<'),
            std::count(section.begin(), section.end(), '>'));
}

TEST(AlertRender, StoryUpdateInADigestIsMarked) {
  auto ep = endpoint(Format::discord);
  const auto req = render_digest(ep, {row_of(sample()), update_row(story_update(3))}, 1);
  const std::string c = nlohmann::json::parse(req.body)["content"];
  EXPECT_NE(c.find("↻ "), std::string::npos) << c;
  EXPECT_NE(c.find("(3)"), std::string::npos) << c;
}

}  // namespace
}  // namespace rasid::alert
