// RedisSessionDirectory::walkOnline against a real Redis: the validation job's walk over the
// online index visits every session with the gateway it is homed on, in bounded steps, and
// removes index entries whose session is gone once they are old enough.
#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "common/codec/v5/constants.hpp"
#include "common/redis/connection.hpp"
#include "common/redis/keys.hpp"
#include "common/redis/session_directory_impl.hpp"
#include "common/redis/session_fields.hpp"
#include "common/redis/session_ledger.hpp"
#include "common/util/clock.hpp"
#include "tests/support/redis_server.hpp"

namespace icq {
namespace {

constexpr int64_t kStartMs = 1'700'000'000'000;

struct Fixture {
  test::RedisServer server;
  redis::RedisConnection redis{server.options()};
  util::ManualClock clock{kStartMs};
  redis::RedisSessionDirectory sessions{redis};
  redis::RedisSessionLedger ledger{redis};

  void login(uint32_t uin, const std::string& gateway) {
    store::Session session;
    session.uin = uin;
    session.sessionId = 0x1000 + uin;
    session.client = {0x0100007F, static_cast<uint16_t>(20000 + uin % 40000)};
    session.gateway = gateway;
    session.lastSeenMs = clock.nowMs();
    const uint8_t reply[] = {1, 2, 3};
    REQUIRE(ledger.create(session, 1, redis::Triple(1, 1, codec::v5::CMD_LOGIN), codec::v5::SRV_LOGIN_REPLY, 1, reply,
                          clock.nowMs() + 10'000));
  }
  redis::Reply command(std::initializer_list<std::string_view> argv) {
    redis::Reply reply;
    REQUIRE(redis.command(argv, reply));
    return reply;
  }
  void indexOnly(uint32_t uin, int64_t writtenMs) {
    command({"ZADD", redis::keys::kOnline, std::to_string(writtenMs), std::to_string(uin)});
  }
  bool indexed(uint32_t uin) { return !command({"ZSCORE", redis::keys::kOnline, std::to_string(uin)}).isNil(); }

  /// A whole walk: uin → the gateway it was reported on, and the largest step.
  struct Walk {
    std::map<uint32_t, std::string> homes;
    size_t steps = 0, largestStep = 0, removed = 0;
  };
  Walk walk(size_t count, int64_t staleBeforeMs) {
    Walk result;
    uint64_t cursor = 0;
    std::vector<store::SessionHome> homes;
    do {
      size_t removed = 0;
      REQUIRE(sessions.walkOnline(cursor, count, staleBeforeMs, homes, removed));
      REQUIRE(++result.steps < 10'000);
      result.removed += removed;
      result.largestStep = std::max(result.largestStep, homes.size());
      for (const store::SessionHome& home : homes) result.homes[home.uin] = home.gateway;
    } while (cursor != 0);
    return result;
  }
};

}  // namespace

TEST_CASE("session walk: visits every online session with its home gateway, in bounded steps",
          "[redis][session][validate]") {
  Fixture f;
  // More than Redis keeps in a compact sorted set (128), so ZSCAN pages through a hash table.
  constexpr uint32_t kSessions = 300;
  for (uint32_t uin = 1; uin <= kSessions; ++uin) f.login(uin, uin % 3 == 0 ? "gw-lost" : "gw-0");

  const auto walk = f.walk(50, kStartMs);
  CHECK(walk.steps > 1);
  CHECK(walk.largestStep <= 100);
  REQUIRE(walk.homes.size() == kSessions);
  for (const auto& [uin, gateway] : walk.homes) CHECK(gateway == (uin % 3 == 0 ? "gw-lost" : "gw-0"));
  CHECK(walk.removed == 0);
}

TEST_CASE("session walk: reports the gateway a session was re-homed to", "[redis][session][validate]") {
  Fixture f;
  f.login(7, "gw-lost");
  f.ledger.saveSeen(7, kStartMs + 1000, "gw-1");  // its owner saw it through gw-1
  REQUIRE(f.ledger.flush());
  CHECK(f.walk(10, kStartMs).homes == std::map<uint32_t, std::string>{{7, "gw-1"}});
}

TEST_CASE("session walk: removes index entries without a session once they are old enough",
          "[redis][session][validate]") {
  Fixture f;
  const int64_t staleBefore = kStartMs - 60'000;
  f.login(1, "gw-0");                  // indexed at kStartMs, but has a session
  f.indexOnly(2, staleBefore - 1000);  // dangling, old: goes
  f.indexOnly(3, staleBefore);         // dangling, exactly at the cutoff: goes
  f.indexOnly(4, staleBefore + 1);     // dangling, young (a login under way?): stays
  f.login(5, "gw-0");
  f.command({"DEL", std::string(redis::keys::session(5).view())});  // its session lost, entry kept
  f.command({"ZADD", redis::keys::kOnline, std::to_string(staleBefore - 5), "5"});

  const auto walk = f.walk(100, staleBefore);
  CHECK(walk.removed == 3);
  CHECK(walk.homes == std::map<uint32_t, std::string>{{1, "gw-0"}});
  CHECK(f.indexed(1));
  CHECK_FALSE(f.indexed(2));
  CHECK_FALSE(f.indexed(3));
  CHECK(f.indexed(4));
  CHECK_FALSE(f.indexed(5));
  CHECK(f.walk(100, staleBefore).removed == 0);
}

TEST_CASE("session walk: a step that cannot reach Redis reports failure and keeps the cursor",
          "[redis][session][validate]") {
  Fixture f;
  for (uint32_t uin = 1; uin <= 200; ++uin) f.login(uin, "gw-0");
  uint64_t cursor = 0;
  std::vector<store::SessionHome> homes;
  size_t removed = 0;
  REQUIRE(f.sessions.walkOnline(cursor, 20, kStartMs, homes, removed));
  REQUIRE(cursor != 0);
  const uint64_t at = cursor;
  f.server.kill();
  CHECK_FALSE(f.sessions.walkOnline(cursor, 20, kStartMs, homes, removed));
  CHECK(cursor == at);
}

}  // namespace icq
