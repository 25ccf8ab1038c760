// The presence rules of protocol-v5.md §10 (common/presence): who is told what, checked
// against the spec's tables with a recording store instead of Redis.
#include "common/presence/presence.hpp"

#include <catch2/catch.hpp>

#include <zmq.hpp>

#include "common/codec/v5/constants.hpp"
#include "common/pipeline/gateway_links.hpp"
#include "tests/support/recording_session_store.hpp"

namespace icq::test {
namespace {

namespace v5 = codec::v5;

constexpr uint32_t kUser = 500;
constexpr uint32_t kVisible = 0x0000, kInvisible = 0x0100;
// B on the user's visible list, C on neither list, D on the invisible list (§10.5 table).
const std::vector<store::Watcher> kWatchers = {{601, true, false}, {602, false, false}, {603, false, true}};

struct Rig {
  zmq::context_t context;
  pipeline::GatewayLinks links{context, "test", 0};
  pipeline::Egress egress{links};
  codec::v5::CheckcodeRng rng{1};
  RecordingSessionStore sessions;
  pipeline::Outbox outbox{&sessions, nullptr, &egress, rng};

  /// What each watcher was told, in watcher order: the command, or 0 for nothing.
  std::vector<uint16_t> told() {
    REQUIRE(outbox.flush());
    std::vector<uint16_t> out;
    for (const store::Watcher& w : kWatchers) {
      uint16_t command = 0;
      for (const auto& q : sessions.queued)
        if (q.uin == w.uin) command = q.command;
      out.push_back(command);
    }
    return out;
  }
};

store::PresenceData user(uint32_t status) {
  store::PresenceData p;
  p.uin = kUser;
  p.status = status;
  return p;
}

}  // namespace

TEST_CASE("presence status changes follow the table of protocol-v5.md 10.5", "[presence]") {
  struct Row {
    uint32_t before, after;
    std::vector<uint16_t> expected;  // for B (visible list), C (neither), D (invisible list)
  };
  const std::vector<Row> table = {
      {kVisible, kVisible, {v5::SRV_STATUS_UPDATE, v5::SRV_STATUS_UPDATE, 0}},
      {kVisible, kInvisible, {v5::SRV_STATUS_UPDATE, v5::SRV_USER_OFFLINE, 0}},
      {kInvisible, kVisible, {v5::SRV_STATUS_UPDATE, v5::SRV_USER_ONLINE, 0}},
      {kInvisible, kInvisible | 0x0001, {v5::SRV_STATUS_UPDATE, 0, 0}},
  };
  for (const Row& row : table) {
    INFO("from " << row.before << " to " << row.after);
    Rig rig;
    presence::announceStatusChange(rig.outbox, user(row.after), row.before, kWatchers);
    CHECK(rig.told() == row.expected);
  }
}

TEST_CASE("presence arrival is announced to watchers the user is visible to", "[presence]") {
  Rig visible;
  presence::announceArrival(visible.outbox, user(kVisible), kWatchers);
  CHECK(visible.told() == std::vector<uint16_t>{v5::SRV_USER_ONLINE, v5::SRV_USER_ONLINE, 0});
  Rig invisible;
  presence::announceArrival(invisible.outbox, user(kInvisible), kWatchers);
  CHECK(invisible.told() == std::vector<uint16_t>{v5::SRV_USER_ONLINE, 0, 0});
}

TEST_CASE("presence departure is told only to watchers the user was visible to", "[presence]") {
  Rig rig;
  presence::announceDeparture(rig.outbox, kUser, kInvisible, kWatchers);
  CHECK(rig.told() == std::vector<uint16_t>{v5::SRV_USER_OFFLINE, 0, 0});
}

TEST_CASE("presence list edits tell only the watchers whose view changed", "[presence]") {
  Rig rig;
  std::vector<store::VisibilityChange> changes = {{601, true, false}, {602, false, true}, {603, true, true}};
  presence::announceVisibilityChanges(rig.outbox, user(kVisible), changes);
  CHECK(rig.told() == std::vector<uint16_t>{v5::SRV_USER_OFFLINE, v5::SRV_USER_ONLINE, 0});
}

TEST_CASE("presence never notifies a user about itself", "[presence]") {
  Rig rig;
  std::vector<store::Watcher> self = {{kUser, false, false}};
  presence::announceArrival(rig.outbox, user(kVisible), self);
  presence::announceStatusChange(rig.outbox, user(kVisible), kInvisible, self);
  REQUIRE(rig.outbox.flush());
  CHECK(rig.sessions.queued.empty());
}

TEST_CASE("presence online notification carries the user's record", "[presence]") {
  Rig rig;
  store::PresenceData p = user(0x00020001);
  p.externalIp = 0x0100007F;
  p.tcpPort = 4321;
  presence::tellOnline(rig.outbox, 601, p);
  REQUIRE(rig.outbox.flush());
  REQUIRE(rig.sessions.queued.size() == 1);
  v5::OnlineContact c;
  REQUIRE(v5::parseUserOnlineBody(rig.sessions.queued[0].body, c));
  CHECK(c.uin == kUser);
  CHECK(c.status == 0x00020001);
  CHECK(c.externalIp == 0x0100007F);
  CHECK(c.tcpPort == 4321);
}

}  // namespace icq::test
