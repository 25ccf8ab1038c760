// Readiness check "redis": a PING on a connection of its own, since a role's connections
// belong to the role's thread and /readyz runs on the admin port's threads.
#pragma once

#include <mutex>

#include "common/config/config.hpp"
#include "common/ops/health.hpp"
#include "common/redis/connection.hpp"

namespace icq::wiring {

class RedisReadiness {
public:
  explicit RedisReadiness(const config::Config& config);

private:
  std::string probe();

  std::mutex mutex_;
  redis::RedisConnection connection_;
  ops::ReadinessCheck check_;
};

}  // namespace icq::wiring
