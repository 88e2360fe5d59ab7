// fetch/guard.h — the server-side request forgery guard's address rules (internal to fetch/;
// daemon/ also uses parse_cidr() to check [daemon] allow_private exactly as the fetcher reads it).
//
// The Fetcher consults this from CURLOPT_OPENSOCKETFUNCTION, i.e. on the address curl actually
// connects to after resolution and at every redirect hop, never on the URL text.
#pragma once

#include <sys/socket.h>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rasid::fetch {

// An IPv4 or IPv6 network. IPv4 networks are stored as IPv4-mapped IPv6 (::ffff:a.b.c.d/96+n)
// so one comparison covers both families.
struct Cidr {
  std::array<std::uint8_t, 16> addr{};
  int prefix = 0;  // 0..128 in the mapped space
  bool contains(const std::array<std::uint8_t, 16>& a) const;
};

// "10.0.0.0/8", "::1/128", "127.0.0.1" (a host) → network; nullopt when malformed.
std::optional<Cidr> parse_cidr(std::string_view text);

// The address as 16 bytes (IPv4 mapped into ::ffff:0:0/96); nullopt for other families.
std::optional<std::array<std::uint8_t, 16>> to_bytes(const sockaddr* sa, socklen_t len);
std::string format_address(const std::array<std::uint8_t, 16>& a);

// Why an address is refused by default ("loopback", "private", …), or "" when it is public.
// IPv4 embedded in IPv6 (mapped ::ffff:0:0/96, compatible ::/96, NAT64 64:ff9b::/96, 6to4
// 2002::/16) is judged by the embedded IPv4 address.
std::string blocked_reason(const std::array<std::uint8_t, 16>& a);

// The guard: refuses what blocked_reason() names unless one of `allow` contains the address.
class AddressGuard {
 public:
  explicit AddressGuard(std::vector<Cidr> allow = {}) : allow_(std::move(allow)) {}
  // "" when the connection may proceed, otherwise the reason and the remedy: "loopback; add it
  // to [daemon] allow_private to fetch it" (the fetcher prefixes "ADDRESS is ").
  std::string check(const std::array<std::uint8_t, 16>& a) const;

 private:
  std::vector<Cidr> allow_;
};

}  // namespace rasid::fetch
