// worker: sessions ending on a clock or an administrator's word; see session_endings.hpp.
#include "worker/sessions/session_endings.hpp"

#include <array>

#include "common/codec/v3/constants.hpp"
#include "common/codec/v3/packet.hpp"
#include "common/codec/v5/messages.hpp"
#include "common/log/log.hpp"
#include "common/presence/presence.hpp"
#include "worker/core/session_events.hpp"

namespace icq::worker {

namespace v5 = codec::v5;

SessionEndings::SessionEndings(OwnedSessions& sessions, store::PresenceStore& presence, store::UserStore& users,
                               events::EventLog& events, pipeline::Outbox& outbox, pipeline::Egress& egress,
                               codec::v5::CheckcodeRng& rng, OwnershipStats& stats)
    : sessions_(sessions),
      presence_(presence),
      users_(users),
      events_(events),
      outbox_(outbox),
      egress_(egress),
      rng_(rng),
      stats_(stats) {}

void SessionEndings::resend(const store::Session& session, std::span<const HeldPacket> packets) {
  std::array<uint8_t, codec::v3::kMaxDatagram> datagram{};
  for (const HeldPacket& packet : packets) {
    size_t n = 0;
    if (session.protocol == 3) {  // clear, same seq1 as the first time (protocol-v3.md §3.2)
      n = codec::v3::encodePacket({packet.command, packet.seq1, packet.seq2, session.uin, 0}, packet.body, datagram);
    } else {
      v5::ServerHeader header{session.sessionId, packet.command, packet.seq1, packet.seq2, session.uin};
      n = v5::encodeServerPacket(header, packet.body, datagram, rng_.serverR1(), rng_.r2());
    }
    if (n > 0) egress_.send(session.gateway, session.client, std::span(datagram).first(n));
  }
  stats_.resent += packets.size();
}

void SessionEndings::departed(const store::Session& ended, store::AuditEvent event, std::string_view reason,
                              std::string_view detail) {
  if (!presence::depart(presence_, outbox_, ended.uin, ended.status)) log::warn("depart_failed", {{"uin", ended.uin}});
  outbox_.flush();
  users_.audit(ended.uin, event, detail);
  events_.record(core::endEvent(ended, sessions_.clock().nowMs(), reason));
}

void SessionEndings::giveUp(uint32_t uin) {
  std::optional<store::Session> ended;
  size_t rescued = 0;
  // Kept until the stores are back: the timer fires again and so does this.
  if (!sessions_.terminate(uin, nullptr, 0, ended, rescued) || !ended) return;
  stats_.givenUp++;
  stats_.rescued += rescued;
  departed(*ended, store::AuditEvent::expired, "gave_up", "retransmit give-up");
  log::debug("retransmit_gave_up", {{"uin", uin}, {"kept_offline", rescued}});
}

void SessionEndings::expire(const envelope::Nudge& nudge) {
  std::optional<store::Session> expired;
  if (!sessions_.checkExpiry(nudge.uin, nudge.a, nudge.b, nudge.c, expired) || !expired) return;
  stats_.expired++;
  departed(*expired, store::AuditEvent::expired, "expired", expired->gateway);
}

envelope::PeerResult SessionEndings::kick(const envelope::KickItem& kick) {
  std::optional<store::Session> ended;
  size_t rescued = 0;
  if (!sessions_.terminate(kick.uin, &kick.client, kick.sessionId, ended, rescued)) return {};
  if (!ended) return {envelope::PeerOutcome::absent, 0};
  stats_.kicked++;
  stats_.rescued += rescued;
  // Told through its own gateway, with its next SEQ1 so licq does not drop it (§4.7); a V3
  // client learns from NOT_CONNECTED at its next packet.
  if (ended->protocol != 3) {
    std::array<uint8_t, 64> buffer{};
    const size_t n = v5::buildSrvGoAway(ended->sessionId, ended->uin, ended->nextSeq1, buffer, rng_);
    egress_.send(ended->gateway, ended->client, std::span(buffer).first(n));
  }
  departed(*ended, store::AuditEvent::logoff, "kicked", "disconnected by an administrator");
  return {envelope::PeerOutcome::done, static_cast<uint32_t>(rescued)};
}

}  // namespace icq::worker
