// RedisSessionControl against a real Redis: taking a session ends it and hands back every
// packet it left unconfirmed, in SEQ1 order, without the attempt counters; a stale session
// id or address takes nothing (common/admin's disconnect).
#include <catch2/catch.hpp>

#include <array>
#include <string_view>

#include "common/codec/v5/constants.hpp"
#include "common/redis/connection.hpp"
#include "common/redis/retransmit_queue_impl.hpp"
#include "common/redis/session_control_impl.hpp"
#include "common/redis/session_store_impl.hpp"
#include "common/util/clock.hpp"
#include "tests/support/redis_server.hpp"

namespace icq {
namespace {

constexpr int64_t kStartMs = 1'700'000'000'000;
constexpr uint32_t kUin = 123456;
constexpr uint32_t kSessionId = 0x0BADCAFE;
const util::Endpoint kClient{0x0100007F, 40000};

std::span<const uint8_t> bytes(std::string_view text) { return {reinterpret_cast<const uint8_t*>(text.data()), text.size()}; }

struct Fixture {
  test::RedisServer server;
  redis::RedisConnection redis{server.options()};
  util::ManualClock clock{kStartMs};
  redis::RedisSessionStore sessions{redis, clock, 4};
  redis::RedisSessionControl control{redis};

  Fixture() {
    store::Session session;
    session.uin = kUin;
    session.sessionId = kSessionId;
    session.client = kClient;
    session.gateway = "gw-0";
    session.status = 0x00020001;
    std::optional<store::Session> replaced;
    REQUIRE(sessions.replace(session, {kUin, codec::v5::SRV_LOGIN_REPLY, 7, bytes("login"), 0}, replaced));
  }
  void queue(uint16_t command, std::string_view body) {
    std::array<store::ReliablePacket, 1> packets{store::ReliablePacket{kUin, command, 0, bytes(body), 0}};
    std::array<store::ReliableRoute, 1> routes{};
    REQUIRE(sessions.queueReliable(packets, routes));
    REQUIRE(routes[0].queued);
  }
};

}  // namespace

TEST_CASE("taking a session ends it and returns its unconfirmed packets in SEQ1 order", "[redis][admin]") {
  Fixture f;
  for (int i = 0; i < 11; ++i) f.queue(codec::v5::SRV_SYS_DELIVERED_MESS, "message " + std::to_string(i));
  // A resend counts attempts in the same hash ("a:<seq1>"); those are not packets.
  redis::RedisRetransmitQueue retransmits(f.redis);
  std::vector<store::DueSession> due;
  REQUIRE(retransmits.claimDue(kStartMs + 60'000, 10, std::chrono::seconds(30), 5, due));
  REQUIRE(due.size() == 1);

  std::optional<store::TakenSession> taken;
  REQUIRE(f.control.takeSession(kUin, kSessionId, kClient, taken));
  REQUIRE(taken);
  CHECK(taken->status == 0x00020001);
  CHECK(taken->protocol == 5);
  REQUIRE(taken->unconfirmed.size() == 12);  // the login reply (SEQ1 0) and eleven messages
  CHECK(taken->unconfirmed[0].command == codec::v5::SRV_LOGIN_REPLY);
  CHECK(taken->unconfirmed[0].seq2 == 7);
  for (size_t i = 0; i < taken->unconfirmed.size(); ++i) CHECK(taken->unconfirmed[i].seq1 == i);  // 10 after 9
  const auto& last = taken->unconfirmed.back().body;
  CHECK(std::string(last.begin(), last.end()) == "message 10");

  std::optional<store::Session> gone;
  REQUIRE(f.sessions.find(kUin, gone));
  CHECK_FALSE(gone);
  REQUIRE(f.control.takeSession(kUin, kSessionId, kClient, taken));
  CHECK_FALSE(taken);  // once
}

TEST_CASE("a session is not taken for a stale session id or address", "[redis][admin]") {
  Fixture f;
  std::optional<store::TakenSession> taken;
  REQUIRE(f.control.takeSession(kUin, kSessionId + 1, kClient, taken));
  CHECK_FALSE(taken);
  REQUIRE(f.control.takeSession(kUin, kSessionId, util::Endpoint{kClient.ip, 40001}, taken));
  CHECK_FALSE(taken);
  std::optional<store::Session> still;
  REQUIRE(f.sessions.find(kUin, still));
  CHECK(still);
  REQUIRE(f.control.takeSession(999, kSessionId, kClient, taken));
  CHECK_FALSE(taken);
}

}  // namespace icq
