// The V5 batch pipeline (worker/v5/v5_processor.cpp over worker/core/batch_core.cpp) against
// the in-memory stores: the session check, acknowledgements and their sequence numbers (§4.3),
// the duplicate window (§4.5), client ACKs, NOT_CONNECTED (§5.1), store outages and the logins
// run last.
#include <catch2/catch.hpp>

#include "tests/unit/worker/v5/v5_rig.hpp"

namespace icq::test {
namespace {

using worker::core::PacketResult;

constexpr uint32_t kAlice = 1001, kBob = 1002, kCarol = 1003;

}  // namespace

TEST_CASE("v5 keep-alive is acknowledged with its own sequence numbers", "[worker][v5]") {
  V5Rig rig;
  V5Peer alice{kAlice, 0x0A11CE00, endpoint(1, 5001), 0x1234, 0x0040};
  rig.online(alice);
  rig.clock.advanceMs(30'000);

  const v5::ClientHeader h = alice.next(v5::CMD_KEEP_ALIVE);
  const auto replies = rig.send(alice, h, kNoData);

  REQUIRE(replies.size() == 1);
  const V5Reply& ack = replies[0];
  CHECK(ack.header.command == v5::SRV_ACK);
  CHECK(ack.header.seq1 == 0x1234);
  CHECK(ack.header.seq2 == 0x0041);
  CHECK(ack.header.sessionId == alice.sessionId);
  CHECK(ack.header.uin == kAlice);
  CHECK(ack.to == alice.from);
  CHECK(ack.gateway == kGatewayA);
  CHECK(ack.data.empty());
  // The session check refreshed the session (§4.6: any authenticated packet keeps it alive).
  CHECK(rig.sessions.entry(kAlice)->session.lastSeenMs == rig.clock.nowMs());
  CHECK(rig.counted(v5::CMD_KEEP_ALIVE, PacketResult::ok) == 1);
}

TEST_CASE("v5 packet through another gateway re-homes its session and is answered there", "[worker][v5]") {
  V5Rig rig;
  V5Peer alice{kAlice, 77, endpoint(1, 5001)};
  rig.online(alice, std::string(kGatewayA));

  const auto replies = rig.send(alice, alice.next(v5::CMD_KEEP_ALIVE), kNoData, kGatewayB);

  REQUIRE(replies.size() == 1);
  CHECK(replies[0].gateway == kGatewayB);
  CHECK(rig.sessions.entry(kAlice)->session.gateway == kGatewayB);
}

TEST_CASE("v5 duplicate gets only an ACK and its handler does not run twice", "[worker][v5]") {
  V5Rig rig;
  V5Peer alice{kAlice, 77, endpoint(1, 5001)};
  rig.online(alice);
  rig.users.addUser(kBob, "pw");  // offline: the message is stored

  const v5::ClientHeader h = alice.next(v5::CMD_SEND_MESSAGE);
  const std::vector<uint8_t> body = messageTo(kBob, "hello");
  const auto first = rig.send(alice, h, body);
  const auto again = rig.send(alice, h, body);

  CHECK(only(first, v5::SRV_ACK).header.seq1 == h.seq1);
  REQUIRE(again.size() == 1);
  CHECK(again[0].header.command == v5::SRV_ACK);
  CHECK(again[0].header.seq1 == h.seq1);
  CHECK(again[0].header.seq2 == h.seq2);
  CHECK(rig.messages.storedFor(kBob).size() == 1);
  CHECK(rig.stats().duplicates.value() == 1);
  CHECK(rig.counted(v5::CMD_SEND_MESSAGE, PacketResult::duplicate) == 1);
}

TEST_CASE("v5 packet and its retransmission in one batch run the handler once", "[worker][v5]") {
  V5Rig rig;
  V5Peer alice{kAlice, 77, endpoint(1, 5001)};
  V5Peer bob{kBob, 88, endpoint(2, 5002)};
  rig.online(alice);
  rig.online(bob);
  std::vector<store::PresenceData> visible;
  REQUIRE(rig.presence.addContacts(kBob, std::array{kAlice}, visible));  // Bob watches Alice

  const v5::ClientHeader h = alice.next(v5::CMD_STATUS_CHANGE);
  const std::vector<uint8_t> data = statusData(0x0001);  // away
  const std::vector<FakeWorld::Datagram> batch{{alice.from, v5Datagram(h, data)}, {alice.from, v5Datagram(h, data)}};
  const auto replies = rig.run(batch);

  size_t acks = 0, updates = 0;
  for (const V5Reply& r : replies) {
    acks += r.header.command == v5::SRV_ACK ? 1 : 0;
    updates += r.header.command == v5::SRV_STATUS_UPDATE ? 1 : 0;
  }
  CHECK(acks == 2);     // each copy is acknowledged (§4.5)
  CHECK(updates == 1);  // the watcher is told once
  CHECK(rig.stats().duplicates.value() == 1);
}

TEST_CASE("v5 message whose store fails gets no ACK and its retransmission runs again", "[worker][v5]") {
  V5Rig rig;
  V5Peer alice{kAlice, 77, endpoint(1, 5001)};
  rig.online(alice);
  rig.users.addUser(kBob, "pw");

  const v5::ClientHeader h = alice.next(v5::CMD_SEND_MESSAGE);
  const std::vector<uint8_t> body = messageTo(kBob, "are you there?");
  rig.messages.unreachable = true;
  const auto failed = rig.send(alice, h, body);

  CHECK(failed.empty());  // after_effect: not recorded, so not acknowledged
  CHECK(rig.messages.messages.empty());
  CHECK(rig.counted(v5::CMD_SEND_MESSAGE, PacketResult::store_error) == 1);

  rig.messages.unreachable = false;
  const auto retried = rig.send(alice, h, body);  // the client's retransmission

  CHECK(only(retried, v5::SRV_ACK).header.seq2 == h.seq2);
  CHECK(rig.messages.storedFor(kBob).size() == 1);  // processed, not taken for a duplicate
  CHECK(rig.stats().duplicates.value() == 0);
  // Once recorded it is in the window: a third copy is a duplicate.
  rig.send(alice, h, body);
  CHECK(rig.messages.storedFor(kBob).size() == 1);
  CHECK(rig.stats().duplicates.value() == 1);
}

TEST_CASE("v5 CMD_ACK is never answered and clears the unconfirmed packet it names", "[worker][v5]") {
  V5Rig rig;
  V5Peer alice{kAlice, 77, endpoint(1, 5001)};
  V5Peer bob{kBob, 88, endpoint(2, 5002)};
  rig.online(alice);
  rig.online(bob);
  rig.send(bob, bob.next(v5::CMD_SEND_MESSAGE), messageTo(kAlice, "ping"));
  const auto pending = rig.sessions.unconfirmed(kAlice);
  REQUIRE(pending.size() == 1);
  const uint16_t seq1 = pending.begin()->first;

  const auto replies = rig.send(alice, {kAlice, alice.sessionId, v5::CMD_ACK, seq1, 0}, kNoData);

  CHECK(replies.empty());
  CHECK(rig.sessions.unconfirmed(kAlice).empty());
  CHECK(rig.stats().acksMatched.value() == 1);
  CHECK(rig.counted(v5::CMD_ACK, PacketResult::ok) == 1);

  // An ACK that matches nothing, and one from a stranger, are ignored just as silently.
  CHECK(rig.send(alice, {kAlice, alice.sessionId, v5::CMD_ACK, seq1, 0}, kNoData).empty());
  V5Peer stranger{kCarol, 99, endpoint(3, 5003)};
  CHECK(rig.send(stranger, {kCarol, 99, v5::CMD_ACK, 1, 0}, kNoData).empty());
  CHECK(rig.stats().acksUnmatched.value() == 2);
}

TEST_CASE("v5 packet of a foreign session gets SRV_NOT_CONNECTED and is not run", "[worker][v5]") {
  V5Rig rig;
  V5Peer alice{kAlice, 77, endpoint(1, 5001)};
  rig.online(alice);
  V5Peer wrongSession{kAlice, 78, alice.from};
  V5Peer wrongPort{kAlice, 77, endpoint(1, 5999)};
  V5Peer offline{kCarol, 99, endpoint(3, 5003)};

  for (V5Peer* peer : {&wrongSession, &wrongPort, &offline}) {
    const v5::ClientHeader h = peer->next(v5::CMD_STATUS_CHANGE);
    const auto replies = rig.send(*peer, h, statusData(0x0001));
    REQUIRE(replies.size() == 1);
    CHECK(replies[0].header.command == v5::SRV_NOT_CONNECTED);
    CHECK(replies[0].header.seq1 == 0);  // unreliable, and the one packet licq takes with SEQ1 0 (§4.2)
    CHECK(replies[0].header.seq2 == h.seq2);
    CHECK(replies[0].header.sessionId == peer->sessionId);
    CHECK(replies[0].to == peer->from);
  }
  CHECK(rig.sessions.entry(kAlice)->session.status == 0);  // no handler ran
  CHECK(rig.stats().notConnected.value() == 3);
  CHECK(rig.counted(v5::CMD_STATUS_CHANGE, PacketResult::not_connected) == 3);
}

TEST_CASE("v5 session-bound packets get no answer while the session store is unreachable", "[worker][v5]") {
  V5Rig rig;
  V5Peer alice{kAlice, 77, endpoint(1, 5001)};
  rig.online(alice);
  rig.sessions.fail.touch = true;

  CHECK(rig.send(alice, alice.next(v5::CMD_KEEP_ALIVE), kNoData).empty());  // the client retransmits
  CHECK(rig.stats().storeFailures.value() == 1);
  CHECK(rig.counted(v5::CMD_KEEP_ALIVE, PacketResult::store_error) == 1);

  rig.sessions.fail.touch = false;
  CHECK(only(rig.send(alice, alice.next(v5::CMD_KEEP_ALIVE), kNoData), v5::SRV_ACK).header.uin == kAlice);
}

TEST_CASE("v5 logins run after every other packet of the batch has been answered", "[worker][v5]") {
  V5Rig rig;
  rig.users.addUser(kAlice, "secret");
  V5Peer alice{kAlice, 0x5E55, endpoint(1, 5001)};
  V5Peer bob{kBob, 88, endpoint(2, 5002)};
  rig.online(bob);

  v5::LoginRequest login;
  login.password = "secret";
  std::array<uint8_t, 128> data{};
  const size_t n = v5::buildLoginData(login, data);
  const v5::ClientHeader loginHeader = alice.next(v5::CMD_LOGIN);
  const v5::ClientHeader keepAlive = bob.next(v5::CMD_KEEP_ALIVE);
  const std::vector<FakeWorld::Datagram> batch{{alice.from, v5Datagram(loginHeader, std::span(data).first(n))},
                                               {bob.from, v5Datagram(keepAlive, kNoData)}};
  const auto replies = rig.run(batch);

  REQUIRE(replies.size() == 3);
  CHECK(replies[0].header.command == v5::SRV_ACK);  // the login's, first, before any hashing (§4.3)
  CHECK(replies[0].header.uin == kAlice);
  CHECK(replies[1].header.command == v5::SRV_ACK);  // Bob's keep-alive, not held up by the login
  CHECK(replies[1].header.uin == kBob);
  CHECK(replies[2].header.command == v5::SRV_LOGIN_REPLY);
  CHECK(replies[2].header.seq1 == 0);
  CHECK(replies[2].header.seq2 == loginHeader.seq2);
  // The acknowledgements were handed to the gateway before the login ran.
  CHECK(replies[1].envelope < replies[2].envelope);
  CHECK(rig.sessions.entry(kAlice) != nullptr);
  CHECK(rig.counted(v5::CMD_LOGIN, PacketResult::ok) == 1);
}

}  // namespace icq::test
