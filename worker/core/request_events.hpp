// worker: the events of requests that no session makes — a registration, a password attempt
// refused by its rate limit — built alike for V5 and V3 (session_events.hpp has a session's).
#pragma once

#include <cstdint>
#include <string_view>

#include "common/events/event_log.hpp"
#include "common/store/rate_limiter.hpp"
#include "common/util/endpoint.hpp"

namespace icq::worker::core {

/// A new account `uin`, registered from `from` over `protocol` (5 or 3).
events::Event registrationEvent(uint32_t uin, const util::Endpoint& from, uint8_t protocol, int64_t atMs);

/// Records a password attempt (a login, a registration, a GET_DEPS) from `from` for `uin` (0
/// for a registration) that its limit refused, once per limit and window (newly_limited):
/// a flood past the limit must not flood the stream.
void recordAttemptLimit(events::EventLog& events, store::AttemptVerdict verdict, uint32_t uin,
                        const util::Endpoint& from, int64_t atMs);

}  // namespace icq::worker::core
