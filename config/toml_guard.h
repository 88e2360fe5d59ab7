// config/toml_guard.h — rejects, before toml++ sees them, the inputs on which toml++ 3.3.0 hits an
// assertion or undefined behaviour (Debian builds it with NDEBUG, so its assertions become
// "assume" hints and the bad paths run on as UB).
//
// Found by fuzzing toml++ 3.3.0 header-only with assertions and UBSan on (fuzz/config_fuzz.cpp
// keeps doing that):
//  1. A date, a space and one digit followed by a value terminator (`a = 1979-05-27 0]`,
//     `a = 1979-05-27 0 `): parse_value() re-scans past the terminator (assertion
//     `!is_value_terminator(*cp)`).
//  2. Any non-ASCII code point handed to is_non_ascii_horizontal_whitespace() in the blocks
//     U+00A1–U+0499, U+1482–U+187B, U+1C76–U+206F, U+FB46–U+FF3F reaches TOML_UNREACHABLE. That
//     function runs on characters outside strings, on the character after a backslash in a
//     multi-line basic string and on the first character after a line-ending backslash. TOML 1.0
//     allows non-ASCII only inside strings and comments anyway, so those places are refused.
//
// The guard follows TOML's lexical structure (strings, comments) so that it never refuses a
// valid document; it refuses a little more than the exact crash conditions, always with a
// message that says what to change.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace rasid::config {

struct GuardError {
  int line = 0;  // 1-based
  std::string reason;
};

// nullopt = safe to hand to toml++.
std::optional<GuardError> guard_toml(std::string_view text);

}  // namespace rasid::config
