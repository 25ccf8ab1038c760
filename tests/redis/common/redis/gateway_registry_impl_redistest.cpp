// RedisGatewayRegistry against a real Redis: announce, list, expiry by TTL, withdraw.
#include <catch2/catch.hpp>

#include <algorithm>
#include <thread>

#include "common/redis/connection.hpp"
#include "common/redis/gateway_registry_impl.hpp"
#include "common/redis/keys.hpp"
#include "tests/support/redis_server.hpp"

namespace icq {
namespace {

using namespace std::chrono_literals;

std::vector<store::GatewayRecord> listed(store::GatewayRegistry& registry) {
  std::vector<store::GatewayRecord> out;
  REQUIRE(registry.list(out));
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  return out;
}

}  // namespace

TEST_CASE("gateway registry: announced gateways are listed with endpoint and instance", "[redis][registry]") {
  test::RedisServer server;
  redis::RedisConnection redis(server.options());
  redis::RedisGatewayRegistry registry(redis);
  CHECK(listed(registry).empty());
  REQUIRE(registry.announce({"gw-a", "tcp://10.0.0.1:5600", "i1"}, 10s));
  REQUIRE(registry.announce({"gw-b", "tcp://10.0.0.2:5600", "i2"}, 10s));
  auto gateways = listed(registry);
  REQUIRE(gateways.size() == 2);
  CHECK(gateways[0].id == "gw-a");
  CHECK(gateways[0].endpoint == "tcp://10.0.0.1:5600");
  CHECK(gateways[0].instance == "i1");
  CHECK(gateways[1].id == "gw-b");

  // A restarted gateway announces a new instance under the same id.
  REQUIRE(registry.announce({"gw-a", "tcp://10.0.0.1:5601", "i3"}, 10s));
  gateways = listed(registry);
  REQUIRE(gateways.size() == 2);
  CHECK(gateways[0].endpoint == "tcp://10.0.0.1:5601");
  CHECK(gateways[0].instance == "i3");
}

TEST_CASE("gateway registry: a gateway that stops announcing expires after its TTL", "[redis][registry]") {
  test::RedisServer server;
  redis::RedisConnection redis(server.options());
  redis::RedisGatewayRegistry registry(redis);
  REQUIRE(registry.announce({"gw-short", "tcp://127.0.0.1:1", "x"}, 100ms));
  REQUIRE(registry.announce({"gw-long", "tcp://127.0.0.1:2", "y"}, 60s));
  CHECK(listed(registry).size() == 2);
  std::this_thread::sleep_for(300ms);
  const auto gateways = listed(registry);
  REQUIRE(gateways.size() == 1);
  CHECK(gateways[0].id == "gw-long");
  // list() pruned the expired id from the set of ids.
  redis::Reply members;
  REQUIRE(redis.command({"SCARD", redis::keys::kGateways}, members));
  CHECK(members.integer() == 1);
}

TEST_CASE("gateway registry: a heartbeat extends the registration", "[redis][registry]") {
  test::RedisServer server;
  redis::RedisConnection redis(server.options());
  redis::RedisGatewayRegistry registry(redis);
  REQUIRE(registry.announce({"gw", "tcp://127.0.0.1:1", "x"}, 1s));
  REQUIRE(registry.announce({"gw", "tcp://127.0.0.1:1", "x"}, 60s));
  redis::Reply ttl;
  REQUIRE(redis.command({"PTTL", redis::keys::gateway("gw")}, ttl));
  CHECK(ttl.integer() > 1000);
}

TEST_CASE("gateway registry: withdraw removes a gateway at once", "[redis][registry]") {
  test::RedisServer server;
  redis::RedisConnection redis(server.options());
  redis::RedisGatewayRegistry registry(redis);
  REQUIRE(registry.announce({"gw-a", "tcp://127.0.0.1:1", "x"}, 60s));
  REQUIRE(registry.announce({"gw-b", "tcp://127.0.0.1:2", "y"}, 60s));
  REQUIRE(registry.withdraw("gw-a"));
  const auto gateways = listed(registry);
  REQUIRE(gateways.size() == 1);
  CHECK(gateways[0].id == "gw-b");
  REQUIRE(registry.withdraw("never-announced"));
}

TEST_CASE("gateway registry: reports failure while Redis is down", "[redis][registry]") {
  test::RedisServer server;
  redis::RedisConnection redis(server.options());
  redis::RedisGatewayRegistry registry(redis);
  server.kill();
  std::vector<store::GatewayRecord> out;
  CHECK_FALSE(registry.announce({"gw", "tcp://127.0.0.1:1", "x"}, 1s));
  CHECK_FALSE(registry.list(out));
  CHECK_FALSE(registry.withdraw("gw"));
}

}  // namespace icq
