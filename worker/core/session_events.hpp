// worker: the events of a session's life (common/events), built alike for V5 and V3 so that
// the journal reads one shape: its login (protocol, client, address, gateway), its end by the
// client (logoff) or by the server (session_end with the reason), and its status changes.
#pragma once

#include <cstdint>
#include <string_view>

#include "common/events/event.hpp"
#include "common/store/session.hpp"

namespace icq::worker::core {

/// `clientVersion`: what the client says of itself (V5: its direct-connection protocol
/// version; V3: its build number).
events::Event loginEvent(const store::Session& session, uint32_t clientVersion);
/// The client logged off (`reason` empty) or the server ended the session for `reason`
/// (expired, gave_up, kicked, replaced).
events::Event endEvent(const store::Session& session, int64_t atMs, std::string_view reason = {});
events::Event statusEvent(const store::Session& session, uint32_t status, int64_t atMs);

}  // namespace icq::worker::core
