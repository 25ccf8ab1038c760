// CMD_LOGIN through the whole cluster: accepted, refused, repeated, replaced
// (protocol-v5.md §6.1, §4.5, §4.7, §8.5, §8.6).
#include <array>

#include "common/auth/password.hpp"
#include "common/pg/connection.hpp"
#include "common/pg/user_store_impl.hpp"
#include "tests/e2e/e2e_fixture.hpp"

namespace icq::test {

TEST_CASE("v5 login is acknowledged then answered with SRV_LOGIN_REPLY", "[e2e][login]") {
  E2E e2e;
  V5Client alice(e2e.cluster.udpPort(0), kAlice, kAlicePassword, "127.0.0.11");
  INFO(e2e.cluster.logs());
  REQUIRE(alice.login() == LoginOutcome::accepted);
  CHECK(alice.loginReply().keepAliveS == 110);
  CHECK(alice.loginReply().retransmitTimeoutS == 10);
  CHECK(alice.loginReply().retries == 5);
  CHECK(alice.loginReply().clientIp == *util::parseIp("127.0.0.11"));
  CHECK(alice.keepAlive());
}

TEST_CASE("a login with an unparseable body is acknowledged and nothing more", "[e2e][login]") {
  E2E e2e;
  V5Client alice(e2e.cluster.udpPort(0), kAlice, kAlicePassword);
  auto header = alice.send(v5::CMD_LOGIN, std::vector<uint8_t>{1, 2, 3});
  auto ack = alice.expect(v5::SRV_ACK);
  REQUIRE(ack);
  CHECK(ack->header.seq1 == header.seq1);
  CHECK(alice.silentFor(std::chrono::milliseconds(300)));
}

TEST_CASE("a retransmitted login gets the same SRV_LOGIN_REPLY and keeps the session", "[e2e][login]") {
  E2E e2e;
  V5Client alice(e2e.cluster.udpPort(0), kAlice, kAlicePassword);
  REQUIRE(alice.login() == LoginOutcome::accepted);
  // Re-send the accepted login exactly (a lost reply, §4.5): the same reply comes back.
  alice.resend(alice.lastLoginHeader(), alice.lastLoginBody());
  auto ack = alice.expect(v5::SRV_ACK);
  REQUIRE(ack);
  CHECK(ack->header.seq1 == alice.lastLoginHeader().seq1);
  CHECK(ack->header.seq2 == alice.lastLoginHeader().seq2);
  CHECK(ack->header.sessionId == alice.sessionId());
  auto reply = alice.expect(v5::SRV_LOGIN_REPLY);
  REQUIRE(reply);
  CHECK(reply->header.seq1 == 0);
  CHECK(reply->header.seq2 == alice.lastLoginHeader().seq2);
  CHECK(reply->header.uin == kAlice);
  CHECK(reply->checkcodeValid);
  CHECK(reply->data.size() == 20);
  CHECK(alice.keepAlive());  // the repeat did not replace the session
}

namespace {

/// Replaces the stored hash of `uin` behind the cluster's back, as another worker's
/// password change would.
void storeNewPassword(PgDatabase& database, uint32_t uin, const std::string& password) {
  pg::PgConnection connection(database.url());
  pg::PgUserStore users(connection);
  bool found = false;
  REQUIRE(users.setPasswordHash(uin, auth::hashPassword(password, 1, 8 * 1024), found));
  REQUIRE(found);
}

}  // namespace

TEST_CASE("a retransmitted login is answered from its session without a password check", "[e2e][login]") {
  E2E e2e;
  V5Client alice(e2e.cluster.udpPort(0), kAlice, kAlicePassword);
  INFO(e2e.cluster.logs());
  REQUIRE(alice.login() == LoginOutcome::accepted);
  // Were the retransmission checked against the stored hash again, it would now be refused.
  storeNewPassword(e2e.database, kAlice, "changed");
  alice.resend(alice.lastLoginHeader(), alice.lastLoginBody());
  REQUIRE(alice.expect(v5::SRV_ACK).has_value());
  CHECK(alice.expect(v5::SRV_LOGIN_REPLY).has_value());
  CHECK(alice.keepAlive());
  // A new login with the old password is checked, and the changed hash refuses it.
  V5Client again(e2e.cluster.udpPort(0), kAlice, kAlicePassword);
  CHECK(again.login() == LoginOutcome::bad_password);
}

TEST_CASE("a login with the sequence numbers of the session's login but another password is checked",
          "[e2e][login]") {
  E2E e2e;
  V5Client alice(e2e.cluster.udpPort(0), kAlice, kAlicePassword);
  INFO(e2e.cluster.logs());
  REQUIRE(alice.login() == LoginOutcome::accepted);
  const std::vector<uint8_t> original = alice.lastLoginBody();
  v5::LoginRequest login;
  REQUIRE(v5::parseLogin(original, login) == v5::ParseError::none);
  login.password = "guess";
  std::array<uint8_t, 256> body{};
  const size_t length = v5::buildLoginData(login, body);
  alice.resend(alice.lastLoginHeader(), std::span(body).first(length));
  REQUIRE(alice.expect(v5::SRV_ACK).has_value());
  CHECK(alice.expect(v5::SRV_BAD_PASS).has_value());
  CHECK(alice.keepAlive());  // the refused attempt left the session alone
}

TEST_CASE("v5 wrong password and unknown uin get SRV_BAD_PASS in V5 layout", "[e2e][login]") {
  E2E e2e;
  V5Client wrong(e2e.cluster.udpPort(0), kAlice, "nope");
  REQUIRE(wrong.login() == LoginOutcome::bad_password);
  const ServerPacket& refusal = wrong.lastRefusal();
  CHECK_FALSE(refusal.v3Layout);
  CHECK(refusal.header.sessionId == wrong.sessionId());
  CHECK(refusal.header.seq1 == 0);
  CHECK(refusal.header.seq2 == wrong.lastLoginHeader().seq2);
  CHECK(refusal.checkcodeValid);
  V5Client unknown(e2e.cluster.udpPort(0), 424242, "whatever");
  REQUIRE(unknown.login() == LoginOutcome::bad_password);
  // Refused logins create no session.
  CHECK_FALSE(wrong.keepAlive());
}

TEST_CASE("v5 bad password reply follows the V3-layout switch", "[e2e][login]") {
  E2E e2e({.settings = {"v5.bad_pass_v3_layout=true"}});
  V5Client wrong(e2e.cluster.udpPort(0), kAlice, "nope");
  REQUIRE(wrong.login() == LoginOutcome::bad_password);
  CHECK(wrong.lastRefusal().v3Layout);
  CHECK(wrong.lastRefusal().raw.size() == 18);
}

TEST_CASE("v5 login is refused with SRV_LOGIN_ERR when V5 is disabled", "[e2e][login]") {
  E2E e2e({.settings = {"v5.enabled=false"}});
  V5Client alice(e2e.cluster.udpPort(0), kAlice, kAlicePassword);
  REQUIRE(alice.login() == LoginOutcome::login_error);
}

TEST_CASE("a second login replaces the first, which gets SRV_GO_AWAY through its own gateway", "[e2e][login]") {
  E2E e2e({.gateways = 2, .workers = 2});
  V5Client first(e2e.cluster.udpPort(0), kAlice, kAlicePassword, "127.0.0.21");
  REQUIRE(first.login() == LoginOutcome::accepted);
  V5Client second(e2e.cluster.udpPort(1), kAlice, kAlicePassword, "127.0.0.22");
  REQUIRE(second.login() == LoginOutcome::accepted);

  // The packet that caused it entered gateway 1; the old session is owned by gateway 0.
  auto goAway = first.expect(v5::SRV_GO_AWAY);
  INFO(e2e.cluster.logs());
  REQUIRE(goAway);
  CHECK(goAway->fromPort == e2e.cluster.udpPort(0));
  CHECK(goAway->header.sessionId == first.sessionId());
  CHECK(goAway->header.seq1 == 1);  // the old session's next SEQ1 (§4.7)
  CHECK_FALSE(first.keepAlive());
  CHECK(second.keepAlive());
}

}  // namespace icq::test
