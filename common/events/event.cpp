// Event kinds by name and unique event ids; see event.hpp.
#include "common/events/event.hpp"

#include <array>

#include "common/util/identity.hpp"

namespace icq::events {
namespace {

constexpr std::array<std::string_view, 11> kNames = {
    "login", "logoff", "session_end", "status", "registration", "password",
    "info",  "message", "search",     "admin",  "rate_limit",
};

}  // namespace

std::string_view kindName(EventKind kind) { return kNames.at(static_cast<size_t>(kind)); }

std::optional<EventKind> kindNamed(std::string_view name) {
  for (size_t i = 0; i < kNames.size(); ++i)
    if (kNames[i] == name) return static_cast<EventKind>(i);
  return std::nullopt;
}

const std::string* Event::field(std::string_view name) const {
  for (const Field& f : fields)
    if (f.name == name) return &f.value;
  return nullptr;
}

Event& Event::with(std::string name, std::string value) {
  fields.push_back({std::move(name), std::move(value)});
  return *this;
}

EventIds::EventIds() : instance_(util::randomInstanceId()) {}

std::string EventIds::next() { return instance_ + "-" + std::to_string(++counter_); }

}  // namespace icq::events
