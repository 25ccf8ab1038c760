// The sessions a worker owns (ARCHITECTURE.md "Ownership"): their hot state in memory, so a
// keep-alive, an acknowledgement or a duplicate is answered without a store round trip, and
// what others read or a successor needs written to Redis in batches (RedisSessionLedger).
//
// Who owns what comes from the membership view (store/membership.hpp). Per session the owner
// holds: the Session (id, address, home gateway, status, next SEQ1, last packet), the duplicate
// window, the unconfirmed packets with their resend count, the offline-delivery marks, and
// the epoch its Redis fields carry. On a new view it writes out and forgets the sessions it
// no longer owns (release); once the view is settled it walks the expiry index and loads the
// sessions it now owns (takeover). Until that walk is done it is not authoritative: a UIN it
// owns but does not hold may still be in Redis, and is loaded on demand; afterwards a UIN it
// does not hold has no session, and a packet for it costs no store round trip.
//
// Writes are queued on the ledger and reach Redis with flush(), which the worker calls once
// per batch *before* the batch's egress is sent: nothing is acknowledged before its effect is
// in Redis. A login (replace) and the end of a session are immediate.
//
// One thread: the worker loop's.
#pragma once

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <queue>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/redis/session_ledger.hpp"
#include "common/store/membership.hpp"
#include "common/store/message_store.hpp"
#include "common/store/session_directory.hpp"
#include "common/store/session_store.hpp"
#include "common/util/clock.hpp"
#include "worker/sessions/rescue.hpp"

namespace icq::worker {

struct OwnedSettings {
  size_t window = 64;  // v5.dedupe_window: client triples remembered per session
  std::chrono::milliseconds retransmitTimeout{10000};  // v5.retransmit_timeout_s
  uint32_t retries = 5;                                // v5.retransmit_retries
  // How often an active session's last-seen reaches Redis, per protocol: well inside the
  // TTL, so the scheduler's sweep never sees an active session as stale (worker.session_refresh_*).
  std::chrono::milliseconds refreshV5{60000};
  std::chrono::milliseconds refreshV3{10000};
};

/// Whether a packet for a UIN can be handled here now.
enum class Reach : uint8_t {
  here,     // this worker owns the UIN and holds its session or may load it
  later,    // it owns the UIN, but the view is settling: the former owner may still hold it
  foreign,  // another worker owns it under this worker's view
};

class OwnedSessions final : public store::SessionStore {
public:
  OwnedSessions(const OwnedSettings& settings, redis::RedisSessionLedger& ledger, store::SessionDirectory& directory,
                store::MessageStore& messages, const util::Clock& clock);

  // ---- ownership ------------------------------------------------------------------------

  /// Takes a new view. Sessions it does not grant any more are released by releaseForeign().
  void adoptView(const store::MembershipView& view, std::string_view self);
  const store::OwnerTable& owners() const { return owners_; }
  bool owns(uint32_t uin) const;
  Reach reach(uint32_t uin) const;
  /// Writes out (exactly) and forgets every session the current view gives to another
  /// worker. False: the writes failed; the sessions stay and the caller tries again.
  bool releaseForeign();
  /// One step of the takeover walk (about `count` index entries); true once it is complete
  /// and this worker is authoritative for the UINs it owns. False while the view is not settled.
  bool takeoverStep(size_t count);
  bool authoritative() const { return authoritative_; }
  /// The lease lapsed: forget everything without writing (others may hold it by now).
  void fence();
  /// How many times fence() forgot what was held: whatever another part of the worker
  /// remembers about those sessions' effects is void once it changes.
  uint64_t fences() const { return fences_; }
  /// Rejoining as a new instance after a fence: the last view may still name this worker for
  /// sessions a successor holds until it releases them under the next view, so nothing is
  /// loaded (or numbered) until a view is adopted.
  void awaitView() { settled_ = false; }
  size_t size() const { return sessions_.size(); }
  const util::Clock& clock() const { return clock_; }
  /// Bodies of confirmed packets kept for the next ones (at most kMaxSpareBodies).
  size_t spareBodies() const { return spareBodies_.size(); }

