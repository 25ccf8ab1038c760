// A histogram a loop fills per observation with plain integers and hands to its
// prometheus-cpp series once per turn (one ObserveMultiple, one lock), so timing every
// datagram costs a bucket search and an increment, not a mutex.
#pragma once

#include <prometheus/histogram.h>

#include <algorithm>
#include <cstdint>
#include <vector>

namespace icq::ops {

class BatchedHistogram {
public:
  BatchedHistogram(prometheus::Histogram& target, const prometheus::Histogram::BucketBoundaries& bounds)
      : target_(&target), bounds_(bounds), counts_(bounds.size() + 1, 0) {}

  void observe(double value) {
    // Prometheus buckets are upper-inclusive (le); the last slot is +Inf.
    size_t bucket = static_cast<size_t>(std::lower_bound(bounds_.begin(), bounds_.end(), value) - bounds_.begin());
    ++counts_[bucket];
    sum_ += value;
    pending_ = true;
  }

  /// Adds what was observed since the last flush to the series.
  void flush() {
    if (!pending_) return;
    target_->ObserveMultiple(counts_, sum_);
    std::fill(counts_.begin(), counts_.end(), 0.0);
    sum_ = 0;
    pending_ = false;
  }

private:
  prometheus::Histogram* target_;
  prometheus::Histogram::BucketBoundaries bounds_;
  std::vector<double> counts_;  // per bucket, not cumulative: what ObserveMultiple takes
  double sum_ = 0;
  bool pending_ = false;
};

}  // namespace icq::ops
