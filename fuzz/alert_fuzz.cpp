// Fuzzes what outside input reaches in alert/: article text (title, snippet, URL, source) goes
// through payload_json (article.matched and story.updated) and every target's renderer, and
// stored payloads are parsed back at send time. Invariants: bodies are valid UTF-8 and valid
// JSON where the target wants JSON, target limits hold, no header value carries CR/LF, and
// signatures are always computable.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>

#include "alert/alert.h"
#include "alert/textfit.h"
#include "text/text.h"

using namespace rasid;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string in(reinterpret_cast<const char*>(data), size);
  // Fields separated by 0x1F; missing ones stay empty.
  std::string f[6];
  std::size_t k = 0;
  for (char c : in) {
    if (c == '\x1f' && k < 5)
      ++k;
    else
      f[k] += c;
  }
  alert::Alert a;
  a.topic = f[0];
  a.title = f[1];
  a.snippet = f[2];
  a.url = f[3];
  a.source = f[4];
  a.lang = f[5].substr(0, 8);
  a.story_id = static_cast<std::int64_t>(size);
  storage::OutboxRow row;
  row.id = 1;
  row.webhook = "w";
  row.topic = a.topic;
  row.webhook_id = alert::webhook_id("w", a.topic, a.story_id);
  row.payload = payload_json(a);
  if (!text::is_valid_utf8(row.payload)) std::abort();
  if (!nlohmann::json::accept(row.payload)) std::abort();
  // The same text as a story.updated whose outlets come from the input.
  alert::Alert u = a;
  u.event = "story.updated";
  u.refers_to = row.webhook_id;
  for (int i = 0; i < 3; ++i) u.outlets.push_back({f[4], f[3], f[1]});
  storage::OutboxRow update = row;
  update.webhook_id = alert::story_update_id("w", a.topic, a.story_id, a.source);
  update.payload = payload_json(u);
  if (!text::is_valid_utf8(update.payload)) std::abort();
  if (!nlohmann::json::accept(update.payload)) std::abort();

  for (auto fmt : {alert::Format::json, alert::Format::slack, alert::Format::discord,
                   alert::Format::telegram, alert::Format::ntfy}) {
    alert::Endpoint ep;
    ep.name = "w";
    ep.url = "https://hooks.example.org/x";
    ep.format = fmt;
    ep.secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    ep.telegram_chat_id = "1";
    for (const auto& r : {row, update, [&] {
                            auto raw = row;
                            raw.payload = in;  // a damaged stored payload
                            return raw;
                          }()}) {
      const auto req = alert::render(ep, r, 1700000000);
      bool signed_ok = false;
      for (const auto& [name, value] : req.headers) {
        if (value.find('\r') != std::string::npos || value.find('\n') != std::string::npos)
          std::abort();
        if (name == "webhook-signature") signed_ok = value.rfind("v1,", 0) == 0;
      }
      if (!signed_ok) std::abort();
      if (fmt == alert::Format::json) continue;  // the stored payload as is
      if (!text::is_valid_utf8(req.body)) std::abort();
      if (fmt == alert::Format::ntfy) {
        if (req.body.size() > 4096) std::abort();
        continue;
      }
      auto j = nlohmann::json::parse(req.body);
      using alert::detail::Measure;
      if (fmt == alert::Format::discord &&
          alert::detail::measure(j["content"].get<std::string>(), Measure::utf16) > 2000)
        std::abort();
      if (fmt == alert::Format::telegram &&
          alert::detail::measure(j["text"].get<std::string>(), Measure::utf16) > 4096)
        std::abort();
    }
  }
  return 0;
}
