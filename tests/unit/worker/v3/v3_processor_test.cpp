// The V3 batch pipeline (worker/v3/v3_processor.cpp over worker/core/batch_core.cpp) against
// the in-memory stores: ACKs echoing the request (§3.3), the duplicate filter keyed on seq1
// and command (§3.7), NOT_CONNECTED and the silences of §5.5 and the quiet commands, client
// ACKs, a store outage, and LOGON run after the batch.
#include <catch2/catch.hpp>

#include "tests/unit/worker/v3/v3_rig.hpp"

namespace icq::test {
namespace {

using worker::core::PacketResult;

constexpr uint32_t kAlice = 6001, kBob = 6002, kCarol = 6003;

}  // namespace

TEST_CASE("v3 ping is acknowledged with its own sequence numbers", "[worker][v3]") {
  V3Rig rig;
  V3Peer alice{kAlice, endpoint(1, 4001), 0x0203, 0x0040};
  rig.online(alice);
  rig.clock.advanceMs(20'000);

  const v3::Header h = alice.next(v3::CMD_PING);
  const auto replies = rig.send(alice, h);

  REQUIRE(replies.size() == 1);
  const V3Reply& ack = replies[0];
  CHECK_FALSE(ack.v5);
  CHECK(ack.header.command == v3::SRV_ACK);
  CHECK(ack.header.seq1 == 0x0203);
  CHECK(ack.header.seq2 == 0x0041);
  CHECK(ack.header.uin == kAlice);
  CHECK(ack.to == alice.from);
  CHECK(rig.sessions.entry(kAlice)->session.lastSeenMs == rig.clock.nowMs());  // refreshed (§5.3)
  CHECK(rig.counted(v3::CMD_PING, PacketResult::ok) == 1);
}

TEST_CASE("v3 LOGOFF is never answered, with or without its session", "[worker][v3]") {
  V3Rig rig;
  V3Peer alice{kAlice, endpoint(1, 4001)};
  V3Peer bob{kBob, endpoint(2, 4002)};
  rig.online(alice);
  rig.online(bob, std::string(kGatewayB));
  std::vector<store::PresenceData> visible;
  REQUIRE(rig.presence.addContacts(kBob, std::array{kAlice}, visible));  // Bob watches Alice
  std::array<uint8_t, 64> body{};
  const auto logoff = std::span(body).first(v3::buildLogoffBody(v3::kLogoffText, body));

  // From another endpoint: ignored, the session stays.
  V3Peer impostor{kAlice, endpoint(9, 4009)};
  CHECK(rig.send(impostor, impostor.next(v3::CMD_LOGOFF), logoff).empty());
  REQUIRE(rig.sessions.entry(kAlice) != nullptr);

  // From the session: it ends and the watchers are told, but Alice hears nothing.
  const auto replies = rig.send(alice, alice.next(v3::CMD_LOGOFF), logoff);
  REQUIRE(replies.size() == 1);
  CHECK(replies[0].command() == v3::SRV_USER_OFFLINE);
  CHECK(replies[0].uin() == kBob);
  CHECK(rig.sessions.entry(kAlice) == nullptr);

  // Without a session: no NOT_CONNECTED either (Miranda would answer LOGOFF + LOGON, §5.5).
  CHECK(rig.send(alice, alice.next(v3::CMD_LOGOFF), logoff).empty());
  CHECK(rig.counted(v3::CMD_LOGOFF, PacketResult::not_connected) == 2);
}

TEST_CASE("v3 NOT_CONNECTED goes to session commands and quiet ones without a session, not elsewhere",
          "[worker][v3]") {
  struct Row {
    const char* what;
    uint16_t command;
    bool fromSession;  // the UIN is online, the packet from another endpoint; else offline
    bool answered;
  };
  const std::vector<Row> table = {
      {"USER_LIST, no session", v3::CMD_USER_LIST, false, true},
      {"USER_LIST, from elsewhere", v3::CMD_USER_LIST, true, true},
      {"PING, no session", v3::CMD_PING, false, true},
      {"PING, from elsewhere (quiet)", v3::CMD_PING, true, false},
      {"GET_INFO, from elsewhere (quiet)", v3::CMD_GET_INFO, true, false},
  };
  for (const Row& row : table) {
    INFO(row.what);
    V3Rig rig;
    if (row.fromSession) rig.online({kAlice, endpoint(1, 4001)});
    V3Peer elsewhere{kAlice, endpoint(7, 4777)};
    const v3::Header h = elsewhere.next(row.command);
    const auto replies = rig.send(elsewhere, h, row.command == v3::CMD_USER_LIST ? uinList({kBob}) : std::vector<uint8_t>(4));
    if (row.answered) {
      REQUIRE(replies.size() == 1);
      CHECK(replies[0].header.command == v3::SRV_NOT_CONNECTED);
      CHECK(replies[0].header.seq2 == h.seq2);
      CHECK(replies[0].to == elsewhere.from);
    } else {
      CHECK(replies.empty());
    }
    CHECK(rig.presence.watchersOf(kBob).empty());  // no handler ran
  }
}

TEST_CASE("v3 duplicate is keyed on seq1 and command, whatever its seq2", "[worker][v3]") {
  V3Rig rig;
  V3Peer alice{kAlice, endpoint(1, 4001)};
  rig.online(alice);
  rig.users.addUser(kBob, "pw");  // offline: messages are stored

  const v3::Header h = alice.next(v3::CMD_THRU_SERVER);
  v3::Header retransmitted = h;
  retransmitted.seq2 = static_cast<uint16_t>(h.seq2 + 5);  // clients renumber seq2 (§3.7)
  const std::vector<uint8_t> body = thruServer(kBob, "hi");
  CHECK(only(rig.send(alice, h, body), v3::SRV_ACK).header.seq1 == h.seq1);
  const auto again = rig.send(alice, retransmitted, body);

  REQUIRE(again.size() == 1);
  CHECK(again[0].header.command == v3::SRV_ACK);
  CHECK(again[0].header.seq2 == retransmitted.seq2);  // the ACK echoes what it acknowledges
  CHECK(rig.messages.storedFor(kBob).size() == 1);
  CHECK(rig.stats().duplicates.value() == 1);
}

TEST_CASE("v3 packets with seq1 0 are not numbered and never duplicates", "[worker][v3]") {
  V3Rig rig;
  V3Peer alice{kAlice, endpoint(1, 4001)};
  rig.online(alice);
  rig.users.addUser(kBob, "pw");
  const v3::Header h{v3::CMD_THRU_SERVER, 0, 1, kAlice, 0};
  const std::vector<uint8_t> body = thruServer(kBob, "unnumbered");

  rig.send(alice, h, body);
  rig.send(alice, h, body);

  CHECK(rig.messages.storedFor(kBob).size() == 2);
  CHECK(rig.stats().duplicates.value() == 0);
}

TEST_CASE("v3 message whose store fails gets no ACK and its retransmission runs again", "[worker][v3]") {
  V3Rig rig;
  V3Peer alice{kAlice, endpoint(1, 4001)};
  rig.online(alice);
  rig.users.addUser(kBob, "pw");
  const v3::Header h = alice.next(v3::CMD_THRU_SERVER);
  const std::vector<uint8_t> body = thruServer(kBob, "later");

  rig.messages.unreachable = true;
  CHECK(rig.send(alice, h, body).empty());
  CHECK(rig.counted(v3::CMD_THRU_SERVER, PacketResult::store_error) == 1);

  rig.messages.unreachable = false;
  CHECK(only(rig.send(alice, h, body), v3::SRV_ACK).header.seq1 == h.seq1);
  CHECK(rig.messages.storedFor(kBob).size() == 1);
}

TEST_CASE("v3 ACK is never answered and clears the unconfirmed packet it names", "[worker][v3]") {
  V3Rig rig;
  V3Peer alice{kAlice, endpoint(1, 4001)};
  V3Peer bob{kBob, endpoint(2, 4002)};
  rig.online(alice);
  rig.online(bob);
  rig.send(bob, bob.next(v3::CMD_THRU_SERVER), thruServer(kAlice, "ping"));
  const auto pending = rig.sessions.unconfirmed(kAlice);
  REQUIRE(pending.size() == 1);
  const uint16_t seq1 = pending.begin()->first;

  CHECK(rig.send(alice, {v3::CMD_ACK, seq1, 0, kAlice, 0}).empty());
  CHECK(rig.sessions.unconfirmed(kAlice).empty());
  CHECK(rig.stats().acksMatched.value() == 1);
  CHECK(rig.send(alice, {v3::CMD_ACK, seq1, 0, kAlice, 0}).empty());
  CHECK(rig.stats().acksUnmatched.value() == 1);
}

TEST_CASE("v3 session-bound packets get no answer while the session store is unreachable", "[worker][v3]") {
  V3Rig rig;
  V3Peer alice{kAlice, endpoint(1, 4001)};
  rig.online(alice);
  rig.sessions.fail.touch = true;
  CHECK(rig.send(alice, alice.next(v3::CMD_PING)).empty());
  CHECK(rig.counted(v3::CMD_PING, PacketResult::store_error) == 1);
  CHECK(rig.stats().storeFailures.value() == 1);
}

TEST_CASE("v3 LOGON is acknowledged first and answered with HELLO after the batch", "[worker][v3]") {
  V3Rig rig;
  rig.users.addUser(kAlice, "secret");
  V3Peer alice{kAlice, endpoint(1, 4001)};
  V3Peer carol{kCarol, endpoint(3, 4003)};
  rig.online(carol);
  v3::Logon logon;
  logon.password = "secret";
  std::array<uint8_t, 128> body{};
  const size_t n = v3::buildLogonBody(logon, body);
  const v3::Header h = alice.next(v3::CMD_LOGON);
  const std::vector<FakeWorld::Datagram> batch{{alice.from, v3Datagram(h, std::span(body).first(n))},
                                               {carol.from, v3Datagram(carol.next(v3::CMD_PING))}};

  const auto replies = rig.run(batch);

  REQUIRE(replies.size() == 3);
  CHECK(replies[0].header.command == v3::SRV_ACK);  // the LOGON's, before any check (§5.2 step 1)
  CHECK(replies[0].header.uin == kAlice);
  CHECK(replies[1].header.command == v3::SRV_ACK);  // Carol's ping is not held up
  CHECK(replies[1].header.uin == kCarol);
  CHECK(replies[2].header.command == v3::SRV_HELLO);
  CHECK(replies[2].header.seq2 == h.seq2);
  v3::Hello hello;
  REQUIRE(v3::parseHello(replies[2].body, hello) == v3::ParseError::none);
  CHECK(hello.yourIp == alice.from.ip);
  const FakeSessionStore::Entry* session = rig.sessions.entry(kAlice);
  REQUIRE(session);
  CHECK(session->session.protocol == 3);
  CHECK(session->session.sessionId == 0);
  CHECK(session->unconfirmed.at(0).command == v3::SRV_HELLO);
  CHECK(rig.stats().loginsAccepted.value() == 1);
}

}  // namespace icq::test
