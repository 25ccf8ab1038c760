// Readiness check "redis", on a connection of its own, since a role's connections belong to the
// role's thread and /readyz runs on the admin port's threads. One server: a PING. A cluster:
// CLUSTER INFO's cluster_state, since any live master answers a PING while a dead master's
// slots have nobody to serve them until its replica takes over.
#pragma once

#include <mutex>

#include "common/config/config.hpp"
#include "common/ops/health.hpp"
#include "common/redis/connection.hpp"

namespace icq::wiring {

class RedisReadiness {
public:
  explicit RedisReadiness(const config::Config& config);
  explicit RedisReadiness(redis::RedisOptions options);

private:
  std::string probe();

  std::mutex mutex_;
  redis::RedisConnection connection_;
  ops::ReadinessCheck check_;
};

}  // namespace icq::wiring
