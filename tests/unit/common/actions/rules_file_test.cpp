// The event-actions file: every key read into its rule, a bad rule refused with the file,
// the rule and the key named, and the filters matching the events they should and no others.
#include <catch2/catch.hpp>

#include <map>

#include "common/actions/rules_file.hpp"

namespace icq::actions {
namespace {

config::EnvLookup environment(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const char* name) -> const char* {
    auto it = vars.find(name);
    return it == vars.end() ? nullptr : it->second.c_str();
  };
}

std::vector<Rule> parse(const std::string& text) {
  return parseRules(text, "rules.yaml", environment({{"HOOK_SECRET", "s3cret"}, {"SMTP_PASSWORD", "pw"}}));
}

/// The message parse() throws for `text`.
std::string refusal(const std::string& text) {
  try {
    parse(text);
  } catch (const config::ConfigError& e) {
    return e.what();
  }
  return "(accepted)";
}

events::Event loginOf(uint32_t uin, std::string address, std::string protocol = "5", std::string status = "0") {
  events::Event event;
  event.kind = events::EventKind::login;
  event.uin = uin;
  event.with("protocol", std::move(protocol)).with("address", std::move(address)).with("status", std::move(status));
  return event;
}

}  // namespace

TEST_CASE("a rules file is read with every key of every action", "[actions]") {
  const auto rules = parse(R"(
rules:
  - name: vip-login
    on: login
    when: {uins: [100001, 100002], protocol: [5], status: [online, away], address: [10.0.0.0/8, 192.0.2.7]}
    rate: {count: 10, per_s: 60}
    actions:
      - log: "VIP {uin} from {address}"
      - icq_message: {to: [100003], text: "{uin} is online", tries: 3}
      - webhook: {url: "http://127.0.0.1:9/hook", secret_env: HOOK_SECRET, tries: 4, backoff_s: 2, timeout_s: 5}
      - mail: {url: "smtp://127.0.0.1:25", from: "icq@example.org", to: [ops@example.org], subject: "s {uin}",
               text: "t", username: icq, password_env: SMTP_PASSWORD}
      - run: {argv: [/usr/local/bin/page, "{uin}"], timeout_s: 3}
  - name: registrations
    on: registration
    actions:
      - log: "new account {uin}"
)");
  REQUIRE(rules.size() == 2);
  const Rule& vip = rules[0];
  CHECK(vip.name == "vip-login");
  CHECK(vip.on == events::EventKind::login);
  CHECK(vip.when.uins == std::vector<uint32_t>{100001, 100002});
  CHECK(vip.when.protocols == std::vector<uint32_t>{5});
  CHECK(vip.when.states == std::vector<std::string>{"online", "away"});
  CHECK(vip.when.networks.size() == 2);
  CHECK(vip.rate.count == 10);
  CHECK(vip.rate.per == std::chrono::seconds(60));
  REQUIRE(vip.actions.size() == 5);
  CHECK(vip.actions[0].type == ActionType::log);
  CHECK(vip.actions[1].to == std::vector<uint32_t>{100003});
  CHECK(vip.actions[1].retry.tries == 3);
  CHECK(vip.actions[2].secret == "s3cret");
  CHECK(vip.actions[2].retry.tries == 4);
  CHECK(vip.actions[2].retry.backoff == std::chrono::seconds(2));
  CHECK(vip.actions[2].retry.timeout == std::chrono::seconds(5));
  CHECK(vip.actions[3].password == "pw");
  CHECK(vip.actions[3].recipients == std::vector<std::string>{"ops@example.org"});
  CHECK(vip.actions[4].argv == std::vector<std::string>{"/usr/local/bin/page", "{uin}"});
  CHECK(vip.actions[4].retry.tries == 1);  // a program runs once unless its rule says otherwise
  CHECK(rules[1].when.uins.empty());
  CHECK(rules[1].rate.count == 0);
}

TEST_CASE("an empty rules file or an empty list holds no rules", "[actions]") {
  CHECK(parse("").empty());
  CHECK(parse("rules: []").empty());
  CHECK(parse("rules:").empty());
}

