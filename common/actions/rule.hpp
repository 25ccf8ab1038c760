// Rule: one entry of the event-actions file (docs/OPERATIONS.md "Event actions"): an event
// kind, filters on the event, a rate limit, and what to do. Pure data and the match;
// rules_file.hpp reads rules from YAML and refuses a bad one by name, and
// scheduler/event_actions.hpp carries them out.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/events/event.hpp"
#include "common/util/endpoint.hpp"

namespace icq::actions {

enum class ActionType : uint8_t { log, icq_message, webhook, mail, run };

/// The action's name in the rules file and in metrics ("icq_message").
std::string_view actionTypeName(ActionType type);

/// How often an action is tried and how long each try may take. The wait before try n+1 is
/// backoff · 2^(n-1), at most a minute.
struct Retry {
  int tries = 5;
  std::chrono::milliseconds backoff{1000};
  std::chrono::milliseconds timeout{10'000};
};

struct Action {
  ActionType type = ActionType::log;
  std::string text;                               // log: the line; icq_message: the message; mail: the body
  std::vector<uint32_t> to;                       // icq_message: the recipients
  std::string url;                                // webhook: http(s)://…; mail: smtp(s)://host[:port]
  std::string secret;                             // webhook: the HMAC-SHA256 key, from secret_env
  std::string from, subject, username, password;  // mail (password from password_env)
  std::vector<std::string> recipients;            // mail
  std::vector<std::string> argv;                  // run: the program and its arguments, no shell
  Retry retry;
};

/// Conditions on the event, all of which must hold; an empty list allows anything. A filter
/// on a field the event does not carry (protocol, status, address) does not match it.
struct Filter {
  std::vector<uint32_t> uins;
  std::vector<uint32_t> protocols;      // field "protocol": 5 or 3
  std::vector<std::string> states;      // field "status", by codec::v5::stateName
  std::vector<util::Network> networks;  // field "address"

  bool matches(const events::Event& event) const;
};

/// At most `count` firings per `per` across the cluster; count 0: no limit.
struct RateLimit {
  int64_t count = 0;
  std::chrono::seconds per{60};
};

struct Rule {
  std::string name;  // unique; a metric label
  events::EventKind on = events::EventKind::login;
  Filter when;
  RateLimit rate;
  std::vector<Action> actions;

  bool matches(const events::Event& event) const { return event.kind == on && when.matches(event); }
};

}  // namespace icq::actions
