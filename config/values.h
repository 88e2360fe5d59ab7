// config/values.h — small value syntaxes of the config file (durations, CIDRs, listen addresses,
// webhook secrets). Internal to config/; exposed for tests.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace rasid::config {

// "90s", "10m", "2h", "1d", "2w", "1h30m" → seconds; nullopt when malformed or absurdly large.
std::optional<int64_t> parse_duration(std::string_view s);
// Like parse_duration, in milliseconds, and also "250ms" (a number of milliseconds, alone).
std::optional<int64_t> parse_duration_ms(std::string_view s);
// 5400 → "1h30m"; 0 → "0s".
std::string format_duration(std::chrono::seconds s);
// 1500ms → "1500ms", 90000ms → "1m30s" (whole seconds are written as format_duration does).
std::string format_duration_ms(std::chrono::milliseconds ms);
// For messages: control characters escaped, long values cut.
std::string printable(std::string_view s);

// Edit distance with transpositions (bytes), for "did you mean".
std::size_t edit_distance(std::string_view a, std::string_view b);

bool valid_port(std::string_view s);
// "host:port", "[v6]:port", ":port" is refused (say 0.0.0.0:port).
bool valid_listen(std::string_view s, std::string* why);
// "10.0.0.0/8", "127.0.0.1", "::1/128", "fd00::/8": what fetch/guard.h parse_cidr() accepts (no
// more). A host name is refused with a reason saying to list its address: the address guard
// judges the address a connection goes to, never a name.
bool valid_cidr(std::string_view s, std::string* why);
// http://, https://, socks4://, socks4a://, socks5://, socks5h:// with a host.
bool valid_proxy(std::string_view s, std::string* why);

// Secret files end with a newline more often than not: strip trailing CR/LF (only those).
std::string trim_secret(std::string_view raw);
// "whsec_" + standard base64 of at least 16 bytes. The message never contains the value.
bool valid_secret(std::string_view s, std::string* why);

}  // namespace rasid::config
