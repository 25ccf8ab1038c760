// Matching an event against a rule; see rule.hpp.
#include "common/actions/rule.hpp"

#include <algorithm>
#include <array>

#include "common/codec/v5/presence.hpp"
#include "common/util/integer.hpp"

namespace icq::actions {
namespace {

constexpr std::array<std::string_view, 5> kTypeNames = {"log", "icq_message", "webhook", "mail", "run"};

template <class T>
bool contains(const std::vector<T>& list, const T& value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

/// The event's field `name` as a number; false when it lacks it or it is not one.
bool numberField(const events::Event& event, std::string_view name, uint32_t& out) {
  const std::string* value = event.field(name);
  return value != nullptr && util::parseInteger(*value, out);
}

bool protocolMatches(const Filter& filter, const events::Event& event) {
  uint32_t protocol = 0;
  return filter.protocols.empty() || (numberField(event, "protocol", protocol) && contains(filter.protocols, protocol));
}

bool stateMatches(const Filter& filter, const events::Event& event) {
  uint32_t status = 0;
  return filter.states.empty() ||
         (numberField(event, "status", status) && contains(filter.states, std::string(codec::v5::stateName(status))));
}

bool addressMatches(const Filter& filter, const events::Event& event) {
  if (filter.networks.empty()) return true;
  const std::string* address = event.field("address");
  const auto ip = address ? util::parseIp(*address) : std::nullopt;
  return ip && std::any_of(filter.networks.begin(), filter.networks.end(),
                           [&](const util::Network& network) { return network.contains(*ip); });
}

}  // namespace

std::string_view actionTypeName(ActionType type) { return kTypeNames.at(static_cast<size_t>(type)); }

bool Filter::matches(const events::Event& event) const {
  return (uins.empty() || contains(uins, event.uin)) && protocolMatches(*this, event) && stateMatches(*this, event) &&
         addressMatches(*this, event);
}

}  // namespace icq::actions
