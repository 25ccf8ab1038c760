// V3 messages through the server (worker/v3/cmd_message.cpp, protocol-v3.md §5.11, §9.2)
// against the in-memory stores: live delivery in the recipient's own protocol, offline
// storage, and the acknowledgement only once one of them is recorded.
#include <catch2/catch.hpp>

#include "common/codec/v5/constants.hpp"
#include "common/codec/v5/message.hpp"
#include "tests/unit/worker/v3/v3_rig.hpp"

namespace icq::test {
namespace {

constexpr uint32_t kAlice = 7001, kBob = 7002;

}  // namespace

TEST_CASE("v3 message to an online V3 user arrives as SYSMSG_ONLINE of the recipient's session", "[worker][v3]") {
  V3Rig rig;
  V3Peer alice{kAlice, endpoint(1, 4001)};
  V3Peer bob{kBob, endpoint(2, 4002)};
  rig.online(alice);
  rig.online(bob, std::string(kGatewayB));
  rig.sessions.entry(kBob)->nextSeq1 = 12;

  const auto replies = rig.send(alice, alice.next(v3::CMD_THRU_SERVER), thruServer(kBob, "hello bob"));

  const V3Reply& delivered = only(replies, v3::SRV_SYSMSG_ONLINE);
  CHECK(delivered.header.uin == kBob);
  CHECK(delivered.header.seq1 == 12);  // the session's servseq (§3.2)
  CHECK(delivered.gateway == kGatewayB);
  v3::DeliveredMessage message;
  REQUIRE(v3::parseOnlineMessage(delivered.body, message) == v3::ParseError::none);
  CHECK(message.from == kAlice);
  CHECK(textOf(message.text) == "hello bob");
  CHECK(rig.sessions.unconfirmed(kBob).at(12).command == v3::SRV_SYSMSG_ONLINE);
  CHECK(only(replies, v3::SRV_ACK).header.uin == kAlice);
  CHECK(rig.messages.messages.empty());
}

TEST_CASE("v3 message to an online V5 user arrives as SRV_SYS_DELIVERED_MESS", "[worker][v3]") {
  V3Rig rig;
  V3Peer alice{kAlice, endpoint(1, 4001)};
  rig.online(alice);
  rig.FakeWorld::online(kBob, 0xB0B, endpoint(2, 5002), std::string(kGatewayB), 5, 30);

  const auto replies = rig.send(alice, alice.next(v3::CMD_THRU_SERVER), thruServer(kBob, "from groupware"));

  const V3Reply& delivered = only(replies, codec::v5::SRV_SYS_DELIVERED_MESS);
  REQUIRE(delivered.v5);
  CHECK(delivered.header5.uin == kBob);
  CHECK(delivered.header5.sessionId == 0xB0B);
  CHECK(delivered.header5.seq1 == 30);
  codec::v5::ReceivedMessage message;
  REQUIRE(codec::v5::parseOnlineMessageBody(delivered.body, message));
  CHECK(message.from == kAlice);
  CHECK(textOf(message.text) == "from groupware");
  CHECK(only(replies, v3::SRV_ACK).to == alice.from);
}

TEST_CASE("v3 message to an offline user is stored offline and acknowledged", "[worker][v3]") {
  V3Rig rig;
  V3Peer alice{kAlice, endpoint(1, 4001)};
  rig.online(alice);
  rig.users.addUser(kBob, "pw");

  const auto replies = rig.send(alice, alice.next(v3::CMD_THRU_SERVER), thruServer(kBob, "see you", 1));

  REQUIRE(replies.size() == 1);
  CHECK(replies[0].header.command == v3::SRV_ACK);
  const auto stored = rig.messages.storedFor(kBob);
  REQUIRE(stored.size() == 1);
  CHECK(stored[0].from == kAlice);
  CHECK(stored[0].text == "see you");
  CHECK(rig.stats().messagesStored.value() == 1);
}

}  // namespace icq::test
