// fuzz/config_fuzz.cpp — the config loader on arbitrary bytes: never a crash, and every input
// the guard (config/toml_guard.h) lets through must be safe for toml++ 3.3.0.
//
// Debian's libtomlplusplus is built with NDEBUG, so its internal assertions are silent UB there.
// This target compiles toml++ itself, header-only, with assertions on (and instrumented by the
// sanitizers), so a guard gap shows up as an assertion or UBSan report instead of going unseen.
// Both copies are the same toml++ 3.3.0 source; within this binary the inline copy is used.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#undef NDEBUG
#undef TOML_HEADER_ONLY
#define TOML_HEADER_ONLY 1
#undef TOML_SHARED_LIB
#include <toml++/toml.h>

#include "config/config.h"
#include "config/toml_guard.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto r = rasid::config::parse(text, "fuzz.toml");
  if (!r.ok() && r.error().rfind("fuzz.toml:", 0) != 0) __builtin_trap();  // errors name the file
  if (!rasid::config::guard_toml(text)) {
    try {
      auto t = toml::parse(text);
      (void)t;
    } catch (const toml::parse_error&) {
    }
  }
  return 0;
}
