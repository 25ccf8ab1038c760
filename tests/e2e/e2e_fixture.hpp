// Shared setup of the end-to-end tests: a private Redis, a fresh database, a cluster of
// real processes, and two known accounts.
#pragma once

#include <catch2/catch.hpp>

#include "common/codec/v5/constants.hpp"
#include "common/util/endpoint.hpp"
#include "tests/support/cluster.hpp"
#include "tests/support/pg_database.hpp"
#include "tests/support/redis_server.hpp"
#include "tools/v5client/v5_client.hpp"

namespace icq::test {

using namespace icq::client;

namespace v5 = codec::v5;
inline constexpr uint32_t kAlice = 100001;
inline constexpr uint32_t kBob = 100002;
inline constexpr const char* kAlicePassword = "secret1";
inline constexpr const char* kBobPassword = "hunter2";

struct E2E {
  explicit E2E(ClusterOptions options = {}, std::optional<RedisUser> redisUser = std::nullopt)
      : redis(std::move(redisUser)), cluster(redis, database, std::move(options)) {
    cluster.createUser(kAlice, kAlicePassword);
    cluster.createUser(kBob, kBobPassword);
    INFO(cluster.logs());
    REQUIRE(cluster.waitUntilServing());
  }
  RedisServer redis;
  PgDatabase database;
  Cluster cluster;
};

}  // namespace icq::test
