// RedisRateLimiter: password-attempt limits as fixed-window counters in Redis (keys.hpp:
// icq:{ip:<a.b.c.d>}:rl:login, icq:{<uin>}:rl:login), shared by every worker of the cluster.
#pragma once

#include <chrono>
#include <cstdint>
#include <vector>

#include "common/redis/connection.hpp"
#include "common/store/rate_limiter.hpp"

namespace icq::redis {

/// Attempts allowed per window; 0 = unlimited (that counter is not kept at all).
struct LoginRateLimits {
  uint32_t perIp = 60;
  uint32_t perUin = 20;
  std::chrono::milliseconds window{std::chrono::minutes(1)};
};

/// Implements store::RateLimiter over one RedisConnection (one instance per thread).
class RedisRateLimiter final : public store::RateLimiter {
public:
  RedisRateLimiter(RedisConnection& redis, const LoginRateLimits& limits);

  // store::RateLimiter
  bool countLoginAttempt(uint32_t ip, uint32_t uin, store::AttemptVerdict& verdict) override;

private:
  RedisConnection& redis_;
  LoginRateLimits limits_;
  const RedisScript& countScript_;
  std::vector<Reply> replies_;
};

}  // namespace icq::redis
