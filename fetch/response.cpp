#include <curl/curl.h>

#include <cctype>
#include <ctime>

#include "fetch/fetcher.h"

namespace rasid::fetch {

std::optional<std::chrono::seconds> Response::retry_after() const {
  auto it = headers.find("retry-after");
  if (it == headers.end()) return std::nullopt;
  std::string v = it->second;
  while (!v.empty() && std::isspace(static_cast<unsigned char>(v.back()))) v.pop_back();
  size_t b = 0;
  while (b < v.size() && std::isspace(static_cast<unsigned char>(v[b]))) ++b;
  v.erase(0, b);
  if (v.empty()) return std::nullopt;
  bool digits = true;
  for (char c : v) digits = digits && c >= '0' && c <= '9';
  if (digits) {
    // delay-seconds; absurd values are clamped to a year rather than overflowing.
    if (v.size() > 9) return std::chrono::seconds(365L * 24 * 3600);
    return std::chrono::seconds(std::stol(v));
  }
  // HTTP-date (IMF-fixdate, RFC 850, asctime): curl_getdate reads all three.
  time_t when = curl_getdate(v.c_str(), nullptr);
  if (when == -1) return std::nullopt;
  time_t now = std::time(nullptr);
  return std::chrono::seconds(when > now ? when - now : 0);
}

}  // namespace rasid::fetch
