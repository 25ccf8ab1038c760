// V5 contact lists and status (worker/v5/cmd_presence.cpp, protocol-v5.md §6.13, §10)
// against the in-memory stores: an upload tells the sender who is online and ends with
// SRV_USER_LIST_DONE, and a status change reaches the watchers the user is visible to.
#include <catch2/catch.hpp>

#include "tests/unit/worker/v5/v5_rig.hpp"

namespace icq::test {
namespace {

constexpr uint32_t kAlice = 5001, kBob = 5002, kCarol = 5003;
constexpr uint32_t kInvisible = 0x0100;

}  // namespace

TEST_CASE("v5 contact list tells the sender which contacts are online, then SRV_USER_LIST_DONE", "[worker][v5]") {
  V5Rig rig;
  V5Peer alice{kAlice, 77, endpoint(1, 5001)};
  V5Peer bob{kBob, 88, endpoint(2, 5002)};
  rig.online(alice);
  rig.online(bob);  // Carol is offline

  const auto replies = rig.send(alice, alice.next(v5::CMD_CONTACT_LIST), uinList({kBob, kCarol}));

  const V5Reply& online = only(replies, v5::SRV_USER_ONLINE);
  CHECK(online.header.uin == kAlice);
  v5::OnlineContact contact;
  REQUIRE(v5::parseUserOnlineBody(online.data, contact));
  CHECK(contact.uin == kBob);
  CHECK(only(replies, v5::SRV_USER_LIST_DONE).header.uin == kAlice);
  CHECK(only(replies, v5::SRV_END_OFFLINE_MESSAGES).header.uin == kAlice);  // offline batch, even empty (§5.2)
  // Alice now watches both.
  CHECK(rig.presence.watchersOf(kBob).contains(kAlice));
  CHECK(rig.presence.watchersOf(kCarol).contains(kAlice));
}

TEST_CASE("v5 status change reaches the watchers the user is visible to", "[worker][v5]") {
  V5Rig rig;
  V5Peer alice{kAlice, 77, endpoint(1, 5001)};
  V5Peer bob{kBob, 88, endpoint(2, 5002)};
  V5Peer carol{kCarol, 99, endpoint(3, 5003)};
  rig.online(alice);
  rig.online(bob);
  rig.online(carol);
  std::vector<store::PresenceData> visible;
  REQUIRE(rig.presence.addContacts(kBob, std::array{kAlice}, visible));
  REQUIRE(rig.presence.addContacts(kCarol, std::array{kAlice}, visible));
  const std::array visibleList{kBob};
  store::PresenceData self;
  std::vector<store::VisibilityChange> changes;
  REQUIRE(rig.presence.editList(kAlice, store::PrivacyList::visible, true, visibleList, self, changes));

  // Invisible: Bob (on Alice's visible list) still sees her; Carol sees her go (§10.5).
  const auto replies = rig.send(alice, alice.next(v5::CMD_STATUS_CHANGE), statusData(kInvisible));

  CHECK(only(replies, v5::SRV_ACK).header.uin == kAlice);
  CHECK(only(replies, v5::SRV_STATUS_UPDATE).header.uin == kBob);
  CHECK(only(replies, v5::SRV_USER_OFFLINE).header.uin == kCarol);
  CHECK(rig.sessions.entry(kAlice)->session.status == kInvisible);
}

}  // namespace icq::test
