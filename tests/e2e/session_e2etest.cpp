// A session's life after login: keep-alives, duplicates, the anti-spoofing check, logoff
// and keep-alive expiry (protocol-v5.md §4.5, §4.6, §5.1, §5.3, §6.6, §6.7).
#include <thread>

#include "tests/e2e/e2e_fixture.hpp"

namespace icq::test {

TEST_CASE("a keep-alive is acknowledged with both sequence numbers echoed", "[e2e][session]") {
  E2E e2e;
  V5Client alice(e2e.cluster.udpPort(0), kAlice, kAlicePassword);
  REQUIRE(alice.login() == LoginOutcome::accepted);
  std::array<uint8_t, 4> random{9, 9, 9, 9};
  auto header = alice.send(v5::CMD_KEEP_ALIVE2, random, true);
  auto ack = alice.expect(v5::SRV_ACK);
  REQUIRE(ack);
  CHECK(ack->header.seq1 == header.seq1);
  CHECK(ack->header.seq2 == header.seq2);
  CHECK(ack->header.uin == kAlice);
  CHECK(ack->data.empty());
}

TEST_CASE("packets without a session get SRV_NOT_CONNECTED", "[e2e][session]") {
  E2E e2e;
  V5Client alice(e2e.cluster.udpPort(0), kAlice, kAlicePassword);
  std::array<uint8_t, 4> random{};
  auto header = alice.send(v5::CMD_KEEP_ALIVE, random, false);
  auto reply = alice.expect(v5::SRV_NOT_CONNECTED);
  REQUIRE(reply);
  CHECK(reply->header.seq1 == 0);
  CHECK(reply->header.seq2 == header.seq2);
  // Unknown commands from no session are refused the same way (§6.20 applies to sessions only).
  alice.send(0x04BA, random, true);
  CHECK(alice.expect(v5::SRV_NOT_CONNECTED));
  // A client ACK is never answered, whatever it matches.
  v5::ClientHeader ackHeader{kAlice, 0, v5::CMD_ACK, 7, 0};
  alice.resend(ackHeader, random);
  CHECK(alice.silentFor(std::chrono::milliseconds(300)));
}

TEST_CASE("packets from another address or session id are refused (anti-spoofing)", "[e2e][session]") {
  E2E e2e;
  V5Client alice(e2e.cluster.udpPort(0), kAlice, kAlicePassword, "127.0.0.31");
  REQUIRE(alice.login() == LoginOutcome::accepted);
  std::array<uint8_t, 4> random{};

  V5Client spoofer(e2e.cluster.udpPort(0), kAlice, "", "127.0.0.32");
  v5::ClientHeader forged{kAlice, alice.sessionId(), v5::CMD_KEEP_ALIVE, 100, 0};
  spoofer.resend(forged, random);
  CHECK(spoofer.expect(v5::SRV_NOT_CONNECTED));

  v5::ClientHeader wrongSession{kAlice, alice.sessionId() ^ 1, v5::CMD_KEEP_ALIVE, 101, 0};
  alice.resend(wrongSession, random);
  CHECK(alice.expect(v5::SRV_NOT_CONNECTED));
  CHECK(alice.keepAlive());  // the real session is untouched
}

TEST_CASE("a retransmitted packet is acknowledged again, not refused", "[e2e][session]") {
  E2E e2e;
  V5Client alice(e2e.cluster.udpPort(0), kAlice, kAlicePassword);
  REQUIRE(alice.login() == LoginOutcome::accepted);
  std::array<uint8_t, 4> random{};
  auto ping = alice.send(v5::CMD_KEEP_ALIVE, random, false);
  REQUIRE(alice.expect(v5::SRV_ACK));
  for (int i = 0; i < 3; ++i) {
    alice.resend(ping, random);  // fresh checkcode, same SEQ1/SEQ2/COMMAND (§4.1)
    auto again = alice.expect(v5::SRV_ACK);
    REQUIRE(again);
    CHECK(again->header.seq1 == ping.seq1);
  }
  CHECK(alice.keepAlive());
}

TEST_CASE("logoff acknowledges and ends the session", "[e2e][session]") {
  E2E e2e;
  V5Client alice(e2e.cluster.udpPort(0), kAlice, kAlicePassword);
  REQUIRE(alice.login() == LoginOutcome::accepted);
  CHECK(alice.logoff() == v5::SRV_ACK);
  CHECK_FALSE(alice.keepAlive());
  // Mirabilis clients send the logoff even when not connected: SRV_NOT_CONNECTED (§6.7).
  CHECK(alice.logoff() == v5::SRV_NOT_CONNECTED);
  REQUIRE(alice.login() == LoginOutcome::accepted);
  CHECK(alice.keepAlive());
}

TEST_CASE("a silent client goes offline after the session TTL while a pinging one stays", "[e2e][session][expiry]") {
  E2E e2e({.settings = {"v5.session_ttl_s=5", "scheduler.tick_ms=200"}});
  V5Client silent(e2e.cluster.udpPort(0), kAlice, kAlicePassword, "127.0.0.41");
  V5Client pinging(e2e.cluster.udpPort(0), kBob, kBobPassword, "127.0.0.42");
  REQUIRE(silent.login() == LoginOutcome::accepted);
  REQUIRE(pinging.login() == LoginOutcome::accepted);
  auto start = std::chrono::steady_clock::now();
  while (std::chrono::steady_clock::now() - start < std::chrono::milliseconds(6500)) {
    REQUIRE(pinging.keepAlive());
    std::this_thread::sleep_for(std::chrono::milliseconds(1000));
  }
  INFO(e2e.cluster.logs());
  CHECK_FALSE(silent.keepAlive());
  CHECK(pinging.keepAlive());
}

TEST_CASE("commands the server only acknowledges get SRV_ACK and nothing more", "[e2e][session]") {
  E2E e2e;
  V5Client alice(e2e.cluster.udpPort(0), kAlice, kAlicePassword);
  REQUIRE(alice.login() == LoginOutcome::accepted);
  std::array<uint8_t, 8> body{1, 2, 3, 4, 5, 6, 7, 8};
  // §6.21's acknowledge-only rows, and a code that is no command at all (§6.20).
  for (uint16_t command : {v5::CMD_TCP_REQUEST, v5::CMD_NEW_USER_INFO, v5::CMD_QUERY_SERVERS, v5::CMD_QUERY_ADDONS,
                           v5::CMD_LOGIN_2, uint16_t{0x7777}}) {
    INFO("command " << command);
    auto header = alice.send(command, body, true);
    auto ack = alice.expect(v5::SRV_ACK);
    REQUIRE(ack);
    CHECK(ack->header.seq1 == header.seq1);
    CHECK(alice.silentFor(std::chrono::milliseconds(200)));
  }
  CHECK(alice.keepAlive());
}

}  // namespace icq::test