  /// Sends the queued writes (ledger). False: Redis failed; the writes stay queued.
  bool flush() { return ledger_.flush(); }
  bool pendingWrites() const { return ledger_.pending(); }

  // ---- timers ----------------------------------------------------------------------------

  /// The sessions whose timers are due at `nowMs`, at most `limit`: for each, `resend(session,
  /// packets)` with each packet unconfirmed for a whole timeout, in SEQ1 order (one more
  /// attempt counted), or, when such a packet has had all its retries, its UIN in `giveUps`.
  template <class Resend>
  void runDue(int64_t nowMs, size_t limit, Resend&& resend, std::vector<uint32_t>& giveUps);
  /// Ends `uin`'s session (give-up, expiry, an administrator's disconnect), keeping its
  /// unconfirmed messages offline. `sessionId`/`client`, when given, must still identify it.
  /// `ended` receives it (status as the presence store left it); empty if there was none.
  bool terminate(uint32_t uin, const util::Endpoint* client, uint32_t sessionId, std::optional<store::Session>& ended,
                 size_t& rescued);
  /// The scheduler's expiry nudge: ends the session if its last packet is at or before its
  /// protocol's cutoff, else re-scores its index entry. `expired` says which happened.
  bool checkExpiry(uint32_t uin, int64_t v5CutoffMs, int64_t v3CutoffMs, int64_t indexScoreMs,
                   std::optional<store::Session>& expired);
  /// The scheduler's retransmit nudge: the schedule says `uin` is overdue. Loads it if
  /// needed (its packets then go out at the next runDue) or drops the stale schedule entry.
  bool checkOverdue(uint32_t uin);
  /// The status of an owned session changed (the presence store holds the truth).
  void noteStatus(uint32_t uin, uint32_t status);

  // ---- store::SessionStore ----------------------------------------------------------------
  bool touch(std::span<const store::TouchRequest> requests, std::span<store::TouchResult> results) override;
  bool claimPreLogin(const store::TouchRequest& request, bool& first, uint32_t& result) override;
  bool finishPreLogin(const store::TouchRequest& request, uint32_t result) override;
  bool forgetDuplicate(const store::TouchRequest& request) override;
  bool find(uint32_t uin, std::optional<store::Session>& out) override;
  bool replace(const store::Session& fresh, const store::ReliablePacket& loginReply,
               std::optional<store::Session>& replaced) override;
  bool queueReliable(std::span<const store::ReliablePacket> packets, std::span<store::ReliableRoute> routes) override;
  bool end(uint32_t uin, uint32_t sessionId, const util::Endpoint& client,
           std::optional<store::Session>& ended) override;
  bool countOnline(int64_t& out) override { return directory_.countOnline(out); }
  bool walkOnline(uint64_t& cursor, size_t count, int64_t staleBeforeMs, std::vector<store::SessionHome>& homes,
                  size_t& removed) override {
    return directory_.walkOnline(cursor, count, staleBeforeMs, homes, removed);
  }
  bool claimOfflineDelivery(uint32_t uin, uint32_t sessionId, bool& first) override;
  bool setOfflineBatch(uint32_t uin, uint32_t sessionId, int64_t upToId) override;
  bool offlineBatch(uint32_t uin, uint32_t sessionId, int64_t& upToId) override;

private:
  static constexpr size_t kTripleSize = 6;
  static constexpr size_t kMaxWindow = 64;
  static constexpr size_t kMaxSpareBodies = 8192;

  struct Owned {
    store::Session session;
    uint64_t epoch = 0;  // the field tag of what this owner writes
    std::array<char, kMaxWindow * kTripleSize> window{};
    uint32_t windowPos = 0;
    std::vector<HeldPacket> unconfirmed;  // in SEQ1 order
    std::vector<HeldPacket> orphans;      // written by a former owner after it lost the session
    int64_t savedSeenMs = 0;      // last-seen as Redis has it
    int64_t timerDueMs = 0;       // the resend timer armed for it (0: none)
    bool gatewayMoved = false;    // the home gateway changed since it was saved
    bool scheduled = false;       // in the retransmit schedule (icq:rtx:due)
    bool offlineClaimed = false;
    int64_t offlineBatch = 0;
  };

