// V5 messages through the server (worker/v5/cmd_message.cpp, protocol-v5.md §6.10, §6.9,
// §6.8, §5.2) against the in-memory stores: live delivery as a reliable packet of the
// recipient's session, offline storage, and the offline batch delivered once and deleted.
#include <catch2/catch.hpp>

#include "tests/unit/worker/v5/v5_rig.hpp"

namespace icq::test {
namespace {

constexpr uint32_t kAlice = 3001, kBob = 3002, kNobody = 3999;

size_t indexOf(const std::vector<V5Reply>& replies, uint16_t command) {
  for (size_t i = 0; i < replies.size(); ++i)
    if (replies[i].header.command == command) return i;
  FAIL("no packet " << command);
  return 0;
}

}  // namespace

TEST_CASE("v5 message to an online user is queued as SRV_SYS_DELIVERED_MESS for the recipient", "[worker][v5]") {
  V5Rig rig;
  V5Peer alice{kAlice, 77, endpoint(1, 5001)};
  V5Peer bob{kBob, 88, endpoint(2, 5002)};
  rig.online(alice, std::string(kGatewayA));
  rig.online(bob, std::string(kGatewayB));
  rig.sessions.entry(kBob)->nextSeq1 = 41;

  const v5::ClientHeader h = alice.next(v5::CMD_SEND_MESSAGE);
  const auto replies = rig.send(alice, h, messageTo(kBob, "hello bob", 1));

  const V5Reply& delivered = only(replies, v5::SRV_SYS_DELIVERED_MESS);
  CHECK(delivered.header.uin == kBob);
  CHECK(delivered.header.sessionId == bob.sessionId);
  CHECK(delivered.header.seq1 == 41);  // the recipient session's next SEQ1 (§4.2)
  CHECK(delivered.to == bob.from);
  CHECK(delivered.gateway == kGatewayB);  // through the gateway that owns Bob
  v5::ReceivedMessage message;
  REQUIRE(v5::parseOnlineMessageBody(delivered.data, message));
  CHECK(message.from == kAlice);
  CHECK(message.type == 1);
  CHECK(textOf(message.text) == "hello bob");
  // Unconfirmed until Bob acknowledges it; nothing stored offline.
  const auto pending = rig.sessions.unconfirmed(kBob);
  REQUIRE(pending.contains(41));
  CHECK(pending.at(41).command == v5::SRV_SYS_DELIVERED_MESS);
  CHECK(rig.messages.messages.empty());
  // Acknowledged to Alice only once queued (after_effect).
  const V5Reply& ack = only(replies, v5::SRV_ACK);
  CHECK(ack.header.seq2 == h.seq2);
  CHECK(indexOf(replies, v5::SRV_ACK) > indexOf(replies, v5::SRV_SYS_DELIVERED_MESS));
  CHECK(rig.stats().messagesOnline.value() == 1);
}

TEST_CASE("v5 message to an offline user is stored offline and acknowledged", "[worker][v5]") {
  V5Rig rig;
  V5Peer alice{kAlice, 77, endpoint(1, 5001)};
  rig.online(alice);
  rig.users.addUser(kBob, "pw");

  const auto replies = rig.send(alice, alice.next(v5::CMD_SEND_MESSAGE), messageTo(kBob, "see you", 4));

  REQUIRE(replies.size() == 1);
  CHECK(replies[0].header.command == v5::SRV_ACK);
  const auto stored = rig.messages.storedFor(kBob);
  REQUIRE(stored.size() == 1);
  CHECK(stored[0].from == kAlice);
  CHECK(stored[0].type == 4);
  CHECK(stored[0].text == "see you");
  CHECK(stored[0].storedAtMs == rig.clock.nowMs());
  CHECK(rig.stats().messagesStored.value() == 1);
}

TEST_CASE("v5 message to a UIN that does not exist is acknowledged and dropped", "[worker][v5]") {
  V5Rig rig;
  V5Peer alice{kAlice, 77, endpoint(1, 5001)};
  rig.online(alice);

  const auto replies = rig.send(alice, alice.next(v5::CMD_SEND_MESSAGE), messageTo(kNobody, "anyone?"));

  CHECK(only(replies, v5::SRV_ACK).header.uin == kAlice);
  CHECK(rig.messages.messages.empty());
  CHECK(rig.stats().messagesDropped.value() == 1);
}

TEST_CASE("v5 offline messages go out once per session and CMD_ACK_MESSAGES deletes that batch", "[worker][v5]") {
  V5Rig rig;
  V5Peer alice{kAlice, 77, endpoint(1, 5001)};
  rig.users.addUser(kAlice, "pw");
  bool stored = false;
  const std::array<uint8_t, 3> one{'o', 'n', 'e'}, two{'t', 'w', 'o'};
  REQUIRE(rig.messages.storeOffline(kBob, kAlice, 1, one, rig.clock.nowMs(), stored));
  REQUIRE(rig.messages.storeOffline(kBob, kAlice, 1, two, rig.clock.nowMs(), stored));
  rig.online(alice);

  const auto delivered = rig.send(alice, alice.next(v5::CMD_LOGIN_1), kNoData);
  std::vector<std::string> texts;
  for (const V5Reply& r : delivered) {
    if (r.header.command != v5::SRV_RECV_MESSAGE) continue;
    v5::ReceivedMessage m;
    REQUIRE(v5::parseOfflineMessageBody(r.data, m));
    CHECK(m.from == kBob);
    texts.push_back(textOf(m.text));
  }
  CHECK(texts == std::vector<std::string>{"one", "two"});
  CHECK(only(delivered, v5::SRV_END_OFFLINE_MESSAGES).header.uin == kAlice);

  // A second trigger in the same session delivers nothing (§5.2: once per session).
  const auto again = rig.send(alice, alice.next(v5::CMD_LOGIN_1), kNoData);
  REQUIRE(again.size() == 1);
  CHECK(again[0].header.command == v5::SRV_ACK);

  // A message stored after the batch survives its acknowledgement (D21, D22).
  const std::array<uint8_t, 5> later{'l', 'a', 't', 'e', 'r'};
  REQUIRE(rig.messages.storeOffline(kBob, kAlice, 1, later, rig.clock.nowMs(), stored));
  CHECK(only(rig.send(alice, alice.next(v5::CMD_ACK_MESSAGES), kNoData), v5::SRV_ACK).header.uin == kAlice);
  const auto left = rig.messages.storedFor(kAlice);
  REQUIRE(left.size() == 1);
  CHECK(left[0].text == "later");
}

}  // namespace icq::test
