// Presence through the cluster: contact lists, the invisible rules and who is told what
// when a user arrives, leaves, changes status or edits its lists (protocol-v5.md §10).
#include <thread>

#include "common/codec/v5/presence.hpp"
#include "tests/e2e/e2e_fixture.hpp"

namespace icq::test {
namespace {

constexpr uint32_t kCarol = 100003;
constexpr const char* kCarolPassword = "carol99";
constexpr uint32_t kOnlineStatus = 0x00030000;  // what the test client logs in with

void sendList(V5Client& client, uint16_t command, std::vector<uint32_t> uins) {
  std::array<uint8_t, 1100> body{};
  size_t n = v5::buildUinListData(uins, body);
  client.send(command, std::span(body).first(n));
  REQUIRE(client.expect(v5::SRV_ACK));
}

void changeStatus(V5Client& client, uint32_t status) {
  std::array<uint8_t, 4> body{};
  v5::buildStatusData(status, body);
  client.send(v5::CMD_STATUS_CHANGE, body);
  REQUIRE(client.expect(v5::SRV_ACK));
}

void updateList(V5Client& client, uint32_t uin, v5::PrivacyList list, bool add) {
  std::array<uint8_t, 6> body{};
  v5::buildUpdateListData(uin, list, add, body);
  client.send(v5::CMD_UPDATE_LIST, body);
  REQUIRE(client.expect(v5::SRV_ACK));
}

/// The UIN an SRV_USER_ONLINE / SRV_USER_OFFLINE / SRV_STATUS_UPDATE is about.
uint32_t aboutUin(const ServerPacket& p) {
  return p.data.size() < 4 ? 0 : uint32_t{p.data[0]} | uint32_t{p.data[1]} << 8 | uint32_t{p.data[2]} << 16 | uint32_t{p.data[3]} << 24;
}

}  // namespace

TEST_CASE("two users on each other's lists see each other come and go across gateways", "[e2e][presence]") {
  E2E e2e({.gateways = 2, .workers = 2});
  V5Client alice(e2e.cluster.udpPort(0), kAlice, kAlicePassword, "127.0.1.1");
  V5Client bob(e2e.cluster.udpPort(1), kBob, kBobPassword, "127.0.1.2");
  REQUIRE(alice.login() == LoginOutcome::accepted);
  sendList(alice, v5::CMD_CONTACT_LIST, {kBob});
  CHECK(alice.expect(v5::SRV_USER_LIST_DONE));  // Bob is offline: nothing else

  REQUIRE(bob.login() == LoginOutcome::accepted);
  auto online = alice.expect(v5::SRV_USER_ONLINE);
  INFO(e2e.cluster.logs());
  REQUIRE(online);
  CHECK(online->fromPort == e2e.cluster.udpPort(0));  // through Alice's gateway, not Bob's
  v5::OnlineContact contact;
  REQUIRE(v5::parseUserOnlineBody(online->data, contact));
  CHECK(contact.uin == kBob);
  CHECK(contact.status == kOnlineStatus);
  CHECK(contact.externalIp == *util::parseIp("127.0.1.2"));
  CHECK(contact.internalIp == *util::parseIp("10.10.10.2"));
  CHECK(contact.tcpVersion == 6);
  CHECK(online->checkcodeValid);

  sendList(bob, v5::CMD_CONTACT_LIST, {kAlice});
  auto seen = bob.expect(v5::SRV_USER_ONLINE);
  REQUIRE(seen);
  CHECK(aboutUin(*seen) == kAlice);
  CHECK(bob.expect(v5::SRV_USER_LIST_DONE));

  CHECK(bob.logoff() == v5::SRV_ACK);
  auto offline = alice.expect(v5::SRV_USER_OFFLINE);
  REQUIRE(offline);
  CHECK(aboutUin(*offline) == kBob);
  CHECK(alice.silentFor(std::chrono::milliseconds(300)));
}

TEST_CASE("invisibility hides a user from everyone but its visible list", "[e2e][presence]") {
  E2E e2e;
  createTestUser(e2e.database, kCarol, kCarolPassword);
  V5Client alice(e2e.cluster.udpPort(0), kAlice, kAlicePassword, "127.0.2.1");
  V5Client bob(e2e.cluster.udpPort(0), kBob, kBobPassword, "127.0.2.2");
  V5Client carol(e2e.cluster.udpPort(0), kCarol, kCarolPassword, "127.0.2.3");
  REQUIRE(alice.login() == LoginOutcome::accepted);
  REQUIRE(bob.login() == LoginOutcome::accepted);
  REQUIRE(carol.login() == LoginOutcome::accepted);
  sendList(bob, v5::CMD_CONTACT_LIST, {kAlice});
  sendList(carol, v5::CMD_CONTACT_LIST, {kAlice});
  REQUIRE(bob.expect(v5::SRV_USER_ONLINE));
  REQUIRE(carol.expect(v5::SRV_USER_ONLINE));
  sendList(alice, v5::CMD_VIS_LIST, {kBob});

  // Visible → invisible: Bob (visible list) gets a status update, Carol (neither list) offline.
  changeStatus(alice, kOnlineStatus | v5::kStatusInvisible);
  auto update = bob.expect(v5::SRV_STATUS_UPDATE);
  REQUIRE(update);
  CHECK(aboutUin(*update) == kAlice);
  auto gone = carol.expect(v5::SRV_USER_OFFLINE);
  REQUIRE(gone);
  CHECK(aboutUin(*gone) == kAlice);

  // Removing Bob from the visible list hides Alice from him too (§6.18 decision).
  updateList(alice, kBob, v5::PrivacyList::visible, false);
  auto hidden = bob.expect(v5::SRV_USER_OFFLINE);
  REQUIRE(hidden);
  // Back to visible: both see her again, with her whole record.
  changeStatus(alice, kOnlineStatus);
  CHECK(bob.expect(v5::SRV_USER_ONLINE));
  CHECK(carol.expect(v5::SRV_USER_ONLINE));
  // Carol on the invisible list: she sees Alice go, Bob does not hear a thing.
  updateList(alice, kCarol, v5::PrivacyList::invisible, true);
  CHECK(carol.expect(v5::SRV_USER_OFFLINE));
  CHECK(bob.silentFor(std::chrono::milliseconds(300)));
}

TEST_CASE("an invisible-list upload after login takes back the arrival a listed watcher saw", "[e2e][presence]") {
  E2E e2e;
  V5Client alice(e2e.cluster.udpPort(0), kAlice, kAlicePassword, "127.0.6.1");
  V5Client bob(e2e.cluster.udpPort(0), kBob, kBobPassword, "127.0.6.2");
  REQUIRE(bob.login() == LoginOutcome::accepted);
  sendList(bob, v5::CMD_CONTACT_LIST, {kAlice});
  REQUIRE(bob.expect(v5::SRV_USER_LIST_DONE));
  // Alice logs in with empty lists, so Bob is told she is online (§10.3)...
  REQUIRE(alice.login() == LoginOutcome::accepted);
  REQUIRE(bob.expect(v5::SRV_USER_ONLINE));
  // ...until her invisible list arrives with him on it (§6.17 decision).
  sendList(alice, v5::CMD_INVIS_LIST, {kBob});
  auto gone = bob.expect(v5::SRV_USER_OFFLINE);
  REQUIRE(gone);
  CHECK(aboutUin(*gone) == kAlice);
  // Her contact list does not show her Bob's presence differently: his lists say nothing of her.
  sendList(alice, v5::CMD_CONTACT_LIST, {kBob});
  CHECK(alice.expect(v5::SRV_USER_ONLINE));
}

TEST_CASE("a contact added after login is announced to the adder if online and visible", "[e2e][presence]") {
  E2E e2e;
  V5Client alice(e2e.cluster.udpPort(0), kAlice, kAlicePassword, "127.0.3.1");
  V5Client bob(e2e.cluster.udpPort(0), kBob, kBobPassword, "127.0.3.2");
  REQUIRE(alice.login() == LoginOutcome::accepted);
  REQUIRE(bob.login() == LoginOutcome::accepted);
  std::array<uint8_t, 4> body{};
  v5::buildUinData(kBob, body);
  alice.send(v5::CMD_ADD_TO_LIST, body);
  auto online = alice.expect(v5::SRV_USER_ONLINE);
  REQUIRE(online);
  CHECK(aboutUin(*online) == kBob);
  // Bob is not told (§6.14: the client sends its own "you were added" message).
  CHECK(bob.silentFor(std::chrono::milliseconds(300)));
}

TEST_CASE("a watcher hears once that a silent contact expired", "[e2e][presence][expiry]") {
  E2E e2e({.settings = {"v5.session_ttl_s=5", "scheduler.tick_ms=200"}});
  e2e.cluster.addScheduler();  // two replicas: still exactly one notification
  V5Client alice(e2e.cluster.udpPort(0), kAlice, kAlicePassword, "127.0.4.1");
  V5Client bob(e2e.cluster.udpPort(0), kBob, kBobPassword, "127.0.4.2");
  // Bob's TTL runs from his last packet, which the server hears after this instant: his expiry
  // can come no sooner than the TTL after it, however long the logins below take.
  const auto start = std::chrono::steady_clock::now();
  REQUIRE(bob.login() == LoginOutcome::accepted);
  REQUIRE(alice.login() == LoginOutcome::accepted);
  sendList(alice, v5::CMD_CONTACT_LIST, {kBob});
  REQUIRE(alice.expect(v5::SRV_USER_ONLINE));
  std::optional<ServerPacket> offline;
  while (!offline && std::chrono::steady_clock::now() - start < std::chrono::seconds(9)) {
    REQUIRE(alice.keepAlive());  // Alice stays; Bob says nothing
    offline = alice.expect(v5::SRV_USER_OFFLINE, std::chrono::milliseconds(800));
  }
  auto waited = std::chrono::steady_clock::now() - start;
  INFO(e2e.cluster.logs());
  REQUIRE(offline);
  CHECK(aboutUin(*offline) == kBob);
  CHECK(waited >= std::chrono::milliseconds(4500));  // not before the TTL…
  CHECK_FALSE(alice.expect(v5::SRV_USER_OFFLINE, std::chrono::milliseconds(1500)));  // …and only once
  CHECK_FALSE(bob.keepAlive());
}

TEST_CASE("random chat finds another online member of the group, or nobody", "[e2e][presence]") {
  E2E e2e;
  V5Client alice(e2e.cluster.udpPort(0), kAlice, kAlicePassword, "127.0.5.1");
  V5Client bob(e2e.cluster.udpPort(0), kBob, kBobPassword, "127.0.5.2");
  REQUIRE(alice.login() == LoginOutcome::accepted);
  REQUIRE(bob.login() == LoginOutcome::accepted);
  std::array<uint8_t, 4> group{};
  v5::buildUinData(3, group);  // a lone u32, like a UIN
  alice.send(v5::CMD_RAND_SET, group);
  REQUIRE(alice.expect(v5::SRV_ACK));
  bob.send(v5::CMD_RAND_SET, group);
  REQUIRE(bob.expect(v5::SRV_ACK));

  auto search = alice.send(v5::CMD_RAND_SEARCH, group);
  auto found = alice.expect(v5::SRV_RAND_USER);
  REQUIRE(found);
  CHECK(found->header.seq2 == search.seq2);
  CHECK(found->data.size() == v5::kRandomUserBodySize);
  CHECK(aboutUin(*found) == kBob);  // never oneself

  std::array<uint8_t, 4> empty{};
  v5::buildUinData(5, empty);
  alice.send(v5::CMD_RAND_SEARCH, empty);
  auto none = alice.expect(v5::SRV_RAND_USER);
  REQUIRE(none);
  CHECK(none->data.empty());

  CHECK(bob.logoff() == v5::SRV_ACK);  // a member that left is not drawn any more
  alice.send(v5::CMD_RAND_SEARCH, group);
  auto afterLogoff = alice.expect(v5::SRV_RAND_USER);
  REQUIRE(afterLogoff);
  CHECK(afterLogoff->data.empty());
}

}  // namespace icq::test
