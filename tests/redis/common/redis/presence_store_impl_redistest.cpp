// RedisPresenceStore against a real Redis: lists, the watcher index and the visibility
// rule of protocol-v5.md §10.2 evaluated inside the scripts.
#include <catch2/catch.hpp>

#include <algorithm>

#include "common/codec/v5/constants.hpp"
#include "common/redis/keys.hpp"
#include "common/redis/presence_store_impl.hpp"
#include "common/redis/session_directory_impl.hpp"
#include "common/redis/session_fields.hpp"
#include "common/redis/session_ledger.hpp"
#include "common/util/clock.hpp"
#include "tests/support/redis_server.hpp"

namespace icq::test {
namespace {

using store::PrivacyList;

constexpr uint32_t kAlice = 1001, kBob = 1002, kCarol = 1003;
constexpr uint32_t kOnline = 0x00030000, kInvisible = 0x00000100;

struct Fixture {
  RedisServer server;
  redis::RedisConnection redis{server.options()};
  util::ManualClock clock{1'000'000};
  redis::RedisSessionDirectory sessions{redis};
  redis::RedisSessionLedger ledger{redis};
  redis::RedisPresenceStore presence{redis};

  void login(uint32_t uin, uint32_t status) {
    store::Session s;
    s.uin = uin;
    s.sessionId = uin * 10;
    s.client = {0x0100007F, static_cast<uint16_t>(uin)};
    s.gateway = "gw-0";
    s.status = status;
    s.tcpPort = 3000 + uin;
    s.internalIp = 0x0A0A0A0A;
    s.dcType = 4;
    s.tcpVersion = 6;
    s.lastSeenMs = clock.nowMs();
    REQUIRE(ledger.create(s, 1, redis::Triple(1, 1, codec::v5::CMD_LOGIN), codec::v5::SRV_LOGIN_REPLY, 1, {},
                          clock.nowMs() + 10'000));
  }
  std::vector<uint32_t> visibleContacts(uint32_t owner, std::vector<uint32_t> contacts) {
    std::vector<store::PresenceData> visible;
    REQUIRE(presence.addContacts(owner, contacts, visible));
    std::vector<uint32_t> uins;
    for (const auto& p : visible) uins.push_back(p.uin);
    return uins;
  }
  std::vector<store::Watcher> watchersOf(uint32_t uin) {
    store::PresenceData self;
    bool found = false;
    std::vector<store::Watcher> out;
    REQUIRE(presence.watchers(uin, self, found, out));
    return out;
  }
  std::vector<store::VisibilityChange> edit(uint32_t owner, PrivacyList list, bool add, std::vector<uint32_t> uins) {
    store::PresenceData self;
    std::vector<store::VisibilityChange> changes;
    REQUIRE(presence.editList(owner, list, add, uins, self, changes));
    return changes;
  }
};

}  // namespace

TEST_CASE("presence store returns the contacts that are online and visible to the owner", "[redis][presence]") {
  Fixture f;
  f.login(kAlice, kOnline);
  f.login(kBob, kOnline);
  f.login(kCarol, kInvisible);
  // Bob hides from Alice; Carol is invisible and has nobody on her visible list.
  f.edit(kBob, PrivacyList::invisible, true, {kAlice});
  CHECK(f.visibleContacts(kAlice, {kBob, kCarol, 4242}).empty());
  f.edit(kBob, PrivacyList::invisible, false, {kAlice});
  f.edit(kCarol, PrivacyList::visible, true, {kAlice});
  auto visible = f.visibleContacts(kAlice, {kBob, kCarol});
  std::sort(visible.begin(), visible.end());
  CHECK(visible == std::vector<uint32_t>{kBob, kCarol});
}

TEST_CASE("presence store hands back the contact's presence data for SRV_USER_ONLINE", "[redis][presence]") {
  Fixture f;
  f.login(kAlice, kOnline);
  f.login(kBob, 0x00020011);
  std::vector<store::PresenceData> visible;
  std::vector<uint32_t> contacts{kBob};
  REQUIRE(f.presence.addContacts(kAlice, contacts, visible));
  REQUIRE(visible.size() == 1);
  CHECK(visible[0].uin == kBob);
  CHECK(visible[0].status == 0x00020011);
  CHECK(visible[0].externalIp == 0x0100007F);
  CHECK(visible[0].tcpPort == 3000 + kBob);
  CHECK(visible[0].internalIp == 0x0A0A0A0A);
  CHECK(visible[0].dcType == 4);
  CHECK(visible[0].tcpVersion == 6);
}

TEST_CASE("presence store keeps the reverse index of watchers with the lists' verdicts", "[redis][presence]") {
  Fixture f;
  f.login(kAlice, kOnline);
  f.login(kBob, kOnline);
  f.login(kCarol, kOnline);
  f.visibleContacts(kBob, {kAlice});
  f.visibleContacts(kCarol, {kAlice});
  f.edit(kAlice, PrivacyList::visible, true, {kBob});
  f.edit(kAlice, PrivacyList::invisible, true, {kCarol});
  auto watchers = f.watchersOf(kAlice);
  std::sort(watchers.begin(), watchers.end(), [](auto& a, auto& b) { return a.uin < b.uin; });
  REQUIRE(watchers.size() == 2);
  CHECK(watchers[0].uin == kBob);
  CHECK(watchers[0].onVisible);
  CHECK_FALSE(watchers[0].onInvisible);
  CHECK(watchers[1].uin == kCarol);
  CHECK(watchers[1].onInvisible);
  CHECK(store::visibleTo(kOnline, watchers[0]));
  CHECK_FALSE(store::visibleTo(kOnline, watchers[1]));
  CHECK(store::visibleTo(kInvisible, watchers[0]));
  CHECK_FALSE(store::visibleTo(kInvisible | 0x0001, watchers[1]));  // 0x0101: still invisible (D11)
}

TEST_CASE("presence store reports list edits that change what a watcher sees", "[redis][presence]") {
  Fixture f;
  f.login(kAlice, kOnline);
  f.login(kBob, kOnline);
  f.login(kCarol, kOnline);
  f.visibleContacts(kBob, {kAlice});  // Bob watches Alice; Carol does not
  auto changes = f.edit(kAlice, PrivacyList::invisible, true, {kBob, kCarol});
  REQUIRE(changes.size() == 1);  // only watchers are reported
  CHECK(changes[0].uin == kBob);
  CHECK(changes[0].before);
  CHECK_FALSE(changes[0].after);
  // Adding Bob to the visible list while Alice is visible changes nothing for him.
  f.edit(kAlice, PrivacyList::invisible, false, {kBob});
  changes = f.edit(kAlice, PrivacyList::visible, true, {kBob});
  REQUIRE(changes.size() == 1);
  CHECK(changes[0].before == changes[0].after);
}

TEST_CASE("presence store changes the status of the right session only and returns the old one", "[redis][presence]") {
  Fixture f;
  f.login(kAlice, kOnline);
  f.login(kBob, kOnline);
  f.visibleContacts(kBob, {kAlice});
  uint32_t previous = 0;
  bool found = false;
  store::PresenceData self;
  std::vector<store::Watcher> watchers;
  REQUIRE(f.presence.changeStatus(kAlice, kAlice * 10 + 1, kInvisible, previous, self, found, watchers));
  CHECK_FALSE(found);
  REQUIRE(f.presence.changeStatus(kAlice, kAlice * 10, kInvisible, previous, self, found, watchers));
  CHECK(found);
  CHECK(previous == kOnline);
  CHECK(self.status == kInvisible);
  REQUIRE(watchers.size() == 1);
  CHECK(watchers[0].uin == kBob);
  std::optional<store::Session> session;
  REQUIRE(f.sessions.find(kAlice, session));
  CHECK(session->status == kInvisible);
}

TEST_CASE("presence store departure drops the lists and the owner's watcher entries", "[redis][presence]") {
  Fixture f;
  f.login(kAlice, kOnline);
  f.login(kBob, kOnline);
  f.visibleContacts(kAlice, {kBob, kCarol});
  f.visibleContacts(kBob, {kAlice});
  f.edit(kAlice, PrivacyList::invisible, true, {kBob});
  std::vector<store::Watcher> watchers;
  REQUIRE(f.presence.depart(kAlice, watchers));
  REQUIRE(watchers.size() == 1);  // Bob, as Alice's lists judged him at the end
  CHECK(watchers[0].onInvisible);
  CHECK(f.watchersOf(kBob).empty());    // Alice no longer watches Bob...
  CHECK(f.watchersOf(kCarol).empty());  // ...nor Carol
  CHECK(f.watchersOf(kAlice).size() == 1);  // Bob still watches Alice: that is Bob's list
  redis::Reply exists;
  REQUIRE(f.redis.command({"EXISTS", redis::keys::contacts(kAlice), redis::keys::visibleList(kAlice),
                           redis::keys::invisibleList(kAlice)},
                          exists));
  CHECK(exists.integer() == 0);
}

}  // namespace icq::test
