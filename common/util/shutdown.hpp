// Process-wide stop request: SIGINT/SIGTERM set a flag that every role's loop polls
// between batches, so a stop never interrupts a half-processed batch.
#pragma once

#include <atomic>

namespace icq::util {

/// A stop flag shared by the loops of one process. The signal handler and tests set it.
class StopToken {
public:
  bool stopRequested() const { return stop_.load(std::memory_order_relaxed); }
  void requestStop() { stop_.store(true, std::memory_order_relaxed); }

private:
  std::atomic<bool> stop_{false};
};

/// Routes SIGINT and SIGTERM to `token` (PID 1 in a container ignores SIGTERM unless handled).
void stopOnSignals(StopToken& token);

}  // namespace icq::util
