// worker: the V5 batch pipeline; see v5_processor.hpp for its shape.
//
// Steps of processBatch:
//   (A) decodeAll       — copy each datagram into one plaintext arena, decrypt, verify the
//                          checkcode per v5.verify_checkcode; garbage is counted and dropped.
//   (B) checkSessions   — one SessionStore::touch for every session-bound packet: session
//                          check (§5.1), duplicate filter (§4.5), refresh and re-homing.
//                          A CMD_ACK rides in the same call and clears the unconfirmed
//                          packet it names (§4.3).
//   (C) answerInOrder   — in arrival order: nothing for a CMD_ACK, ever; SRV_NOT_CONNECTED
//                          for foreign packets; SRV_ACK for the rest (duplicates get only
//                          that); then the command's handler. Logins are acknowledged here
//                          and queued.
//   (D) flush, then logins one by one.
// If the store is unreachable in (B), the session-bound packets get no answer at all:
// the client retransmits, and a later batch will reach a recovered store.
#include "worker/v5/v5_processor.hpp"

#include <chrono>
#include <limits>

#include "common/codec/v3/constants.hpp"
#include "common/codec/v5/constants.hpp"
#include "common/codec/version.hpp"
#include "common/ops/metrics.hpp"
#include "worker/v5/commands.hpp"

