// RedisLeaseStore: scheduler job leases as expiring strings (keys.hpp: icq:lease:<job>),
// taken, extended and released by compare-and-set Lua so only the holder can touch them.
#pragma once

#include "common/redis/connection.hpp"
#include "common/store/lease_store.hpp"

namespace icq::redis {

/// Implements store::LeaseStore over one RedisConnection (one instance per thread).
class RedisLeaseStore final : public store::LeaseStore {
public:
  explicit RedisLeaseStore(RedisConnection& redis);

  // store::LeaseStore
  bool acquire(const std::string& job, const std::string& holder, std::chrono::milliseconds ttl, bool& held) override;
  bool release(const std::string& job, const std::string& holder) override;

private:
  RedisConnection& redis_;
  const RedisScript& acquireScript_;
  const RedisScript& releaseScript_;
};

}  // namespace icq::redis
