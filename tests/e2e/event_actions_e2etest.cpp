// Event actions end to end: a rules file given to a real cluster's scheduler; a real V5
// client's login fires the rule, and the other V5 client gets the system message, a webhook
// receiver in this test gets the signed event, and a program writes the event it was given.
// And a scheduler given a bad rule refuses to start, naming the rule and the key.
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include "common/actions/payload.hpp"
#include "common/codec/v5/message.hpp"
#include "tests/e2e/e2e_fixture.hpp"
#include "tests/support/webhook_receiver.hpp"

namespace icq::test {
namespace {

using namespace std::chrono_literals;
namespace v5 = codec::v5;

std::string writeFile(const std::string& path, const std::string& text) {
  std::ofstream(path) << text;
  return path;
}

}  // namespace

TEST_CASE("event actions: a VIP's login sends an ICQ message - calls a signed webhook - runs a program",
          "[e2e][actions]") {
  WebhookReceiver receiver;
  const std::string dir = makeTempDir("icq-actions-e2e-");
  ::setenv("ICQ_E2E_HOOK_SECRET", "e2e-secret", 1);  // the scheduler inherits it
  const std::string rules = writeFile(dir + "/rules.yaml", R"(
rules:
  - name: vip-login
    on: login
    when: {uins: [)" + std::to_string(kAlice) + R"(], address: [127.0.9.0/24]}
    actions:
      - icq_message: {to: [)" + std::to_string(kBob) + R"(], text: "VIP {uin} logged in from {address}"}
      - webhook: {url: ")" + receiver.url() + R"(", secret_env: ICQ_E2E_HOOK_SECRET}
      - run: {argv: [/bin/sh, -c, "env > )" + dir + R"(/env-{uin}"], timeout_s: 5}
)");
  E2E e2e({.settings = {"actions.rules_file=" + rules}});
  INFO(e2e.cluster.logs());
  V5Client bob(e2e.cluster.udpPort(0), kBob, kBobPassword, "127.0.8.2");  // not a VIP, nor from the block
  REQUIRE(bob.login() == LoginOutcome::accepted);
  V5Client alice(e2e.cluster.udpPort(0), kAlice, kAlicePassword, "127.0.9.31");
  REQUIRE(alice.login() == LoginOutcome::accepted);

  const auto packet = bob.expect(v5::SRV_SYS_DELIVERED_MESS, 20s);
  REQUIRE(packet);
  v5::ReceivedMessage message;
  REQUIRE(v5::parseOnlineMessageBody(packet->data, message));
  CHECK(message.from == 10);
  CHECK(message.type == v5::kMsgSystem);
  CHECK(std::string(message.text.begin(), message.text.end()) ==
        "VIP " + std::to_string(kAlice) + " logged in from 127.0.9.31");

  REQUIRE(eventually([&] { return !receiver.received().empty(); }, 20s));
  const ops::HttpRequest hook = receiver.received()[0];
  CHECK(hook.header("x-icq-signature") == actions::signature("e2e-secret", hook.body));
  const auto body = nlohmann::json::parse(hook.body);
  CHECK(body["kind"] == "login");
  CHECK(body["uin"] == kAlice);
  CHECK(body["rule"] == "vip-login");
  CHECK(body["fields"]["address"] == "127.0.9.31");
  CHECK(body["fields"]["protocol"] == "5");

  const std::string envFile = dir + "/env-" + std::to_string(kAlice);
  REQUIRE(eventually([&] { return fileText(envFile).find("ICQ_EVENT_RULE=vip-login\n") != std::string::npos; }, 20s));
  const std::string env = fileText(envFile);
  CHECK(env.find("ICQ_EVENT_KIND=login\n") != std::string::npos);
  CHECK(env.find("ICQ_EVENT_ADDRESS=127.0.9.31\n") != std::string::npos);
  CHECK(env.find("ICQ_EVENT_GATEWAY=" + e2e.cluster.gatewayId(0) + "\n") != std::string::npos);
  // Bob's own login matched no rule: nothing ran for him.
  CHECK_FALSE(std::filesystem::exists(dir + "/env-" + std::to_string(kBob)));
  std::filesystem::remove_all(dir);
}

TEST_CASE("event actions: a scheduler given a bad rule refuses to start and names it", "[e2e][actions]") {
  const std::string dir = makeTempDir("icq-actions-e2e-");
  const std::string rules =
      writeFile(dir + "/rules.yaml", "rules:\n  - name: broken\n    on: logon\n    actions: [{log: x}]\n");
  ChildProcess scheduler(ICQ_SCHEDULER_BIN, {"--set", "actions.rules_file=" + rules}, dir + "/scheduler.log");
  CHECK(scheduler.wait(20s) == 1);
  const std::string log = fileText(dir + "/scheduler.log");
  INFO(log);
  CHECK(log.find("actions.rules_file " + rules + ": rules[0] (broken): on: unknown event kind logon") !=
        std::string::npos);
  std::filesystem::remove_all(dir);
}

}  // namespace icq::test
