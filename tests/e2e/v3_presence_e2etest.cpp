// V3 presence through the cluster (protocol-v3.md §5.6–§5.9, rule 8, decision 31): the V3
// contact-list upload obeys private status and the invisible and visible lists — IServerd
// revealed invisible users there — and V3 users' own lists and private status work for V5
// watchers; V3 watchers of V3 users get their direct-connection data (§6.9).
#include "tests/e2e/v3_fixture.hpp"

namespace icq::test {
namespace {

constexpr uint32_t kCarol = 100003, kDave = 100004;

TEST_CASE("the V3 contact-list upload hides invisible users and those who list the uploader as invisible",
          "[e2e][v3][presence]") {
  E2E e2e({.gateways = 2, .workers = 2});
  createTestUser(e2e.database, kCarol, "carol99");
  createTestUser(e2e.database, kDave, "dave999");
  V5Client bob(e2e.cluster.udpPort(1), kBob, kBobPassword, "127.0.5.2");
  V5Client carol(e2e.cluster.udpPort(1), kCarol, "carol99", "127.0.5.3");
  V5Client dave(e2e.cluster.udpPort(0), kDave, "dave999", "127.0.5.4");
  REQUIRE(bob.login() == LoginOutcome::accepted);
  REQUIRE(carol.login() == LoginOutcome::accepted);
  REQUIRE(dave.login() == LoginOutcome::accepted);
  changeV5Status(bob, kV5OnlineStatus | 0x0100);      // invisible to all
  sendV5List(carol, v5::CMD_INVIS_LIST, {kAlice});     // never seen by Alice
  sendV5List(dave, v5::CMD_VIS_LIST, {kAlice});        // invisible, but Alice may see him
  changeV5Status(dave, kV5OnlineStatus | 0x0100);

  V3Client alice(e2e.cluster.udpPort(0), kAlice, kAlicePassword, "127.0.5.1");
  REQUIRE(alice.login() == V3LoginOutcome::accepted);
  auto online = alice.uploadContacts(std::vector<uint32_t>{kBob, kCarol, kDave});
  INFO(e2e.cluster.logs());
  REQUIRE(online);
  REQUIRE(online->size() == 1);
  CHECK(online->front().uin == kDave);
  CHECK(online->front().status == 0x0100);

  // Bob turning visible again is told to Alice as an arrival, in V3 form.
  changeV5Status(bob, kV5OnlineStatus);
  auto arrived = alice.expect(v3::SRV_USER_ONLINE);
  REQUIRE(arrived);
  CHECK(aboutUin(arrived->body) == kBob);
  CHECK(alice.silentFor(std::chrono::milliseconds(300)));
}

TEST_CASE("a V3 user's private status and invisible list hide it from V5 watchers", "[e2e][v3][presence]") {
  E2E e2e;
  createTestUser(e2e.database, kCarol, "carol99");
  V5Client bob(e2e.cluster.udpPort(0), kBob, kBobPassword, "127.0.5.6");
  V5Client carol(e2e.cluster.udpPort(0), kCarol, "carol99", "127.0.5.7");
  REQUIRE(bob.login() == LoginOutcome::accepted);
  REQUIRE(carol.login() == LoginOutcome::accepted);
  sendV5List(bob, v5::CMD_CONTACT_LIST, {kAlice});
  REQUIRE(bob.expect(v5::SRV_USER_LIST_DONE));
  sendV5List(carol, v5::CMD_CONTACT_LIST, {kAlice});
  REQUIRE(carol.expect(v5::SRV_USER_LIST_DONE));

  V3Client alice(e2e.cluster.udpPort(0), kAlice, kAlicePassword, "127.0.5.5");
  REQUIRE(alice.login() == V3LoginOutcome::accepted);
  REQUIRE(bob.expect(v5::SRV_USER_ONLINE));
  REQUIRE(carol.expect(v5::SRV_USER_ONLINE));

  // INVISIBLE_LIST (decision 32: stored with V5 semantics): Carol loses sight of Alice.
  std::array<uint8_t, 5> list{};
  const uint32_t hidden[] = {kCarol};
  const v3::Header sent = alice.send(v3::CMD_INVISIBLE_LIST, std::span(list).first(v3::buildUinListBody(hidden, list)));
  REQUIRE(alice.expectAckOf(sent));
  auto lost = carol.expect(v5::SRV_USER_OFFLINE);
  REQUIRE(lost);
  CHECK(aboutUin(lost->data) == kAlice);

  // Private: Bob too; then visible again: Bob sees her come back, Carol does not.
  REQUIRE(alice.setStatus(v3::kStatusPrivate));
  auto hiddenFromBob = bob.expect(v5::SRV_USER_OFFLINE);
  REQUIRE(hiddenFromBob);
  REQUIRE(alice.setStatus(v3::kStatusOnline));
  auto back = bob.expect(v5::SRV_USER_ONLINE);
  REQUIRE(back);
  CHECK(aboutUin(back->data) == kAlice);
  CHECK(carol.silentFor(std::chrono::milliseconds(300)));
}

TEST_CASE("V3 watchers of V3 users get their direct-connection data and their comings and goings",
          "[e2e][v3][presence]") {
  E2E e2e({.gateways = 2, .workers = 2});
  V3Client alice(e2e.cluster.udpPort(0), kAlice, kAlicePassword, "127.0.5.8");
  V3Client bob(e2e.cluster.udpPort(1), kBob, kBobPassword, "127.0.5.9");
  REQUIRE(alice.login() == V3LoginOutcome::accepted);
  auto none = alice.uploadContacts(std::vector<uint32_t>{kBob});
  REQUIRE(none);
  CHECK(none->empty());
  REQUIRE(bob.login() == V3LoginOutcome::accepted);
  auto online = alice.expect(v3::SRV_USER_ONLINE);
  REQUIRE(online);
  CHECK(online->fromPort == e2e.cluster.udpPort(0));
  v3::OnlineContact contact;
  REQUIRE(v3::parseUserOnline(online->body, contact) == v3::ParseError::none);
  CHECK(contact.uin == kBob);
  CHECK(contact.ip == *util::parseIp("127.0.5.9"));
  CHECK(contact.realIp == *util::parseIp("127.0.5.9"));
  CHECK(contact.tcpPort == 2486);
  CHECK(contact.dcType == 4);
  CHECK(contact.tcpVersion == 2);

  REQUIRE(bob.setStatus(v3::kStatusDnd));
  auto status = alice.expect(v3::SRV_USER_STATUS);
  REQUIRE(status);
  v3::UserStatus update;
  REQUIRE(v3::parseUserStatus(status->body, update) == v3::ParseError::none);
  CHECK(update.uin == kBob);
  CHECK(update.status == v3::kStatusDnd);

  bob.logoff();
  auto offline = alice.expect(v3::SRV_USER_OFFLINE);
  REQUIRE(offline);
  CHECK(aboutUin(offline->body) == kBob);
}

}  // namespace
}  // namespace icq::test

