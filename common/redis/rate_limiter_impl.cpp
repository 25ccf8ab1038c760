// RedisRateLimiter: one fixed-window counter per source address and one per UIN. A window
// starts with the first attempt after the previous one ended: INCR, and PEXPIRE when that
// made the counter 1, in one script so a counter never outlives its window. Fixed windows
// admit at most twice the limit across a window boundary; for slowing a password guesser
// down that is as good as a sliding window, at one small key per address or UIN.
#include "common/redis/rate_limiter_impl.hpp"

#include <array>
#include <string>
#include <string_view>

#include "common/redis/keys.hpp"

namespace icq::redis {
namespace {

// KEYS: the counter. ARGV: window ms. Returns the attempts in the window, this one included.
constexpr std::string_view kCountLua = R"lua(
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return n
)lua";

}  // namespace

RedisRateLimiter::RedisRateLimiter(RedisConnection& redis, const LoginRateLimits& limits)
    : redis_(redis), limits_(limits), countScript_(redis.addScript("rate_count", std::string(kCountLua))) {}

bool RedisRateLimiter::countLoginAttempt(uint32_t ip, uint32_t uin, store::AttemptVerdict& verdict) {
  using store::AttemptVerdict;
  verdict = AttemptVerdict::limited;
  struct Counter {
    std::string_view key;
    uint32_t limit;
  };
  std::array<Counter, 2> counters{};
  size_t count = 0;
  const std::string ipKey = limits_.perIp > 0 ? keys::loginAttemptsByIp(ip) : std::string();
  const keys::UinKey uinKey = keys::loginAttemptsByUin(uin);
  if (limits_.perIp > 0) counters[count++] = {ipKey, limits_.perIp};
  if (limits_.perUin > 0 && uin != 0) counters[count++] = {uinKey, limits_.perUin};
  if (count == 0) {
    verdict = AttemptVerdict::allowed;
    return true;
  }

  // The two counters live on different slots: one script call each, in one round trip.
  const Decimal windowMs(limits_.window.count() > 0 ? limits_.window.count() : 1);
  const std::string_view args[] = {windowMs};
  auto appendCount = [&](size_t i, bool withSource) {
    const std::string_view keyArgs[] = {counters[i].key};
    redis_.appendScript(countScript_, keyArgs, args, withSource);
  };
  if (!redis_.pipeline(count, appendCount, replies_)) return false;
  bool over = false, newlyOver = false;
  for (size_t i = 0; i < count; ++i) {
    if (!replies_[i].isInteger()) return false;
    const long long attempts = replies_[i].integer();
    over = over || attempts > counters[i].limit;
    newlyOver = newlyOver || attempts == counters[i].limit + 1LL;
  }
  verdict = newlyOver ? AttemptVerdict::newly_limited : over ? AttemptVerdict::limited : AttemptVerdict::allowed;
  return true;
}

}  // namespace icq::redis