  Owned* held(uint32_t uin);
  /// Makes sure every owned UIN of `uins` that is not held is loaded if Redis has it (one
  /// round trip for all of them); a no-op once authoritative. False: Redis failed, or the
  /// view is not settled and one of them cannot be read yet.
  bool loadMissing(std::span<const uint32_t> uins);
  bool loadMissing(uint32_t uin) { return loadMissing(std::span<const uint32_t>(&uin, 1)); }
  void adoptLoaded(redis::LedgerSession&& loaded);
  void keepOrphans(Owned& owned);
  void refresh(Owned& owned, const store::TouchRequest& request, int64_t nowMs);
  bool windowHas(const Owned& owned, std::string_view triple) const;
  void windowRecord(Owned& owned, std::string_view triple);
  bool acknowledge(Owned& owned, uint16_t seq1);
  std::vector<uint8_t> bodyOf(std::span<const uint8_t> bytes);
  void spareBody(std::vector<uint8_t>&& body);
  void armTimer(Owned& owned, int64_t dueMs);
  int64_t scheduleDueMs(int64_t nowMs) const;
  std::chrono::milliseconds refreshOf(const Owned& owned) const;

  OwnedSettings settings_;
  redis::RedisSessionLedger& ledger_;
  store::SessionDirectory& directory_;
  store::MessageStore& messages_;
  const util::Clock& clock_;

  std::unordered_map<uint32_t, Owned> sessions_;
  store::OwnerTable owners_;
  std::string self_;
  bool settled_ = false;
  bool authoritative_ = false;
  uint64_t takeoverCursor_ = 0;
  bool takeoverStarted_ = false;

  // Resend timers: (due, uin), earliest first; an entry whose due no longer matches its
  // session's timerDueMs is stale and skipped.
  using Timer = std::pair<int64_t, uint32_t>;
  std::priority_queue<Timer, std::vector<Timer>, std::greater<>> timers_;

  // Reused working memory.
  std::vector<uint32_t> candidates_;  // UINs of a batch that may need loading
  std::vector<uint32_t> missing_;
  std::vector<std::optional<redis::LedgerSession>> loaded_;
  std::vector<uint32_t> scanned_;
  std::vector<uint32_t> released_;
  std::vector<std::vector<uint8_t>> spareBodies_;  // bodies of acknowledged packets, for reuse
  uint64_t fences_ = 0;
};

// A session's timer is armed by its oldest unconfirmed packet, but only the packets that have
// been unconfirmed for a whole timeout go again: one queued a moment ago, its acknowledgement
// still on the way, would reach the client twice (and with paced clients the timer often
// fires just as the next packet is queued). The timer is then armed for the earliest of the rest.
template <class Resend>
void OwnedSessions::runDue(int64_t nowMs, size_t limit, Resend&& resend, std::vector<uint32_t>& giveUps) {
  giveUps.clear();
  const int64_t timeoutMs = settings_.retransmitTimeout.count();
  for (size_t n = 0; n < limit && !timers_.empty() && timers_.top().first <= nowMs; ++n) {
    const auto [dueMs, uin] = timers_.top();
    timers_.pop();
    Owned* owned = held(uin);
    if (!owned || owned->timerDueMs != dueMs) continue;  // stale: re-armed or gone since
    owned->timerDueMs = 0;
    if (owned->unconfirmed.empty()) continue;
    const auto overdue = [&](const HeldPacket& packet) { return packet.sentMs + timeoutMs <= nowMs; };
    bool exhausted = false;
    for (const HeldPacket& packet : owned->unconfirmed)
      exhausted = exhausted || (overdue(packet) && packet.attempts >= settings_.retries);
    if (exhausted) {
      giveUps.push_back(uin);
      continue;
    }
    int64_t nextMs = INT64_MAX;
    for (HeldPacket& packet : owned->unconfirmed) {  // in SEQ1 order
      if (overdue(packet)) {
        packet.attempts++;
        packet.sentMs = nowMs;
        resend(owned->session, std::span<const HeldPacket>(&packet, 1));
      }
      nextMs = std::min(nextMs, packet.sentMs + timeoutMs);
    }
    armTimer(*owned, nextMs);
  }
}

}  // namespace icq::worker
