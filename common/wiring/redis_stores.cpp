// Redis store bundle built from configuration; see redis_stores.hpp.
#include "common/wiring/redis_stores.hpp"

namespace icq::wiring {

redis::RedisOptions redisOptionsFrom(const config::Config& config) {
  redis::RedisOptions options;
  options.host = config.string("redis.host");
  options.port = static_cast<int>(config.integer("redis.port"));
  options.unixSocket = config.string("redis.unix_socket");
  options.username = config.string("redis.username");
  options.password = config.string("redis.password");
  options.db = static_cast<int>(config.integer("redis.db"));
  options.timeout = std::chrono::milliseconds(config.integer("redis.timeout_ms"));
  std::string error;
  options.cluster = redis::parseNodeList(config.string("redis.cluster_nodes"), error);
  auto refuse = [&config](const std::string& key, const std::string& what) {
    throw config::ConfigError(config.sourceOf(key) + ": key '" + key + "' " + what);
  };
  if (!error.empty()) refuse("redis.cluster_nodes", error);
  if (!options.cluster.empty() && !options.unixSocket.empty())
    refuse("redis.unix_socket", "cannot be used with redis.cluster_nodes (a Unix socket reaches one node)");
  if (!options.cluster.empty() && options.db != 0)
    refuse("redis.db", "must be 0 with redis.cluster_nodes (Redis Cluster has one database)");
  return options;
}

redis::EventStreamSettings eventStreamSettingsFrom(const config::Config& config) {
  return {static_cast<size_t>(config.integer("events.shards")), static_cast<size_t>(config.integer("events.max_length"))};
}

RedisStores::RedisStores(const config::Config& config)
    : connection(redisOptionsFrom(config)),
      directory(connection),
      ledger(connection),
      presence(connection),
      retransmits(connection),
      registry(connection),
      membership(connection),
      leases(connection),
      limits(connection, {static_cast<uint32_t>(config.integer("v5.login_rate_per_ip")),
                          static_cast<uint32_t>(config.integer("v5.login_rate_per_uin"))}),
      events(connection, eventStreamSettingsFrom(config)) {}

RedisMembershipLink::RedisMembershipLink(const config::Config& config)
    : connection(redisOptionsFrom(config)), membership(connection) {}

}  // namespace icq::wiring
