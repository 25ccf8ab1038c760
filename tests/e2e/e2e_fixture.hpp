// Shared setup of the end-to-end tests: a private Redis, a fresh database, a cluster of
// real processes, and two known accounts.
#pragma once

#include <catch2/catch.hpp>

#include "common/codec/v5/constants.hpp"
#include "common/codec/v5/message.hpp"
#include "common/util/endpoint.hpp"
#include "tests/support/cluster.hpp"
#include "tests/support/eventually.hpp"
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
  explicit E2E(ClusterOptions options = {}, std::optional<RedisUser> redisUser = std::nullopt,
               RedisTopology topology = defaultRedisTopology())
      : redis(std::move(redisUser), std::nullopt, topology), cluster(redis, database, std::move(options)) {
    cluster.createUser(kAlice, kAlicePassword);
    cluster.createUser(kBob, kBobPassword);
    INFO(cluster.logs());
    REQUIRE(cluster.waitUntilServing());
  }
  RedisServer redis;
  PgDatabase database;
  Cluster cluster;
};

/// The texts of the offline messages a client just logged in gets once it asks (CMD_LOGIN_1),
/// in the order they came.
inline std::vector<std::string> offlineTextsAtLogin(V5Client& client) {
  client.send(v5::CMD_LOGIN_1, std::array<uint8_t, 4>{}, true);
  std::vector<std::string> texts;
  for (const ServerPacket& packet : client.receiveUntil(v5::SRV_END_OFFLINE_MESSAGES, std::chrono::seconds(5))) {
    v5::ReceivedMessage message;
    if (packet.header.command == v5::SRV_RECV_MESSAGE && v5::parseOfflineMessageBody(packet.data, message))
      texts.emplace_back(message.text.begin(), message.text.end());
  }
  return texts;
}

}  // namespace icq::test
