// Credit-based hand-out of datagrams to workers (ARCHITECTURE.md "The pipelines").
//
// A worker announces how many datagrams it can take (Hello) and returns credit as it
// finishes them (Credit). The gateway gives a datagram only to a worker with credit, so a
// slow or dead worker holds at most its window, and "no worker has credit" is the
// gateway's own, exact signal of overload. Datagrams of one UIN prefer the same worker
// (keeps a client's packets in order when all is well); correctness never depends on it.
//
// Owned by the gateway loop thread; no locking.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace icq::gateway {

class CreditRouter {
public:
  /// Hello: the worker can take exactly `credits` from now on (resets its account).
  void hello(std::string_view worker, uint32_t credits);
  /// Credit: the worker finished `credits` datagrams.
  void credit(std::string_view worker, uint32_t credits);
  /// Goodbye, or the worker vanished (send failed with EHOSTUNREACH).
  void remove(std::string_view worker);

  /// Picks a worker with credit for a datagram from `uin` and consumes one credit;
  /// nullopt when no worker has any.
  std::optional<size_t> take(uint32_t uin);

  const std::string& workerId(size_t worker) const { return workers_[worker].id; }
  size_t workerCount() const { return workers_.size(); }
  uint64_t totalCredits() const;

private:
  struct Worker {
    std::string id;
    uint32_t credits = 0;
  };
  Worker* find(std::string_view id);
  std::vector<Worker> workers_;
};

}  // namespace icq::gateway
