// PassSchedule: when a long-period job works. A job such as "purge" makes one pass every
// interval (an hour, say), and each pass takes as many slices as its backlog needs. The
// job itself is due every tick, so its holder renews the lease each tick and keeps the job
// (with a lease shorter than the interval, every replica would take a turn in between and
// the pass would run once per replica); between passes a slice only looks at the clock.
// Redis's run_with_period, with activeExpireCycle's resumable work.
#pragma once

#include <chrono>
#include <cstdint>

namespace icq::scheduler {

class PassSchedule {
public:
  explicit PassSchedule(std::chrono::milliseconds interval) : interval_(interval) {}

  /// Whether a slice has work at `nowMs`: a pass is under way, or the next is due (which
  /// starts it). The first pass is due at once, as every job runs at the scheduler's start.
  bool due(int64_t nowMs) {
    if (!running_ && nowMs >= nextMs_) {
      running_ = true;
      startedMs_ = nowMs;
    }
    return running_;
  }
  /// When the pass under way started; only meaningful while one is.
  int64_t startedMs() const { return startedMs_; }
  /// The pass under way is complete; the next one is due an interval after it started.
  void finish() {
    running_ = false;
    nextMs_ = startedMs_ + interval_.count();
  }

private:
  std::chrono::milliseconds interval_;
  bool running_ = false;
  int64_t startedMs_ = 0;
  int64_t nextMs_ = 0;
};

}  // namespace icq::scheduler
