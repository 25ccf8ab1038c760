// The event-actions file: YAML with a list of rules (rule.hpp), read once at start. A bad
// rule stops the process with the file, the rule and the key named, like a bad configuration
// key: a rule that silently never fires is worse than a scheduler that will not start.
//
//   rules:
//     - name: vip-login                 # unique; [a-z0-9_-]
//       on: login                       # an event kind (common/events/event.hpp)
//       when: {uins: [100001], protocol: [5], status: [online], address: [10.0.0.0/8]}
//       rate: {count: 10, per_s: 60}    # optional
//       actions:
//         - log: "VIP {uin} from {address}"
//         - icq_message: {to: [100002], text: "{uin} is online"}
//         - webhook: {url: "https://…", secret_env: HOOK_SECRET, tries: 5, backoff_s: 1, timeout_s: 10}
//         - mail: {url: "smtp://mail:25", from: "icq@…", to: ["ops@…"], subject: "…", text: "…"}
//         - run: {argv: ["/usr/local/bin/page", "{uin}"], timeout_s: 10}
//
// Secrets never sit in the file: a webhook's key and a mail server's password are named by
// the environment variables that hold them (secret_env, password_env).
#pragma once

#include <string>
#include <vector>

#include "common/actions/rule.hpp"
#include "common/config/config.hpp"

namespace icq::actions {

/// The rules in the file at `path`. Throws config::ConfigError naming the file, the rule
/// and the key: an unknown key, event kind or state, a missing or malformed value, a
/// duplicate name, a secret_env or password_env that is not set.
std::vector<Rule> loadRules(const std::string& path, const config::EnvLookup& env);
/// The same from `text`, which `origin` names in errors.
std::vector<Rule> parseRules(const std::string& text, const std::string& origin, const config::EnvLookup& env);

}  // namespace icq::actions
