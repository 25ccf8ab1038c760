// The cluster's own promises: egress leaves through the gateway that owns the client,
// sessions re-home, a killed worker is replaced without losing sessions, and hostile
// datagrams crash nothing (ARCHITECTURE.md "Routing back to the client", "The pipelines").
#include <signal.h>

#include <random>
#include <thread>

#include "common/codec/v5/message.hpp"
#include "tests/e2e/e2e_fixture.hpp"

namespace icq::test {

TEST_CASE("every process authenticates to Redis as the ACL user it is given", "[e2e][cluster][auth]") {
  // The server's default user is off: a process that did not AUTH would get nothing done.
  E2E e2e({.gateways = 1, .workers = 2, .settings = {"redis.username=icq", "redis.password=e2e-s3cret"}},
          RedisUser{.password = "e2e-s3cret"});
  INFO(e2e.cluster.logs());
  V5Client alice(e2e.cluster.udpPort(0), kAlice, kAlicePassword, "127.0.2.1");
  V5Client bob(e2e.cluster.udpPort(0), kBob, kBobPassword, "127.0.2.2");
  REQUIRE(alice.login() == LoginOutcome::accepted);
  REQUIRE(bob.login() == LoginOutcome::accepted);
  const auto sent = alice.sendMessage(kBob, v5::kMsgText, "through an authenticated Redis");
  REQUIRE(alice.expectAckOf(sent));
  REQUIRE(bob.expect(v5::SRV_SYS_DELIVERED_MESS));
  CHECK(e2e.cluster.logs().find("redis_auth_failed") == std::string::npos);
}

TEST_CASE("a session re-homes to the gateway its packets arrive through", "[e2e][cluster]") {
  E2E e2e({.gateways = 2, .workers = 1});
  V5Client alice(e2e.cluster.udpPort(0), kAlice, kAlicePassword);
  REQUIRE(alice.login() == LoginOutcome::accepted);
  // The login reply's CMD_ACK went through gateway 0 and re-homes the session too; a
  // keep-alive behind it on the same path makes sure it has been processed.
  REQUIRE(alice.keepAlive());
  alice.setServerPort(e2e.cluster.udpPort(1));  // the load balancer moved the flow
  std::array<uint8_t, 4> random{};
  alice.send(v5::CMD_KEEP_ALIVE, random, false);
  auto ack = alice.expect(v5::SRV_ACK);
  REQUIRE(ack);
  CHECK(ack->fromPort == e2e.cluster.udpPort(1));
  // Server-initiated packets now leave through gateway 1 too: a replacing login proves it.
  V5Client again(e2e.cluster.udpPort(0), kAlice, kAlicePassword, "127.0.0.51");
  REQUIRE(again.login() == LoginOutcome::accepted);
  auto goAway = alice.expect(v5::SRV_GO_AWAY);
  REQUIRE(goAway);
  CHECK(goAway->fromPort == e2e.cluster.udpPort(1));
}

TEST_CASE("a worker killed with SIGKILL is replaced by the other without losing the session", "[e2e][cluster]") {
  E2E e2e({.gateways = 1, .workers = 2});
  V5Client alice(e2e.cluster.udpPort(0), kAlice, kAlicePassword, "127.0.0.61");
  V5Client bob(e2e.cluster.udpPort(0), kBob, kBobPassword, "127.0.0.62");
  REQUIRE(alice.login() == LoginOutcome::accepted);
  REQUIRE(bob.login() == LoginOutcome::accepted);
  e2e.cluster.worker(0).kill();
  // Each client retransmits like a real one until answered; no session may be lost, so
  // the answer must be an ACK, never SRV_NOT_CONNECTED.
  for (V5Client* client : {&alice, &bob}) {
    std::array<uint8_t, 4> random{};
    auto ping = client->send(v5::CMD_KEEP_ALIVE, random, false);
    std::optional<ServerPacket> answer;
    for (int attempt = 0; attempt < 10 && !answer; ++attempt) {
      answer = client->expect(v5::SRV_ACK, std::chrono::milliseconds(500));
      if (!answer) client->resend(ping, random);
    }
    INFO(e2e.cluster.logs());
    REQUIRE(answer);
    CHECK(answer->header.seq1 == ping.seq1);
    CHECK(client->keepAlive());
  }
  CHECK(e2e.cluster.worker(1).alive());
}

TEST_CASE("malformed and hostile datagrams crash nothing", "[e2e][cluster]") {
  E2E e2e({.gateways = 1, .workers = 1});
  V5Client attacker(e2e.cluster.udpPort(0), kAlice, "", "127.0.0.71");
  std::mt19937 random(12345);
  auto bytes = [&](size_t n) {
    std::vector<uint8_t> out(n);
    for (uint8_t& b : out) b = static_cast<uint8_t>(random());
    return out;
  };
  for (size_t n : {0, 1, 2, 10, 23, 24, 25, 100, 2048, 2049, 9000}) attacker.sendRaw(bytes(n));
  for (int i = 0; i < 200; ++i) {
    auto datagram = bytes(24 + random() % 200);
    datagram[0] = 5;  // a V5 header with garbage behind it gets past the gateway's checks
    datagram[1] = datagram[2] = datagram[3] = datagram[4] = datagram[5] = 0;
    attacker.sendRaw(datagram);
  }
  for (uint16_t version : {0, 2, 3, 4, 6, 0xFFFF}) {
    auto datagram = bytes(40);
    datagram[0] = static_cast<uint8_t>(version);
    datagram[1] = static_cast<uint8_t>(version >> 8);
    attacker.sendRaw(datagram);
  }
  // Valid encryption around hostile bodies: a login whose password field claims 60000 bytes.
  std::vector<uint8_t> login(40, 0);
  login[8] = 0x60;
  login[9] = 0xEA;
  attacker.send(v5::CMD_LOGIN, login);

  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  INFO(e2e.cluster.logs());
  CHECK(e2e.cluster.gateway(0).alive());
  CHECK(e2e.cluster.worker(0).alive());
  V5Client alice(e2e.cluster.udpPort(0), kAlice, kAlicePassword, "127.0.0.72");
  CHECK(alice.login() == LoginOutcome::accepted);
  CHECK(alice.keepAlive());
}

}  // namespace icq::test
