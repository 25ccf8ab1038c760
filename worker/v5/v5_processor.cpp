// worker: the V5 batch pipeline; see v5_processor.hpp for its shape.
//
// Steps of processBatch:
//   (A) decodeAll  — copy each datagram into one plaintext arena, decrypt, verify the
//                     checkcode per v5.verify_checkcode; garbage is counted and dropped. Each
//                     packet is described to the batch core: its table entry's session check
//                     (§5.1) and SRV_ACK timing (§4.3), and its session check request — UIN,
//                     session id, address, (SEQ1, SEQ2, COMMAND) for the duplicate window
//                     (§4.5); a CMD_ACK carries the SEQ1 of the server packet it confirms.
//   (B)–(D)        — the batch core (worker/core/batch_core.cpp): one SessionStore::touch,
//                     then in arrival order nothing for a CMD_ACK, SRV_NOT_CONNECTED for a
//                     foreign packet, SRV_ACK (duplicates get only that) and the handler;
//                     the flush; the logins last (cmd_login.cpp).
#include "worker/v5/v5_processor.hpp"

#include <algorithm>

#include <chrono>

#include "common/codec/v3/constants.hpp"
#include "common/codec/v5/constants.hpp"
#include "common/codec/version.hpp"
#include "common/ops/metrics.hpp"
#include "worker/v5/commands.hpp"

namespace icq::worker::v5 {
namespace {

namespace v5 = codec::v5;

/// How the batch core is to treat `in`: a CMD_ACK is never answered (§4.3) and counts in its
/// own row; CMD_LOGIN runs after the batch.
core::Packet describe(const Inbound& in, const CommandSpec& spec) {
  using Kind = core::Packet::Kind;
  const v5::ClientHeader& h = in.header();
  const bool isAck = h.command == v5::CMD_ACK;
  const Kind kind = isAck ? Kind::client_ack : h.command == v5::CMD_LOGIN ? Kind::login : Kind::command;
  core::Packet p = core::packetFor(kind, spec, isAck ? ackSlot() : commandSlot(spec));
  p.touch = {h.uin, h.sessionId, in.from, {}, h.seq1, h.seq2, h.command, core::dedupeFor(p.kind, p.ack),
             isAck ? std::optional<uint16_t>(h.seq1) : std::nullopt};
  return p;
}

}  // namespace

V5Processor::V5Processor(const V5Settings& settings, const Stores& stores, const util::Clock& clock, Egress& egress,
                         pipeline::PeerLinks* peers, uint64_t seed)
    : settings_(settings),
      stores_(stores),
      clock_(clock),
      egress_(egress),
      rng_(seed),
      peers_(peers),
      outbox_(&stores.sessions, peers, &egress, rng_),
      verifiers_(settings.verifierCache, clock),
      core_(stores.sessions, outbox_, egress, stats_, stats_.packets) {
  plaintext_.reserve(64 * 1024);
}

void V5Processor::processBatch(std::string_view gateway, envelope::BatchReader& batch) {
  using Clock = std::chrono::steady_clock;  // timed per stage of the batch, never per packet
  const auto started = Clock::now();
  stats_.batches++;
  decodeAll(batch);
  const auto decoded = Clock::now();
  CommandContext ctx{settings_,        stores_.sessions, stores_.presence, stores_.users,
                     stores_.messages, stores_.limits,   stores_.events,   clock_,           rng_,
                     egress_,          outbox_,          stats_,           gateway,
                     verifiers_,       peers_,           logins_,          this};
  core::TableProtocol protocol(ctx, inbound_, specs_, handleLogin);
  const core::StageTimes times = core_.run(protocol, gateway);
  timings_.decode.Observe(ops::secondsBetween(started, decoded));
  timings_.session.Observe(ops::secondsBetween(decoded, times.checked));
  timings_.handle.Observe(ops::secondsBetween(times.checked, times.handled));
  timings_.flush.Observe(ops::secondsBetween(times.handled, times.flushed));
  if (times.logins > 0) timings_.login.Observe(ops::secondsBetween(times.flushed, times.done));
  timings_.batch.Observe(ops::secondsBetween(started, times.done));
}

void V5Processor::park(const Inbound& in, std::string_view gateway, const core::LoginChecks::Resume& wait) {
  Parked& parked = parked_.emplace_back();
  parked.wait = wait;
  parked.gateway.assign(gateway);
  parked.in = in;
  parked.data.assign(in.packet.data.begin(), in.packet.data.end());
}

// Each parked login whose check is done runs again from the top, with the check's ticket: it
// re-reads its session and account (either may have changed meanwhile) and, at the password,
// gets the verdict (or waits again, for a check of another password of the same UIN).
void V5Processor::resumeLogins(std::span<const uint64_t> finished) {
  resuming_.clear();
  std::erase_if(parked_, [&](Parked& parked) {
    if (std::find(finished.begin(), finished.end(), parked.wait.ticket) == finished.end()) return false;
    resuming_.push_back(std::move(parked));
    return true;
  });
  for (Parked& parked : resuming_) {
    parked.in.packet.data = parked.data;
    CommandContext ctx{settings_,        stores_.sessions, stores_.presence, stores_.users,
                       stores_.messages, stores_.limits,   stores_.events,   clock_,           rng_,
                       egress_,          outbox_,          stats_,           parked.gateway,
                       verifiers_,       peers_,           logins_,          this,
                       &parked.wait};
    handleLogin(ctx, parked.in);
    logins_->leave(parked.wait.ticket);  // after: the asker reads its verdict from the check
  }
  if (!resuming_.empty() && !outbox_.flush()) stats_.storeFailures++;
}

void V5Processor::decodeAll(envelope::BatchReader& batch) {
  inbound_.clear();
  specs_.clear();
  core_.clear();
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
    const CommandSpec& spec = lookupCommand(in.packet.header.command);  // looked up once per packet
    inbound_.push_back(in);
    specs_.push_back(&spec);
    core_.add(describe(in, spec));
  }
}

}  // namespace icq::worker::v5
