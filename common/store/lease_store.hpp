// LeaseStore: time-limited exclusive ownership of a named job, so several scheduler
// replicas can run and exactly one does each job at a time (ARCHITECTURE.md "Scheduler").
#pragma once

#include <chrono>
#include <string>

namespace icq::store {

class LeaseStore {
public:
  virtual ~LeaseStore() = default;
  /// Takes the lease if it is free or already ours (extending it to `ttl`); `held` tells
  /// whether we hold it now.
  virtual bool acquire(const std::string& job, const std::string& holder, std::chrono::milliseconds ttl,
                       bool& held) = 0;
  /// Gives the lease up if we hold it (clean shutdown lets another replica take over at once).
  virtual bool release(const std::string& job, const std::string& holder) = 0;
};

}  // namespace icq::store
