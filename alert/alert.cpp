// Payload, identity, signature, retry schedule and outcome classification.
#include "alert/alert.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "alert/textfit.h"
#include "text/text.h"

namespace rasid::alert {

const char* to_string(Format f) {
  switch (f) {
    case Format::json:
      return "json";
    case Format::slack:
      return "slack";
    case Format::discord:
      return "discord";
    case Format::telegram:
      return "telegram";
    case Format::ntfy:
      return "ntfy";
  }
  return "json";
}

std::optional<Format> parse_format(std::string_view name) {
  for (Format f : {Format::json, Format::slack, Format::discord, Format::telegram, Format::ntfy})
    if (name == to_string(f)) return f;
  return std::nullopt;
}

namespace {

std::string hex(const unsigned char* p, std::size_t n) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  out.reserve(2 * n);
  for (std::size_t i = 0; i < n; ++i) {
    out += digits[p[i] >> 4];
    out += digits[p[i] & 15];
  }
  return out;
}

// Scripts written right to left, by primary language subtag.
bool rtl_language(std::string_view lang) {
  const auto dash = lang.find_first_of("-_");
  std::string primary(lang.substr(0, dash));
  for (auto& c : primary) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (const char* l : {"ar", "fa", "ur", "he", "iw", "ps", "ckb", "yi", "dv", "sd", "ug", "syr"})
    if (primary == l) return true;
  return false;
}

std::string clean(const std::string& s) { return text::sanitize_utf8(s); }

std::string message_id(const std::string& key) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(key.data(), key.size(), md, &len, EVP_sha256(), nullptr);
  return "msg_" + hex(md, std::min<unsigned>(len, 16));
}

}  // namespace

std::string webhook_id(const std::string& webhook, const std::string& topic,
                       std::int64_t story_id) {
  // NUL separators keep ("a","bc") and ("ab","c") apart.
  std::string key = webhook;
  key += '\0';
  key += topic;
  key += '\0';
  key += std::to_string(story_id);
  return message_id(key);
}

std::string story_update_id(const std::string& webhook, const std::string& topic,
                            std::int64_t story_id, const std::string& outlet) {
  // Four NUL-separated parts: never the three-part key of webhook_id().
  std::string key = webhook;
  key += '\0';
  key += topic;
  key += '\0';
  key += std::to_string(story_id);
  key += '\0';
  key += "story.updated:" + outlet;
  return message_id(key);
}

std::string payload_json(const Alert& a) {
  nlohmann::ordered_json j;
  j["type"] = clean(a.event);
  j["version"] = 1;
  j["topic"] = clean(a.topic);
  j["story_id"] = a.story_id;
  if (a.event == "story.updated") j["refers_to"] = clean(a.refers_to);
  std::string dir = a.dir;
  if (dir != "rtl" && dir != "ltr") {
    if (!a.lang.empty())
      dir = rtl_language(a.lang) ? "rtl" : "ltr";
    else
      dir = text::arabic_ratio(a.title + " " + a.snippet) >= 0.5 ? "rtl" : "ltr";
  }
  j["article"] = {{"title", clean(a.title)},
                  {"url", clean(a.url)},
                  {"canonical", clean(a.canonical)},
                  {"source", clean(a.source)},
                  {"published", a.published ? text::format_iso8601(*a.published) : std::string()},
                  {"language", clean(a.lang)},
                  {"direction", dir}};
  if (a.event == "story.updated") {
    auto outlets = nlohmann::ordered_json::array();
    for (const auto& o : a.outlets)
      outlets.push_back(
          {{"source", clean(o.source)}, {"url", clean(o.url)}, {"title", clean(o.title)}});
    j["outlets"] = std::move(outlets);
    return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
  }
  j["snippet"] = clean(a.snippet);
  auto also = nlohmann::ordered_json::array();
  for (const auto& s : a.also_reported_by) also.push_back(clean(s));
  j["also_reported_by"] = std::move(also);
  return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

std::string sign(const std::string& secret, const std::string& id, long long timestamp,
                 const std::string& body) {
  std::string_view b64 = secret;
  if (b64.substr(0, 6) == "whsec_") b64.remove_prefix(6);
  std::optional<std::string> decoded = text::decode_base64(b64);
  if (b64.empty() || !decoded || decoded->empty()) return "";
  const std::string& key = *decoded;
  const std::string content = id + "." + std::to_string(timestamp) + "." + body;
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (!HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
            reinterpret_cast<const unsigned char*>(content.data()), content.size(), mac, &len))
    return "";
  return "v1," + text::encode_base64(std::string_view(reinterpret_cast<const char*>(mac), len));
}

