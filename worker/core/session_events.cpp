// worker: a session's events; see session_events.hpp.
#include "worker/core/session_events.hpp"

#include <optional>
#include <string>

#include "common/events/event_log.hpp"
#include "common/util/endpoint.hpp"

namespace icq::worker::core {
namespace {

events::Event eventBy(events::EventKind kind, const Actor& by, int64_t atMs) {
  events::Event event;
  event.kind = kind;
  event.atMs = atMs;
  event.uin = by.uin;
  event.session = by.session;
  return event;
}

/// The names of what `criteria` asks for: the UIN, the names and the email each by name, the
/// rest of the white pages as one.
std::string searchedBy(const store::SearchCriteria& criteria) {
  if (criteria.uin != 0) return "uin";
  std::string by;
  const auto add = [&by](bool asked, std::string_view name) {
    if (asked) by.append(by.empty() ? "" : "+").append(name);
  };
  store::SearchCriteria rest = criteria;
  rest.nick.clear();
  rest.firstName.clear();
  rest.lastName.clear();
  rest.email.clear();
  add(!criteria.nick.empty(), "nick");
  add(!criteria.firstName.empty() || !criteria.lastName.empty(), "name");
  add(!criteria.email.empty(), "email");
  add(!rest.empty(), "white_pages");
  return by;
}

}  // namespace

Actor actorOf(const store::Session& session) { return {session.uin, events::sessionUid(session.uin, session.serial)}; }

Actor actorOf(store::SessionStore& sessions, uint32_t uin) {
  std::optional<store::Session> session;
  if (!sessions.find(uin, session) || !session) return {uin, {}};
  return actorOf(*session);
}

events::Event loginEvent(const store::Session& session, uint32_t clientVersion) {
  events::Event event = eventBy(events::EventKind::login, actorOf(session), session.loginMs);
  event.with("protocol", std::to_string(session.protocol))
      .with("client_version", std::to_string(clientVersion))
      .with("address", util::formatIp(session.client.ip))
      .with("port", std::to_string(session.client.port))
      .with("gateway", session.gateway)
      .with("status", std::to_string(session.status));
  return event;
}

events::Event endEvent(const store::Session& session, int64_t atMs, std::string_view reason) {
  if (reason.empty()) return eventBy(events::EventKind::logoff, actorOf(session), atMs);
  events::Event event = eventBy(events::EventKind::session_end, actorOf(session), atMs);
  event.with("reason", std::string(reason));
  return event;
}

events::Event statusEvent(const Actor& by, uint32_t status, int64_t atMs) {
  events::Event event = eventBy(events::EventKind::status, by, atMs);
  event.with("status", std::to_string(status));
  return event;
}

events::Event messageEvent(const Actor& by, const SentMessage& message, bool withText, int64_t atMs) {
  events::Event event = eventBy(events::EventKind::message, by, atMs);
  event.with("to", std::to_string(message.to))
      .with("type", std::to_string(message.type))
      .with("delivery", std::string(message.delivery));
  if (withText) event.with("text", std::string(message.text.begin(), message.text.end()));
  return event;
}

events::Event passwordEvent(const Actor& by, int64_t atMs) { return eventBy(events::EventKind::password, by, atMs); }

events::Event infoEvent(const Actor& by, std::string_view what, int64_t atMs) {
  events::Event event = eventBy(events::EventKind::info, by, atMs);
  event.with("what", std::string(what));
  return event;
}

events::Event searchEvent(const Actor& by, const store::SearchCriteria& criteria, size_t results, int64_t atMs) {
  events::Event event = eventBy(events::EventKind::search, by, atMs);
  event.with("by", searchedBy(criteria)).with("results", std::to_string(results));
  return event;
}

}  // namespace icq::worker::core
