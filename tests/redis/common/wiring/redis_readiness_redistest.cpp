// The "redis" readiness check against a real server or cluster: ready while every slot is
// served; not ready once the server is gone, or once a cluster master is gone with no replica
// to take over, although the master that answers keyless commands still answers a PING.
#include "common/wiring/redis_readiness.hpp"

#include <catch2/catch.hpp>

#include <string>

#include "common/redis/cluster_slots.hpp"
#include "tests/support/eventually.hpp"
#include "tests/support/redis_server.hpp"

namespace icq {
namespace {

using namespace std::chrono_literals;

/// What /readyz says of the "redis" check: "ok" or what is wrong.
std::string redisCheck() {
  const std::string json = ops::readiness().json;
  const std::string key = "\"redis\":\"";
  const size_t at = json.find(key);
  if (at == std::string::npos) return "absent";
  const size_t from = at + key.size();
  return json.substr(from, json.find('"', from) - from);
}

TEST_CASE("redis readiness fails when a slot has no live master", "[redis][wiring]") {
  test::RedisServer server;
  wiring::RedisReadiness readiness(server.options());
  CHECK(test::eventually([] { return redisCheck() == "ok"; }, 10s));

  if (!server.cluster()) {
    server.kill();
    CHECK(test::eventually([] { return redisCheck() == "unreachable"; }, 10s));
    return;
  }
  // Keyless commands go to the master of slot 0: kill another one, so that a PING would still
  // be answered and only the cluster's own view can tell.
  const size_t slotZeroMaster = server.masterOf(0);
  const size_t victim = server.masterOf(redis::kClusterSlots - 1);
  REQUIRE(victim != slotZeroMaster);
  server.killNode(victim);
  CHECK(test::eventually([] { return redisCheck() == "cluster_state:fail"; }, 20s));
}

}  // namespace
}  // namespace icq
