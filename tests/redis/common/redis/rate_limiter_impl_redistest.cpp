// RedisRateLimiter against a real Redis: fixed-window password-attempt counters per source
// address and per UIN, the window's end, unlimited counters, and Redis being down.
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdint>
#include <string>
#include <thread>

#include "common/redis/connection.hpp"
#include "common/redis/keys.hpp"
#include "common/redis/rate_limiter_impl.hpp"
#include "common/util/endpoint.hpp"
#include "tests/support/redis_server.hpp"

namespace icq {
namespace {

using namespace std::chrono_literals;
using store::AttemptVerdict;

const uint32_t kIpA = *util::parseIp("10.0.0.1");
const uint32_t kIpB = *util::parseIp("10.0.0.2");
const uint32_t kIpC = *util::parseIp("10.0.0.3");
constexpr uint32_t kUinX = 100001;
constexpr uint32_t kUinY = 100002;

AttemptVerdict attempt(store::RateLimiter& limits, uint32_t ip, uint32_t uin) {
  AttemptVerdict verdict = AttemptVerdict::allowed;
  REQUIRE(limits.countLoginAttempt(ip, uin, verdict));
  return verdict;
}

bool exists(redis::RedisConnection& redis, std::string_view key) {
  redis::Reply reply;
  REQUIRE(redis.command({"EXISTS", key}, reply));
  return reply.integer() == 1;
}

long long pttl(redis::RedisConnection& redis, std::string_view key) {
  redis::Reply reply;
  REQUIRE(redis.command({"PTTL", key}, reply));
  return reply.integer();
}

}  // namespace

TEST_CASE("rate limiter allows attempts up to the limit, then refuses, the first refusal marked", "[redis][rate]") {
  test::RedisServer server;
  redis::RedisConnection redis(server.options());
  redis::RedisRateLimiter limits(redis, {.perIp = 3, .perUin = 100});
  for (uint32_t i = 0; i < 3; ++i) CHECK(attempt(limits, kIpA, kUinX + i) == AttemptVerdict::allowed);
  CHECK(attempt(limits, kIpA, kUinX) == AttemptVerdict::newly_limited);
  CHECK(attempt(limits, kIpA, kUinY) == AttemptVerdict::limited);
  CHECK(attempt(limits, kIpA, kUinX) == AttemptVerdict::limited);
}

TEST_CASE("rate limiter counts each source address apart", "[redis][rate]") {
  test::RedisServer server;
  redis::RedisConnection redis(server.options());
  redis::RedisRateLimiter limits(redis, {.perIp = 2, .perUin = 100});
  CHECK(attempt(limits, kIpA, kUinX) == AttemptVerdict::allowed);
  CHECK(attempt(limits, kIpA, kUinX) == AttemptVerdict::allowed);
  CHECK(attempt(limits, kIpA, kUinX) == AttemptVerdict::newly_limited);
  CHECK(attempt(limits, kIpB, kUinX) == AttemptVerdict::allowed);
  CHECK(exists(redis, redis::keys::loginAttemptsByIp(kIpA)));
  CHECK(exists(redis, redis::keys::loginAttemptsByIp(kIpB)));
}

TEST_CASE("rate limiter counts a UIN's attempts from every address together, each UIN apart", "[redis][rate]") {
  test::RedisServer server;
  redis::RedisConnection redis(server.options());
  redis::RedisRateLimiter limits(redis, {.perIp = 100, .perUin = 2});
  CHECK(attempt(limits, kIpA, kUinX) == AttemptVerdict::allowed);
  CHECK(attempt(limits, kIpB, kUinX) == AttemptVerdict::allowed);
  CHECK(attempt(limits, kIpC, kUinX) == AttemptVerdict::newly_limited);  // a fresh address does not help
  CHECK(attempt(limits, kIpC, kUinY) == AttemptVerdict::allowed);
  CHECK(exists(redis, redis::keys::loginAttemptsByUin(kUinX)));
}

TEST_CASE("rate limiter counts a registration (UIN 0) against its address only", "[redis][rate]") {
  test::RedisServer server;
  redis::RedisConnection redis(server.options());
  redis::RedisRateLimiter limits(redis, {.perIp = 2, .perUin = 1});
  CHECK(attempt(limits, kIpA, 0) == AttemptVerdict::allowed);
  CHECK(attempt(limits, kIpA, 0) == AttemptVerdict::allowed);
  CHECK_FALSE(exists(redis, redis::keys::loginAttemptsByUin(0)));
  CHECK(attempt(limits, kIpA, 0) == AttemptVerdict::newly_limited);
}

TEST_CASE("rate limiter starts a new window once the old one has passed", "[redis][rate]") {
  test::RedisServer server;
  redis::RedisConnection redis(server.options());
  redis::RedisRateLimiter limits(redis, {.perIp = 1, .perUin = 1, .window = 200ms});
  CHECK(attempt(limits, kIpA, kUinX) == AttemptVerdict::allowed);
  CHECK(attempt(limits, kIpA, kUinX) == AttemptVerdict::newly_limited);
  // Both counters expire with their window; refused attempts do not stretch it.
  const std::string ipKey = redis::keys::loginAttemptsByIp(kIpA);
  const std::string uinKey(redis::keys::loginAttemptsByUin(kUinX));
  for (const std::string& key : {ipKey, uinKey}) {
    CHECK(pttl(redis, key) > 0);
    CHECK(pttl(redis, key) <= 200);
  }
  const long long left = pttl(redis, uinKey);
  CHECK(attempt(limits, kIpA, kUinX) == AttemptVerdict::limited);
  CHECK(pttl(redis, uinKey) <= left);

  const auto deadline = std::chrono::steady_clock::now() + 2s;
  while ((exists(redis, ipKey) || exists(redis, uinKey)) && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(10ms);
  REQUIRE_FALSE(exists(redis, ipKey));
  REQUIRE_FALSE(exists(redis, uinKey));
  CHECK(attempt(limits, kIpA, kUinX) == AttemptVerdict::allowed);
}

TEST_CASE("rate limiter with both limits 0 allows everything and writes nothing", "[redis][rate]") {
  test::RedisServer server;
  redis::RedisConnection redis(server.options());
  redis::RedisRateLimiter limits(redis, {.perIp = 0, .perUin = 0});
  for (int i = 0; i < 50; ++i) CHECK(attempt(limits, kIpA, kUinX) == AttemptVerdict::allowed);
  redis::Reply size;
  REQUIRE(redis.command({"DBSIZE"}, size));
  CHECK(size.integer() == 0);
}

TEST_CASE("rate limiter reports failure while Redis is down", "[redis][rate]") {
  test::RedisServer server;
  redis::RedisConnection redis(server.options());
  redis::RedisRateLimiter limits(redis, {.perIp = 10, .perUin = 10});
  server.kill();
  AttemptVerdict verdict = AttemptVerdict::allowed;
  CHECK_FALSE(limits.countLoginAttempt(kIpA, kUinX, verdict));
  CHECK(verdict == AttemptVerdict::limited);
}

}  // namespace icq
