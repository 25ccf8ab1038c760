// worker: the events of requests without a session; see request_events.hpp.
#include "worker/core/request_events.hpp"

#include <string>

namespace icq::worker::core {
namespace {

events::Event eventFrom(events::EventKind kind, uint32_t uin, const util::Endpoint& from, int64_t atMs) {
  events::Event event;
  event.kind = kind;
  event.atMs = atMs;
  event.uin = uin;
  event.with("address", util::formatIp(from.ip)).with("port", std::to_string(from.port));
  return event;
}

}  // namespace

events::Event registrationEvent(uint32_t uin, const util::Endpoint& from, uint8_t protocol, int64_t atMs) {
  events::Event event = eventFrom(events::EventKind::registration, uin, from, atMs);
  event.with("protocol", std::to_string(protocol));
  return event;
}

void recordAttemptLimit(events::EventLog& events, store::AttemptVerdict verdict, uint32_t uin,
                        const util::Endpoint& from, int64_t atMs) {
  if (verdict != store::AttemptVerdict::newly_limited) return;
  events::Event event = eventFrom(events::EventKind::rate_limit, uin, from, atMs);
  event.with("limit", "password_attempts");
  events.record(std::move(event));
}

}  // namespace icq::worker::core
