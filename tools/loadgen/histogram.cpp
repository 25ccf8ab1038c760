// loadgen: the latency histogram; see histogram.hpp.
#include "tools/loadgen/histogram.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

namespace icq::loadgen {

// Values below 2^(kSubBits+1) have a bucket each; above, the exponent picks a band of
// 2^kSubBits buckets and the next kSubBits bits below the leading one pick the bucket.
size_t LatencyHistogram::bucketOf(uint64_t nanos) noexcept {
  constexpr uint64_t kLinear = 2u << kSubBits;
  if (nanos < kLinear) return static_cast<size_t>(nanos);
  const int exponent = std::min(static_cast<int>(std::bit_width(nanos)) - 1, kMaxExponent);
  const int shift = exponent - kSubBits;
  const uint64_t mantissa = std::min<uint64_t>(nanos >> shift, (2u << kSubBits) - 1);  // 32..63
  return static_cast<size_t>(kLinear + (shift - 1) * (1u << kSubBits) + (mantissa - (1u << kSubBits)));
}

uint64_t LatencyHistogram::bucketUpperEdge(size_t bucket) noexcept {
  constexpr uint64_t kLinear = 2u << kSubBits;
  if (bucket < kLinear) return bucket;
  const size_t band = (bucket - kLinear) >> kSubBits;
  const uint64_t mantissa = (1u << kSubBits) + ((bucket - kLinear) & ((1u << kSubBits) - 1));
  const int shift = static_cast<int>(band) + 1;
  return ((mantissa + 1) << shift) - 1;
}

void LatencyHistogram::record(int64_t nanos) noexcept {
  const uint64_t v = nanos > 0 ? static_cast<uint64_t>(nanos) : 0;
  buckets_[bucketOf(v)]++;
  count_++;
  sum_ += v;
  max_ = std::max(max_, static_cast<int64_t>(v));
}

void LatencyHistogram::merge(const LatencyHistogram& other) noexcept {
  for (size_t i = 0; i < kBuckets; ++i) buckets_[i] += other.buckets_[i];
  count_ += other.count_;
  sum_ += other.sum_;
  max_ = std::max(max_, other.max_);
}

void LatencyHistogram::clear() noexcept { *this = LatencyHistogram{}; }

int64_t LatencyHistogram::percentile(double q) const noexcept {
  if (count_ == 0) return 0;
  const double clamped = std::clamp(q, 0.0, 1.0);
  const auto rank = std::max<uint64_t>(1, static_cast<uint64_t>(std::ceil(clamped * static_cast<double>(count_))));
  uint64_t seen = 0;
  for (size_t i = 0; i < kBuckets; ++i) {
    seen += buckets_[i];
    if (seen >= rank) return std::min(static_cast<int64_t>(bucketUpperEdge(i)), max_);
  }
  return max_;
}

}  // namespace icq::loadgen
