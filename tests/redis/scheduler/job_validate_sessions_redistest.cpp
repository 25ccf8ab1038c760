// Job "validate_sessions" in the scheduler loop, over real Redis sessions and leases and a
// manual clock: it counts the sessions homed on a gateway that left the registry without
// touching them, removes index entries that stand for nothing, walks in slices, and walks
// again only when its interval has passed.
#include <catch2/catch.hpp>

#include <string>

#include "common/codec/v5/constants.hpp"
#include "common/redis/keys.hpp"
#include "common/redis/lease_store_impl.hpp"
#include "common/redis/session_directory_impl.hpp"
#include "common/redis/session_fields.hpp"
#include "common/redis/session_ledger.hpp"
#include "common/store/in_memory_gateway_registry.hpp"
#include "common/util/clock.hpp"
#include "scheduler/job_validate_sessions.hpp"
#include "scheduler/scheduler.hpp"
#include "tests/support/redis_server.hpp"

namespace icq::test {
namespace {

constexpr int64_t kStartMs = 1'700'000'000'000;
constexpr std::chrono::milliseconds kTick{1000};
constexpr std::chrono::milliseconds kInterval{60'000};

struct Fixture {
  RedisServer server;
  redis::RedisConnection connection{server.options()};
  util::ManualClock clock{kStartMs};
  redis::RedisSessionDirectory sessions{connection};
  redis::RedisSessionLedger ledger{connection};
  redis::RedisLeaseStore leases{connection};
  store::InMemoryGatewayRegistry registry;
  scheduler::ValidateSessionsJob job;
  scheduler::Scheduler loop{{"replica-a", kTick, std::chrono::milliseconds(5000)}, leases, clock};

  explicit Fixture(size_t batch = 1000) : job(sessions, registry, kInterval, batch, kTick) {
    REQUIRE(registry.announce({"gw-0", "inproc://gw-0", "i0"}, std::chrono::seconds(5)));
    loop.add(job);
  }
  void login(uint32_t uin, const std::string& gateway) {
    store::Session session;
    session.uin = uin;
    session.sessionId = 0x1000 + uin;
    session.client = {0x0100007F, static_cast<uint16_t>(20000 + uin)};
    session.gateway = gateway;
    session.lastSeenMs = clock.nowMs();
    const uint8_t reply[] = {1, 2, 3};
    REQUIRE(ledger.create(session, 1, redis::Triple(1, 1, codec::v5::CMD_LOGIN), codec::v5::SRV_LOGIN_REPLY, 1, reply,
                          clock.nowMs() + 10'000));
  }
  /// One scheduler tick, then the clock moves on by one tick.
  void tick() {
    loop.tick();
    clock.advanceMs(kTick.count());
  }
  /// Ticks until the job has completed `walks` walks; returns the ticks it took.
  int tickUntilWalks(uint64_t walks) {
    int ticks = 0;
    while (job.walksTotal() < walks) {
      tick();
      REQUIRE(++ticks < 1000);
    }
    return ticks;
  }
  int64_t online() {
    int64_t count = -1;
    REQUIRE(sessions.countOnline(count));
    return count;
  }
};

}  // namespace

TEST_CASE("validate_sessions counts sessions homed on a gateway that left the registry", "[scheduler][validate]") {
  Fixture f;
  for (uint32_t uin = 1; uin <= 3; ++uin) f.login(uin, "gw-0");
  for (uint32_t uin = 4; uin <= 5; ++uin) f.login(uin, "gw-lost");
  f.tickUntilWalks(1);
  CHECK(f.job.unroutableLastWalk() == 2);
  // Counted, not changed: the sessions stay, homed where they were, until their next packet.
  std::optional<store::Session> found;
  REQUIRE(f.sessions.find(4, found));
  REQUIRE(found);
  CHECK(found->gateway == "gw-lost");
  CHECK(f.online() == 5);

  // One client's next packet arrives through gw-0 and re-homes it; the next walk sees one.
  f.ledger.saveSeen(4, f.clock.nowMs(), "gw-0");  // its owner saw it through gw-0
  REQUIRE(f.ledger.flush());
  f.tickUntilWalks(2);
  CHECK(f.job.unroutableLastWalk() == 1);

  // gw-lost comes back (a gateway restarted under its id): nothing is unroutable.
  REQUIRE(f.registry.announce({"gw-lost", "inproc://gw-lost", "i1"}, std::chrono::seconds(5)));
  f.tickUntilWalks(3);
  CHECK(f.job.unroutableLastWalk() == 0);
}

TEST_CASE("validate_sessions walks again only when its interval has passed", "[scheduler][validate]") {
  Fixture f;
  f.login(1, "gw-lost");
  f.tick();  // the first walk starts at once and, one page long, completes
  REQUIRE(f.job.walksTotal() == 1);
  REQUIRE(f.job.unroutableLastWalk() == 1);
  f.login(2, "gw-lost");
  while (f.clock.nowMs() < kStartMs + kInterval.count()) {
    f.tick();
    REQUIRE(f.job.walksTotal() == 1);
  }
  CHECK(f.job.unroutableLastWalk() == 1);
  f.tick();
  CHECK(f.job.walksTotal() == 2);
  CHECK(f.job.unroutableLastWalk() == 2);
}

TEST_CASE("validate_sessions removes dangling index entries, a slice per tick", "[scheduler][validate]") {
  Fixture f(50);
  constexpr uint32_t kLive = 200, kDangling = 100;
  for (uint32_t uin = 1; uin <= kLive; ++uin) f.login(uin, "gw-0");
  // Entries whose session is gone, written long before the walk.
  for (uint32_t uin = 1000; uin < 1000 + kDangling; ++uin) {
    redis::Reply reply;
    REQUIRE(f.connection.command(
        {"ZADD", redis::keys::kOnline, std::to_string(kStartMs - 600'000), std::to_string(uin)}, reply));
  }
  REQUIRE(f.online() == kLive + kDangling);

  f.tick();
  CHECK(f.job.walksTotal() == 0);  // 300 entries at about 50 a tick: not in one slice
  const int ticks = 1 + f.tickUntilWalks(1);
  CHECK(ticks >= 3);
  CHECK(f.job.danglingRemovedTotal() == kDangling);
  CHECK(f.online() == kLive);
  CHECK(f.job.unroutableLastWalk() == 0);
}

TEST_CASE("validate_sessions leaves young index entries without a session alone", "[scheduler][validate]") {
  Fixture f;
  redis::Reply reply;
  // Written just now: a login whose session script has not run yet looks exactly like this.
  REQUIRE(f.connection.command({"ZADD", redis::keys::kOnline, std::to_string(kStartMs - 1000), "77"}, reply));
  f.tickUntilWalks(1);
  CHECK(f.job.danglingRemovedTotal() == 0);
  CHECK(f.online() == 1);
  // A walk a few minutes later finds it old: it goes.
  f.clock.advanceMs(kInterval.count() * 3);
  f.tickUntilWalks(2);
  CHECK(f.job.danglingRemovedTotal() == 1);
  CHECK(f.online() == 0);
}

TEST_CASE("validate_sessions reports failure while Redis is down", "[scheduler][validate]") {
  Fixture f(50);
  for (uint32_t uin = 1; uin <= 300; ++uin) f.login(uin, uin <= 30 ? "gw-lost" : "gw-0");
  REQUIRE(f.job.runSlice(f.clock.nowMs()));  // a walk under way
  REQUIRE(f.job.walksTotal() == 0);
  f.server.stop();
  CHECK_FALSE(f.job.runSlice(f.clock.nowMs()));
  CHECK(f.job.walksTotal() == 0);
}

}  // namespace icq::test
