// V5 CMD_LOGIN (worker/v5/cmd_login.cpp, protocol-v5.md §6.1, §4.5, §4.7) against the
// in-memory stores, with real argon2id hashes at the minimum cost: the session it opens, the
// refusal of a wrong password, a retransmitted login answered from its session, and a
// replaced session told to go away through its own gateway.
#include <catch2/catch.hpp>

#include "tests/unit/worker/v5/v5_rig.hpp"

namespace icq::test {
namespace {

constexpr uint32_t kAlice = 4001, kBob = 4002;

std::vector<uint8_t> loginData(std::string_view password, uint32_t status = 0) {
  v5::LoginRequest login;
  login.password = password;
  login.status = status;
  login.tcpPort = 4321;
  std::vector<uint8_t> data(128);
  data.resize(v5::buildLoginData(login, data));
  return data;
}

}  // namespace

TEST_CASE("v5 login with the right password opens a session answered by SRV_LOGIN_REPLY", "[worker][v5]") {
  V5Rig rig;
  rig.users.addUser(kAlice, "secret");
  V5Peer alice{kAlice, 0x5E55, endpoint(1, 5001), 10, 20};

  const v5::ClientHeader h = alice.next(v5::CMD_LOGIN);
  const auto replies = rig.send(alice, h, loginData("secret", 0x0010));

  REQUIRE(replies.size() == 2);
  CHECK(replies[0].header.command == v5::SRV_ACK);
  const V5Reply& reply = replies[1];
  CHECK(reply.header.command == v5::SRV_LOGIN_REPLY);
  CHECK(reply.header.seq1 == 0);  // the session's first reliable packet
  CHECK(reply.header.seq2 == h.seq2);
  v5::LoginReplyFields fields;
  REQUIRE(v5::parseLoginReply(reply.data, fields));
  CHECK(fields.clientIp == alice.from.ip);  // the address the server sees (D20)

  const FakeSessionStore::Entry* session = rig.sessions.entry(kAlice);
  REQUIRE(session);
  CHECK(session->session.sessionId == alice.sessionId);
  CHECK(session->session.client == alice.from);
  CHECK(session->session.gateway == kGatewayA);
  CHECK(session->session.status == 0x0010);
  CHECK(session->session.tcpPort == 4321);
  CHECK(session->unconfirmed.at(0).command == v5::SRV_LOGIN_REPLY);  // until the client ACKs it
  CHECK(rig.users.audited(kAlice, store::AuditEvent::login) == 1);
  CHECK(rig.stats().loginsAccepted.value() == 1);

  // The journal's login event: the session by its unique id, where it came from.
  REQUIRE(rig.events.pending().size() == 1);
  const events::Event& event = rig.events.pending()[0];
  CHECK(event.kind == events::EventKind::login);
  CHECK(event.uin == kAlice);
  CHECK(event.session == events::sessionUid(kAlice, session->session.serial));
  CHECK(event.atMs == rig.clock.nowMs());
  CHECK(*event.field("protocol") == "5");
  CHECK(*event.field("address") == util::formatIp(alice.from.ip));
  CHECK(*event.field("port") == "5001");
  CHECK(*event.field("gateway") == kGatewayA);
  CHECK(*event.field("status") == std::to_string(0x0010));
}

TEST_CASE("v5 login with a wrong password gets SRV_BAD_PASS and no session", "[worker][v5]") {
  V5Rig rig;
  rig.users.addUser(kAlice, "secret");
  V5Peer alice{kAlice, 0x5E55, endpoint(1, 5001)};

  const auto replies = rig.send(alice, alice.next(v5::CMD_LOGIN), loginData("guess"));

  REQUIRE(replies.size() == 2);
  CHECK(replies[0].header.command == v5::SRV_ACK);
  CHECK(replies[1].header.command == v5::SRV_BAD_PASS);
  CHECK(rig.sessions.entry(kAlice) == nullptr);
  CHECK(rig.users.audited(kAlice, store::AuditEvent::login_refused) == 1);
}

TEST_CASE("v5 retransmitted login is answered from its session, not as a new login", "[worker][v5]") {
  V5Rig rig;
  rig.users.addUser(kAlice, "secret");
  V5Peer alice{kAlice, 0x5E55, endpoint(1, 5001)};
  const v5::ClientHeader h = alice.next(v5::CMD_LOGIN);
  const std::vector<uint8_t> data = loginData("secret");
  rig.send(alice, h, data);
  const uint64_t serial = rig.sessions.entry(kAlice)->session.serial;

  const auto again = rig.send(alice, h, data);  // our reply was lost (§4.5)

  REQUIRE(again.size() == 2);
  CHECK(again[0].header.command == v5::SRV_ACK);
  CHECK(again[1].header.command == v5::SRV_LOGIN_REPLY);
  CHECK(again[1].header.seq2 == h.seq2);
  CHECK(rig.sessions.entry(kAlice)->session.serial == serial);  // the same session
  CHECK(rig.stats().loginsRepeated.value() == 1);
  CHECK(rig.stats().loginsReplaced.value() == 0);
}

TEST_CASE("v5 login from elsewhere replaces the session and sends the old one SRV_GO_AWAY", "[worker][v5]") {
  V5Rig rig;
  rig.users.addUser(kAlice, "secret");
  V5Peer before{kAlice, 0x0111, endpoint(1, 5001)};
  rig.online(before, std::string(kGatewayB));
  rig.sessions.entry(kAlice)->nextSeq1 = 9;
  V5Peer now{kAlice, 0x0222, endpoint(9, 6001)};

  const auto replies = rig.send(now, now.next(v5::CMD_LOGIN), loginData("secret"));

  const V5Reply& goAway = only(replies, v5::SRV_GO_AWAY);
  CHECK(goAway.gateway == kGatewayB);  // through the gateway that owns the old session
  CHECK(goAway.to == before.from);
  CHECK(goAway.header.sessionId == before.sessionId);
  CHECK(goAway.header.seq1 == 9);  // its next SEQ1, so the client does not drop it (§4.7)
  CHECK(only(replies, v5::SRV_LOGIN_REPLY).to == now.from);
  CHECK(rig.sessions.entry(kAlice)->session.sessionId == now.sessionId);
  CHECK(rig.stats().loginsReplaced.value() == 1);

  // The old session ends as replaced, the new one begins: two sessions in the journal.
  REQUIRE(rig.events.pending().size() == 2);
  const events::Event& ended = rig.events.pending()[0];
  const events::Event& began = rig.events.pending()[1];
  CHECK(ended.kind == events::EventKind::session_end);
  CHECK(*ended.field("reason") == "replaced");
  CHECK(began.kind == events::EventKind::login);
  CHECK(ended.session != began.session);
  CHECK(began.session == events::sessionUid(kAlice, rig.sessions.entry(kAlice)->session.serial));
}

TEST_CASE("v5 login announces the new session to its watchers", "[worker][v5]") {
  V5Rig rig;
  rig.users.addUser(kAlice, "secret");
  V5Peer bob{kBob, 88, endpoint(2, 5002)};
  rig.online(bob);
  std::vector<store::PresenceData> visible;
  REQUIRE(rig.presence.addContacts(kBob, std::array{kAlice}, visible));
  V5Peer alice{kAlice, 0x5E55, endpoint(1, 5001)};

  const auto replies = rig.send(alice, alice.next(v5::CMD_LOGIN), loginData("secret"));

  const V5Reply& online = only(replies, v5::SRV_USER_ONLINE);
  CHECK(online.header.uin == kBob);
  v5::OnlineContact contact;
  REQUIRE(v5::parseUserOnlineBody(online.data, contact));
  CHECK(contact.uin == kAlice);
}

}  // namespace icq::test
