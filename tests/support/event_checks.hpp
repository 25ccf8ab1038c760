// Reading recorded events in tests (common/events): the one event of a kind, a field's value,
// and the account changes every protocol records alike.
#pragma once

#include <catch2/catch.hpp>

#include <algorithm>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/events/event.hpp"

namespace icq::test {

/// The only event of `kind` in `events`; fails the test unless there is exactly one.
inline const events::Event& onlyEvent(std::span<const events::Event> events, events::EventKind kind) {
  const auto matches = [kind](const events::Event& e) { return e.kind == kind; };
  INFO("events of kind " << events::kindName(kind));
  REQUIRE(std::count_if(events.begin(), events.end(), matches) == 1);
  return *std::find_if(events.begin(), events.end(), matches);
}

/// The value of field `name`, or "<none>".
inline std::string valueOf(const events::Event& event, std::string_view name) {
  const std::string* value = event.field(name);
  return value ? *value : "<none>";
}

/// A password change and a profile change of part `what`, by `uin` in `session`: the password
/// event carries nothing of the password.
inline void checkAccountChanges(std::span<const events::Event> events, uint32_t uin, const std::string& session,
                                std::string_view what) {
  const events::Event& password = onlyEvent(events, events::EventKind::password);
  CHECK(password.uin == uin);
  CHECK(password.session == session);
  CHECK(password.fields.empty());
  const events::Event& info = onlyEvent(events, events::EventKind::info);
  CHECK(info.session == session);
  CHECK(info.fields == std::vector<events::Field>{{"what", std::string(what)}});
}

}  // namespace icq::test
