// worker: the commands that only touch the session itself — CMD_KEEP_ALIVE and
// CMD_KEEP_ALIVE2 (protocol-v5.md §6.6), logoff by CMD_SEND_TEXT_CODE (§6.7, §5.3, with
// the watchers told, §10.4), and
// the commands that are acknowledged and nothing more (§6.20, §6.21).
//
// By the time these run, the processor has checked the session, refreshed it (any
// authenticated packet keeps a session alive, §4.6 decision) and sent the SRV_ACK.
#include "common/codec/v5/messages.hpp"
#include "common/presence/presence.hpp"
#include "worker/core/session_events.hpp"
#include "worker/v5/commands.hpp"

namespace icq::worker::v5 {

Outcome handleKeepAlive(CommandContext&, const Inbound&) {
  // The refresh happened in the session check; the SRV_ACK is the whole answer.
  return Outcome::done;
}

Outcome handleAcknowledgeOnly(CommandContext&, const Inbound&) { return Outcome::done; }

Outcome handleSendTextCode(CommandContext& ctx, const Inbound& in) {
  std::string_view text;
  if (codec::v5::parseTextCode(in.packet.data, text) != codec::v5::ParseError::none) {
    ctx.stats.malformedBodies++;
    return Outcome::done;
  }
  if (text != codec::v5::kLogoffText) return Outcome::done;  // other texts mean nothing to a server
  std::optional<store::Session> ended;
  if (!ctx.sessions.end(in.header().uin, in.header().sessionId, in.from, ended)) {
    ctx.stats.storeFailures++;
    return Outcome::retry;
  }
  if (!ended) return Outcome::done;  // a concurrent logoff or expiry got there first
  ctx.stats.logoffs++;
  if (!presence::depart(ctx.presence, ctx.outbox, ended->uin, ended->status)) ctx.stats.storeFailures++;
  ctx.users.audit(in.header().uin, store::AuditEvent::logoff, util::formatEndpoint(in.from));
  ctx.events.record(core::endEvent(*ended, ctx.clock.nowMs()));
  return Outcome::done;
}

}  // namespace icq::worker::v5
