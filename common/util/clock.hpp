// The clock seam: everything that acts on time (session expiry, leases, token buckets)
// asks a Clock, so tests can move time instead of sleeping (STYLE.md §7).
#pragma once

#include <atomic>
#include <cstdint>

namespace icq::util {

class Clock {
public:
  virtual ~Clock() = default;
  /// Wall-clock milliseconds since the Unix epoch; shared across processes via Redis.
  virtual int64_t nowMs() const = 0;
};

class SystemClock final : public Clock {
public:
  int64_t nowMs() const override;
};

/// A clock that only moves when told to; safe to read from any thread.
class ManualClock final : public Clock {
public:
  explicit ManualClock(int64_t startMs) : now_(startMs) {}
  int64_t nowMs() const override { return now_.load(std::memory_order_relaxed); }
  void advanceMs(int64_t ms) { now_.fetch_add(ms, std::memory_order_relaxed); }

private:
  std::atomic<int64_t> now_;
};

/// Monotonic microseconds, for measuring durations and queue ages inside one process.
int64_t monotonicMicros();

}  // namespace icq::util