namespace icq::test {

TEST_CASE("V3 USER_ADD announces an online contact - VISIBLE_LIST and UPDATE_LIST edit who sees a private V3 user",
          "[e2e][v3][presence]") {
  E2E e2e;
  V3Client alice(e2e.cluster.udpPort(0), kAlice, kAlicePassword, "127.0.5.10");
  V5Client bob(e2e.cluster.udpPort(0), kBob, kBobPassword, "127.0.5.11");
  REQUIRE(alice.login() == V3LoginOutcome::accepted);
  REQUIRE(bob.login() == LoginOutcome::accepted);
  std::array<uint8_t, 8> body{};
  REQUIRE(alice.expectAckOf(alice.send(v3::CMD_USER_ADD, std::span(body).first(v3::buildU32Body(kBob, body)))));
  auto online = alice.expect(v3::SRV_USER_ONLINE);
  REQUIRE(online);
  CHECK(aboutUin(online->body) == kBob);

  sendV5List(bob, v5::CMD_CONTACT_LIST, {kAlice});
  REQUIRE(bob.expect(v5::SRV_USER_ONLINE));
  REQUIRE(alice.setStatus(v3::kStatusPrivate));
  REQUIRE(bob.expect(v5::SRV_USER_OFFLINE));
  // On her visible list, Bob sees the private Alice again.
  const uint32_t visible[] = {kBob};
  REQUIRE(alice.expectAckOf(
      alice.send(v3::CMD_VISIBLE_LIST, std::span(body).first(v3::buildUinListBody(visible, body)))));
  auto back = bob.expect(v5::SRV_USER_ONLINE);
  REQUIRE(back);
  CHECK(aboutUin(back->data) == kAlice);
  // UPDATE_LIST (list 2 = visible, add 0 = remove) takes it back.
  REQUIRE(alice.expectAckOf(alice.send(v3::CMD_UPDATE_LIST, std::span(body).first(v3::buildUpdateListBody({kBob, 2, 0}, body)))));
  auto gone = bob.expect(v5::SRV_USER_OFFLINE);
  REQUIRE(gone);
  CHECK(aboutUin(gone->data) == kAlice);
}

}  // namespace icq::test
