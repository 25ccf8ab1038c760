// spdlog-backed JSON logger; see log.hpp.
#include "common/log/log.hpp"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <string>

#include "common/util/clock.hpp"

namespace icq::log {
namespace {

std::shared_ptr<spdlog::logger>& logger() {
  static std::shared_ptr<spdlog::logger> instance = spdlog::stdout_logger_mt("icq");
  return instance;
}

spdlog::level::level_enum toSpd(Level level) {
  switch (level) {
    case Level::trace:
      return spdlog::level::trace;
    case Level::debug:
      return spdlog::level::debug;
    case Level::info:
      return spdlog::level::info;
    case Level::warn:
      return spdlog::level::warn;
    case Level::error:
      return spdlog::level::err;
  }
  return spdlog::level::info;
}

std::string jsonEscaped(std::string_view text) { return nlohmann::json(std::string(text)).dump(); }

}  // namespace

void init(std::string_view component, std::string_view instance, std::string_view level) {
  auto& log = logger();
  // The pattern writes the envelope; write() supplies the rest of the object as %v.
  log->set_pattern(R"({"ts":"%Y-%m-%dT%H:%M:%S.%fZ","level":"%l","component":)" + jsonEscaped(component) +
                       R"(,"instance":)" + jsonEscaped(instance) + ",%v}",
                   spdlog::pattern_time_type::utc);
  log->set_level(spdlog::level::from_str(std::string(level)));
  log->flush_on(spdlog::level::trace);
}

bool enabled(Level level) { return logger()->should_log(toSpd(level)); }

void write(Level level, std::string_view event, std::initializer_list<Field> fields) {
  if (!enabled(level)) return;
  nlohmann::json body = nlohmann::json::object();
  body["event"] = std::string(event);
  for (const auto& [key, value] : fields) body[key] = value;
  std::string text = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  logger()->log(toSpd(level), std::string_view(text).substr(1, text.size() - 2));
}

void RateLimited::warn(std::string_view event, std::initializer_list<Field> fields) {
  int64_t now = util::monotonicMicros() / 1000;
  int64_t last = lastMs_.load(std::memory_order_relaxed);
  if (now - last < intervalMs_ || !lastMs_.compare_exchange_strong(last, now)) {
    suppressed_.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  nlohmann::json body = nlohmann::json::object();
  for (const auto& [key, value] : fields) body[key] = value;
  log::warn(event, {{"suppressed", suppressed_.exchange(0)}, {"context", body}});
}

}  // namespace icq::log
