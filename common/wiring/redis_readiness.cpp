// Readiness check "redis"; see redis_readiness.hpp.
#include "common/wiring/redis_readiness.hpp"

#include "common/wiring/redis_stores.hpp"

namespace icq::wiring {

RedisReadiness::RedisReadiness(const config::Config& config)
    : connection_(redisOptionsFrom(config)), check_("redis", [this] { return probe(); }) {}

std::string RedisReadiness::probe() {
  std::lock_guard lock(mutex_);
  redis::Reply reply;
  if (!connection_.command({"PING"}, reply)) return "unreachable";
  return reply.isString() ? "" : "unexpected reply to PING";
}

}  // namespace icq::wiring