namespace icq::worker::v5 {
namespace {

namespace v5 = codec::v5;
constexpr size_t kNoTouch = std::numeric_limits<size_t>::max();

}  // namespace

V5Processor::V5Processor(const V5Settings& settings, const Stores& stores, const util::Clock& clock, Egress& egress,
                         uint64_t seed)
    : settings_(settings),
      stores_(stores),
      sessions_(stores.sessions),
      clock_(clock),
      egress_(egress),
      rng_(seed),
      outbox_(stores.sessions, egress, rng_),
      verifiers_(settings.verifierCache, clock) {
  plaintext_.reserve(64 * 1024);
}

void V5Processor::processBatch(std::string_view gateway, envelope::BatchReader& batch) {
  using Clock = std::chrono::steady_clock;  // timed per stage of the batch, never per packet
  const auto started = Clock::now();
  stats_.batches++;
  decodeAll(batch);
  const auto decoded = Clock::now();
  checkSessions(gateway);
  const auto checked = Clock::now();
  CommandContext ctx{settings_,        stores_.sessions, stores_.presence, stores_.users,
                     stores_.messages, stores_.limits,   clock_,           rng_,
                     egress_,          outbox_,          stats_,           gateway,
                     verifiers_};
  answerInOrder(ctx);
  const auto handled = Clock::now();
  flushOutbox();
  flushRecords();
  egress_.flush();
  const auto flushed = Clock::now();
  for (size_t i : logins_) {
    const WorkerStats::Marks before = stats_.marks();
    handleLogin(ctx, inbound_[i]);
    stats_.packet(commandSlot(*specs_[i]), stats_.resultSince(before, false));
  }
  flushOutbox();
  const auto done = Clock::now();
  timings_.decode.Observe(ops::secondsBetween(started, decoded));
  timings_.session.Observe(ops::secondsBetween(decoded, checked));
  timings_.handle.Observe(ops::secondsBetween(checked, handled));
  timings_.flush.Observe(ops::secondsBetween(handled, flushed));
  if (!logins_.empty()) timings_.login.Observe(ops::secondsBetween(flushed, done));
  timings_.batch.Observe(ops::secondsBetween(started, done));
}

void V5Processor::flushOutbox() {
  // A reliable packet that could not be recorded is not sent: its cause is answered by
  // the client's retransmission, or the notification is lost with the store (Redis is
  // a cache of the live network, ARCHITECTURE.md).
  if (!outbox_.flush()) stats_.storeFailures++;
}

void V5Processor::decodeAll(envelope::BatchReader& batch) {
  inbound_.clear();
  specs_.clear();
  plaintext_.clear();
  // Decoded packets point into plaintext_, so size it for the whole batch first.
  datagrams_.clear();
  envelope::Datagram d;
  size_t total = 0;
  while (batch.next(d)) {
    datagrams_.push_back(d);
    total += d.bytes.size();
  }
  if (batch.malformed()) stats_.envelopeMalformed++;
  if (plaintext_.capacity() < total) plaintext_.reserve(total);
  for (const envelope::Datagram& datagram : datagrams_) {
    if (codec::peekVersion(datagram.bytes) == codec::v3::kVersion3) continue;  // the V3 processor's
    stats_.datagrams++;
    size_t at = plaintext_.size();
    plaintext_.insert(plaintext_.end(), datagram.bytes.begin(), datagram.bytes.end());
    Inbound in;
    in.from = datagram.client;
    auto error = v5::decodeClientPacket(std::span(plaintext_).subspan(at, datagram.bytes.size()), in.packet);
    if (error != v5::DecodeError::none) {
      stats_.decodeErrors[static_cast<size_t>(error)]++;
      continue;
    }
    if (!in.packet.checkcodeValid && settings_.verifyCheckcode != CheckcodePolicy::off) {
      stats_.checkcodeFailures++;
      if (settings_.verifyCheckcode == CheckcodePolicy::drop) continue;
    }
    inbound_.push_back(in);
    specs_.push_back(&lookupCommand(in.packet.header.command));  // looked up once per packet
  }
}

void V5Processor::checkSessions(std::string_view gateway) {
  touches_.clear();
  touchIndex_.assign(inbound_.size(), kNoTouch);
  for (size_t i = 0; i < inbound_.size(); ++i) {
    const v5::ClientHeader& h = inbound_[i].header();
    bool isAck = h.command == v5::CMD_ACK;
    if (!isAck && specs_[i]->check != SessionCheck::session) continue;
    touchIndex_[i] = touches_.size();
    // An ACK is never a duplicate; it carries the SEQ1 of the server packet it confirms.
    // A command acknowledged after its effect is remembered only once that effect is
    // recorded (see runCommand), so a worker dying in between loses nothing.
    std::optional<uint16_t> acknowledges = isAck ? std::optional<uint16_t>(h.seq1) : std::nullopt;
    using Dedupe = store::TouchRequest::Dedupe;
    Dedupe dedupe = isAck                                       ? Dedupe::off
                    : specs_[i]->ack == AckTiming::after_effect ? Dedupe::check_only
                                                                : Dedupe::check_and_record;
    touches_.push_back(
        {h.uin, h.sessionId, inbound_[i].from, gateway, h.seq1, h.seq2, h.command, dedupe, acknowledges});
  }
  touchResults_.assign(touches_.size(), store::TouchResult::no_session);
  sessionsUnreachable_ = !touches_.empty() && !sessions_.touch(touches_, touchResults_);
  if (sessionsUnreachable_) stats_.storeFailures += touches_.size();
}

void V5Processor::answerInOrder(CommandContext& ctx) {
  logins_.clear();
  for (size_t i = 0; i < inbound_.size(); ++i) {
    const Inbound& in = inbound_[i];
    uint16_t command = in.header().command;
    if (command == v5::CMD_ACK) {
      stats_.packet(ackSlot(), sessionsUnreachable_ ? PacketResult::store_error : PacketResult::ok);
      countClientAck(i);
      continue;
    }
    const CommandSpec& spec = *specs_[i];
    const size_t slot = commandSlot(spec);
    if (spec.check == SessionCheck::session) {
      if (sessionsUnreachable_) {
        stats_.packet(slot, PacketResult::store_error);
        continue;  // no answer: the client retransmits
      }
      switch (touchResults_[touchIndex_[i]]) {
        case store::TouchResult::no_session:
        case store::TouchResult::mismatch:
          stats_.packet(slot, PacketResult::not_connected);
          ctx.sendNotConnected(in);
          continue;
        case store::TouchResult::duplicate:
          stats_.packet(slot, PacketResult::duplicate);
          stats_.duplicates++;
          ctx.sendAck(in);
          continue;
        case store::TouchResult::ok:
        case store::TouchResult::acknowledged:
          break;
      }
    }
    if (command == v5::CMD_LOGIN) {
      ctx.sendAck(in);  // before the slow work (§4.3); the login itself runs after the batch
      logins_.push_back(i);
      continue;
    }
    const WorkerStats::Marks before = stats_.marks();
    const bool retry = runCommand(ctx, spec, i);
    stats_.packet(slot, stats_.resultSince(before, retry));
  }
}

bool V5Processor::runCommand(CommandContext& ctx, const CommandSpec& spec, size_t i) {
  const Inbound& in = inbound_[i];
  if (spec.ack == AckTiming::first) ctx.sendAck(in);
  Outcome outcome = spec.handler(ctx, in);
  bool hasTouch = touchIndex_[i] != kNoTouch;
  if (outcome != Outcome::retry) {
    if (spec.ack == AckTiming::after_effect) {
      if (hasTouch) remember(touches_[touchIndex_[i]]);  // recorded: from now on a duplicate
      if (outcome == Outcome::done) ctx.sendAck(in);
    }
    return false;
  }
  // Not recorded: no ACK for an after-effect command (it never entered the window), and an
  // acknowledged-first one leaves the window, so the client's retransmission is processed.
  if (spec.ack == AckTiming::first && hasTouch && !sessions_.forgetDuplicate(touches_[touchIndex_[i]]))
    stats_.storeFailures++;
  return true;
}

void V5Processor::remember(const store::TouchRequest& touch) {
  store::TouchRequest& record = records_.emplace_back(touch);
  record.dedupe = store::TouchRequest::Dedupe::record_only;
}

void V5Processor::flushRecords() {
  if (records_.empty()) return;
  recordResults_.assign(records_.size(), store::TouchResult::ok);
  // Failure here costs at most a duplicate delivery of a retransmission, never a loss.
  if (!sessions_.touch(records_, recordResults_)) stats_.storeFailures++;
  records_.clear();
}

void V5Processor::countClientAck(size_t i) {
  // §4.3: never answered; an ACK we cannot match is ignored.
  if (sessionsUnreachable_) return;
  switch (touchResults_[touchIndex_[i]]) {
    case store::TouchResult::acknowledged:
      stats_.acksMatched++;
      break;
    default:
      stats_.acksUnmatched++;
      break;
  }
}

}  // namespace icq::worker::v5
