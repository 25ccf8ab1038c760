// Credit-based hand-out of datagrams to the worker that owns their UIN (ARCHITECTURE.md "The
// pipelines", "Ownership").
//
// A worker announces how many datagrams it can take (Hello) and returns credit as it finishes
// them (Credit). Every UIN has one owner, chosen from the membership view by rendezvous
// hashing alike in every gateway (store::OwnerTable), which holds the session's hot state in
// memory: a datagram goes to its owner or, when the owner has no credit, nowhere — it waits,
// and is answered busy if it waits too long. Handing it to another worker would cost that
// worker a forward, and the owner a packet out of order. UIN 0 (a registration, which has no
// session yet) goes to any worker with credit.
//
// So a slow or dead worker holds at most its window of packets and its own UINs wait; and
// "this UIN's owner has no credit" is the gateway's exact signal of overload for that UIN.
//
// A worker's credits never exceed the window its Hello announced: an honest worker returns
// credit only for datagrams it was handed, so a Credit that would go past the window is a lie
// (or a stale one from a link the Hello replaced). It is clamped to the window and reported to
// the caller, which counts it against the worker. A worker heard from only through Credit is
// held to the largest window any worker may announce (kMaxWindow).
//
// Owned by the gateway loop thread; no locking.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/store/membership.hpp"

namespace icq::gateway {

class CreditRouter {
public:
  /// worker.credit_window's upper bound (common/config/keys.cpp): no honest Hello asks for more.
  static constexpr uint32_t kMaxWindow = 65536;

  /// Hello: the worker can take exactly `credits` from now on (resets its account), and its
  /// window is that. False when `credits` exceeds kMaxWindow: the window is clamped to it.
  bool hello(std::string_view worker, uint32_t credits);
  /// Credit: the worker finished `credits` datagrams. False when that would take its credits
  /// past its window: they are clamped to the window.
  bool credit(std::string_view worker, uint32_t credits);
  /// Goodbye, or the worker vanished (send failed with EHOSTUNREACH).
  void remove(std::string_view worker);
  /// A new membership view: who owns which UIN from now on.
  void setOwners(const store::MembershipView& view);

  /// The worker to hand a datagram from `uin` to, consuming one of its credits; nullopt
  /// when its owner has none (or is not linked to this gateway, or there is no view yet).
  std::optional<size_t> take(uint32_t uin);
  /// Whether any worker has credit at all (a turn with none skips the hand-out).
  bool anyCredit() const { return credits_ > 0; }

  const std::string& workerId(size_t worker) const { return workers_[worker].id; }
  size_t workerCount() const { return workers_.size(); }
  uint64_t totalCredits() const;
  uint64_t epoch() const { return owners_.epoch(); }

private:
  struct Worker {
    std::string id;
    uint32_t credits = 0;
    uint32_t window = kMaxWindow;  // what its Hello announced
  };
  static constexpr size_t kNone = SIZE_MAX;
  Worker* find(std::string_view id);
  /// ownerWorker_[owner index] = the index in workers_ of that owner, or kNone.
  void relink();
  std::vector<Worker> workers_;
  store::OwnerTable owners_;
  std::vector<size_t> ownerWorker_;
  size_t nextAnonymous_ = 0;  // round robin for UIN 0
  uint64_t credits_ = 0;      // the sum of every worker's credits
};

}  // namespace icq::gateway
