// Event: one thing that happened on the network, as the session journal and the event
// actions see it. The process that saw it appends it to the event stream
// (common/redis/event_stream.hpp); consumers read it at least once, so every event carries an
// id of its own, unique across the cluster and across restarts, that makes a redelivered or
// re-appended event harmless. The stream's entry id cannot serve: a producer that retries an
// append whose reply it lost appends the same event again under a new entry id.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace icq::events {

enum class EventKind : uint8_t {
  login,         // a session began: protocol, client version, address, port, gateway, status
  logoff,        // the client said goodbye
  session_end,   // the server ended it: reason (expiry, replaced, give-up, kick, …)
  status,        // the session's status changed
  registration,  // a new account
  password,      // an account's password changed
  info,          // an account's profile changed
  message,       // a message sent: sender, recipient, type, live or offline
  search,        // a white-pages search
  admin,         // an administrator's action through the admin API or icqctl
  rate_limit,    // a rate limit refused something
};

/// The kind's name on the wire and in the journal ("session_end").
std::string_view kindName(EventKind kind);
/// The kind named `name`; empty for a name this build does not know.
std::optional<EventKind> kindNamed(std::string_view name);

struct Field {
  std::string name;
  std::string value;
  bool operator==(const Field&) const = default;
};

struct Event {
  std::string id;          // unique (EventIds)
  EventKind kind = EventKind::login;
  int64_t atMs = 0;        // UTC, when it happened
  uint32_t uin = 0;        // whose event; 0 when none (an action on the whole cluster)
  std::string session;     // the unique id of the session it belongs to; empty when none
  std::vector<Field> fields;  // by kind (worker/core/session_events.hpp builds a session's)

  /// The value of field `name`, or nullptr.
  const std::string* field(std::string_view name) const;
  Event& with(std::string name, std::string value);
  bool operator==(const Event&) const = default;
};

/// Event ids for one process: its random instance id and a counter, so no two processes,
/// nor two starts of one, ever hand out the same id. Not thread-safe: one per thread.
class EventIds {
public:
  EventIds();
  explicit EventIds(std::string instance) : instance_(std::move(instance)) {}
  std::string next();

private:
  std::string instance_;
  uint64_t counter_ = 0;
};

}  // namespace icq::events
