// redisOptionsFrom: one server or a cluster's seed list, and the combinations a cluster cannot
// have refused with the key and where its value came from.
#include "common/wiring/redis_stores.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <utility>
#include <vector>

namespace icq::wiring {
namespace {

using Flags = std::vector<std::pair<std::string, std::string>>;

config::Config withFlags(Flags flags) { return config::Config::load({{}, {}, std::move(flags)}); }

std::string refusal(Flags flags) {
  try {
    redisOptionsFrom(withFlags(std::move(flags)));
  } catch (const config::ConfigError& error) {
    return error.what();
  }
  FAIL("the options were accepted");
  return {};
}

TEST_CASE("redis options name one server unless cluster nodes are given", "[wiring][redis]") {
  const redis::RedisOptions single = redisOptionsFrom(withFlags({{"redis.port", "7000"}}));
  CHECK(single.port == 7000);
  CHECK(single.cluster.empty());

  const redis::RedisOptions cluster =
      redisOptionsFrom(withFlags({{"redis.cluster_nodes", "10.0.0.1:7000,10.0.0.2:7001"}}));
  CHECK(cluster.cluster == std::vector<redis::ClusterNode>{{"10.0.0.1", 7000}, {"10.0.0.2", 7001}});
}

TEST_CASE("redis options refuse a bad seed list or what a cluster cannot have and name the key", "[wiring][redis]") {
  CHECK(refusal({{"redis.cluster_nodes", "10.0.0.1"}}) ==
        "flag --set redis.cluster_nodes: key 'redis.cluster_nodes' not host:port: \"10.0.0.1\"");
  CHECK(refusal({{"redis.cluster_nodes", "10.0.0.1:7000"}, {"redis.unix_socket", "/run/redis.sock"}}) ==
        "flag --set redis.unix_socket: key 'redis.unix_socket' cannot be used with redis.cluster_nodes (a Unix socket "
        "reaches one "
        "node)");
  CHECK(refusal({{"redis.cluster_nodes", "10.0.0.1:7000"}, {"redis.db", "2"}}) ==
        "flag --set redis.db: key 'redis.db' must be 0 with redis.cluster_nodes (Redis Cluster has one database)");
}

}  // namespace
}  // namespace icq::wiring
