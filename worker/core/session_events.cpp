// worker: a session's events; see session_events.hpp.
#include "worker/core/session_events.hpp"

#include <string>

#include "common/events/event_log.hpp"
#include "common/util/endpoint.hpp"

namespace icq::worker::core {
namespace {

events::Event sessionEvent(events::EventKind kind, const store::Session& session, int64_t atMs) {
  events::Event event;
  event.kind = kind;
  event.atMs = atMs;
  event.uin = session.uin;
  event.session = events::sessionUid(session.uin, session.serial);
  return event;
}

}  // namespace

events::Event loginEvent(const store::Session& session, uint32_t clientVersion) {
  events::Event event = sessionEvent(events::EventKind::login, session, session.loginMs);
  event.with("protocol", std::to_string(session.protocol))
      .with("client_version", std::to_string(clientVersion))
      .with("address", util::formatIp(session.client.ip))
      .with("port", std::to_string(session.client.port))
      .with("gateway", session.gateway)
      .with("status", std::to_string(session.status));
  return event;
}

events::Event endEvent(const store::Session& session, int64_t atMs, std::string_view reason) {
  if (reason.empty()) return sessionEvent(events::EventKind::logoff, session, atMs);
  events::Event event = sessionEvent(events::EventKind::session_end, session, atMs);
  event.with("reason", std::string(reason));
  return event;
}

events::Event statusEvent(const store::Session& session, uint32_t status, int64_t atMs) {
  events::Event event = sessionEvent(events::EventKind::status, session, atMs);
  event.with("status", std::to_string(status));
  return event;
}

}  // namespace icq::worker::core
