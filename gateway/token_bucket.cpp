// Token-bucket admission per source IP; see token_bucket.hpp.
#include "gateway/token_bucket.hpp"

#include <algorithm>

namespace icq::gateway {

SourceRateLimiter::SourceRateLimiter(uint32_t ratePerS, uint32_t burst)
    : ratePerS_(std::max<int64_t>(1, ratePerS)),
      burstMicro_(int64_t{burst} * 1'000'000),
      refillUs_((burstMicro_ + ratePerS_ - 1) / ratePerS_),
      slots_(kSlots) {}

SourceRateLimiter::Bucket* SourceRateLimiter::slotFor(uint32_t ip, int64_t nowUs) {
  // Fibonacci hashing spreads consecutive addresses (one subnet) over the table.
  size_t base = static_cast<size_t>((uint64_t{ip} * 0x9E3779B97F4A7C15ull) >> 48) & (kSlots - 1);
  Bucket* stalest = &slots_[base];
  for (size_t i = 0; i < kProbe; ++i) {
    Bucket& b = slots_[(base + i) & (kSlots - 1)];
    if (b.used && b.ip == ip) return &b;
    if (!b.used || b.lastUs < stalest->lastUs) stalest = &b;
  }
  // Evicting a source that is still within its refill time would hand it a fresh burst
  // when it returns: under a flood of many sources, that would lift every limit.
  if (stalest->used && nowUs - stalest->lastUs < refillUs_) return nullptr;
  // A recycled slot starts full: a new (or long-idle) source gets its whole burst.
  *stalest = Bucket{ip, true, burstMicro_, nowUs};
  return stalest;
}

bool SourceRateLimiter::admit(uint32_t ip, int64_t nowUs) {
  Bucket* slot = slotFor(ip, nowUs);
  if (!slot) return false;
  Bucket& b = *slot;
  // Clamped: beyond one refill time the bucket is full anyway, and the product must not overflow.
  int64_t elapsed = std::clamp<int64_t>(nowUs - b.lastUs, 0, refillUs_);
  b.tokensMicro = std::min(burstMicro_, b.tokensMicro + elapsed * ratePerS_);
  b.lastUs = nowUs;
  if (b.tokensMicro < 1'000'000) return false;
  b.tokensMicro -= 1'000'000;
  return true;
}

}  // namespace icq::gateway
