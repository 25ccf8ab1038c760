// Readiness check "redis"; see redis_readiness.hpp.
#include "common/wiring/redis_readiness.hpp"

#include <string_view>
#include <utility>

#include "common/wiring/redis_stores.hpp"

namespace icq::wiring {

RedisReadiness::RedisReadiness(const config::Config& config) : RedisReadiness(redisOptionsFrom(config)) {}

RedisReadiness::RedisReadiness(redis::RedisOptions options)
    : connection_(std::move(options)), check_("redis", [this] { return probe(); }) {}

std::string RedisReadiness::probe() {
  std::lock_guard lock(mutex_);
  redis::Reply reply;
  if (!connection_.clusterMode()) {
    if (!connection_.command({"PING"}, reply)) return "unreachable";
    return reply.isString() ? "" : "unexpected reply to PING";
  }
  if (!connection_.command({"CLUSTER", "INFO"}, reply)) return "unreachable";
  if (!reply.isString()) return "unexpected reply to CLUSTER INFO";
  return reply.str().find("cluster_state:ok") != std::string_view::npos ? "" : "cluster_state:fail";
}

}  // namespace icq::wiring
