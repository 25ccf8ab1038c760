// worker: the batch core; see batch_core.hpp for who fills in what.
//
// Steps of run(), after the protocol has decoded the round's packets (step A):
//   (B) checkSessions  — one SessionStore::touch for every session-bound packet and every
//                         client ACK: the session check, the duplicate filter and the refresh
//                         (and re-homing to this gateway) of the session. A client ACK rides in
//                         the same call and clears the unconfirmed packet it names. One round
//                         trip for the round.
//   (C) answerInOrder  — in arrival order: nothing for a client ACK, ever; NOT_CONNECTED (or
//                         silence, per the packet's check and timing) for a packet without its
//                         session; only the ACK for a duplicate; else the ACK and the handler
//                         as the timing says. Logins are acknowledged here, before any slow
//                         work, and queued.
//   then the flush     — reliable packets (numbered and recorded in one round trip), the
//                         duplicate window's records of after-effect packets, the egress;
//   (D) runLogins      — the logins one by one (a memory-hard password check each), then their
//                         reliable packets and egress. A burst of logins never delays the ACK
//                         of another packet of the batch.
// If the session store is unreachable in (B), the session-bound packets get no answer at
// all: the client retransmits, and a later batch reaches a recovered store.
#include "worker/core/batch_core.hpp"

