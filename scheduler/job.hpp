// A scheduler job: a named piece of periodic work done in bounded slices.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace icq::scheduler {

class Job {
public:
  virtual ~Job() = default;
  /// Stable name: the lease key and the log/metric label.
  virtual const std::string& name() const = 0;
  virtual std::chrono::milliseconds period() const = 0;
  /// Leased jobs run on one replica at a time; the others (keeping this replica's own
  /// connections current, say) run on every replica.
  virtual bool leased() const { return true; }
  /// Does at most one slice of work at time `nowMs`. Returns false when it could not
  /// reach a store (the scheduler logs it, rate-limited, and tries next period).
  virtual bool runSlice(int64_t nowMs) = 0;
};

}  // namespace icq::scheduler
