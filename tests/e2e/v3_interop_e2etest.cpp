// V3 ↔ V5 through the cluster (protocol-v3.md §9): a V3 (Groupware) user and a V5 user on a
// two-gateway, three-worker cluster see each other's presence in their own protocol —
// without each other's direct-connection addresses (rule 7) — and exchange long messages
// both ways: a V3 text sent as client fragments reaches the V5 user in v5.max_msg_chunk
// pieces, a V5 text reaches the V3 user as SYSMSG_ONLINE.
#include "tests/e2e/v3_fixture.hpp"

namespace icq::test {
namespace {

TEST_CASE("a V3 and a V5 user see each other's presence and exchange long messages both ways",
          "[e2e][v3][interop]") {
  E2E e2e({.gateways = 2, .workers = 3, .settings = {"v5.split_order=forward"}});
  V3Client alice(e2e.cluster.udpPort(0), kAlice, kAlicePassword, "127.0.3.1");
  V5Client bob(e2e.cluster.udpPort(1), kBob, kBobPassword, "127.0.3.2");
  INFO(e2e.cluster.logs());

  // Presence, V5 → V3: Bob is online before Alice uploads her list.
  REQUIRE(bob.login() == LoginOutcome::accepted);
  REQUIRE(alice.login() == V3LoginOutcome::accepted);
  auto online = alice.uploadContacts(std::vector<uint32_t>{kBob});
  REQUIRE(online);
  REQUIRE(online->size() == 1);
  const v3::OnlineContact& seenBob = online->front();
  CHECK(seenBob.uin == kBob);
  CHECK(seenBob.status == static_cast<uint16_t>(kV5OnlineStatus));
  CHECK(seenBob.estat == static_cast<uint16_t>(kV5OnlineStatus >> 16));
  // A V5 user's direct-connection data never reaches a V3 client (§9.1, rule 7).
  CHECK(seenBob.ip == 0);
  CHECK(seenBob.tcpPort == 0);
  CHECK(seenBob.realIp == 0);
  CHECK(seenBob.dcType == 0);

  // Presence, V3 → V5: Bob's upload shows Alice as a V5 record, her address hidden too.
  sendV5List(bob, v5::CMD_CONTACT_LIST, {kAlice});
  auto aliceOnline = bob.expect(v5::SRV_USER_ONLINE);
  REQUIRE(aliceOnline);
  CHECK(aliceOnline->fromPort == e2e.cluster.udpPort(1));
  v5::OnlineContact seenAlice;
  REQUIRE(v5::parseUserOnlineBody(aliceOnline->data, seenAlice));
  CHECK(seenAlice.uin == kAlice);
  CHECK(seenAlice.status == v3::kStatusOnline);
  CHECK(seenAlice.externalIp == 0);
  CHECK(seenAlice.internalIp == 0);
  CHECK(seenAlice.tcpPort == 0);
  CHECK(bob.expect(v5::SRV_USER_LIST_DONE));

  // Status changes cross over in the watcher's own protocol.
  REQUIRE(alice.setStatus(v3::kStatusAway));
  auto update = bob.expect(v5::SRV_STATUS_UPDATE);
  REQUIRE(update);
  CHECK(aboutUin(update->data) == kAlice);
  changeV5Status(bob, 0x00030001);  // away, with the V5 client's flags word
  auto status = alice.expect(v3::SRV_USER_STATUS);
  REQUIRE(status);
  v3::UserStatus bobStatus;
  REQUIRE(v3::parseUserStatus(status->body, bobStatus) == v3::ParseError::none);
  CHECK(bobStatus.uin == kBob);
  CHECK(bobStatus.status == 0x0001);
  CHECK(bobStatus.estat == 0x0003);
  CHECK(status->fromPort == e2e.cluster.udpPort(0));  // through Alice's gateway

  // V3 → V5: 2000 bytes, sent by the V3 client as fragments, arrive in 450-byte pieces.
  const std::string longV3 = numberedText(2000);
  alice.sendLongMessage(kBob, v3::kMsgText, longV3);
  auto pieces = expectV5Messages(bob, 5);
  REQUIRE(pieces.size() == 5);
  std::string joined;
  for (const V5Text& piece : pieces) {
    CHECK(piece.from == kAlice);
    CHECK(piece.type == v5::kMsgText);
    CHECK(piece.text.size() <= 450);
    joined += piece.text;
  }
  CHECK(joined == longV3);

  // V5 → V3: the longest text a V5 client may send (509 bytes) arrives as SYSMSG_ONLINE
  // pieces of the same split, each fitting one V3 datagram.
  const std::string longV5 = numberedText(509);
  REQUIRE(bob.expectAckOf(bob.sendMessage(kAlice, v5::kMsgText, longV5)));
  std::string received;
  for (int i = 0; i < 2; ++i) {
    auto message = alice.expectMessage(std::chrono::milliseconds(3000));
    REQUIRE(message);
    CHECK(message->from == kBob);
    CHECK(message->type == v3::kMsgText);
    CHECK_FALSE(message->reassembled);
    received += message->text;
  }
  CHECK(received == longV5);

  // Departure both ways.
  alice.logoff();
  auto gone = bob.expect(v5::SRV_USER_OFFLINE);
  REQUIRE(gone);
  CHECK(aboutUin(gone->data) == kAlice);
}

TEST_CASE("a V3 broadcast-type message reaches a V5 user as a server message from a fake sender",
          "[e2e][v3][interop]") {
  E2E e2e;
  V3Client alice(e2e.cluster.udpPort(0), kAlice, kAlicePassword, "127.0.3.3");
  V5Client bob(e2e.cluster.udpPort(0), kBob, kBobPassword, "127.0.3.4");
  REQUIRE(alice.login() == V3LoginOutcome::accepted);
  REQUIRE(bob.login() == LoginOutcome::accepted);
  REQUIRE(alice.expectAckOf(alice.sendMessage(kBob, v3::kMsgBroadcast, "all hands")));
  auto messages = expectV5Messages(bob, 1);
  REQUIRE(messages.size() == 1);
  CHECK(messages[0].type == v3::kMsgSystem);
  CHECK(messages[0].text == "ICQ User\xFE\xFE\xFEnone\xFE" "3all hands");
}

TEST_CASE("messages between V3 and V5 users who are offline wait in the shared store", "[e2e][v3][interop][offline]") {
  E2E e2e;
  {
    V5Client bob(e2e.cluster.udpPort(0), kBob, kBobPassword, "127.0.3.5");
    REQUIRE(bob.login() == LoginOutcome::accepted);
    REQUIRE(bob.expectAckOf(bob.sendMessage(kAlice, 0x0013, "contacts\xFE")));  // V5 contacts type
    CHECK(bob.logoff() == v5::SRV_ACK);
  }
  V3Client alice(e2e.cluster.udpPort(0), kAlice, kAlicePassword, "127.0.3.6");
  REQUIRE(alice.login() == V3LoginOutcome::accepted);
  const std::string longText = numberedText(1200);
  REQUIRE(alice.expectAckOf(alice.sendMessage(kBob, v3::kMsgText, longText)));

  // V5 → V3 offline: fetched on request, the contacts type shown as text (decision 37).
  auto offline = alice.fetchOfflineMessages();
  REQUIRE(offline);
  REQUIRE(offline->size() == 1);
  CHECK(offline->front().from == kBob);
  CHECK(offline->front().type == v3::kMsgText);
  CHECK(offline->front().text == "contacts\xFE");

  // V3 → V5 offline: pushed at the V5 login, split like a live message.
  V5Client bob(e2e.cluster.udpPort(0), kBob, kBobPassword, "127.0.3.5");
  REQUIRE(bob.login() == LoginOutcome::accepted);
  bob.send(v5::CMD_LOGIN_1, {});
  auto batch = bob.receiveUntil(v5::SRV_END_OFFLINE_MESSAGES, std::chrono::milliseconds(3000));
  std::string joined;
  size_t pieces = 0;
  for (const ServerPacket& p : batch) {
    if (p.header.command != v5::SRV_RECV_MESSAGE) continue;
    v5::ReceivedMessage m;
    REQUIRE(v5::parseOfflineMessageBody(p.data, m));
    CHECK(m.from == kAlice);
    ++pieces;
    joined = std::string(m.text.begin(), m.text.end()) + joined;  // backward: last piece first
  }
  CHECK(pieces == 3);
  CHECK(joined == longText);
}

}  // namespace
}  // namespace icq::test