TEST_CASE("a bad rule is refused with the file - the rule and the key named", "[actions]") {
  const std::string head = "rules:\n  - name: r1\n    on: login\n";
  CHECK(refusal(head + "    actions: [{log: x}]\n    colour: red\n") ==
        "rules.yaml: rules[0] (r1): colour: unknown key");
  CHECK(refusal("rules:\n  - name: r1\n    on: logon\n    actions: [{log: x}]\n") ==
        "rules.yaml: rules[0] (r1): on: unknown event kind logon");
  CHECK(refusal(head + "    actions: []\n") == "rules.yaml: rules[0] (r1): actions: must be a non-empty list");
  CHECK(refusal(head + "    actions: [{log: x}, {webhook: {url: 'ftp://x', secret_env: HOOK_SECRET}}]\n") ==
        "rules.yaml: rules[0] (r1): actions[1].webhook.url: must start with http:// or https://");
  CHECK(refusal(head + "    actions: [{webhook: {url: 'http://x', secret_env: NOT_SET}}]\n") ==
        "rules.yaml: rules[0] (r1): actions[0].webhook.secret_env: environment variable NOT_SET is not set");
  CHECK(refusal(head + "    actions: [{webhook: {url: 'http://x'}}]\n") ==
        "rules.yaml: rules[0] (r1): actions[0].webhook.secret_env: missing");
  CHECK(refusal(head + "    actions: [{run: {argv: [page]}}]\n") ==
        "rules.yaml: rules[0] (r1): actions[0].run.argv[0]: must be an absolute path (no shell, no PATH search)");
  CHECK(refusal(head + "    actions: [{page: x}]\n") ==
        "rules.yaml: rules[0] (r1): actions[0].page: unknown action (log, icq_message, webhook, mail, run)");
  CHECK(refusal(head + "    actions: [{icq_message: {to: [0], text: hi}}]\n") ==
        "rules.yaml: rules[0] (r1): actions[0].icq_message.to[0]: must be between 1 and 4294967295");
  CHECK(refusal(head + "    when: {status: [busy]}\n    actions: [{log: x}]\n") ==
        "rules.yaml: rules[0] (r1): when.status[0]: unknown status busy (online, away, na, occupied, dnd, ffc, "
        "invisible)");
  CHECK(refusal(head + "    when: {address: [10.0.0.0/33]}\n    actions: [{log: x}]\n") ==
        "rules.yaml: rules[0] (r1): when.address[0]: not an IPv4 address or a.b.c.d/n block");
  CHECK(refusal(head + "    rate: {count: 0}\n    actions: [{log: x}]\n") ==
        "rules.yaml: rules[0] (r1): rate.count: must be between 1 and 1000000");
  CHECK(refusal(head + "    actions: [{log: x}]\n  - name: r1\n    on: logoff\n    actions: [{log: y}]\n") ==
        "rules.yaml: rules[1]: name: duplicate rule name r1");
  CHECK(refusal("rules:\n  - on: login\n    actions: [{log: x}]\n") == "rules.yaml: rules[0]: name: missing");
  CHECK(refusal("rules:\n  - name: Bad Name\n    on: login\n    actions: [{log: x}]\n") ==
        "rules.yaml: rules[0]: name: must be 1 to 64 of a-z, 0-9, - and _");
  CHECK(refusal("rules: [unclosed").starts_with("rules.yaml: not valid YAML"));
  CHECK(refusal("rule: []") == "rules.yaml: top level: rule: unknown key");
  // Found by the fuzzer: a key that is itself a list.
  CHECK(refusal("[n]: x") == "rules.yaml: top level: (key): keys must be plain words");
  CHECK(refusal(head + "    actions: [{[log]: x}]\n") ==
        "rules.yaml: rules[0] (r1): actions[0]: keys must be plain words");
}

TEST_CASE("a rules file that cannot be read is refused naming the key and the path", "[actions]") {
  CHECK_THROWS_WITH(loadRules("/nonexistent/rules.yaml", environment({})),
                    "actions.rules_file: cannot read /nonexistent/rules.yaml");
}

TEST_CASE("filters match the events they name and no others", "[actions]") {
  const auto rules = parse(R"(
rules:
  - name: f
    on: login
    when: {uins: [7], protocol: [3], status: [away], address: [10.1.0.0/16]}
    actions: [{log: x}]
)");
  const Rule& rule = rules.at(0);
  CHECK(rule.matches(loginOf(7, "10.1.2.3", "3", "1")));
  CHECK(rule.matches(loginOf(7, "10.1.255.255", "3", "65537")));  // away with the web-aware flag
  CHECK_FALSE(rule.matches(loginOf(8, "10.1.2.3", "3", "1")));    // another UIN
  CHECK_FALSE(rule.matches(loginOf(7, "10.2.2.3", "3", "1")));    // outside the block
  CHECK_FALSE(rule.matches(loginOf(7, "10.1.2.3", "5", "1")));    // V5
  CHECK_FALSE(rule.matches(loginOf(7, "10.1.2.3", "3", "0")));    // online
  CHECK_FALSE(rule.matches(loginOf(7, "10.1.2.3", "3", "19")));   // DND (0x13 also has away's bit)
  events::Event logoff = loginOf(7, "10.1.2.3", "3", "1");
  logoff.kind = events::EventKind::logoff;
  CHECK_FALSE(rule.matches(logoff));  // another kind
  events::Event bare;
  bare.kind = events::EventKind::login;
  bare.uin = 7;
  CHECK_FALSE(rule.matches(bare));  // no fields to filter on
}

}  // namespace icq::actions
