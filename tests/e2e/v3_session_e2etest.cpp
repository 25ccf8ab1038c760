// V3 sessions through the cluster (protocol-v3.md §2.6, §3, §5.2–§5.5): LOGON and its
// refusals, HELLO's values, PING, NOT_CONNECTED without a session, silence for a LOGOFF
// without one, duplicates answered with the ACK only, a retransmitted LOGON answered with the
// same HELLO, one session per UIN across versions, and keep-alive expiry at the V3 TTL.
#include <thread>

#include "common/codec/v3/login.hpp"
#include "common/pg/connection.hpp"
#include "tests/e2e/v3_fixture.hpp"

namespace icq::test {
namespace {

TEST_CASE("a V3 logon is acknowledged first and answered with HELLO - PING keeps it", "[e2e][v3][session]") {
  E2E e2e;
  V3Client alice(e2e.cluster.udpPort(0), kAlice, kAlicePassword, "127.0.4.1");
  REQUIRE(alice.login() == V3LoginOutcome::accepted);
  const v3::Hello& hello = alice.hello();
  CHECK(hello.yourIp == *util::parseIp("127.0.4.1"));
  CHECK(hello.pingPeriodS == 45);  // v3.session_ttl_s 55 − 10 (§3.8)
  CHECK(hello.packetTimeoutS == 10);
  CHECK(hello.deplistVersion == 1);
  CHECK(alice.ping());
  CHECK(alice.ping());
}

TEST_CASE("V3 logon refusals: wrong password, unknown UIN, already connected", "[e2e][v3][session]") {
  E2E e2e;
  V3Client wrong(e2e.cluster.udpPort(0), kAlice, "not-it", "127.0.4.2");
  CHECK(wrong.login() == V3LoginOutcome::wrong_password);
  CHECK(wrong.lastRefusal().header.seq2 == wrong.lastLogonHeader().seq2);
  V3Client unknown(e2e.cluster.udpPort(0), 424242, "whatever", "127.0.4.2");
  CHECK(unknown.login() == V3LoginOutcome::wrong_password);

  // A live V5 session of the same UIN is not taken over (§5.2 step 7, decision 20).
  V5Client bob5(e2e.cluster.udpPort(0), kBob, kBobPassword, "127.0.4.3");
  REQUIRE(bob5.login() == LoginOutcome::accepted);
  V3Client bob3(e2e.cluster.udpPort(0), kBob, kBobPassword, "127.0.4.4");
  REQUIRE(bob3.login() == V3LoginOutcome::login_error);
  std::string_view text;
  REQUIRE(v3::parseTextBody(bob3.lastRefusal().body, text) == v3::ParseError::none);
  CHECK(text == "User 100002 already connected.\r\nTry again later.");
  CHECK(bob5.keepAlive());
}

TEST_CASE("a packet without a V3 session gets NOT_CONNECTED, a LOGOFF without one gets nothing",
          "[e2e][v3][session]") {
  E2E e2e;
  V3Client alice(e2e.cluster.udpPort(0), kAlice, kAlicePassword, "127.0.4.5");
  CHECK_FALSE(alice.ping());  // NOT_CONNECTED (§2.6)
  alice.logoff();
  CHECK(alice.silentFor(std::chrono::milliseconds(500)));  // never NOT_CONNECTED (§5.5)

  REQUIRE(alice.login() == V3LoginOutcome::accepted);
  // The same UIN from another port is another endpoint: not this session.
  V3Client spoof(e2e.cluster.udpPort(0), kAlice, kAlicePassword, "127.0.4.5");
  CHECK_FALSE(spoof.ping());
  alice.logoff();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  CHECK_FALSE(alice.ping());
}

TEST_CASE("a retransmitted V3 packet is acknowledged again and not re-executed - a retransmitted LOGON gets the "
          "same HELLO",
          "[e2e][v3][session]") {
  E2E e2e;
  V3Client alice(e2e.cluster.udpPort(0), kAlice, kAlicePassword, "127.0.4.6");
  V3Client bob(e2e.cluster.udpPort(0), kBob, kBobPassword, "127.0.4.7");
  REQUIRE(alice.login() == V3LoginOutcome::accepted);
  REQUIRE(bob.login() == V3LoginOutcome::accepted);

  alice.resend(alice.lastLogonHeader(), alice.lastLogonBody());
  auto ack = alice.expectAckOf(alice.lastLogonHeader());
  REQUIRE(ack);
  auto hello = alice.expect(v3::SRV_HELLO);
  REQUIRE(hello);
  CHECK(hello->header.seq1 == 0);
  CHECK(hello->header.seq2 == alice.lastLogonHeader().seq2);
  CHECK(alice.ping());  // still the same session

  // Lost ACK: the message comes again with the same seq1 (§3.7) and is delivered once.
  const v3::Header sent = alice.sendMessage(kBob, v3::kMsgText, "once");
  REQUIRE(alice.expectAckOf(sent));
  std::vector<uint8_t> body(64);
  body.resize(v3::buildThruServerBody({kBob, v3::kMsgText, {reinterpret_cast<const uint8_t*>("once"), 4}}, body));
  alice.resend(sent, body);
  REQUIRE(alice.expectAckOf(sent));
  auto message = bob.expectMessage();
  REQUIRE(message);
  CHECK(message->text == "once");
  CHECK_FALSE(bob.expectMessage(std::chrono::milliseconds(700)));
}

TEST_CASE("a V3 logoff drops the user's pending fragments", "[e2e][v3][session][fragment]") {
  E2E e2e;
  V3Client alice(e2e.cluster.udpPort(0), kAlice, kAlicePassword, "127.0.4.10");
  REQUIRE(alice.login() == V3LoginOutcome::accepted);
  std::vector<uint8_t> body(1000);
  const std::string text(900, 'f');
  body.resize(v3::buildThruServerBody({kBob, v3::kMsgText, {reinterpret_cast<const uint8_t*>(text.data()), text.size()}},
                                      body));
  auto fragments = alice.fragmentDatagrams(v3::CMD_THRU_SERVER, body);
  alice.sendRaw(fragments.datagrams[0]);
  REQUIRE(alice.expectAckOf(fragments.headers[0]));
  pg::PgConnection connection(e2e.database.url());
  auto stored = [&] {
    pqxx::nontransaction tx(connection.connection());
    return tx.exec1("SELECT count(*) FROM v3_fragments")[0].as<int64_t>();
  };
  CHECK(stored() == 1);
  alice.logoff();
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  CHECK(stored() == 0);
}

TEST_CASE("a V3 session expires after v3.session_ttl_s and its watchers are told", "[e2e][v3][session][slow]") {
  E2E e2e({.settings = {"v3.session_ttl_s=15"}});
  V3Client alice(e2e.cluster.udpPort(0), kAlice, kAlicePassword, "127.0.4.8");
  V5Client bob(e2e.cluster.udpPort(0), kBob, kBobPassword, "127.0.4.9");
  REQUIRE(alice.login() == V3LoginOutcome::accepted);
  CHECK(alice.hello().pingPeriodS == 5);
  REQUIRE(bob.login() == LoginOutcome::accepted);
  sendV5List(bob, v5::CMD_CONTACT_LIST, {kAlice});
  REQUIRE(bob.expect(v5::SRV_USER_ONLINE));
  // Bob keeps his V5 session (TTL 240 s) while Alice falls silent.
  auto gone = bob.expect(v5::SRV_USER_OFFLINE, std::chrono::milliseconds(25000));
  REQUIRE(gone);
  CHECK(aboutUin(gone->data) == kAlice);
  CHECK(bob.keepAlive());
  CHECK_FALSE(alice.ping());
}

}  // namespace
}  // namespace icq::test

