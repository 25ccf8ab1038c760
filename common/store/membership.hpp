// Membership: which workers own sessions, under which epoch (ARCHITECTURE.md "Ownership").
//
// Every gateway sends a UIN's packets to the same worker, and every producer of a reliable
// packet (another worker, the scheduler, the admin API) hands it to that worker, because
// they all compute the owner alike: rendezvous hashing of the UIN over the owners of one
// *view*. A view is numbered by its epoch; it changes when a worker joins, leaves (drains)
// or dies (its lease lapses), and only then.
//
// Handing sessions over safely is a barrier per epoch. A worker that sees a new epoch writes
// out and forgets every session it no longer owns, then acknowledges the epoch; a view is
// *settled* once every live worker (owners and those draining) has acknowledged it. A new
// owner loads a session from Redis only under a settled view, so two workers never hold the
// same session. A worker whose lease may have lapsed writes nothing (self-fencing): it is no
// longer counted as live, and others may already have taken its sessions.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace icq::store {

struct WorkerRecord {
  std::string id;        // stable across restarts: the rendezvous key
  std::string endpoint;  // ZeroMQ endpoint of the worker's peer ROUTER
  std::string instance;  // random per process start: a restart is a new member
};

struct MembershipView {
  uint64_t epoch = 0;    // 0: no view yet
  uint64_t settled = 0;  // the highest epoch every live worker has acknowledged
  std::vector<WorkerRecord> owners;  // sorted by id
  bool isSettled() const { return epoch != 0 && settled >= epoch; }
};

/// A worker's beat: what it tells the membership and what it learns.
struct Heartbeat {
  WorkerRecord self;
  bool leaving = false;   // draining: owns nothing from the next epoch on, still counted live
  uint64_t acked = 0;     // every session not owned under this epoch has been written out
  std::chrono::milliseconds ttl{3000};  // the lease: gone from the view this long after the last beat
};

class Membership {
public:
  virtual ~Membership() = default;
  /// Renews the worker's lease, records its acknowledgement, recomputes the view (a new
  /// epoch if the owners changed) and returns it. One atomic step.
  virtual bool beat(const Heartbeat& beat, MembershipView& view) = 0;
  /// Removes the worker at once (it has written out everything it held).
  virtual bool withdraw(const WorkerRecord& self) = 0;
  /// The current view, for processes that own nothing (gateways, schedulers). Recomputed
  /// like beat() does, so a dead worker leaves the view even when no worker beats.
  virtual bool view(MembershipView& out) = 0;
};

/// Rendezvous hashing over a view's owners: who owns a UIN. Built once per view; owner()
/// is a loop over the owners with a multiply-xorshift mix, no allocation.
class OwnerTable {
public:
  OwnerTable() = default;
  explicit OwnerTable(const MembershipView& view);

  uint64_t epoch() const { return epoch_; }
  size_t size() const { return ids_.size(); }
  bool empty() const { return ids_.empty(); }
  /// Index (into ids()) of the owner of `uin`; size() when there are no owners.
  size_t owner(uint32_t uin) const;
  const std::string& id(size_t index) const { return ids_[index]; }
  const std::vector<std::string>& ids() const { return ids_; }
  /// The index of `id`, or size() when it owns nothing in this view.
  size_t indexOf(std::string_view id) const;
  bool owns(std::string_view id, uint32_t uin) const;

private:
  uint64_t epoch_ = 0;
  std::vector<std::string> ids_;
  std::vector<uint64_t> seeds_;  // per owner: a hash of its id
};

/// The view as one string and back (the Redis value, the in-memory registry's copy):
/// "<epoch> <settled>\n" then one "<id> <endpoint> <instance>\n" per owner. Ids, endpoints
/// and instances never contain spaces or newlines (they are checked at start).
std::string encodeView(const MembershipView& view);
std::optional<MembershipView> decodeView(std::string_view text);

}  // namespace icq::store
