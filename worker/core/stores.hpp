// worker: the stores both protocols' pipelines and handlers talk to (common/store); a
// protocol that needs more adds its own beside them (V3: fragments, departments).
#pragma once

#include "common/events/event_log.hpp"
#include "common/store/message_store.hpp"
#include "common/store/presence_store.hpp"
#include "common/store/rate_limiter.hpp"
#include "common/store/session_store.hpp"
#include "common/store/user_store.hpp"

namespace icq::worker::core {

struct Stores {
  store::SessionStore& sessions;
  store::PresenceStore& presence;
  store::UserStore& users;
  store::MessageStore& messages;
  store::RateLimiter& limits;  // password attempts per source IP and per UIN
  events::EventLog& events;    // what happened, for the journal and the event actions
};

}  // namespace icq::worker::core
