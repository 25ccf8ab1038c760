// The events V3 handlers record for the journal, against the in-memory stores: the same
// shapes as V5's (tests/unit/worker/v5/events_test.cpp) for a password change, a profile
// change and a search.
#include <catch2/catch.hpp>

#include "common/codec/v3/login.hpp"
#include "common/codec/v3/profile.hpp"
#include "tests/support/event_checks.hpp"
#include "tests/unit/worker/v3/v3_rig.hpp"

namespace icq::test {
namespace {

using events::EventKind;

constexpr uint32_t kAlice = 7001, kBob = 7002;

std::vector<uint8_t> textBody(std::string_view text) {
  std::vector<uint8_t> body(8 + text.size());
  body.resize(v3::buildTextBody(text, body));
  return body;
}

struct EventsRig : V3Rig {
  V3Peer alice{kAlice, endpoint(1, 5001)};
  EventsRig() : V3Rig(settings()) {
    users.addUser(kAlice, "secret", "alice");
    users.addUser(kBob, "secret", "bob");
    online(alice);
  }
  static worker::v3::V3Settings settings() {
    worker::v3::V3Settings s;
    s.passwordOpsLimit = 1;  // argon2id's minimum cost
    s.passwordMemLimitBytes = 8192;
    return s;
  }
  std::string aliceSession() { return events::sessionUid(kAlice, sessions.entry(kAlice)->session.serial); }
};

}  // namespace

TEST_CASE("v3 password and notes changes are events of the session without what was set", "[worker][v3][events]") {
  EventsRig rig;
  rig.send(rig.alice, rig.alice.next(v3::CMD_SET_PASSWORD), textBody("n3w"));
  rig.send(rig.alice, rig.alice.next(v3::CMD_SET_NOTES), textBody("my notes"));

  checkAccountChanges(rig.events.pending(), kAlice, rig.aliceSession(), "notes");
}

TEST_CASE("v3 search is an event naming what it was by", "[worker][v3][events]") {
  EventsRig rig;
  std::vector<uint8_t> body(64);
  body.resize(v3::buildSearchBody({v3::kSearchByUin, 0, std::to_string(kBob)}, body));
  rig.send(rig.alice, rig.alice.next(v3::CMD_SEARCH), body);

  const events::Event& search = onlyEvent(rig.events.pending(), EventKind::search);
  CHECK(search.session == rig.aliceSession());
  CHECK(valueOf(search, "by") == "uin");
  CHECK(valueOf(search, "results") == "1");
}

}  // namespace icq::test
