// Structured logging: one JSON object per line on stdout, with a stable `event` name and
// context fields (STYLE.md §9). Info is for lifecycle events only; nothing here may run
// per datagram above debug level, and anything a peer can trigger goes through
// RateLimited so a flood cannot become a log flood.
#pragma once

#include <nlohmann/json.hpp>

#include <atomic>
#include <cstdint>
#include <initializer_list>
#include <string_view>
#include <utility>

namespace icq::log {

using Field = std::pair<const char*, nlohmann::json>;
enum class Level { trace, debug, info, warn, error };

/// Sets up the process logger; `component` and `instance` appear on every line.
void init(std::string_view component, std::string_view instance, std::string_view level);
bool enabled(Level);
void write(Level, std::string_view event, std::initializer_list<Field> fields);

inline void debug(std::string_view event, std::initializer_list<Field> fields = {}) {
  if (enabled(Level::debug)) write(Level::debug, event, fields);
}
inline void info(std::string_view event, std::initializer_list<Field> fields = {}) {
  write(Level::info, event, fields);
}
inline void warn(std::string_view event, std::initializer_list<Field> fields = {}) {
  write(Level::warn, event, fields);
}
inline void error(std::string_view event, std::initializer_list<Field> fields = {}) {
  write(Level::error, event, fields);
}

/// At most one line per interval for one call site; the line says how many were suppressed.
class RateLimited {
public:
  explicit RateLimited(int64_t intervalMs = 10'000) : intervalMs_(intervalMs) {}
  void warn(std::string_view event, std::initializer_list<Field> fields = {});

private:
  int64_t intervalMs_;
  std::atomic<int64_t> lastMs_{0};
  std::atomic<int64_t> suppressed_{0};
};

}  // namespace icq::log
