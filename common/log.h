// common/log.h — one line per event on stderr.
//
// When JOURNAL_STREAM is set (running under systemd) each line starts with a syslog priority
// prefix ("<3>") so journald records the level; otherwise lines carry an ISO-8601 UTC timestamp.
// Callers name what the line is about (source=…, topic=…, endpoint=…). Never log secrets.
// Thread-safe: a line is written with one write(2).
#pragma once

#include <string>
#include <string_view>

namespace rasid::log {

enum class Level { error = 3, warning = 4, notice = 5, info = 6, debug = 7 };

void write(Level level, std::string_view line);
void set_min_level(Level level);  // default info; lines below it are dropped

inline void error(std::string_view s) { write(Level::error, s); }
inline void warn(std::string_view s) { write(Level::warning, s); }
inline void info(std::string_view s) { write(Level::info, s); }
inline void debug(std::string_view s) { write(Level::debug, s); }

}  // namespace rasid::log
