#include "config/values.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cstring>
#include <limits>
#include <optional>
#include <vector>

#include "text/text.h"

namespace rasid::config {

std::optional<int64_t> parse_duration(std::string_view s) {
  if (s.empty()) return std::nullopt;
  int64_t total = 0;
  std::size_t i = 0;
  int last_rank = 6;  // units must descend: "1h30m", not "30m1h"
  while (i < s.size()) {
    int64_t n = 0;
    std::size_t start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      if (n > 1'000'000'000) return std::nullopt;
      n = n * 10 + (s[i] - '0');
      ++i;
    }
    if (i == start || i == s.size()) return std::nullopt;
    int64_t mult = 0;
    int rank = 0;
    switch (s[i]) {
      case 'w':
        mult = 7 * 86400;
        rank = 5;
        break;
      case 'd':
        mult = 86400;
        rank = 4;
        break;
      case 'h':
        mult = 3600;
        rank = 3;
        break;
      case 'm':
        mult = 60;
        rank = 2;
        break;
      case 's':
        mult = 1;
        rank = 1;
        break;
      default:
        return std::nullopt;
    }
    if (rank >= last_rank) return std::nullopt;
    last_rank = rank;
    ++i;
    total += n * mult;
    if (total > int64_t{1} << 40) return std::nullopt;
  }
  return total;
}

std::optional<int64_t> parse_duration_ms(std::string_view s) {
  if (s.size() > 2 && s.ends_with("ms")) {
    std::string_view digits = s.substr(0, s.size() - 2);
    if (digits.size() > 12) return std::nullopt;
    int64_t n = 0;
    for (char c : digits) {
      if (c < '0' || c > '9') return std::nullopt;
      n = n * 10 + (c - '0');
    }
    return n;
  }
  auto secs = parse_duration(s);
  if (!secs) return std::nullopt;
  return *secs * 1000;
}

std::string format_duration_ms(std::chrono::milliseconds ms) {
  if (ms.count() % 1000 == 0)
    return format_duration(std::chrono::duration_cast<std::chrono::seconds>(ms));
  return std::to_string(ms.count()) + "ms";
}

std::string format_duration(std::chrono::seconds d) {
  int64_t s = d.count();
  if (s == 0) return "0s";
  std::string out;
  if (s < 0) {
    out = "-";
    s = -s;
  }
  const std::pair<int64_t, char> units[] = {{86400, 'd'}, {3600, 'h'}, {60, 'm'}, {1, 's'}};
  for (auto [mult, u] : units) {
    if (s >= mult) {
      out += std::to_string(s / mult);
      out += u;
      s %= mult;
    }
  }
  return out;
}

std::string printable(std::string_view s) {
  std::string out;
  std::size_t n = 0;
  for (char c : s) {
    if (++n > 80) {
      out += "…";
      break;
    }
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) {
      static const char* hex = "0123456789abcdef";
      out += "\\x";
      out += hex[u >> 4];
      out += hex[u & 15];
    } else {
      out += c;
    }
  }
  return out;
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  // Optimal string alignment: a swap of two neighbours ("dorp" → "drop") costs 1.
  const std::size_t n = a.size(), m = b.size();
  std::vector<std::vector<std::size_t>> d(n + 1, std::vector<std::size_t>(m + 1));
  for (std::size_t i = 0; i <= n; ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= m; ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= n; ++i) {
    for (std::size_t j = 1; j <= m; ++j) {
      std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[n][m];
}

bool valid_port(std::string_view s) {
  if (s.empty() || s.size() > 5) return false;
  int v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  return v >= 1 && v <= 65535;
}

namespace {

bool valid_hostname(std::string_view h) {
  if (h.empty() || h.size() > 253) return false;
  std::size_t label = 0;
  for (char c : h) {
    if (c == '.') {
      if (label == 0) return false;
      label = 0;
      continue;
    }
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_';
    if (!ok || ++label > 63) return false;
  }
  return true;
}

bool ipv4(const std::string& s) {
  in_addr a;
  return inet_pton(AF_INET, s.c_str(), &a) == 1;
}
bool ipv6(const std::string& s) {
  in6_addr a;
  return inet_pton(AF_INET6, s.c_str(), &a) == 1;
}

}  // namespace

bool valid_listen(std::string_view s, std::string* why) {
  std::string_view host, port;
  if (s.starts_with("[")) {
    auto close = s.find(']');
    if (close == std::string_view::npos || close + 1 >= s.size() || s[close + 1] != ':') {
      *why = "must be \"[IPv6]:port\"";
      return false;
    }
    host = s.substr(1, close - 1);
    port = s.substr(close + 2);
    if (!ipv6(std::string(host))) {
      *why = "not an IPv6 address: " + printable(host);
      return false;
    }
  } else {
    auto colon = s.rfind(':');
    if (colon == std::string_view::npos || colon == 0) {
      *why = "must be \"host:port\" (e.g. \"127.0.0.1:8079\"), or \"\" to disable";
      return false;
    }
    host = s.substr(0, colon);
    port = s.substr(colon + 1);
    if (!ipv4(std::string(host)) && !valid_hostname(host)) {
      *why = "not an address or host name: " + printable(host);
      return false;
    }
  }
  if (port != "0" && !valid_port(port)) {
    *why = "port must be 1-65535 (or 0: any free port)";
    return false;
  }
  return true;
}

bool valid_cidr(std::string_view s, std::string* why) {
  auto slash = s.find('/');
  std::string addr(s.substr(0, slash));
  if (addr.size() > 2 && addr.front() == '[' && addr.back() == ']') {  // "[::1]", as in URLs
    addr = addr.substr(1, addr.size() - 2);
    if (!ipv6(addr)) {
      *why = "only an IPv6 address goes in brackets";
      return false;
    }
  }
  if (slash != std::string_view::npos) {
    std::string_view bits = s.substr(slash + 1);
    int max = ipv4(addr) ? 32 : ipv6(addr) ? 128 : -1;
    if (max < 0) {
      *why = "not an IP address before '/'";
      return false;
    }
    if (bits.empty() || bits.size() > 3) {
      *why = "prefix length must be 0-" + std::to_string(max);
      return false;
    }
    int v = 0;
    for (char c : bits) {
      if (c < '0' || c > '9') {
        *why = "prefix length must be 0-" + std::to_string(max);
        return false;
      }
      v = v * 10 + (c - '0');
    }
    if (v > max) {
      *why = "prefix length must be 0-" + std::to_string(max);
      return false;
    }
    return true;
  }
  if (ipv4(addr) || ipv6(addr)) return true;
  if (valid_hostname(addr)) {
    *why =
        "a host name cannot be allowed (the guard judges the address a connection goes to): "
        "list its address or network instead, e.g. \"10.1.2.3\" or \"10.0.0.0/8\"";
    return false;
  }
  *why = "not a CIDR or an IP address (e.g. \"127.0.0.0/8\", \"10.1.2.3\", \"fd00::/8\")";
  return false;
}

bool valid_proxy(std::string_view s, std::string* why) {
  static constexpr std::string_view schemes[] = {"http://",    "https://",  "socks4://",
                                                 "socks4a://", "socks5://", "socks5h://"};
  for (auto sc : schemes) {
    if (!s.starts_with(sc)) continue;
    std::string_view rest = s.substr(sc.size());
    if (rest.empty() || rest[0] == '/' || rest[0] == ':') {
      *why = "proxy URL has no host";
      return false;
    }
    for (char c : rest) {
      if (static_cast<unsigned char>(c) <= 0x20) {
        *why = "proxy URL contains spaces";
        return false;
      }
    }
    return true;
  }
  *why = "must be a proxy URL: http://, https://, socks4://, socks4a://, socks5:// or socks5h://";
  return false;
}

std::string trim_secret(std::string_view raw) {
  while (!raw.empty() && (raw.back() == '\n' || raw.back() == '\r')) raw.remove_suffix(1);
  return std::string(raw);
}

bool valid_secret(std::string_view s, std::string* why) {
  constexpr std::string_view prefix = "whsec_";
  if (!s.starts_with(prefix)) {
    *why = "a secret must look like whsec_<base64>";
    return false;
  }
  std::optional<std::string> key = text::decode_base64(s.substr(prefix.size()));
  if (!key) {
    *why = "a secret must look like whsec_<base64> (not valid base64)";
    return false;
  }
  std::size_t bytes = key->size();
  if (bytes < 16) {
    *why = "secret too short: at least 16 bytes of base64 after whsec_ (" + std::to_string(bytes) +
           " given)";
    return false;
  }
  return true;
}

}  // namespace rasid::config
