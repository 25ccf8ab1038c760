// worker: the V3 commands that only touch the session itself — LOGOFF 0x0438 (protocol-v3.md
// §5.5, watchers told, fragments dropped), and the commands that are acknowledged and nothing
// more: PING/PING2 (§5.3; the session check refreshed the session), RECONNECT (§5.4),
// SET_STATE (§5.10: a window state nobody reads), USAGE_STATS (§5.31), FIRST_LOGIN (§5.32),
// GET_EXTERNALS (§5.30, decision 13) and unknown commands (§5.36).
#include "common/codec/v3/login.hpp"
#include "common/presence/presence.hpp"
#include "worker/core/session_events.hpp"
#include "worker/v3/commands.hpp"

namespace icq::worker::v3 {

Outcome handleV3AcknowledgeOnly(V3Context&, const V3Inbound&) { return Outcome::done; }

Outcome handleV3Logoff(V3Context& ctx, const V3Inbound& in) {
  std::string_view reason;
  if (codec::v3::parseLogoff(in.body(), reason) != codec::v3::ParseError::none) {
    ctx.stats.malformedBodies++;
    return Outcome::done;
  }
  // B_MESSAGE_ACK is an out-of-band probe IServerd ignores; so does everything else.
  if (reason != codec::v3::kLogoffText) return Outcome::done;
  std::optional<store::Session> ended;
  if (!ctx.sessions.end(in.header().uin, 0, in.from, ended)) {
    ctx.stats.storeFailures++;
    return Outcome::retry;
  }
  if (!ended) return Outcome::done;  // a concurrent logoff or expiry got there first
  ctx.stats.logoffs++;
  if (!presence::depart(ctx.presence, ctx.outbox, ended->uin, ended->status)) ctx.stats.storeFailures++;
  if (!ctx.fragments.dropFor(ended->uin)) ctx.stats.storeFailures++;
  ctx.users.audit(ended->uin, store::AuditEvent::logoff, util::formatEndpoint(in.from));
  ctx.events.record(core::endEvent(*ended, ctx.clock.nowMs()));
  return Outcome::done;
}

}  // namespace icq::worker::v3
