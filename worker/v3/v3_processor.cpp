// worker: the V3 batch pipeline; see v3_processor.hpp for its shape.
//
// Steps of processBatch:
//   (A) decode         — the V3 datagrams of the batch (first u16 = 3); no checksum, no
//                         crypt (§2.3), so a packet is a view of the datagram.
//   (B) checkSessions  — one SessionStore::touch per session-bound packet and per ACK: the
//                         session check of §2.6 (uin, source ip and port; V3 sessions have
//                         session id 0, so a V5 session never matches), the duplicate filter
//                         of §3.7 keyed (uin, seq1, command) — seq2 is left out of the key —
//                         and an ACK's match (§3.3: on uin and seq1). All one round trip.
//   (C) answerInOrder  — in arrival order: nothing for an ACK; NOT_CONNECTED (or silence,
//                         per command) without a session; ACK only for a duplicate; else the
//                         ACK and the handler per the table. Logons are acknowledged here,
//                         before any check (§5.2 step 1), and queued.
//   (D) flush, then the logons one by one; then the packets assembled from fragments in this
//       batch go through (B)–(D) again. They cannot themselves be fragments (the codec checks
//       the inner packet), so one more round is all there can be.
// If the store is unreachable in (B), the session-bound packets get no answer at all: the
// client retransmits (§3.6), and a later batch reaches a recovered store.
#include "worker/v3/v3_processor.hpp"

#include <limits>

#include "common/codec/version.hpp"

