// worker: what a session's owner does when the session ends on a clock or on an
// administrator's word — not on a packet of its client's — and when its packets are due again:
//   resend   the unconfirmed packets, in SEQ1 order, with their SEQ1 (protocol-v5.md §4.4)
//   giveUp   a packet ran out of retries: end the session (a gap would stall licq), keep its
//            messages offline, tell its watchers (§4.4 decision)
//   expire   the scheduler's keep-alive nudge: end it if its last packet is too old (§4.6)
//   kick     the admin's disconnect: SRV_GO_AWAY with its next SEQ1, then as above
// Notifications go through the outbox given (flushed here, without waiting for other owners).
#pragma once

#include <span>

#include "common/codec/v5/packet.hpp"
#include "common/events/event_log.hpp"
#include "common/envelope/peer.hpp"
#include "common/pipeline/egress.hpp"
#include "common/pipeline/outbox.hpp"
#include "common/store/presence_store.hpp"
#include "common/store/user_store.hpp"
#include "worker/sessions/owned_sessions.hpp"
#include "worker/sessions/ownership_stats.hpp"

namespace icq::worker {

class SessionEndings {
public:
  SessionEndings(OwnedSessions& sessions, store::PresenceStore& presence, store::UserStore& users,
                 events::EventLog& events, pipeline::Outbox& outbox, pipeline::Egress& egress, codec::v5::CheckcodeRng& rng,
                 OwnershipStats& stats);

  void resend(const store::Session& session, std::span<const HeldPacket> packets);
  void giveUp(uint32_t uin);
  void expire(const envelope::Nudge& nudge);
  /// The outcome, with the number of messages kept offline as its detail.
  envelope::PeerResult kick(const envelope::KickItem& kick);

private:
  /// Watchers told and the end recorded, once a session is gone.
  /// `reason` names the end in the event stream (expired, gave_up, kicked).
  void departed(const store::Session& ended, store::AuditEvent event, std::string_view reason,
                std::string_view detail);

  OwnedSessions& sessions_;
  store::PresenceStore& presence_;
  store::UserStore& users_;
  events::EventLog& events_;
  pipeline::Outbox& outbox_;
  pipeline::Egress& egress_;
  codec::v5::CheckcodeRng& rng_;
  OwnershipStats& stats_;
};

}  // namespace icq::worker
