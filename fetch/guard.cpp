#include "fetch/guard.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cstring>

namespace rasid::fetch {
namespace {

using Bytes = std::array<std::uint8_t, 16>;

Bytes mapped(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d) {
  return Bytes{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, a, b, c, d};
}

bool is_mapped_v4(const Bytes& a) {
  for (int i = 0; i < 10; ++i)
    if (a[i] != 0) return false;
  return a[10] == 0xff && a[11] == 0xff;
}

struct Rule {
  Cidr net;
  const char* reason;
};

Cidr v4(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d, int prefix) {
  return Cidr{mapped(a, b, c, d), 96 + prefix};
}

Cidr v6(std::initializer_list<std::uint8_t> head, int prefix) {
  Cidr c;
  int i = 0;
  for (auto b : head) c.addr[i++] = b;
  c.prefix = prefix;
  return c;
}

const std::vector<Rule>& v4_rules() {
  static const std::vector<Rule> rules = {
      {v4(0, 0, 0, 0, 8), "this-network (0.0.0.0/8)"},
      {v4(10, 0, 0, 0, 8), "private (10/8)"},
      {v4(100, 64, 0, 0, 10), "carrier-grade NAT (100.64/10)"},
      {v4(127, 0, 0, 0, 8), "loopback"},
      {v4(169, 254, 0, 0, 16), "link-local / metadata (169.254/16)"},
      {v4(172, 16, 0, 0, 12), "private (172.16/12)"},
      {v4(192, 0, 0, 0, 24), "IETF protocol assignments (192.0.0/24)"},
      {v4(192, 0, 2, 0, 24), "documentation (192.0.2/24)"},
      {v4(192, 88, 99, 0, 24), "6to4 relay anycast"},
      {v4(192, 168, 0, 0, 16), "private (192.168/16)"},
      {v4(198, 18, 0, 0, 15), "benchmarking (198.18/15)"},
      {v4(198, 51, 100, 0, 24), "documentation (198.51.100/24)"},
      {v4(203, 0, 113, 0, 24), "documentation (203.0.113/24)"},
      {v4(224, 0, 0, 0, 4), "multicast"},
      {v4(240, 0, 0, 0, 4), "reserved / broadcast (240/4)"},
  };
  return rules;
}

const std::vector<Rule>& v6_rules() {
  static const std::vector<Rule> rules = {
      {v6({}, 128), "unspecified (::)"},
      {v6({0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}, 128), "loopback (::1)"},
      {v6({0x01, 0x00}, 64), "discard-only (100::/64)"},
      {v6({0x20, 0x01, 0x00, 0x00}, 32), "Teredo (2001::/32)"},
      {v6({0x20, 0x01, 0x0d, 0xb8}, 32), "documentation (2001:db8::/32)"},
      {v6({0xfc}, 7), "unique-local (fc00::/7)"},
      {v6({0xfe, 0x80}, 10), "link-local (fe80::/10)"},
      {v6({0xfe, 0xc0}, 10), "site-local (fec0::/10)"},
      {v6({0xff}, 8), "multicast (ff00::/8)"},
  };
  return rules;
}

}  // namespace

bool Cidr::contains(const Bytes& a) const {
  int full = prefix / 8;
  if (std::memcmp(a.data(), addr.data(), static_cast<size_t>(full)) != 0) return false;
  int rest = prefix % 8;
  if (rest == 0) return true;
  auto mask = static_cast<std::uint8_t>(0xff << (8 - rest));
  return (a[full] & mask) == (addr[full] & mask);
}

std::optional<Cidr> parse_cidr(std::string_view text) {
  std::string host(text);
  int prefix = -1;
  if (auto slash = host.find('/'); slash != std::string::npos) {
    std::string p = host.substr(slash + 1);
    host.resize(slash);
    if (p.empty() || p.size() > 3) return std::nullopt;
    prefix = 0;
    for (char c : p) {
      if (c < '0' || c > '9') return std::nullopt;
      prefix = prefix * 10 + (c - '0');
    }
  }
  if (host.size() > 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  Cidr c;
  in_addr a4{};
  in6_addr a6{};
  if (::inet_pton(AF_INET, host.c_str(), &a4) == 1) {
    if (prefix > 32) return std::nullopt;
    auto* b = reinterpret_cast<const std::uint8_t*>(&a4.s_addr);
    c.addr = mapped(b[0], b[1], b[2], b[3]);
    c.prefix = 96 + (prefix < 0 ? 32 : prefix);
  } else if (::inet_pton(AF_INET6, host.c_str(), &a6) == 1) {
    if (prefix > 128) return std::nullopt;
    std::memcpy(c.addr.data(), a6.s6_addr, 16);
    c.prefix = prefix < 0 ? 128 : prefix;
  } else {
    return std::nullopt;
  }
  return c;
}

std::optional<Bytes> to_bytes(const sockaddr* sa, socklen_t len) {
  if (sa == nullptr) return std::nullopt;
  if (sa->sa_family == AF_INET && len >= static_cast<socklen_t>(sizeof(sockaddr_in))) {
    sockaddr_in in{};
    std::memcpy(&in, sa, sizeof in);
    auto* b = reinterpret_cast<const std::uint8_t*>(&in.sin_addr.s_addr);
    return mapped(b[0], b[1], b[2], b[3]);
  }
  if (sa->sa_family == AF_INET6 && len >= static_cast<socklen_t>(sizeof(sockaddr_in6))) {
    sockaddr_in6 in6{};
    std::memcpy(&in6, sa, sizeof in6);
    Bytes out;
    std::memcpy(out.data(), in6.sin6_addr.s6_addr, 16);
    return out;
  }
  return std::nullopt;
}

std::string format_address(const Bytes& a) {
  char buf[INET6_ADDRSTRLEN] = {};
  if (is_mapped_v4(a)) {
    ::inet_ntop(AF_INET, a.data() + 12, buf, sizeof buf);
  } else {
    ::inet_ntop(AF_INET6, a.data(), buf, sizeof buf);
  }
  return buf;
}

std::string blocked_reason(const Bytes& a) {
  // IPv4 carried inside IPv6 is judged as the IPv4 address it reaches.
  auto embedded = [&](int offset) {
    return mapped(a[offset], a[offset + 1], a[offset + 2], a[offset + 3]);
  };
  bool zero96 = true;
  for (int i = 0; i < 12; ++i) zero96 = zero96 && a[i] == 0;
  static const Cidr nat64 = v6({0x00, 0x64, 0xff, 0x9b}, 96);
  static const Cidr six_to_four = v6({0x20, 0x02}, 16);
  Bytes v4addr;
  bool has_v4 = false;
  if (is_mapped_v4(a)) {
    v4addr = a, has_v4 = true;
  } else if (zero96 && (a[12] | a[13] | a[14]) != 0) {  // ::a.b.c.d (deprecated compatible)
    v4addr = embedded(12), has_v4 = true;
  } else if (nat64.contains(a)) {
    v4addr = embedded(12), has_v4 = true;
  } else if (six_to_four.contains(a)) {
    v4addr = embedded(2), has_v4 = true;
  }
  if (has_v4) {
    for (const auto& r : v4_rules())
      if (r.net.contains(v4addr)) return r.reason;
    if (v4addr[12] == 255 && v4addr[13] == 255 && v4addr[14] == 255 && v4addr[15] == 255)
      return "broadcast";
    return "";
  }
  for (const auto& r : v6_rules())
    if (r.net.contains(a)) return r.reason;
  return "";
}

std::string AddressGuard::check(const Bytes& a) const {
  std::string why = blocked_reason(a);
  if (why.empty()) return why;
  for (const auto& c : allow_)
    if (c.contains(a)) return "";
  // The fetcher writes "ADDRESS is " before this: say how to let it through.
  return why + "; add it to [daemon] allow_private to fetch it";
}

}  // namespace rasid::fetch
