// worker: the ownership keeper; see ownership.hpp for the steps.
#include "worker/sessions/ownership.hpp"

#include <algorithm>
#include <thread>

namespace icq::worker {
namespace {

// Index entries the takeover walk reads per loop turn: enough to be done in a fraction of a
// second with 100,000 sessions, small enough that one turn never holds packets for long.
constexpr size_t kTakeoverSlice = 2000;
// Unconfirmed sessions looked at per turn by the resend timers.
constexpr size_t kTimerSlice = 1000;
// While the view settles or a walk is under way, the loop looks again this soon.
constexpr std::chrono::milliseconds kBusyWait{5};
// Backoff between attempts to write a batch while Redis fails, and its ceiling.
constexpr std::chrono::milliseconds kPersistRetry{10};
constexpr std::chrono::milliseconds kPersistRetryMax{500};
// The clear-text UIN both protocols carry: V5 at 6, V3 at 8 (as the gateway reads it).
constexpr size_t kV5UinOffset = 6;
constexpr size_t kV3UinOffset = 8;

uint32_t clearTextUin(std::span<const uint8_t> d) {
  const bool v3 = d.size() >= 2 && d[0] == 3 && d[1] == 0;
  const size_t at = v3 ? kV3UinOffset : kV5UinOffset;
  if (d.size() < at + 4) return 0;
  return uint32_t{d[at]} | uint32_t{d[at + 1]} << 8 | uint32_t{d[at + 2]} << 16 | uint32_t{d[at + 3]} << 24;
}

}  // namespace

Ownership::Ownership(MembershipClient& membership, OwnedSessions& sessions, pipeline::PeerLinks& peers,
                     SessionEndings& endings, pipeline::Egress& egress, const util::Clock& clock,
                     OwnershipStats& stats, const util::StopToken& stop)
    : membership_(membership),
      sessions_(sessions),
      peers_(peers),
      endings_(endings),
      egress_(egress),
      clock_(clock),
      stats_(stats),
      stop_(stop) {}

void Ownership::tend() {
  if (membership_.fenced()) {
    sessions_.fence();
    sessions_.awaitView();
    stats_.fenced++;
    membership_.rejoin();
    releasePending_ = false;
  }
  if (auto view = membership_.takeView()) adopt(*view);
  if (releasePending_ && sessions_.releaseForeign()) {
    releasePending_ = false;
    membership_.acknowledge(sessions_.owners().epoch());
    log::debug("membership_epoch_acknowledged", {{"epoch", sessions_.owners().epoch()}});
  }
  if (!releasePending_ && !sessions_.authoritative()) stats_.authoritative.set(sessions_.takeoverStep(kTakeoverSlice));
  runTimers();
  peers_.drainReplies();
  if (!egress_.flush()) return;
  if (!persist()) return;
  stats_.held.set(static_cast<int64_t>(sessions_.size()));
}

void Ownership::adopt(const store::MembershipView& view) {
  const bool moved = view.epoch != sessions_.owners().epoch();
  log::info("membership_view", {{"epoch", view.epoch}, {"settled", view.settled}, {"owners", view.owners.size()}});
  sessions_.adoptView(view, membership_.self().id);
  peers_.follow(view);
  stats_.epoch.set(static_cast<int64_t>(view.epoch));
  stats_.authoritative.set(sessions_.authoritative());
  if (moved) {
    stats_.released++;
    releasePending_ = true;
  }
}

void Ownership::runTimers() {
  sessions_.runDue(
      clock_.nowMs(), kTimerSlice,
      [&](const store::Session& session, std::span<const HeldPacket> packets) { endings_.resend(session, packets); },
      giveUps_);
  for (uint32_t uin : giveUps_) endings_.giveUp(uin);
}

void Ownership::leave() {
  leaving_ = true;
  membership_.leave();
}

// Left: the view no longer names us, and everything we held is written out and forgotten.
bool Ownership::left() const {
  return leaving_ && !releasePending_ && sessions_.size() == 0 &&
         sessions_.owners().indexOf(membership_.self().id) == sessions_.owners().size() &&
         sessions_.owners().epoch() != 0;
}

// Two leases: one for the view to change, one for our release to be written and seen.
std::chrono::milliseconds Ownership::leaveTimeout() const { return 2 * membership_.ttl(); }

void Ownership::withdraw() { membership_.withdraw(); }

std::chrono::milliseconds Ownership::idleWait(std::chrono::milliseconds wanted) const {
  if (releasePending_ || !sessions_.authoritative()) return std::min(wanted, kBusyWait);
  return wanted;
}

bool Ownership::persist() {
  if (!sessions_.pendingWrites()) return true;
  std::chrono::milliseconds backoff = kPersistRetry;
  while (true) {
    // A lapsed lease: others may hold these sessions now; nothing of ours may land.
    if (!membership_.leaseValid()) {
      sessions_.fence();
      stats_.fenced++;
      return false;
    }
    if (sessions_.flush()) return true;
    stats_.persistFailures++;
    persistFailures_.warn("session_writes_failed", {{"retry_ms", backoff.count()}});
    if (stop_.stopRequested()) return false;
    std::this_thread::sleep_for(backoff);
    backoff = std::min(backoff * 2, kPersistRetryMax);
  }
}

bool Ownership::split(std::string_view gateway, std::span<const uint8_t> batch, bool forwarded,
                      envelope::BatchWriter& here) {
  auto reader = envelope::BatchReader::open(batch);
  if (!reader) return false;
  // The common case first: every datagram is ours, and the batch is used as it came.
  envelope::Datagram d;
  bool allHere = true;
  while (allHere && reader->next(d)) {
    const uint32_t uin = clearTextUin(d.bytes);
    allHere = uin == 0 || sessions_.reach(uin) == Reach::here;  // UIN 0: registration, anyone's
  }
  if (allHere) return false;

  here.clear();
  const size_t owners = sessions_.owners().size();
  if (foreign_.size() < owners) foreign_.resize(owners, envelope::BatchWriter(envelope::Kind::Ingress));
  for (auto& writer : foreign_) writer.clear();
  reader = envelope::BatchReader::open(batch);
  while (reader->next(d)) {
    const uint32_t uin = clearTextUin(d.bytes);
    switch (uin == 0 ? Reach::here : sessions_.reach(uin)) {
      case Reach::here:
        here.add(d.client, d.receivedUs, d.bytes);
        break;
      case Reach::later:  // the former owner may still hold it: the client's retransmission comes back
        stats_.deferred++;
        break;
      case Reach::foreign:
        if (forwarded) {  // views differ both ways for a moment: never pass a datagram on twice
          stats_.deferred++;
          break;
        }
        foreign_[sessions_.owners().owner(uin)].add(d.client, d.receivedUs, d.bytes);
        break;
    }
  }
  for (size_t owner = 0; owner < owners; ++owner) {
    if (foreign_[owner].empty()) continue;
    if (peers_.forward(owner, gateway, foreign_[owner].message()))
      stats_.forwarded += foreign_[owner].count();
    else
      stats_.deferred += foreign_[owner].count();
  }
  return true;
}

}  // namespace icq::worker
