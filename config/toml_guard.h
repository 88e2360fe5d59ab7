// config/toml_guard.h — rejects, before toml++ sees them, the inputs on which toml++ 3.3.0 hits an
// assertion or undefined behaviour (Debian builds it with NDEBUG, so its assertions become
// "assume" hints and the bad paths run on as UB).
//
// Found by fuzzing toml++ 3.3.0 header-only with assertions and UBSan on (fuzz/config_fuzz.cpp
// keeps doing that):
//  1. A 10-character value shaped like a date, a space, one digit, a value terminator
//     (`a = 1979-05-27 0]`): parse_value() re-scans past the terminator (assertion
//     `!is_value_terminator(*cp)`).
//  2. Any non-ASCII code point handed to is_non_ascii_horizontal_whitespace() in the blocks
//     U+00A1–U+0499, U+1482–U+187B, U+1C76–U+206F, U+FB46–U+FF3F reaches TOML_UNREACHABLE. That
//     function runs on characters outside strings (a bare value is scanned up to the next
//     terminator, quotes included: `19'é'`; a date, a space and a digit continue it), on the
//     character after a backslash in a multi-line basic string and after a line-ending
//     backslash. TOML 1.0 allows non-ASCII only inside strings and comments anyway.
//  3. A table header whose key does not start with a key character (`[!`, `[[#`, `[` + EOL):
//     parse_key() assumes it does.
//  4. A date followed by 'T' and no digit (`1979-05-27T)`): parse_date_time() assumes a digit.
//  5. A '}' where an array expects a value (`[}`, `[1, }`): parse_value() assumes a non-terminator.
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
