#include "common/log.h"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <ctime>

namespace rasid::log {
namespace {
std::atomic<int> g_min{static_cast<int>(Level::info)};

bool journal() {
  static const bool j = std::getenv("JOURNAL_STREAM") != nullptr;
  return j;
}

const char* name(Level l) {
  switch (l) {
    case Level::error:
      return "error";
    case Level::warning:
      return "warning";
    case Level::notice:
      return "notice";
    case Level::info:
      return "info";
    case Level::debug:
      return "debug";
  }
  return "info";
}
}  // namespace

void set_min_level(Level level) { g_min = static_cast<int>(level); }

void write(Level level, std::string_view line) {
  if (static_cast<int>(level) > g_min.load()) return;
  std::string out;
  out.reserve(line.size() + 40);
  if (journal()) {
    out += '<';
    out += char('0' + static_cast<int>(level));
    out += '>';
  } else {
    auto now = std::chrono::system_clock::now();
    std::time_t t = std::chrono::system_clock::to_time_t(now);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ ", &tm);
    out += buf;
    out += name(level);
    out += ": ";
  }
  out += line;
  out += '\n';
  ssize_t r = ::write(2, out.data(), out.size());
  (void)r;
}

}  // namespace rasid::log
