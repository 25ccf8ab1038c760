// worker: the events of a session's life (common/events), built alike for V5 and V3 so that
// the journal reads one shape: its login (protocol, client, address, gateway), its end by the
// client (logoff) or by the server (session_end with the reason), and what it did meanwhile:
// status changes, messages, password and profile changes, searches. The events of requests
// that have no session yet are request_events.hpp's.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "common/events/event.hpp"
#include "common/store/profile.hpp"
#include "common/store/session.hpp"
#include "common/store/session_store.hpp"

namespace icq::worker::core {

/// Whose event it is: a UIN and its session's unique id (events::sessionUid), empty when the
/// session could not be read; the event then still belongs to the account.
struct Actor {
  uint32_t uin = 0;
  std::string session;
};

Actor actorOf(const store::Session& session);
/// `uin` as it is now: its session read from `sessions`, which the worker that owns the
/// session (the one its packets come to) answers from memory.
Actor actorOf(store::SessionStore& sessions, uint32_t uin);

/// `clientVersion`: what the client says of itself (V5: its direct-connection protocol
/// version; V3: its build number).
events::Event loginEvent(const store::Session& session, uint32_t clientVersion);
/// The client logged off (`reason` empty) or the server ended the session for `reason`
/// (expired, gave_up, kicked, replaced).
events::Event endEvent(const store::Session& session, int64_t atMs, std::string_view reason = {});
events::Event statusEvent(const Actor& by, uint32_t status, int64_t atMs);

/// A message through the server as the journal keeps it. `delivery`: online, offline (stored
/// for the recipient), or relayed (handed to the worker that owns the recipient, which
/// decides). The text is personal data: it goes into the event only when asked for
/// (events.message_text).
struct SentMessage {
  uint32_t to = 0;
  uint16_t type = 0;
  std::string_view delivery;
  std::span<const uint8_t> text;
};
events::Event messageEvent(const Actor& by, const SentMessage& message, bool withText, int64_t atMs);

/// The password changed; nothing of it is kept.
events::Event passwordEvent(const Actor& by, int64_t atMs);
/// A part of the profile changed; `what` names it (basic, work, about, auth, …).
events::Event infoEvent(const Actor& by, std::string_view what, int64_t atMs);
/// A search: what it was by (the criteria's names, "+"-joined) and how many matched.
events::Event searchEvent(const Actor& by, const store::SearchCriteria& criteria, size_t results, int64_t atMs);

}  // namespace icq::worker::core
