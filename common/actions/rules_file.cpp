// Reading the event-actions file; see rules_file.hpp.
#include "common/actions/rules_file.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <fstream>
#include <initializer_list>
#include <sstream>

#include "common/codec/v5/presence.hpp"

namespace icq::actions {
namespace {

using config::ConfigError;

/// Where in the file a value sits, for errors: "rules[2] (vip-login): actions[0].webhook.url".
class Place {
public:
  Place(const std::string& origin, std::string rule) : origin_(origin), rule_(std::move(rule)) {}

  [[noreturn]] void fail(const std::string& key, const std::string& what) const {
    throw ConfigError(origin_ + ": " + rule_ + ": " + key + ": " + what);
  }
  void named(const std::string& name) { rule_ += " (" + name + ")"; }

private:
  const std::string& origin_;
  std::string rule_;
};

/// A mapping's key as text; a key that is a list or a mapping is refused.
std::string keyOf(const YAML::Node& key, const Place& at, const std::string& prefix) {
  if (!key.IsScalar()) at.fail(prefix.empty() ? "(key)" : prefix, "keys must be plain words");
  return key.Scalar();
}

void onlyKeys(const YAML::Node& map, std::initializer_list<std::string_view> known, const Place& at,
              const std::string& prefix) {
  if (!map.IsMap()) at.fail(prefix, "must be a mapping");
  for (const auto& entry : map) {
    const std::string key = keyOf(entry.first, at, prefix);
    if (std::find(known.begin(), known.end(), key) == known.end())
      at.fail(prefix.empty() ? key : prefix + "." + key, "unknown key");
  }
}

std::string text(const YAML::Node& node, const Place& at, const std::string& key) {
  if (!node.IsScalar() || node.Scalar().empty()) at.fail(key, "must be a non-empty string");
  return node.Scalar();
}

int64_t number(const YAML::Node& node, const Place& at, const std::string& key, int64_t min, int64_t max) {
  int64_t value = 0;
  try {
    value = node.as<int64_t>();
  } catch (const YAML::Exception&) {
    at.fail(key, "must be an integer");
  }
  if (value < min || value > max)
    at.fail(key, "must be between " + std::to_string(min) + " and " + std::to_string(max));
  return value;
}

template <class Parse>
auto listOf(const YAML::Node& node, const Place& at, const std::string& key, Parse parse) {
  if (!node.IsSequence() || node.size() == 0) at.fail(key, "must be a non-empty list");
  std::vector<decltype(parse(node[0], std::string()))> out;
  for (size_t i = 0; i < node.size(); ++i) out.push_back(parse(node[i], key + "[" + std::to_string(i) + "]"));
  return out;
}

std::vector<uint32_t> uinList(const YAML::Node& node, const Place& at, const std::string& key) {
  return listOf(node, at, key, [&](const YAML::Node& n, const std::string& k) {
    return static_cast<uint32_t>(number(n, at, k, 1, UINT32_MAX));
  });
}

std::vector<std::string> textList(const YAML::Node& node, const Place& at, const std::string& key) {
  return listOf(node, at, key, [&](const YAML::Node& n, const std::string& k) { return text(n, at, k); });
}

std::string fromEnvironment(const YAML::Node& node, const Place& at, const std::string& key,
                            const config::EnvLookup& env) {
  const std::string name = text(node, at, key);
  const char* value = env ? env(name.c_str()) : nullptr;
  if (value == nullptr || *value == '\0') at.fail(key, "environment variable " + name + " is not set");
  return value;
}

Filter readFilter(const YAML::Node& node, const Place& at) {
  onlyKeys(node, {"uins", "protocol", "status", "address"}, at, "when");
  Filter filter;
  if (node["uins"]) filter.uins = uinList(node["uins"], at, "when.uins");
  if (node["protocol"])
    filter.protocols = listOf(node["protocol"], at, "when.protocol", [&](const YAML::Node& n, const std::string& k) {
      const int64_t protocol = number(n, at, k, 3, 5);
      if (protocol == 4) at.fail(k, "must be 5 or 3");
      return static_cast<uint32_t>(protocol);
    });
  if (node["status"])
    filter.states = listOf(node["status"], at, "when.status", [&](const YAML::Node& n, const std::string& k) {
      const std::string state = text(n, at, k);
      if (!codec::v5::isStateName(state))
        at.fail(k, "unknown status " + state + " (online, away, na, occupied, dnd, ffc, invisible)");
      return state;
    });
  if (node["address"])
    filter.networks = listOf(node["address"], at, "when.address", [&](const YAML::Node& n, const std::string& k) {
      const auto network = util::parseNetwork(text(n, at, k));
      if (!network) at.fail(k, "not an IPv4 address or a.b.c.d/n block");
      return *network;
    });
  return filter;
}

RateLimit readRate(const YAML::Node& node, const Place& at) {
  onlyKeys(node, {"count", "per_s"}, at, "rate");
  if (!node["count"]) at.fail("rate.count", "missing");
  RateLimit rate;
  rate.count = number(node["count"], at, "rate.count", 1, 1'000'000);
  if (node["per_s"]) rate.per = std::chrono::seconds(number(node["per_s"], at, "rate.per_s", 1, 86'400));
  return rate;
}

void readRetry(const YAML::Node& node, const Place& at, const std::string& key, Retry& retry) {
  if (node["tries"]) retry.tries = static_cast<int>(number(node["tries"], at, key + ".tries", 1, 20));
  if (node["backoff_s"])
    retry.backoff = std::chrono::seconds(number(node["backoff_s"], at, key + ".backoff_s", 1, 3600));
  if (node["timeout_s"])
    retry.timeout = std::chrono::seconds(number(node["timeout_s"], at, key + ".timeout_s", 1, 3600));
}

void requireUrl(const std::string& url, std::initializer_list<std::string_view> schemes, const Place& at,
                const std::string& key) {
  for (std::string_view scheme : schemes)
    if (url.starts_with(scheme) && url.size() > scheme.size()) return;
  std::string names;
  for (std::string_view scheme : schemes) names += (names.empty() ? "" : " or ") + std::string(scheme);
  at.fail(key, "must start with " + names);
}

YAML::Node need(const YAML::Node& map, const char* field, const Place& at, const std::string& key) {
  if (!map[field]) at.fail(key.empty() ? field : key + "." + field, "missing");
  return map[field];
}

Action readAction(const YAML::Node& node, const Place& at, const std::string& key, const config::EnvLookup& env) {
  if (!node.IsMap() || node.size() != 1) at.fail(key, "must be one of log, icq_message, webhook, mail, run");
  const std::string type = keyOf(node.begin()->first, at, key);
  const YAML::Node body = node.begin()->second;
  const std::string where = key + "." + type;
  Action action;
  if (type == "log") {
    action.type = ActionType::log;
    action.text = text(body, at, where);
  } else if (type == "icq_message") {
    action.type = ActionType::icq_message;
    onlyKeys(body, {"to", "text", "tries", "backoff_s"}, at, where);
    action.to = uinList(need(body, "to", at, where), at, where + ".to");
    action.text = text(need(body, "text", at, where), at, where + ".text");
  } else if (type == "webhook") {
    action.type = ActionType::webhook;
    onlyKeys(body, {"url", "secret_env", "tries", "backoff_s", "timeout_s"}, at, where);
    action.url = text(need(body, "url", at, where), at, where + ".url");
    requireUrl(action.url, {"http://", "https://"}, at, where + ".url");
    action.secret = fromEnvironment(need(body, "secret_env", at, where), at, where + ".secret_env", env);
  } else if (type == "mail") {
    action.type = ActionType::mail;
    onlyKeys(body,
             {"url", "from", "to", "subject", "text", "username", "password_env", "tries", "backoff_s", "timeout_s"},
             at, where);
    action.url = text(need(body, "url", at, where), at, where + ".url");
    requireUrl(action.url, {"smtp://", "smtps://"}, at, where + ".url");
    action.from = text(need(body, "from", at, where), at, where + ".from");
    action.recipients = textList(need(body, "to", at, where), at, where + ".to");
    action.subject = text(need(body, "subject", at, where), at, where + ".subject");
    action.text = text(need(body, "text", at, where), at, where + ".text");
    if (body["username"]) action.username = text(body["username"], at, where + ".username");
    if (body["password_env"]) action.password = fromEnvironment(body["password_env"], at, where + ".password_env", env);
  } else if (type == "run") {
    action.type = ActionType::run;
    onlyKeys(body, {"argv", "tries", "backoff_s", "timeout_s"}, at, where);
    action.argv = textList(need(body, "argv", at, where), at, where + ".argv");
    if (!action.argv[0].starts_with('/'))
      at.fail(where + ".argv[0]", "must be an absolute path (no shell, no PATH search)");
    action.retry.tries = 1;  // a program may not be safe to run twice; a rule opts in with tries
  } else {
    at.fail(key + "." + type, "unknown action (log, icq_message, webhook, mail, run)");
  }
  if (body.IsMap()) readRetry(body, at, where, action.retry);
  return action;
}

bool validName(const std::string& name) {
  return !name.empty() && name.size() <= 64 && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
  });
}

Rule readRule(const YAML::Node& node, Place at, const config::EnvLookup& env) {
  if (!node.IsMap()) at.fail("", "must be a mapping");
  Rule rule;
  rule.name = text(need(node, "name", at, ""), at, "name");
  if (!validName(rule.name)) at.fail("name", "must be 1 to 64 of a-z, 0-9, - and _");
  at.named(rule.name);  // from here on, errors name the rule
  onlyKeys(node, {"name", "on", "when", "rate", "actions"}, at, "");
  const std::string on = text(need(node, "on", at, ""), at, "on");
  const auto kind = events::kindNamed(on);
  if (!kind) at.fail("on", "unknown event kind " + on);
  rule.on = *kind;
  if (node["when"]) rule.when = readFilter(node["when"], at);
  if (node["rate"]) rule.rate = readRate(node["rate"], at);
  const YAML::Node actions = need(node, "actions", at, "");
  if (!actions.IsSequence() || actions.size() == 0) at.fail("actions", "must be a non-empty list");
  for (size_t i = 0; i < actions.size(); ++i)
    rule.actions.push_back(readAction(actions[i], at, "actions[" + std::to_string(i) + "]", env));
  return rule;
}

std::vector<Rule> readRules(const std::string& text, const std::string& origin, const config::EnvLookup& env) {
  const YAML::Node root = YAML::Load(text);
  const Place file(origin, "top level");
  if (root.IsNull()) return {};
  onlyKeys(root, {"rules"}, file, "");
  const YAML::Node list = root["rules"];
  if (!list || list.IsNull()) return {};
  if (!list.IsSequence()) file.fail("rules", "must be a list");
  std::vector<Rule> rules;
  for (size_t i = 0; i < list.size(); ++i) {
    rules.push_back(readRule(list[i], Place(origin, "rules[" + std::to_string(i) + "]"), env));
    for (size_t j = 0; j + 1 < rules.size(); ++j)
      if (rules[j].name == rules.back().name)
        Place(origin, "rules[" + std::to_string(i) + "]").fail("name", "duplicate rule name " + rules.back().name);
  }
  return rules;
}

}  // namespace

std::vector<Rule> parseRules(const std::string& text, const std::string& origin, const config::EnvLookup& env) {
  // The readers check each node's shape before reading it; a conversion they did not foresee
  // still ends as a refusal of the file, never as an exception the scheduler does not expect.
  try {
    return readRules(text, origin, env);
  } catch (const YAML::Exception& e) {
    throw ConfigError(origin + ": not valid YAML: " + e.what());
  }
}

std::vector<Rule> loadRules(const std::string& path, const config::EnvLookup& env) {
  std::ifstream in(path);
  if (!in) throw ConfigError("actions.rules_file: cannot read " + path);
  std::ostringstream text;
  text << in.rdbuf();
  return parseRules(text.str(), "actions.rules_file " + path, env);
}

}  // namespace icq::actions
