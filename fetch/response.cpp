#include <curl/curl.h>

#include <cctype>
#include <cstdlib>
#include <cstring>
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

std::optional<std::chrono::seconds> freshness_lifetime(const std::map<std::string, std::string>& h,
                                                       std::chrono::sys_seconds now) {
  if (auto it = h.find("cache-control"); it != h.end()) {
    const std::string& cc = it->second;
    if (cc.find("no-store") != std::string::npos || cc.find("no-cache") != std::string::npos)
      return std::nullopt;
    for (const char* key : {"s-maxage=", "max-age="}) {
      auto pos = cc.find(key);
      if (pos == std::string::npos) continue;
      long v = std::strtol(cc.c_str() + pos + std::strlen(key), nullptr, 10);
      if (v > 0) return std::chrono::seconds(v);
      return std::nullopt;
    }
  }
  if (auto it = h.find("expires"); it != h.end()) {
    // HTTP-date in any of its three forms (curl_getdate, as Retry-After); "0", "-1": expired.
    const time_t expires = curl_getdate(it->second.c_str(), nullptr);
    if (expires == -1) return std::nullopt;
    time_t base = std::chrono::system_clock::to_time_t(now);
    if (auto d = h.find("date"); d != h.end())
      if (time_t server_now = curl_getdate(d->second.c_str(), nullptr); server_now != -1)
        base = server_now;
    if (expires > base) return std::chrono::seconds(expires - base);
  }
  return std::nullopt;
}

}  // namespace rasid::fetch
