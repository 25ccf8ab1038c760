// worker: the ownership keeper — everything the worker loop does about owning sessions
// between batches (ARCHITECTURE.md "Ownership"), in the order it must happen:
//   1. fenced?   the lease lapsed: forget every session without writing, rejoin as new;
//   2. new view? adopt it (owners, peer links), write out and forget what moved away, then
//                acknowledge the epoch so the new owners may load it;
//   3. settled?  walk the expiry index a slice per turn and load what moved here;
//   4. timers:   resend due packets, give up on sessions whose packets ran out of retries;
//   5. persist:  queued ledger writes reach Redis (also the egress gate: nothing leaves the
//                worker before what it reports is in Redis).
// And, per ingress batch, where each datagram goes: here, its owner, or nowhere yet.
#pragma once

#include <chrono>
#include <vector>

#include "common/envelope/envelope.hpp"
#include "common/log/log.hpp"
#include "common/pipeline/egress.hpp"
#include "common/pipeline/peer_links.hpp"
#include "common/util/clock.hpp"
#include "common/util/shutdown.hpp"
#include "worker/sessions/membership_client.hpp"
#include "worker/sessions/owned_sessions.hpp"
#include "worker/sessions/ownership_stats.hpp"
#include "worker/sessions/session_endings.hpp"

namespace icq::worker {

class Ownership {
public:
  Ownership(MembershipClient& membership, OwnedSessions& sessions, pipeline::PeerLinks& peers,
            SessionEndings& endings, pipeline::Egress& egress, const util::Clock& clock, OwnershipStats& stats,
            const util::StopToken& stop);

  /// Steps 1–5; cheap when nothing changed. Runs once per loop turn.
  void tend();
  /// How long the loop may wait for work before tend() has something to do.
  std::chrono::milliseconds idleWait(std::chrono::milliseconds wanted) const;
  /// The egress gate: makes the queued writes durable, retrying while Redis fails; false
  /// when this worker may no longer write (its lease lapsed, or it is stopping).
  bool persist();

  /// Splits an ingress batch from `gateway` (`forwarded`: it came from a peer, and is not
  /// passed on again): what this worker handles is copied into `here` (which stays empty
  /// when every datagram is ours: then the caller uses the original), the rest is forwarded
  /// to its owner or dropped while the view settles. Returns true when `here` must be used.
  bool split(std::string_view gateway, std::span<const uint8_t> batch, bool forwarded, envelope::BatchWriter& here);

  /// Sends what the batch queued for other owners (relayed messages).
  void sendToPeers() { peers_.flushOneWay(); }
  /// Drain: ask for a view without this worker; left() once it holds nothing and the others
  /// have been told (its release acknowledged). withdraw() ends the membership at exit.
  void leave();
  bool left() const;
  std::chrono::milliseconds leaveTimeout() const;
  void withdraw();

  OwnedSessions& sessions() { return sessions_; }
  const OwnershipStats& stats() const { return stats_; }

private:
  void adopt(const store::MembershipView& view);
  void runTimers();

  MembershipClient& membership_;
  OwnedSessions& sessions_;
  pipeline::PeerLinks& peers_;
  SessionEndings& endings_;
  pipeline::Egress& egress_;
  const util::Clock& clock_;
  OwnershipStats& stats_;
  const util::StopToken& stop_;
  bool releasePending_ = false;
  bool leaving_ = false;
  log::RateLimited persistFailures_;
  std::vector<uint32_t> giveUps_;
  std::vector<envelope::BatchWriter> foreign_;  // per owner index, reused
};

}  // namespace icq::worker