namespace icq::worker::core {

using Dedupe = store::TouchRequest::Dedupe;

Dedupe dedupeFor(Packet::Kind kind, AckTiming ack) {
  if (kind == Packet::Kind::client_ack || ack == AckTiming::never) return Dedupe::off;
  // Remembered only once the effect is recorded (runCommand), so a worker dying in
  // between loses nothing: the retransmission is processed.
  if (ack == AckTiming::after_effect) return Dedupe::check_only;
  return Dedupe::check_and_record;
}

BatchCore::BatchCore(store::SessionStore& sessions, pipeline::Outbox& outbox, pipeline::Egress& egress,
                     PacketCounters& counters, std::span<PacketRow> rows)
    : sessions_(sessions), outbox_(outbox), egress_(egress), counters_(counters), rows_(rows) {}

StageTimes BatchCore::run(BatchProtocol& protocol, std::string_view gateway) {
  using Clock = StageTimes::Clock;  // timed per stage of the round, never per packet
  StageTimes times;
  checkSessions(gateway);
  times.checked = Clock::now();
  answerInOrder(protocol);
  times.handled = Clock::now();
  flushOutbox();
  flushRecords();
  // Logins wait for the database: what the batch answered leaves before them. Otherwise the
  // egress goes with the rest of the worker's turn (one gated write to Redis and one
  // envelope per gateway for every batch of the turn).
  if (!logins_.empty()) egress_.flush();
  times.flushed = Clock::now();
  runLogins(protocol);
  times.done = Clock::now();
  times.logins = logins_.size();
  return times;
}

void BatchCore::checkSessions(std::string_view gateway) {
  touches_.clear();
  touchIndex_.assign(packets_.size(), kNoTouch);
  for (size_t i = 0; i < packets_.size(); ++i) {
    const Packet& p = packets_[i];
    if (p.kind != Packet::Kind::client_ack && p.check == SessionCheck::none) continue;
    touchIndex_[i] = touches_.size();
    touches_.emplace_back(p.touch).gateway = gateway;
  }
  touchResults_.assign(touches_.size(), store::TouchResult::no_session);
  sessionsUnreachable_ = !touches_.empty() && !sessions_.touch(touches_, touchResults_);
  if (sessionsUnreachable_) counters_.storeFailures += touches_.size();
}

void BatchCore::answerInOrder(BatchProtocol& protocol) {
  logins_.clear();
  for (size_t i = 0; i < packets_.size(); ++i) {
    const Packet& p = packets_[i];
    if (p.kind == Packet::Kind::client_ack) {
      countClientAck(i);
      continue;
    }
    if (p.check != SessionCheck::none && !admit(protocol, i)) continue;
    if (p.kind == Packet::Kind::login) {
      protocol.sendAck(i);  // before the slow work; the login itself runs after the batch
      logins_.push_back(i);
      continue;
    }
    const PacketCounters::Marks before = counters_.marks();
    const bool retry = runCommand(protocol, i);
    count(i, counters_.resultSince(before, retry));
  }
}

void BatchCore::countClientAck(size_t i) {
  // Never answered; an ACK that matches nothing is ignored.
  count(i, sessionsUnreachable_ ? PacketResult::store_error : PacketResult::ok);
  if (sessionsUnreachable_) return;
  if (touchResults_[touchIndex_[i]] == store::TouchResult::acknowledged)
    counters_.acksMatched++;
  else
    counters_.acksUnmatched++;
}

bool BatchCore::admit(BatchProtocol& protocol, size_t i) {
  const Packet& p = packets_[i];
  if (sessionsUnreachable_) {
    count(i, PacketResult::store_error);
    return false;  // no answer: the client retransmits
  }
  switch (touchResults_[touchIndex_[i]]) {
    case store::TouchResult::no_session:
      count(i, PacketResult::not_connected);
      // Never to a packet that is never answered: Miranda answers a V3 NOT_CONNECTED to its
      // LOGOFF with LOGOFF + LOGON, a loop (protocol-v3.md §5.5).
      if (p.ack != AckTiming::never) protocol.sendNotConnected(i);
      return false;
    case store::TouchResult::mismatch:
      count(i, PacketResult::not_connected);
      if (p.check == SessionCheck::session) protocol.sendNotConnected(i);
      return false;
    case store::TouchResult::duplicate:
      count(i, PacketResult::duplicate);
      counters_.duplicates++;
      protocol.sendAck(i);
      return false;
    case store::TouchResult::ok:
    case store::TouchResult::acknowledged:
      break;
  }
  return true;
}

bool BatchCore::runCommand(BatchProtocol& protocol, size_t i) {
  const Packet& p = packets_[i];
  if (p.ack == AckTiming::first) protocol.sendAck(i);
  const Outcome outcome = protocol.handle(i);
  if (outcome == Outcome::handed_over) return false;  // the worker it went to answers and remembers
  if (outcome != Outcome::retry) {
    if (p.ack == AckTiming::after_effect) {
      if (hasTouch(i)) remember(touches_[touchIndex_[i]]);  // recorded: from now on a duplicate
      if (outcome == Outcome::done) protocol.sendAck(i);
    }
    return false;
  }
  // Not recorded: no ACK for an after-effect command (it never entered the window), and an
  // acknowledged-first one leaves the window, so the client's retransmission is processed.
  if (p.ack == AckTiming::first && hasTouch(i) && !sessions_.forgetDuplicate(touches_[touchIndex_[i]]))
    counters_.storeFailures++;
  return true;
}

void BatchCore::runLogins(BatchProtocol& protocol) {
  for (size_t i : logins_) {
    const PacketCounters::Marks before = counters_.marks();
    protocol.login(i);
    count(i, counters_.resultSince(before, false));
  }
  flushOutbox();
}

void BatchCore::remember(const store::TouchRequest& touch) {
  store::TouchRequest& record = records_.emplace_back(touch);
  record.dedupe = Dedupe::record_only;
}

void BatchCore::flushOutbox() {
  // A reliable packet that could not be recorded is not sent: its cause is answered by the
  // client's retransmission, or the notification is lost with the store (Redis is a cache of
  // the live network, ARCHITECTURE.md).
  if (!outbox_.flush()) counters_.storeFailures++;
}

void BatchCore::flushRecords() {
  if (records_.empty()) return;
  recordResults_.assign(records_.size(), store::TouchResult::ok);
  // Failure here costs at most a duplicate delivery of a retransmission, never a loss.
  if (!sessions_.touch(records_, recordResults_)) counters_.storeFailures++;
  records_.clear();
}

}  // namespace icq::worker::core
