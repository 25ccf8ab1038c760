// The process's metrics: one prometheus-cpp registry that every role in the process adds
// its families to (icqd runs all roles in one process and exports them from one port),
// scrape hooks that copy hot-path tallies into those families at scrape time, and the
// rendering of /metrics (registry + the process_* metrics + icq_build_info).
// Names and labels: docs/METRICS.md.
#pragma once

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

namespace icq::ops {

prometheus::Registry& registry();

prometheus::Family<prometheus::Counter>& counterFamily(const std::string& name, const std::string& help);
prometheus::Family<prometheus::Gauge>& gaugeFamily(const std::string& name, const std::string& help);
prometheus::Family<prometheus::Histogram>& histogramFamily(const std::string& name, const std::string& help);

/// Buckets for one batch or one stage of it: 50 µs … 2.5 s.
const prometheus::Histogram::BucketBoundaries& stageBuckets();
/// Buckets for a Redis or PostgreSQL round trip and for scheduler jobs: 100 µs … 10 s.
const prometheus::Histogram::BucketBoundaries& callBuckets();

/// Seconds between two steady-clock points, for Observe().
inline double secondsBetween(std::chrono::steady_clock::time_point from, std::chrono::steady_clock::time_point to) {
  return std::chrono::duration<double>(to - from).count();
}

/// A hook run before every scrape while the object lives (a role's exporter copies its
/// tallies). Hooks run on the admin port's threads, one at a time.
class ScrapeHook {
public:
  explicit ScrapeHook(std::function<void()> refresh);
  ~ScrapeHook();
  ScrapeHook(const ScrapeHook&) = delete;
  ScrapeHook& operator=(const ScrapeHook&) = delete;

private:
  uint64_t id_;
};

/// Copies a tally into a counter series by the difference since the last copy, so several
/// sources (icqd's workers) add up in one series.
class CounterMirror {
public:
  explicit CounterMirror(prometheus::Counter& target) : target_(&target) {}
  void update(uint64_t total) {
    if (total > copied_) target_->Increment(static_cast<double>(total - copied_));
    copied_ = total;
  }

private:
  prometheus::Counter* target_;
  uint64_t copied_ = 0;
};

/// Copies a level into a gauge series by difference, for the same reason; a source that
/// goes away takes its share with it.
class GaugeMirror {
public:
  explicit GaugeMirror(prometheus::Gauge& target) : target_(&target) {}
  ~GaugeMirror() { target_->Decrement(last_); }
  GaugeMirror(GaugeMirror&& other) noexcept : target_(other.target_), last_(other.last_) { other.last_ = 0; }
  GaugeMirror(const GaugeMirror&) = delete;
  GaugeMirror& operator=(const GaugeMirror&) = delete;
  void update(double value) {
    target_->Increment(value - last_);
    last_ = value;
  }

private:
  prometheus::Gauge* target_;
  double last_ = 0;
};

/// Runs the scrape hooks, then renders every family in the text exposition format.
std::string renderMetrics();

}  // namespace icq::ops
