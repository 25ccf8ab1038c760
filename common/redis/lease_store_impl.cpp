// RedisLeaseStore: a lease is the string icq:lease:<job> = holder with a PX expiry. Taking
// and extending it is one script, so two replicas never both hold it; a holder that dies
// stops extending, and the key's expiry hands the job to the next replica that asks.
#include "common/redis/lease_store_impl.hpp"

#include <string_view>

#include "common/redis/keys.hpp"

namespace icq::redis {
namespace {

// KEYS: lease. ARGV: holder, ttl ms. Returns 1 if the caller holds the lease now.
constexpr std::string_view kAcquireLua = R"lua(
local current = redis.call('GET', KEYS[1])
if current == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
if not current and redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 1 end
return 0
)lua";

// KEYS: lease. ARGV: holder. Deletes the lease only if the caller holds it.
constexpr std::string_view kReleaseLua = R"lua(
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
)lua";

}  // namespace

RedisLeaseStore::RedisLeaseStore(RedisConnection& redis)
    : redis_(redis),
      acquireScript_(redis.addScript("lease_acquire", std::string(kAcquireLua))),
      releaseScript_(redis.addScript("lease_release", std::string(kReleaseLua))) {}

bool RedisLeaseStore::acquire(const std::string& job, const std::string& holder, std::chrono::milliseconds ttl,
                              bool& held) {
  held = false;
  const std::string key = keys::lease(job);
  const Decimal ttlMs(ttl.count() > 0 ? ttl.count() : 1);
  const std::string_view keyArgs[] = {key};
  const std::string_view args[] = {holder, ttlMs};
  Reply reply;
  if (!redis_.runScript(acquireScript_, keyArgs, args, reply) || !reply.isInteger()) return false;
  held = reply.integer() == 1;
  return true;
}

bool RedisLeaseStore::release(const std::string& job, const std::string& holder) {
  const std::string key = keys::lease(job);
  const std::string_view keyArgs[] = {key};
  const std::string_view args[] = {holder};
  Reply reply;
  return redis_.runScript(releaseScript_, keyArgs, args, reply) && reply.isInteger();
}

}  // namespace icq::redis
