// scheduler: resending unconfirmed packets and giving up on them; see job_retransmit.hpp
// and the schedule's design in common/redis/retransmit_queue_impl.cpp.
#include "scheduler/job_retransmit.hpp"

#include <array>

#include "common/codec/v3/constants.hpp"
#include "common/codec/v3/message.hpp"
#include "common/codec/v3/packet.hpp"
#include "common/codec/v5/constants.hpp"
#include "common/codec/v5/message.hpp"
#include "common/log/log.hpp"
#include "common/presence/presence.hpp"

namespace icq::scheduler {
namespace v5 = codec::v5;
namespace {

/// The message an unconfirmed live-message packet carries, in either protocol. A V3 message
/// that went out as FRAGMENT pieces is not rescued here: its pieces are acknowledged one by
/// one, so what is left may be part of a text the client already shows in part.
bool onlineMessageOf(const store::DueSession& session, const store::UnconfirmedPacket& packet,
                     v5::ReceivedMessage& message) {
  if (session.protocol != 3)
    return packet.command == v5::SRV_SYS_DELIVERED_MESS && v5::parseOnlineMessageBody(packet.body, message);
  codec::v3::DeliveredMessage delivered;
  if (packet.command != codec::v3::SRV_SYSMSG_ONLINE ||
      codec::v3::parseOnlineMessage(packet.body, delivered) != codec::v3::ParseError::none)
    return false;
  message.from = delivered.from;
  message.type = delivered.type;
  message.text = delivered.text;
  return true;
}

}  // namespace

RetransmitJob::RetransmitJob(const RetransmitSettings& settings, const RetransmitStores& stores,
                             pipeline::Outbox& outbox, pipeline::Egress& egress, codec::v5::CheckcodeRng& rng,
                             std::chrono::milliseconds period)
    : settings_(settings), stores_(stores), outbox_(outbox), egress_(egress), rng_(rng), period_(period) {}

bool RetransmitJob::runSlice(int64_t nowMs) {
  if (!stores_.queue.claimDue(nowMs, settings_.batch, settings_.claim, settings_.retries, due_)) return false;
  bool reached = true;
  for (const store::DueSession& session : due_) {
    switch (session.action) {
      case store::DueSession::Action::resend: resend(session, nowMs); break;
      case store::DueSession::Action::give_up: reached = giveUp(session, nowMs) && reached; break;
      case store::DueSession::Action::idle:
      case store::DueSession::Action::gone: reached = stores_.queue.release(session) && reached; break;
    }
  }
  reached = outbox_.flush() && reached;
  egress_.flush();
  return reached;
}

void RetransmitJob::resend(const store::DueSession& session, int64_t nowMs) {
  std::array<uint8_t, codec::v3::kMaxDatagram> datagram{};
  for (const store::UnconfirmedPacket& packet : session.packets) {
    size_t n = 0;
    if (session.protocol == 3) {  // clear, same seq1 as the first time (protocol-v3.md §3.2)
      n = codec::v3::encodePacket({packet.command, packet.seq1, packet.seq2, session.uin, 0}, packet.body, datagram);
    } else {
      v5::ServerHeader header{session.sessionId, packet.command, packet.seq1, packet.seq2, session.uin};
      n = v5::encodeServerPacket(header, packet.body, datagram, rng_.serverR1(), rng_.r2());
    }
    if (n > 0) egress_.send(session.gateway, session.client, std::span(datagram).first(n));
  }
  resentTotal_ += session.packets.size();
  stores_.queue.reschedule(session.uin, nowMs + settings_.timeout.count());
}

bool RetransmitJob::giveUp(const store::DueSession& session, int64_t nowMs) {
  // (1) Rescue every unconfirmed online message as an offline message. Offline messages
  //     being replayed (SRV_RECV_MESSAGE) are still in the database: nothing to rescue.
  for (const store::UnconfirmedPacket& packet : session.packets) {
    v5::ReceivedMessage message;
    if (!onlineMessageOf(session, packet, message)) continue;
    bool stored = false;
    if (!stores_.messages.storeOffline(message.from, session.uin, message.type, message.text, nowMs, stored)) {
      // Keep the session and its packets until the database is back: never lose them.
      stores_.queue.reschedule(session.uin, nowMs + settings_.timeout.count());
      return false;
    }
  }
  // (2) End the session (a gap in SEQ1 would stall licq for good, §4.4 decision) and tell
  //     its watchers; the client's next packet gets SRV_NOT_CONNECTED and it logs in again.
  std::optional<store::Session> ended;
  if (!stores_.sessions.end(session.uin, session.sessionId, session.client, ended)) {
    stores_.queue.reschedule(session.uin, nowMs + settings_.timeout.count());
    return false;
  }
  giveUpsTotal_++;
  if (ended) {
    presence::depart(stores_.presence, outbox_, session.uin, ended->status);
    stores_.users.audit(session.uin, store::AuditEvent::expired, "retransmit give-up");
  }
  log::debug("retransmit_gave_up", {{"packets", session.packets.size()}});
  return stores_.queue.release(session);
}

}  // namespace icq::scheduler