namespace icq::worker::v3 {
namespace {

namespace v3 = codec::v3;
constexpr size_t kNoTouch = std::numeric_limits<size_t>::max();

}  // namespace

V3Processor::V3Processor(const V3Settings& settings, const Stores& stores, const util::Clock& clock, Egress& egress,
                         pipeline::Outbox& outbox)
    : settings_(settings), stores_(stores), clock_(clock), egress_(egress), outbox_(outbox) {}

void V3Processor::processBatch(std::string_view gateway, envelope::BatchReader& batch) {
  inbound_.clear();
  specs_.clear();
  assembled_.clear();
  envelope::Datagram d;
  while (batch.next(d))
    if (codec::peekVersion(d.bytes) == v3::kVersion3) decode(d.bytes, d.client);
  if (inbound_.empty()) return;
  V3Context ctx{settings_,     stores_.sessions,  stores_.presence,    stores_.users, stores_.messages,
                stores_.limits, stores_.fragments, stores_.departments, clock_,        egress_,
                outbox_,        stats_,            gateway,             assembled_};
  runPackets(ctx);
  if (assembled_.empty()) return;
  running_.swap(assembled_);
  assembled_.clear();
  inbound_.clear();
  specs_.clear();
  for (const AssembledPacket& packet : running_) decode(packet.bytes, packet.from);
  runPackets(ctx);
}

void V3Processor::decode(std::span<const uint8_t> bytes, const util::Endpoint& from) {
  stats_.datagrams++;
  V3Inbound in;
  in.from = from;
  auto error = v3::decodePacket(bytes, in.packet);
  if (error != v3::DecodeError::none) {
    stats_.decodeErrors[static_cast<size_t>(error)]++;
    return;
  }
  inbound_.push_back(in);
  specs_.push_back(&lookupV3Command(in.header().command));  // looked up once per packet
}

void V3Processor::runPackets(V3Context& ctx) {
  checkSessions(ctx.gateway);
  answerInOrder(ctx);
  flushOutbox();
  flushRecords();
  egress_.flush();
  for (size_t i : logons_) {
    const V3Stats::Marks before = stats_.marks();
    handleV3Logon(ctx, inbound_[i]);
    stats_.packet(v3CommandSlot(*specs_[i]), stats_.resultSince(before, false));
  }
  flushOutbox();
  egress_.flush();
}

void V3Processor::flushOutbox() {
  // As in the V5 pipeline: a reliable packet that could not be recorded is not sent.
  if (!outbox_.flush()) stats_.storeFailures++;
}

void V3Processor::checkSessions(std::string_view gateway) {
  touches_.clear();
  touchIndex_.assign(inbound_.size(), kNoTouch);
  for (size_t i = 0; i < inbound_.size(); ++i) {
    const v3::Header& h = inbound_[i].header();
    const bool isAck = h.command == v3::CMD_ACK;
    if (!isAck && specs_[i]->check == V3Check::none) continue;
    touchIndex_[i] = touches_.size();
    using Dedupe = store::TouchRequest::Dedupe;
    // §3.7: no duplicate detection for ACK, LOGOFF, or packets with seq1 0 (PING from some
    // clients, LOGOFF from Miranda): they are not numbered.
    Dedupe dedupe = isAck || h.seq1 == 0 || specs_[i]->ack == V3Ack::never ? Dedupe::off
                    : specs_[i]->ack == V3Ack::after_effect                 ? Dedupe::check_only
                                                                            : Dedupe::check_and_record;
    std::optional<uint16_t> acknowledges = isAck ? std::optional<uint16_t>(h.seq1) : std::nullopt;
    touches_.push_back({h.uin, 0, inbound_[i].from, gateway, h.seq1, 0, h.command, dedupe, acknowledges});
  }
  touchResults_.assign(touches_.size(), store::TouchResult::no_session);
  sessionsUnreachable_ = !touches_.empty() && !stores_.sessions.touch(touches_, touchResults_);
  if (sessionsUnreachable_) stats_.storeFailures += touches_.size();
}

void V3Processor::answerInOrder(V3Context& ctx) {
  logons_.clear();
  for (size_t i = 0; i < inbound_.size(); ++i) {
    const V3Inbound& in = inbound_[i];
    const V3CommandSpec& spec = *specs_[i];
    const size_t slot = v3CommandSlot(spec);
    if (in.header().command == v3::CMD_ACK) {
      // §5.1: never answered; one that matches nothing is ignored.
      stats_.packet(slot, sessionsUnreachable_ ? PacketResult::store_error : PacketResult::ok);
      if (sessionsUnreachable_) continue;
      if (touchResults_[touchIndex_[i]] == store::TouchResult::acknowledged)
        stats_.acksMatched++;
      else
        stats_.acksUnmatched++;
      continue;
    }
    if (spec.check != V3Check::none) {
      if (sessionsUnreachable_) {
        stats_.packet(slot, PacketResult::store_error);
        continue;  // no answer: the client retransmits
      }
      switch (touchResults_[touchIndex_[i]]) {
        case store::TouchResult::no_session:
          stats_.packet(slot, PacketResult::not_connected);
          // Never to a LOGOFF: Miranda answers NOT_CONNECTED with LOGOFF + LOGON, a loop (§5.5).
          if (spec.ack != V3Ack::never) ctx.sendNotConnected(in);
          continue;
        case store::TouchResult::mismatch:
          stats_.packet(slot, PacketResult::not_connected);
          if (spec.check == V3Check::session) ctx.sendNotConnected(in);
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
    if (in.header().command == v3::CMD_LOGON) {
      ctx.sendAck(in);  // always, first (§5.2 step 1); the logon itself runs after the batch
      logons_.push_back(i);
      continue;
    }
    const V3Stats::Marks before = stats_.marks();
    const bool retry = runCommand(ctx, spec, i);
    stats_.packet(slot, stats_.resultSince(before, retry));
  }
}

bool V3Processor::runCommand(V3Context& ctx, const V3CommandSpec& spec, size_t i) {
  const V3Inbound& in = inbound_[i];
  if (spec.ack == V3Ack::first) ctx.sendAck(in);
  Outcome outcome = spec.handler(ctx, in);
  const bool hasTouch = touchIndex_[i] != kNoTouch;
  if (outcome != Outcome::retry) {
    if (spec.ack == V3Ack::after_effect) {
      if (hasTouch) remember(touches_[touchIndex_[i]]);  // recorded: from now on a duplicate
      if (outcome == Outcome::done) ctx.sendAck(in);
    }
    return false;
  }
  // Not recorded: an acknowledged-first packet leaves the window so that its retransmission
  // is processed; an after-effect one never entered it.
  if (spec.ack == V3Ack::first && hasTouch && !stores_.sessions.forgetDuplicate(touches_[touchIndex_[i]]))
    stats_.storeFailures++;
  return true;
}

void V3Processor::remember(const store::TouchRequest& touch) {
  store::TouchRequest& record = records_.emplace_back(touch);
  record.dedupe = store::TouchRequest::Dedupe::record_only;
}

void V3Processor::flushRecords() {
  if (records_.empty()) return;
  recordResults_.assign(records_.size(), store::TouchResult::ok);
  // Failure here costs at most a duplicate of a retransmission, never a loss.
  if (!stores_.sessions.touch(records_, recordResults_)) stats_.storeFailures++;
  records_.clear();
}

}  // namespace icq::worker::v3
