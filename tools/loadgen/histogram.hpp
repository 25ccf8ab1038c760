// loadgen: latency histogram with bounded relative error (HdrHistogram's log-linear buckets,
// 32 per power of two, so any percentile is within ~3 % of the true value) in a fixed array:
// recording is one index computation and an increment, with no allocation, on the receive path.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace icq::loadgen {

class LatencyHistogram {
public:
  /// Records one duration in nanoseconds; negative values count as 0, huge ones land in the
  /// last bucket (about 2^40 ns, 18 minutes).
  void record(int64_t nanos) noexcept;
  void merge(const LatencyHistogram& other) noexcept;
  void clear() noexcept;

  uint64_t count() const noexcept { return count_; }
  /// The smallest recorded value v such that a fraction `q` (0..1) of the samples is <= v,
  /// reported as the upper edge of v's bucket (never below the true value); 0 when empty.
  int64_t percentile(double q) const noexcept;
  int64_t max() const noexcept { return max_; }
  double mean() const noexcept { return count_ ? static_cast<double>(sum_) / static_cast<double>(count_) : 0.0; }

  static size_t bucketOf(uint64_t nanos) noexcept;
  /// The largest value that falls into `bucket`.
  static uint64_t bucketUpperEdge(size_t bucket) noexcept;

private:
  static constexpr int kSubBits = 5;                 // 32 sub-buckets per power of two
  static constexpr int kMaxExponent = 40;            // 2^40 ns
  static constexpr size_t kBuckets = (2u << kSubBits) + (kMaxExponent - kSubBits) * (1u << kSubBits);

  std::array<uint64_t, kBuckets> buckets_{};
  uint64_t count_ = 0;
  uint64_t sum_ = 0;
  int64_t max_ = 0;
};

}  // namespace icq::loadgen
