// Per-source-IP token buckets for the gateway's admission check: a fixed table, no
// allocation after construction, so a flood of spoofed sources costs table slots, not
// memory. Owned and used by the gateway's loop thread only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace icq::gateway {

class SourceRateLimiter {
public:
  /// `ratePerS` tokens per second per source, at most `burst` banked.
  SourceRateLimiter(uint32_t ratePerS, uint32_t burst);

  /// Takes one token for `ip` (network order) at monotonic time `nowUs`; false = over the rate.
  bool admit(uint32_t ip, int64_t nowUs);

private:
  struct Bucket {
    uint32_t ip = 0;
    bool used = false;
    int64_t tokensMicro = 0;  // tokens × 1e6, so refill needs no floating point
    int64_t lastUs = 0;
  };
  // Power of two; big enough that real clients rarely share a slot group, small enough
  // (64 K × 24 bytes) to stay in cache-friendly memory.
  static constexpr size_t kSlots = 1 << 16;
  // Slots probed per lookup; on a miss the stalest of them is recycled.
  static constexpr size_t kProbe = 4;

  /// The bucket of `ip`, or a recycled stale one; nullptr when every probed slot belongs
  /// to a source active within one refill time (a crowd: the newcomer waits, nobody's
  /// limit is reset by being evicted).
  Bucket* slotFor(uint32_t ip, int64_t nowUs);

  int64_t ratePerS_;
  int64_t burstMicro_;
  int64_t refillUs_;  // time to refill an empty bucket: a slot idle this long is stale
  std::vector<Bucket> slots_;
};

}  // namespace icq::gateway
