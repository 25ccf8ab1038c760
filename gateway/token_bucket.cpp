// Token-bucket admission per source IP; see token_bucket.hpp.
#include "gateway/token_bucket.hpp"

#include <algorithm>

namespace icq::gateway {

SourceRateLimiter::SourceRateLimiter(uint32_t ratePerS, uint32_t burst)
    : ratePerS_(ratePerS), burstMicro_(int64_t{burst} * 1'000'000), slots_(kSlots) {}

SourceRateLimiter::Bucket& SourceRateLimiter::slotFor(uint32_t ip, int64_t nowUs) {
  // Fibonacci hashing spreads consecutive addresses (one subnet) over the table.
  size_t base = static_cast<size_t>((uint64_t{ip} * 0x9E3779B97F4A7C15ull) >> 48) & (kSlots - 1);
  Bucket* stalest = &slots_[base];
  for (size_t i = 0; i < kProbe; ++i) {
    Bucket& b = slots_[(base + i) & (kSlots - 1)];
    if (b.used && b.ip == ip) return b;
    if (!b.used || b.lastUs < stalest->lastUs) stalest = &b;
  }
  // A recycled slot starts full: a new (or long-idle) source gets its whole burst.
  *stalest = Bucket{ip, true, burstMicro_, nowUs};
  return *stalest;
}

bool SourceRateLimiter::admit(uint32_t ip, int64_t nowUs) {
  Bucket& b = slotFor(ip, nowUs);
  int64_t elapsed = std::max<int64_t>(0, nowUs - b.lastUs);
  b.tokensMicro = std::min(burstMicro_, b.tokensMicro + elapsed * ratePerS_);
  b.lastUs = nowUs;
  if (b.tokensMicro < 1'000'000) return false;
  b.tokensMicro -= 1'000'000;
  return true;
}

}  // namespace icq::gateway
