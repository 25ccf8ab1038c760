// The Redis side of a binary's wiring (Envoy's exe/ layer: the only place that names
// RedisSessionStore). Each bundle owns its own connection: hiredis contexts are
// single-threaded, so each thread that talks to Redis gets its own bundle.
#pragma once

#include "common/config/config.hpp"
#include "common/redis/connection.hpp"
#include "common/redis/event_stream.hpp"
#include "common/redis/gateway_registry_impl.hpp"
#include "common/redis/lease_store_impl.hpp"
#include "common/redis/membership_impl.hpp"
#include "common/redis/presence_store_impl.hpp"
#include "common/redis/rate_limiter_impl.hpp"
#include "common/redis/retransmit_queue_impl.hpp"
#include "common/redis/session_directory_impl.hpp"
#include "common/redis/session_ledger.hpp"
#include "common/util/clock.hpp"

namespace icq::wiring {

redis::RedisOptions redisOptionsFrom(const config::Config& config);
/// events.shards and events.max_length.
redis::EventStreamSettings eventStreamSettingsFrom(const config::Config& config);

/// A Redis connection plus every store that lives in Redis.
struct RedisStores {
  explicit RedisStores(const config::Config& config);
  util::SystemClock clock;
  redis::RedisConnection connection;
  redis::RedisSessionDirectory directory;
  redis::RedisSessionLedger ledger;  // the worker's: only an owner writes sessions
  redis::RedisPresenceStore presence;
  redis::RedisRetransmitQueue retransmits;
  redis::RedisGatewayRegistry registry;
  redis::RedisMembership membership;
  redis::RedisLeaseStore leases;
  redis::RedisRateLimiter limits;
  redis::RedisEventStream events;
};

/// A connection with only the membership on it: a worker's heartbeat thread's own.
struct RedisMembershipLink {
  explicit RedisMembershipLink(const config::Config& config);
  redis::RedisConnection connection;
  redis::RedisMembership membership;
};

}  // namespace icq::wiring