namespace icq::test {

// PING2, RECONNECT, SET_STATE, USAGE_STATS, GET_EXTERNALS, FIRST_LOGIN, unknown commands and
// IServerd's local-only WWP and admin codes.
TEST_CASE("V3 commands with nothing to answer are acknowledged", "[e2e][v3][session]") {
  E2E e2e;
  V3Client alice(e2e.cluster.udpPort(0), kAlice, kAlicePassword, "127.0.4.11");
  // Session-bound ones without a session: NOT_CONNECTED (§5.3, §5.4).
  alice.send(v3::CMD_RECONNECT, {});
  CHECK(alice.expect(v3::SRV_NOT_CONNECTED));
  REQUIRE(alice.login() == V3LoginOutcome::accepted);
  const uint8_t state[] = {1};
  const uint8_t stats[] = {1, 2, 3, 4};
  const uint8_t external[] = {0, 0, 0, 0};
  for (const auto& [command, body] : std::vector<std::pair<uint16_t, std::span<const uint8_t>>>{
           {v3::CMD_PING2, {}},
           {v3::CMD_RECONNECT, {}},
           {v3::CMD_SET_STATE, state},
           {v3::CMD_USAGE_STATS, stats},
           {v3::CMD_GET_EXTERNALS, external},
           {v3::CMD_FIRST_LOGIN, {}},
           {0x0999, {}},
           {v3::CMD_WWP, stats},
           {v3::CMD_ADMIN, stats}}) {
    INFO("command " << command);
    CHECK(alice.expectAckOf(alice.send(command, body)));
  }
  CHECK(alice.silentFor(std::chrono::milliseconds(300)));  // nothing else (decision 13: no externals)
  CHECK(alice.ping());
}

}  // namespace icq::test
