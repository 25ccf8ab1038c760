// worker: the sessions this worker owns; see owned_sessions.hpp for the design.
#include "worker/sessions/owned_sessions.hpp"

#include <algorithm>
#include <cstring>

#include "common/codec/v5/constants.hpp"
#include "common/log/log.hpp"
#include "common/redis/session_fields.hpp"

namespace icq::worker {
namespace {

using store::TouchRequest;
using store::TouchResult;

// The V3 LOGON (0x03E8) is remembered by SEQ1 and command alone, as every V3 packet is
// (protocol-v3.md §3.7).
redis::Triple loginTripleOf(const store::Session& session) {
  return redis::Triple(session.loginSeq1, session.protocol == 3 ? 0 : session.loginSeq2, codec::v5::CMD_LOGIN);
}

}  // namespace

OwnedSessions::OwnedSessions(const OwnedSettings& settings, redis::RedisSessionLedger& ledger,
                             store::SessionDirectory& directory, store::MessageStore& messages,
                             const util::Clock& clock)
    : settings_(settings), ledger_(ledger), directory_(directory), messages_(messages), clock_(clock) {
  settings_.window = std::clamp<size_t>(settings_.window, 1, kMaxWindow);
}

// ---- ownership ------------------------------------------------------------------------------

void OwnedSessions::adoptView(const store::MembershipView& view, std::string_view self) {
  const bool newEpoch = view.epoch != owners_.epoch();
  owners_ = store::OwnerTable(view);
  self_ = self;
  settled_ = view.isSettled();
  if (newEpoch) {  // sessions may have moved to us: not authoritative until we have looked
    authoritative_ = false;
    takeoverStarted_ = false;
    takeoverCursor_ = 0;
  }
}

bool OwnedSessions::owns(uint32_t uin) const { return owners_.owns(self_, uin); }

Reach OwnedSessions::reach(uint32_t uin) const {
  if (!owns(uin)) return Reach::foreign;
  if (settled_ || sessions_.count(uin) != 0) return Reach::here;
  return Reach::later;
}

bool OwnedSessions::releaseForeign() {
  released_.clear();
  for (auto& [uin, owned] : sessions_) {
    if (owns(uin)) continue;
    const std::string_view window(owned.window.data(), settings_.window * kTripleSize);
    ledger_.saveWindow(uin, owned.session.lastSeenMs, owned.session.gateway, window, owned.windowPos);
    released_.push_back(uin);
  }
  if (released_.empty()) return true;
  if (!ledger_.flush()) return false;
  for (uint32_t uin : released_) sessions_.erase(uin);
  log::info("sessions_released", {{"count", released_.size()}, {"epoch", owners_.epoch()}});
  return true;
}

bool OwnedSessions::takeoverStep(size_t count) {
  if (authoritative_) return true;
  if (!settled_) return false;
  takeoverStarted_ = true;
  if (!ledger_.scanOnline(takeoverCursor_, count, scanned_)) return false;
  missing_.clear();
  for (uint32_t uin : scanned_)
    if (owns(uin) && sessions_.count(uin) == 0) missing_.push_back(uin);
  if (!missing_.empty()) {
    if (!ledger_.load(missing_, loaded_)) return false;
    for (auto& loaded : loaded_)
      if (loaded) adoptLoaded(std::move(*loaded));
  }
  if (takeoverCursor_ != 0) return false;
  authoritative_ = true;
  log::info("sessions_taken_over", {{"held", sessions_.size()}, {"epoch", owners_.epoch()}});
  return true;
}

void OwnedSessions::fence() {
  fences_++;
  sessions_.clear();
  timers_ = {};
  ledger_.discard();
  authoritative_ = false;
  takeoverStarted_ = false;
  takeoverCursor_ = 0;
}

OwnedSessions::Owned* OwnedSessions::held(uint32_t uin) {
  auto it = sessions_.find(uin);
  return it == sessions_.end() ? nullptr : &it->second;
}

bool OwnedSessions::loadMissing(std::span<const uint32_t> uins) {
  if (authoritative_) return true;
  missing_.clear();
  for (uint32_t uin : uins)
    if (owns(uin) && sessions_.count(uin) == 0 &&
        std::find(missing_.begin(), missing_.end(), uin) == missing_.end())
      missing_.push_back(uin);
  if (missing_.empty()) return true;
  // Unsettled: the former owner may still hold these, so nobody may read them yet. The
  // caller answers as if the store had failed (the client's retransmission comes back).
  if (!settled_) return false;
  if (!ledger_.load(missing_, loaded_)) return false;
  for (auto& loaded : loaded_)
    if (loaded) adoptLoaded(std::move(*loaded));
  return true;
}

// A session written by another owner (or by us before a restart) becomes ours: our epoch from
// now on — its unconfirmed packets and its next SEQ1 are written again under it, the former
// owner's fields dropped — and its packets are resent at the next timer turn (the former owner
// may have died before resending them; a client drops what it already has). Its last-seen is
// Redis's, which lags the client's last packet by up to a refresh interval: it counts as that
// much later (never after now), so the session never expires early.
//
// A packet field older than the epoch of the next-SEQ1 field was written by a former owner
// after it had lost the session (every owner re-tags what it adopts): the client may already
// have had that SEQ1 from the owner of the newer epoch. So may a packet numbered at or past the
// next SEQ1 (within half the SEQ1 space: V3 wraps), which the next packet queued here would
// take. Such a packet is not resent; its message is kept offline and its field goes.
void OwnedSessions::adoptLoaded(redis::LedgerSession&& loaded) {
  const uint32_t uin = loaded.session.uin;
  const int64_t now = clock_.nowMs();
  Owned& owned = sessions_[uin];
  owned = Owned{};
  owned.session = std::move(loaded.session);
  owned.epoch = owners_.epoch();
  owned.savedSeenMs = owned.session.lastSeenMs;
  owned.session.lastSeenMs = std::min(now, owned.session.lastSeenMs + refreshOf(owned).count());
  owned.offlineClaimed = loaded.offlineClaimed;
  owned.offlineBatch = loaded.offlineBatch;
  std::memcpy(owned.window.data(), loaded.window.data(), std::min(loaded.window.size(), owned.window.size()));
  owned.windowPos = loaded.windowPos < settings_.window ? loaded.windowPos : 0;
  owned.unconfirmed.reserve(loaded.unconfirmed.size());
  auto orphan = [&](HeldPacket&& packet) {
    ledger_.dropUnconfirmed(uin, packet.seq1, packet.epoch);
    owned.orphans.push_back(std::move(packet));
  };
  for (auto& packet : loaded.unconfirmed) {
    HeldPacket next{packet.seq1, packet.command, packet.seq2, packet.epoch, 0, std::move(packet.body)};
    const bool staleEpoch = loaded.nextEpoch != 0 && next.epoch < loaded.nextEpoch;
    if (staleEpoch || static_cast<uint16_t>(next.seq1 - owned.session.nextSeq1) < 0x8000) {
      orphan(std::move(next));
      continue;
    }
    // Two fields for one SEQ1 of the same epoch cannot be; of two epochs (sorted), the newer wins.
    if (!owned.unconfirmed.empty() && owned.unconfirmed.back().seq1 == next.seq1) {
      std::swap(owned.unconfirmed.back(), next);
      orphan(std::move(next));
      continue;
    }
    owned.unconfirmed.push_back(std::move(next));
  }
  // Re-tagged under our epoch. A field already ours is written over, never deleted and written
  // again: the two commands are not atomic, and a Redis crash between them would keep the
  // delete alone (a packet, or the SEQ1 counter, gone for the next owner).
  for (HeldPacket& packet : owned.unconfirmed) {
    if (packet.epoch != owned.epoch) ledger_.dropUnconfirmed(uin, packet.seq1, packet.epoch);
    packet.epoch = owned.epoch;
    ledger_.saveUnconfirmed(uin, owned.epoch, packet.seq1, packet.command, packet.seq2, packet.body,
                            owned.session.nextSeq1);
  }
  if (loaded.nextEpoch != 0 && loaded.nextEpoch != owned.epoch)
    loaded.staleFields.push_back(redis::RedisSessionLedger::nextField(loaded.nextEpoch));
  ledger_.dropFields(uin, loaded.staleFields);
  ledger_.saveNext(uin, owned.epoch, owned.session.nextSeq1);
  keepOrphans(owned);
  if (!owned.unconfirmed.empty()) {
    owned.scheduled = true;  // it is in the schedule, or the sweep's nudge brought us here
    armTimer(owned, now);
  }
}

// Orphaned packets' messages go offline; if the message store fails they stay with the
// session (not resent) and are tried again when it ends.
void OwnedSessions::keepOrphans(Owned& owned) {
  if (owned.orphans.empty()) return;
  size_t kept = 0;
  if (rescueMessages(messages_, owned.session.uin, owned.session.protocol, owned.orphans, clock_.nowMs(), kept))
    owned.orphans.clear();
}

// ---- the packet path -------------------------------------------------------------------------

bool OwnedSessions::touch(std::span<const TouchRequest> requests, std::span<TouchResult> results) {
  if (results.size() < requests.size()) return false;
  if (!authoritative_) {
    candidates_.clear();
    for (const TouchRequest& request : requests) candidates_.push_back(request.uin);
    if (!loadMissing(candidates_)) return false;
  }
  const int64_t now = clock_.nowMs();
  for (size_t i = 0; i < requests.size(); ++i) {
    const TouchRequest& request = requests[i];
    Owned* owned = held(request.uin);
    if (!owned) {
      results[i] = TouchResult::no_session;
      continue;
    }
    if (!owned->session.sameClient(request.sessionId, request.client)) {
      results[i] = TouchResult::mismatch;
      continue;
    }
    refresh(*owned, request, now);
    const redis::Triple triple(request.seq1, request.seq2, request.command);
    switch (request.dedupe) {
      case TouchRequest::Dedupe::off:
        results[i] = request.acknowledges && acknowledge(*owned, *request.acknowledges) ? TouchResult::acknowledged
                                                                                         : TouchResult::ok;
        break;
      case TouchRequest::Dedupe::check_and_record:
        if (windowHas(*owned, triple)) {
          results[i] = TouchResult::duplicate;
          break;
        }
        windowRecord(*owned, triple);
        results[i] = TouchResult::ok;
        break;
      case TouchRequest::Dedupe::check_only:
        results[i] = windowHas(*owned, triple) ? TouchResult::duplicate : TouchResult::ok;
        break;
      case TouchRequest::Dedupe::record_only:
        windowRecord(*owned, triple);
        results[i] = TouchResult::ok;
        break;
    }
  }
  return true;
}

// Last-seen moves in memory with every packet and reaches Redis once per refresh interval; a
// new home gateway (the client's packets now come through another one) is written at once,
// since server-initiated packets of other processes' making follow it.
void OwnedSessions::refresh(Owned& owned, const TouchRequest& request, int64_t nowMs) {
  owned.session.lastSeenMs = nowMs;
  if (owned.session.gateway != request.gateway) {
    owned.session.gateway.assign(request.gateway);
    owned.gatewayMoved = true;
  }
  if (owned.gatewayMoved || nowMs - owned.savedSeenMs >= refreshOf(owned).count()) {
    ledger_.saveSeen(owned.session.uin, nowMs, owned.session.gateway);
    owned.savedSeenMs = nowMs;
    owned.gatewayMoved = false;
  }
}

std::chrono::milliseconds OwnedSessions::refreshOf(const Owned& owned) const {
  return owned.session.protocol == 3 ? settings_.refreshV3 : settings_.refreshV5;
}

// Triples are compared at 6-byte boundaries; an all-zero slot is never a real triple (no
// client sends COMMAND 0), which is how a forgotten one is erased.
bool OwnedSessions::windowHas(const Owned& owned, std::string_view triple) const {
  for (size_t slot = 0; slot < settings_.window; ++slot)
    if (std::memcmp(owned.window.data() + slot * kTripleSize, triple.data(), kTripleSize) == 0) return true;
  return false;
}

void OwnedSessions::windowRecord(Owned& owned, std::string_view triple) {
  if (owned.windowPos >= settings_.window) owned.windowPos = 0;
  std::memcpy(owned.window.data() + owned.windowPos * kTripleSize, triple.data(), kTripleSize);
  owned.windowPos = static_cast<uint32_t>((owned.windowPos + 1) % settings_.window);
}

// Every held packet's body comes from here and goes back through spareBody, so steady traffic
// reuses the same storage; the spares are capped, so that a burst of acknowledgements, or a
// path that takes without giving back, cannot make them grow for ever.
std::vector<uint8_t> OwnedSessions::bodyOf(std::span<const uint8_t> bytes) {
  std::vector<uint8_t> body;
  if (!spareBodies_.empty()) {
    body = std::move(spareBodies_.back());
    spareBodies_.pop_back();
  }
  body.assign(bytes.begin(), bytes.end());
  return body;
}

void OwnedSessions::spareBody(std::vector<uint8_t>&& body) {
  if (spareBodies_.size() < kMaxSpareBodies) spareBodies_.push_back(std::move(body));
}

bool OwnedSessions::acknowledge(Owned& owned, uint16_t seq1) {
  auto it = std::find_if(owned.unconfirmed.begin(), owned.unconfirmed.end(),
                         [seq1](const HeldPacket& packet) { return packet.seq1 == seq1; });
  if (it == owned.unconfirmed.end()) return false;
  ledger_.dropUnconfirmed(owned.session.uin, it->seq1, it->epoch);
  spareBody(std::move(it->body));
  owned.unconfirmed.erase(it);
  if (owned.unconfirmed.empty() && owned.scheduled) {
    ledger_.unschedule(owned.session.uin);
    owned.scheduled = false;
  }
  return true;
}

bool OwnedSessions::forgetDuplicate(const TouchRequest& request) {
  Owned* owned = held(request.uin);
  if (!owned || owned->session.sessionId != request.sessionId) return true;
  const redis::Triple triple(request.seq1, request.seq2, request.command);
  const std::string_view bytes = triple;
  for (size_t slot = 0; slot < settings_.window; ++slot) {
    char* at = owned->window.data() + slot * kTripleSize;
    if (std::memcmp(at, bytes.data(), kTripleSize) == 0) std::memset(at, 0, kTripleSize);
  }
  return true;
}

bool OwnedSessions::claimPreLogin(const TouchRequest& request, bool& first, uint32_t& result) {
  return directory_.claimPreLogin(request, first, result);
}

bool OwnedSessions::finishPreLogin(const TouchRequest& request, uint32_t result) {
  return directory_.finishPreLogin(request, result);
}

bool OwnedSessions::find(uint32_t uin, std::optional<store::Session>& out) {
  out.reset();
  if (!owns(uin)) return directory_.find(uin, out);
  if (!loadMissing(uin)) return false;
  if (const Owned* owned = held(uin)) out = owned->session;
  return true;
}

bool OwnedSessions::replace(const store::Session& fresh, const store::ReliablePacket& loginReply,
                            std::optional<store::Session>& replaced) {
  replaced.reset();
  if (!loadMissing(fresh.uin)) return false;
  const int64_t now = clock_.nowMs();
  Owned* old = held(fresh.uin);
  // The old session's messages are kept before Redis forgets them: a failure leaves both.
  size_t rescued = 0;
  if (old && !rescueMessages(messages_, fresh.uin, old->session.protocol, old->unconfirmed, now, rescued))
    return false;
  store::Session session = fresh;
  session.nextSeq1 = 1;  // the login reply takes SEQ1 0 (§4.2)
  session.lastSeenMs = now;
  const uint64_t epoch = owners_.epoch();
  const redis::Triple triple = loginTripleOf(session);
  const int64_t due = scheduleDueMs(now);
  if (!ledger_.create(session, epoch, triple, loginReply.command, loginReply.seq2, loginReply.body, due)) return false;

  if (old) {
    replaced = old->session;
    for (HeldPacket& packet : old->unconfirmed) spareBody(std::move(packet.body));
  }
  Owned& owned = sessions_[fresh.uin];
  owned = Owned{};
  owned.session = std::move(session);
  owned.epoch = epoch;
  owned.savedSeenMs = now;
  windowRecord(owned, triple);
  owned.unconfirmed.push_back({0, loginReply.command, loginReply.seq2, epoch, 0, bodyOf(loginReply.body), now});
  owned.scheduled = true;
  armTimer(owned, now + settings_.retransmitTimeout.count());
  return true;
}

bool OwnedSessions::queueReliable(std::span<const store::ReliablePacket> packets,
                                  std::span<store::ReliableRoute> routes) {
  if (routes.size() < packets.size()) return false;
  if (!authoritative_) {
    candidates_.clear();
    for (const store::ReliablePacket& packet : packets) candidates_.push_back(packet.uin);
    if (!loadMissing(candidates_)) return false;
  }
  const int64_t now = clock_.nowMs();
  for (size_t i = 0; i < packets.size(); ++i) {
    const store::ReliablePacket& packet = packets[i];
    store::ReliableRoute& route = routes[i];
    route = store::ReliableRoute{};
    if (!owns(packet.uin)) {  // the caller routes by the same view: a view changed in between
      route.retry = true;
      continue;
    }
    Owned* owned = held(packet.uin);
    if (!owned) continue;
    store::Session& session = owned->session;
    if (packet.sessionId != 0 && session.sessionId != packet.sessionId) continue;
    if (packet.protocol != 0 && packet.protocol != session.protocol) continue;
    // licq cannot follow a V5 SEQ1 past 0xFFFF (§4.2): nothing more for such a session; a
    // V3 session wraps to 0 (protocol-v3.md §3.2). nextSeq1 is 0 only after a wrap.
    if (session.nextSeq1 == 0 && session.protocol != 3) continue;
    const bool v3Form = session.protocol == 3 && packet.v3Form.has_value();
    const uint16_t command = v3Form ? packet.v3Form->command : packet.command;
    const std::span<const uint8_t> body = v3Form ? packet.v3Form->body : packet.body;
    const uint16_t seq1 = session.nextSeq1++;
    HeldPacket& held = owned->unconfirmed.emplace_back();
    held.seq1 = seq1;
    held.command = command;
    held.seq2 = packet.seq2;
    held.epoch = owned->epoch;
    held.sentMs = now;
    held.body = bodyOf(body);
    ledger_.saveUnconfirmed(packet.uin, owned->epoch, seq1, command, packet.seq2, body, session.nextSeq1);
    if (!owned->scheduled) {
      ledger_.schedule(packet.uin, scheduleDueMs(now));
      owned->scheduled = true;
    }
    if (owned->timerDueMs == 0) armTimer(*owned, now + settings_.retransmitTimeout.count());
    route.queued = true;
    route.seq1 = seq1;
    route.sessionId = session.sessionId;
    route.client = session.client;
    route.gateway = session.gateway;
    route.protocol = session.protocol;
  }
  return true;
}

bool OwnedSessions::end(uint32_t uin, uint32_t sessionId, const util::Endpoint& client,
                        std::optional<store::Session>& ended) {
  size_t rescued = 0;
  return terminate(uin, &client, sessionId, ended, rescued);
}

bool OwnedSessions::terminate(uint32_t uin, const util::Endpoint* client, uint32_t sessionId,
                              std::optional<store::Session>& ended, size_t& rescued) {
  ended.reset();
  rescued = 0;
  if (!loadMissing(uin)) return false;
  Owned* owned = held(uin);
  if (!owned || (client && !owned->session.sameClient(sessionId, *client))) return true;
  if (!rescueMessages(messages_, uin, owned->session.protocol, owned->unconfirmed, clock_.nowMs(), rescued))
    return false;
  keepOrphans(*owned);
  if (!owned->orphans.empty()) return false;
  bool existed = false;
  uint32_t status = owned->session.status;
  if (!ledger_.remove(uin, existed, status)) return false;
  ended = std::move(owned->session);
  if (existed) ended->status = status;
  for (HeldPacket& packet : owned->unconfirmed) spareBody(std::move(packet.body));
  sessions_.erase(uin);
  return true;
}

bool OwnedSessions::checkExpiry(uint32_t uin, int64_t v5CutoffMs, int64_t v3CutoffMs, int64_t indexScoreMs,
                                std::optional<store::Session>& expired) {
  expired.reset();
  if (!owns(uin)) return true;  // its owner under our view is asked by the next sweep
  if (!loadMissing(uin)) return false;
  Owned* owned = held(uin);
  if (!owned) {
    // No session, and we would hold it: the entry stands for nothing (a compare-and-delete,
    // so that a login writing it anew keeps it).
    return ledger_.unindex(uin, indexScoreMs);
  }
  const int64_t cutoff = owned->session.protocol == 3 ? v3CutoffMs : v5CutoffMs;
  if (owned->session.lastSeenMs > cutoff) {
    // Active: look again when it could be due, on the sweep's later cutoff.
    const int64_t later = std::max(v5CutoffMs, v3CutoffMs);
    ledger_.reindex(uin, owned->session.lastSeenMs + (later - cutoff));
    return true;
  }
  size_t rescued = 0;
  return terminate(uin, nullptr, 0, expired, rescued);
}

bool OwnedSessions::checkOverdue(uint32_t uin) {
  if (!owns(uin)) return true;
  if (!loadMissing(uin)) return false;
  Owned* owned = held(uin);
  if (!owned || owned->unconfirmed.empty()) {
    ledger_.unschedule(uin);
    if (owned) owned->scheduled = false;
    return true;
  }
  // Still unconfirmed: our timers resend them; the entry moves past the remaining retries.
  if (owned->timerDueMs == 0) armTimer(*owned, clock_.nowMs());
  ledger_.schedule(uin, scheduleDueMs(clock_.nowMs()));
  return true;
}

void OwnedSessions::noteStatus(uint32_t uin, uint32_t status) {
  if (Owned* owned = held(uin)) owned->session.status = status;
}

bool OwnedSessions::claimOfflineDelivery(uint32_t uin, uint32_t sessionId, bool& first) {
  first = false;
  if (!loadMissing(uin)) return false;
  Owned* owned = held(uin);
  if (!owned || owned->session.sessionId != sessionId || owned->offlineClaimed) return true;
  owned->offlineClaimed = first = true;
  ledger_.saveOfflineClaim(uin);
  return true;
}

bool OwnedSessions::setOfflineBatch(uint32_t uin, uint32_t sessionId, int64_t upToId) {
  if (!loadMissing(uin)) return false;
  Owned* owned = held(uin);
  if (!owned || owned->session.sessionId != sessionId) return true;
  owned->offlineBatch = upToId;
  ledger_.saveOfflineBatch(uin, upToId);
  return true;
}

bool OwnedSessions::offlineBatch(uint32_t uin, uint32_t sessionId, int64_t& upToId) {
  upToId = 0;
  if (!loadMissing(uin)) return false;
  const Owned* owned = held(uin);
  if (owned && owned->session.sessionId == sessionId) upToId = owned->offlineBatch;
  return true;
}

// ---- timers ------------------------------------------------------------------------------

void OwnedSessions::armTimer(Owned& owned, int64_t dueMs) {
  if (owned.timerDueMs != 0 && owned.timerDueMs <= dueMs) return;
  owned.timerDueMs = dueMs;
  timers_.emplace(dueMs, owned.session.uin);
}

// The schedule entry is a backstop for an owner that died: by then this owner has either had
// every packet confirmed (and removed the entry) or given up on the session.
int64_t OwnedSessions::scheduleDueMs(int64_t nowMs) const {
  return nowMs + settings_.retransmitTimeout.count() * (settings_.retries + 2);
}

}  // namespace icq::worker