namespace {

// ±10% of `base`, from splitmix64 of (seed, attempt).
std::chrono::milliseconds jitter(std::chrono::milliseconds base, int attempt,
                                 std::uint64_t jitter_seed) {
  using namespace std::chrono;
  // splitmix64 of (seed, attempt) → a factor in [0.9, 1.1].
  std::uint64_t z = jitter_seed + 0x9E3779B97F4A7C15ULL * static_cast<std::uint64_t>(attempt + 1);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  z ^= z >> 31;
  const double unit = static_cast<double>(z >> 11) / static_cast<double>(1ULL << 53);  // [0,1)
  const double factor = 0.9 + 0.2 * unit;
  return milliseconds(static_cast<std::int64_t>(std::llround(base.count() * factor)));
}

}  // namespace

std::chrono::milliseconds retry_delay(int attempt, std::uint64_t jitter_seed) {
  using namespace std::chrono;
  static constexpr seconds kSchedule[] = {seconds(0), seconds(5), minutes(5), minutes(30),
                                          hours(2),   hours(5),   hours(10),  hours(14),
                                          hours(20),  hours(24)};
  constexpr int n = static_cast<int>(sizeof(kSchedule) / sizeof(kSchedule[0]));
  if (attempt <= 0) return milliseconds(0);
  return jitter(duration_cast<milliseconds>(kSchedule[std::min(attempt, n - 1)]), attempt,
                jitter_seed);
}

std::chrono::milliseconds retry_delay(const Endpoint& ep, int attempt, std::uint64_t jitter_seed) {
  using namespace std::chrono;
  if (attempt <= 0) return milliseconds(0);
  milliseconds d;
  if (ep.schedule.empty()) {
    d = retry_delay(attempt, jitter_seed);
  } else {
    const auto i =
        std::min<std::size_t>(static_cast<std::size_t>(attempt - 1), ep.schedule.size() - 1);
    d = jitter(ep.schedule[i], attempt, jitter_seed);
  }
  const double scaled = static_cast<double>(d.count()) * ep.retry_scale;
  return milliseconds(static_cast<std::int64_t>(std::max(0.0, scaled)));
}

namespace {

// Telegram ("parameters": {"retry_after": 35}) and Discord ("retry_after": 1.5) say it in the body.
std::optional<std::chrono::milliseconds> body_retry_after(const std::string& body) {
  auto j = nlohmann::json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return std::nullopt;
  const nlohmann::json* v = nullptr;
  if (auto p = j.find("parameters"); p != j.end() && p->is_object()) {
    if (auto r = p->find("retry_after"); r != p->end()) v = &*r;
  }
  if (!v) {
    if (auto r = j.find("retry_after"); r != j.end()) v = &*r;
  }
  if (!v || !v->is_number()) return std::nullopt;
  const double s = v->get<double>();
  if (!(s >= 0) || s > 7 * 24 * 3600.0) return std::nullopt;
  return std::chrono::milliseconds(static_cast<std::int64_t>(std::ceil(s * 1000)));
}

}  // namespace

Outcome classify(const fetch::Response& r) {
  Outcome o;
  if (r.error == fetch::Error::cancelled) {
    o.kind = Outcome::cancelled;
    o.error = "cancelled";
    return o;
  }
  // A 2xx counts even when the receiver's reply body was cut off: the alert was accepted.
  if (r.status >= 200 && r.status < 300 &&
      (r.error == fetch::Error::none || r.error == fetch::Error::too_large)) {
    o.kind = Outcome::delivered;
    return o;
  }
  if (r.status == 410) {
    o.kind = Outcome::failed;
    o.error = "endpoint gone (410)";
    return o;
  }
  if (r.status > 0) {
    o.error = "HTTP " + std::to_string(r.status);
    if (r.status == 429 || r.status == 503) {
      if (auto ra = r.retry_after())
        o.retry_after = std::chrono::duration_cast<std::chrono::milliseconds>(*ra);
      else
        o.retry_after = body_retry_after(r.body);
    }
  } else {
    o.error = fetch::to_string(r.error);
  }
  if (!r.error_message.empty() && r.status == 0) o.error += ": " + r.error_message;
  o.kind = Outcome::retry;
  return o;
}

std::string readable_note(std::string_view note) {
  // The note of alert/deliverer.cpp's pause before schema 9 (commit 8aa38ba wrote it ISO 8601).
  static constexpr std::string_view kAt = "next probe at ", kUnit = " (Unix s)";
  const std::size_t at = note.find(kAt);
  if (at == std::string_view::npos) return std::string(note);
  const std::size_t digits = at + kAt.size();
  std::size_t end = digits;
  while (end < note.size() && end - digits < 12 && note[end] >= '0' && note[end] <= '9') ++end;
  if (end == digits || note.substr(end, kUnit.size()) != kUnit) return std::string(note);
  long long s = 0;
  for (std::size_t i = digits; i < end; ++i) s = s * 10 + (note[i] - '0');
  return std::string(note.substr(0, digits)) +
         text::format_iso8601(std::chrono::sys_seconds(std::chrono::seconds(s))) +
         std::string(note.substr(end + kUnit.size()));
}

}  // namespace rasid::alert
