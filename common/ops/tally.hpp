// Hot-path counters: a loop thread bumps plain integers, the admin port's scrape reads
// them from another thread. Each has one writer, so an increment is a relaxed load and a
// relaxed store (a plain add on x86, no locked instruction) and a scrape still reads a
// whole value, never a torn one or a data race.
#pragma once

#include <atomic>
#include <cstdint>

namespace icq::ops {

/// A monotonically increasing count with exactly one writing thread.
class Tally {
public:
  void add(uint64_t n) { value_.store(value_.load(std::memory_order_relaxed) + n, std::memory_order_relaxed); }
  Tally& operator++() {
    add(1);
    return *this;
  }
  void operator++(int) { add(1); }
  Tally& operator+=(uint64_t n) {
    add(n);
    return *this;
  }
  uint64_t value() const { return value_.load(std::memory_order_relaxed); }
  operator uint64_t() const { return value(); }

private:
  std::atomic<uint64_t> value_{0};
};

/// A level (queue depth, credits) that one thread sets and a scrape reads.
class Level {
public:
  void set(int64_t v) { value_.store(v, std::memory_order_relaxed); }
  int64_t value() const { return value_.load(std::memory_order_relaxed); }

private:
  std::atomic<int64_t> value_{0};
};

}  // namespace icq::ops
