// The Redis side of a binary's wiring (Envoy's exe/ layer: the only place that names
// RedisSessionStore). Each bundle owns its own connection: hiredis contexts are
// single-threaded, so each thread that talks to Redis gets its own bundle.
#pragma once

#include "common/config/config.hpp"
#include "common/redis/connection.hpp"
#include "common/redis/gateway_registry_impl.hpp"
#include "common/redis/lease_store_impl.hpp"
#include "common/redis/presence_store_impl.hpp"
#include "common/redis/rate_limiter_impl.hpp"
#include "common/redis/retransmit_queue_impl.hpp"
#include "common/redis/session_store_impl.hpp"
#include "common/util/clock.hpp"

namespace icq::wiring {

redis::RedisOptions redisOptionsFrom(const config::Config& config);

/// A Redis connection plus every store that lives in Redis.
struct RedisStores {
  explicit RedisStores(const config::Config& config);
  util::SystemClock clock;
  redis::RedisConnection connection;
  redis::RedisSessionStore sessions;
  redis::RedisPresenceStore presence;
  redis::RedisRetransmitQueue retransmits;
  redis::RedisGatewayRegistry registry;
  redis::RedisLeaseStore leases;
  redis::RedisRateLimiter limits;
};

}  // namespace icq::wiring
