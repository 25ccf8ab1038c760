// Unconfirmed server packets through the cluster: resent with the same SEQ1 at the
// configured spacing until acknowledged; after the configured retries the session ends
// and an unconfirmed message becomes an offline message (protocol-v5.md §4.4).
#include <thread>

#include "common/codec/v5/message.hpp"
#include "tests/e2e/e2e_fixture.hpp"

namespace icq::test {
namespace {

const std::vector<std::string> kFastRetransmits = {"v5.retransmit_timeout_s=1", "v5.retransmit_retries=2",
                                                   "scheduler.tick_ms=100"};

/// Every SRV_SYS_DELIVERED_MESS that reaches `client` within `window`, never acknowledged.
std::vector<std::pair<std::chrono::steady_clock::time_point, ServerPacket>> deliveriesWithin(
    V5Client& client, std::chrono::milliseconds window) {
  std::vector<std::pair<std::chrono::steady_clock::time_point, ServerPacket>> out;
  auto deadline = std::chrono::steady_clock::now() + window;
  while (std::chrono::steady_clock::now() < deadline) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    auto packet = client.receive(left);
    if (packet && packet->header.command == v5::SRV_SYS_DELIVERED_MESS)
      out.emplace_back(std::chrono::steady_clock::now(), std::move(*packet));
  }
  return out;
}

}  // namespace

TEST_CASE("an unacknowledged message is resent as configured, then kept as an offline message", "[e2e][retransmit]") {
  E2E e2e({.settings = kFastRetransmits});
  e2e.cluster.addScheduler();  // two replicas: still exactly one resend per interval
  V5Client alice(e2e.cluster.udpPort(0), kAlice, kAlicePassword, "127.0.7.1");
  V5Client bob(e2e.cluster.udpPort(0), kBob, kBobPassword, "127.0.7.2");
  REQUIRE(alice.login() == LoginOutcome::accepted);
  REQUIRE(bob.login() == LoginOutcome::accepted);
  auto sent = alice.sendMessage(kBob, v5::kMsgText, "are you there?");
  REQUIRE(alice.expectAckOf(sent));

  // Bob's client never acknowledges: the first send and exactly two resends, same SEQ1,
  // about a timeout apart.
  auto deliveries = deliveriesWithin(bob, std::chrono::milliseconds(4500));
  INFO(e2e.cluster.logs());
  REQUIRE(deliveries.size() == 3);
  for (size_t i = 1; i < deliveries.size(); ++i) {
    CHECK(deliveries[i].second.header.seq1 == deliveries[0].second.header.seq1);
    CHECK(deliveries[i].second.data == deliveries[0].second.data);
    CHECK(deliveries[i].first - deliveries[i - 1].first >= std::chrono::milliseconds(800));
  }
  // Then the server gave up: Bob's session is over (a gap in SEQ1 would stall licq)...
  CHECK_FALSE(bob.keepAlive());
  // ...and the message waits for him as an offline message.
  REQUIRE(bob.login() == LoginOutcome::accepted);
  bob.send(v5::CMD_LOGIN_1, std::array<uint8_t, 4>{1, 2, 3, 4}, true);
  auto offline = bob.expect(v5::SRV_RECV_MESSAGE);
  REQUIRE(offline);
  v5::ReceivedMessage message;
  REQUIRE(v5::parseOfflineMessageBody(offline->data, message));
  CHECK(message.from == kAlice);
  CHECK(std::string(message.text.begin(), message.text.end()) == "are you there?");
}

TEST_CASE("an acknowledged packet is not resent", "[e2e][retransmit]") {
  E2E e2e({.settings = kFastRetransmits});
  V5Client alice(e2e.cluster.udpPort(0), kAlice, kAlicePassword, "127.0.7.3");
  V5Client bob(e2e.cluster.udpPort(0), kBob, kBobPassword, "127.0.7.4");
  REQUIRE(alice.login() == LoginOutcome::accepted);
  REQUIRE(bob.login() == LoginOutcome::accepted);
  alice.sendMessage(kBob, v5::kMsgText, "hello");
  auto first = bob.expect(v5::SRV_SYS_DELIVERED_MESS);  // expect() acknowledges it
  REQUIRE(first);
  CHECK(deliveriesWithin(bob, std::chrono::milliseconds(2500)).empty());
  CHECK(bob.keepAlive());
}

}  // namespace icq::test
