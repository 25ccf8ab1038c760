// RedisLeaseStore against a real Redis: exclusive, extended by its holder, expiring,
// released only by its holder.
#include <catch2/catch.hpp>

#include <thread>

#include "common/redis/connection.hpp"
#include "common/redis/keys.hpp"
#include "common/redis/lease_store_impl.hpp"
#include "tests/support/redis_server.hpp"

namespace icq {
namespace {

using namespace std::chrono_literals;

bool acquire(store::LeaseStore& leases, const std::string& holder, std::chrono::milliseconds ttl) {
  bool held = false;
  REQUIRE(leases.acquire("expire", holder, ttl, held));
  return held;
}

}  // namespace

TEST_CASE("lease store: a lease has one holder at a time", "[redis][lease]") {
  test::RedisServer server;
  redis::RedisConnection redis(server.options());
  redis::RedisLeaseStore leases(redis);
  CHECK(acquire(leases, "scheduler-a", 60s));
  CHECK_FALSE(acquire(leases, "scheduler-b", 60s));
  bool held = false;
  REQUIRE(leases.acquire("other-job", "scheduler-b", 60s, held));
  CHECK(held);  // leases are per job
}

TEST_CASE("lease store: the holder extends its lease by acquiring again", "[redis][lease]") {
  test::RedisServer server;
  redis::RedisConnection redis(server.options());
  redis::RedisLeaseStore leases(redis);
  REQUIRE(acquire(leases, "scheduler-a", 1s));
  CHECK(acquire(leases, "scheduler-a", 60s));
  redis::Reply ttl;
  REQUIRE(redis.command({"PTTL", redis::keys::lease("expire")}, ttl));
  CHECK(ttl.integer() > 1000);
}

TEST_CASE("lease store: a lease nobody extends expires and goes to the next asker", "[redis][lease]") {
  test::RedisServer server;
  redis::RedisConnection redis(server.options());
  redis::RedisLeaseStore leases(redis);
  REQUIRE(acquire(leases, "scheduler-a", 100ms));
  CHECK_FALSE(acquire(leases, "scheduler-b", 100ms));
  std::this_thread::sleep_for(250ms);
  CHECK(acquire(leases, "scheduler-b", 60s));
  CHECK_FALSE(acquire(leases, "scheduler-a", 60s));
}

TEST_CASE("lease store: only the holder can release", "[redis][lease]") {
  test::RedisServer server;
  redis::RedisConnection redis(server.options());
  redis::RedisLeaseStore leases(redis);
  REQUIRE(acquire(leases, "scheduler-a", 60s));
  REQUIRE(leases.release("expire", "scheduler-b"));
  CHECK_FALSE(acquire(leases, "scheduler-b", 60s));
  REQUIRE(leases.release("expire", "scheduler-a"));
  CHECK(acquire(leases, "scheduler-b", 60s));
}

TEST_CASE("lease store: reports failure while Redis is down", "[redis][lease]") {
  test::RedisServer server;
  redis::RedisConnection redis(server.options());
  redis::RedisLeaseStore leases(redis);
  server.kill();
  bool held = true;
  CHECK_FALSE(leases.acquire("expire", "scheduler-a", 1s, held));
  CHECK_FALSE(held);
  CHECK_FALSE(leases.release("expire", "scheduler-a"));
}

}  // namespace icq
