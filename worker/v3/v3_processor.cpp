// worker: the V3 batch pipeline; see v3_processor.hpp for its shape.
//
// Steps of processBatch:
//   (A) decode   — the V3 datagrams of the batch (first u16 = 3); no checksum, no crypt
//                   (§2.3), so a packet is a view of the datagram. Each packet is described to
//                   the batch core: its table entry's check and ACK timing, and its session
//                   check request — the check of §2.6 (uin, source ip and port; V3 sessions
//                   have session id 0, so a V5 session never matches), the duplicate filter of
//                   §3.7 keyed (uin, seq1, command) — seq2 is left out of the key, and packets
//                   with seq1 0 (PING from some clients, LOGOFF from Miranda) are not numbered —
//                   and an ACK's match (§3.3: on uin and seq1).
//   (B)–(D)      — the batch core (worker/core/batch_core.cpp): one SessionStore::touch, then
//                   in arrival order nothing for an ACK, NOT_CONNECTED (or silence, per
//                   command: §5.5 and the quiet commands) without a session, ACK only for a
//                   duplicate, else the ACK and the handler per the table; the flush; the
//                   logons last (cmd_login.cpp; acknowledged before any check, §5.2 step 1).
//   (E)          — the packets assembled from fragments in this batch go through (B)–(D)
//                   again. They cannot themselves be fragments (the codec checks the inner
//                   packet), so one more round is all there can be.
#include "worker/v3/v3_processor.hpp"

#include <algorithm>

#include "common/codec/version.hpp"

namespace icq::worker::v3 {
namespace {

namespace v3 = codec::v3;

/// How the batch core is to treat `in`: an ACK is never answered (§5.1); LOGON runs after
/// the batch.
core::Packet describe(const V3Inbound& in, const V3CommandSpec& spec) {
  using Kind = core::Packet::Kind;
  using Dedupe = store::TouchRequest::Dedupe;
  const v3::Header& h = in.header();
  const bool isAck = h.command == v3::CMD_ACK;
  const Kind kind = isAck ? Kind::client_ack : h.command == v3::CMD_LOGON ? Kind::login : Kind::command;
  core::Packet p = core::packetFor(kind, spec, v3CommandSlot(spec));
  const Dedupe dedupe = h.seq1 == 0 ? Dedupe::off : core::dedupeFor(p.kind, p.ack);  // §3.7: not numbered
  p.touch = {h.uin, 0, in.from, {}, h.seq1, 0, h.command, dedupe,
             isAck ? std::optional<uint16_t>(h.seq1) : std::nullopt};
  return p;
}

}  // namespace

V3Processor::V3Processor(const V3Settings& settings, const Stores& stores, const util::Clock& clock, Egress& egress,
                         pipeline::Outbox& outbox)
    : settings_(settings),
      stores_(stores),
      clock_(clock),
      egress_(egress),
      outbox_(outbox),
      core_(stores.sessions, outbox, egress, stats_, stats_.packets) {}

void V3Processor::processBatch(std::string_view gateway, envelope::BatchReader& batch) {
  inbound_.clear();
  specs_.clear();
  core_.clear();
  assembled_.clear();
  envelope::Datagram d;
  while (batch.next(d))
    if (codec::peekVersion(d.bytes) == v3::kVersion3) decode(d.bytes, d.client);
  if (inbound_.empty()) return;
  V3Context ctx{settings_,     stores_.sessions,  stores_.presence,    stores_.users, stores_.messages,
                stores_.limits, stores_.events, stores_.fragments, stores_.departments, clock_,        egress_,
                outbox_,        stats_,            gateway,             assembled_,    logins_,
                this};
  core::TableProtocol protocol(ctx, inbound_, specs_, handleV3Logon);
  core_.run(protocol, gateway);
  if (assembled_.empty()) return;
  // (E) The assembled packets live in running_ while inbound_ points into them; this round
  // assembles nothing more (an assembled packet is never a fragment).
  running_.swap(assembled_);
  assembled_.clear();
  inbound_.clear();
  specs_.clear();
  core_.clear();
  for (const AssembledPacket& packet : running_) decode(packet.bytes, packet.from);
  core_.run(protocol, gateway);
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
  const V3CommandSpec& spec = lookupV3Command(in.header().command);  // looked up once per packet
  inbound_.push_back(in);
  specs_.push_back(&spec);
  core_.add(describe(in, spec));
}

void V3Processor::park(const V3Inbound& in, std::string_view gateway, const core::LoginChecks::Resume& wait) {
  Parked& parked = parked_.emplace_back();
  parked.wait = wait;
  parked.gateway.assign(gateway);
  parked.in = in;
  parked.body.assign(in.packet.body.begin(), in.packet.body.end());
}

// As V5's (v5_processor.cpp): each logon whose check is done runs again from the top.
void V3Processor::resumeLogins(std::span<const uint64_t> finished) {
  resuming_.clear();
  std::erase_if(parked_, [&](Parked& parked) {
    if (std::find(finished.begin(), finished.end(), parked.wait.ticket) == finished.end()) return false;
    resuming_.push_back(std::move(parked));
    return true;
  });
  for (Parked& parked : resuming_) {
    parked.in.packet.body = parked.body;
    V3Context ctx{settings_,      stores_.sessions,  stores_.presence,    stores_.users, stores_.messages,
                  stores_.limits, stores_.events, stores_.fragments, stores_.departments, clock_,        egress_,
                  outbox_,        stats_,            parked.gateway,      assembled_,    logins_,
                  this,           &parked.wait};
    handleV3Logon(ctx, parked.in);
    logins_->leave(parked.wait.ticket);  // after: the asker reads its verdict from the check
  }
  if (!resuming_.empty() && !outbox_.flush()) stats_.storeFailures++;
}

}  // namespace icq::worker::v3
