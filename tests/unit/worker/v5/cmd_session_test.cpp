// V5 logoff (worker/v5/cmd_session.cpp, protocol-v5.md §6.7, §5.3, §10.4) against the
// in-memory stores: the session ends, its watchers are told, and a failed end is retried
// through the client's retransmission although the packet was acknowledged first.
#include <catch2/catch.hpp>

#include "tests/unit/worker/v5/v5_rig.hpp"

namespace icq::test {
namespace {

using worker::core::PacketResult;

constexpr uint32_t kAlice = 2001, kBob = 2002;

struct LogoffRig : V5Rig {
  V5Peer alice{kAlice, 77, endpoint(1, 5001)};
  V5Peer bob{kBob, 88, endpoint(2, 5002)};
  LogoffRig() {
    online(alice);
    online(bob, std::string(kGatewayB));
    std::vector<store::PresenceData> visible;
    REQUIRE(presence.addContacts(kBob, std::array{kAlice}, visible));  // Bob watches Alice
  }
};

}  // namespace

TEST_CASE("v5 logoff ends the session and tells its watchers", "[worker][v5]") {
  LogoffRig rig;
  const uint64_t serial = rig.sessions.entry(kAlice)->session.serial;
  const auto replies = rig.send(rig.alice, rig.alice.next(v5::CMD_SEND_TEXT_CODE), textCode(v5::kLogoffText));

  CHECK(only(replies, v5::SRV_ACK).to == rig.alice.from);
  const V5Reply& told = only(replies, v5::SRV_USER_OFFLINE);
  CHECK(told.header.uin == kBob);
  CHECK(told.gateway == kGatewayB);
  CHECK(rig.sessions.entry(kAlice) == nullptr);
  CHECK(rig.stats().logoffs.value() == 1);
  REQUIRE(rig.events.pending().size() == 1);
  CHECK(rig.events.pending()[0].kind == events::EventKind::logoff);
  CHECK(rig.events.pending()[0].uin == kAlice);
  CHECK(rig.events.pending()[0].session == events::sessionUid(kAlice, serial));
  // The session is gone: the next packet is from nobody.
  CHECK(only(rig.send(rig.alice, rig.alice.next(v5::CMD_KEEP_ALIVE), kNoData), v5::SRV_NOT_CONNECTED).header.uin ==
        kAlice);
}

TEST_CASE("v5 other text codes are acknowledged and end nothing", "[worker][v5]") {
  LogoffRig rig;
  const auto replies = rig.send(rig.alice, rig.alice.next(v5::CMD_SEND_TEXT_CODE), textCode("B_MESSAGE_ACK"));
  REQUIRE(replies.size() == 1);
  CHECK(replies[0].header.command == v5::SRV_ACK);
  CHECK(rig.sessions.entry(kAlice) != nullptr);
  CHECK(rig.events.empty());
}

TEST_CASE("v5 logoff whose store fails is acknowledged, and its retransmission is run again", "[worker][v5]") {
  LogoffRig rig;
  const v5::ClientHeader h = rig.alice.next(v5::CMD_SEND_TEXT_CODE);
  const std::vector<uint8_t> data = textCode(v5::kLogoffText);
  rig.sessions.fail.end = true;

  const auto failed = rig.send(rig.alice, h, data);
  REQUIRE(failed.size() == 1);
  CHECK(failed[0].header.command == v5::SRV_ACK);  // acknowledged first, as IServerd does
  CHECK(rig.sessions.entry(kAlice) != nullptr);
  CHECK(rig.counted(v5::CMD_SEND_TEXT_CODE, PacketResult::store_error) == 1);

  rig.sessions.fail.end = false;
  const auto retried = rig.send(rig.alice, h, data);  // taken out of the window: processed, not a duplicate
  CHECK(only(retried, v5::SRV_USER_OFFLINE).header.uin == kBob);
  CHECK(rig.sessions.entry(kAlice) == nullptr);
  CHECK(rig.stats().duplicates.value() == 0);
}

}  // namespace icq::test
