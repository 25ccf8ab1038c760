// worker: CMD_LOGIN (protocol-v5.md §6.1, §5.2) — the password check, the session it
// creates, and every refusal: SRV_BAD_PASS, SRV_LOGIN_ERR, SRV_TRY_AGAIN.
//
// The SRV_ACK has already left (the processor acknowledges every login before any slow
// work, §4.3). Order of decisions, after IServerd with this project's decisions:
//   1. V5 disabled                         → SRV_LOGIN_ERR
//   2. body unparseable                    → nothing more (the ACK stands; count it)
//   3. a retransmission of the login that created the current session (§4.5) with the
//      password this worker proved for it → the same SRV_LOGIN_REPLY again, no hashing
//   4. store unreachable (D41)             → SRV_TRY_AGAIN: the client logs in again shortly
//   5. over a password-attempt limit, per source IP or per UIN, cluster-wide
//                                          → SRV_TRY_AGAIN without looking at the password,
//      so a guesser learns nothing and costs no hashing (§4.7: the client retries later)
//   6. unknown UIN or wrong password       → SRV_BAD_PASS (V5 layout, or V3 by switch, §8.6);
//      answered from the worker's verifier cache (common/auth/verifier_cache.hpp), else
//      checked by argon2id beside the loop: the login is parked and runs again from 1 with
//      the verdict once the check is done (core/login_checks.hpp); the attempt of 5 is not
//      counted twice. Too many logins waiting for checks → SRV_TRY_AGAIN
//   7. account locked                      → SRV_LOGIN_ERR with the lock text
//   8. a retransmission that 3 could not vouch for (the cache forgot it), now proved
//                                          → the same SRV_LOGIN_REPLY again
//   9. otherwise: replace any old session (it gets SRV_GO_AWAY through its own gateway,
//      §4.7), create the new one and send SRV_LOGIN_REPLY (reliable, SEQ1 0).
#include <random>

#include "common/codec/v5/constants.hpp"
#include "common/presence/presence.hpp"
#include "worker/core/request_events.hpp"
#include "worker/core/session_events.hpp"
#include "worker/v5/commands.hpp"

namespace icq::worker::v5 {
namespace {

namespace v5 = codec::v5;

constexpr std::string_view kDisabledText =
    "V5 protocol disabled by administrator...\r\nTry to use another client version...";
constexpr std::string_view kLockedText = "Account locked...";

size_t buildLoginReply(CommandContext& ctx, const Inbound& in) {
  v5::LoginReplyFields fields = ctx.settings.loginReply;
  fields.clientIp = in.from.ip;  // the address we see, not a stale one (D20)
  return v5::buildSrvLoginReply(in.header(), fields, ctx.scratch, ctx.rng);
}

void refuse(CommandContext& ctx, const Inbound& in, size_t length, std::string_view why) {
  ctx.stats.loginsRefused++;
  ctx.reply(in, length);
  ctx.users.audit(in.header().uin, store::AuditEvent::login_refused, why);
}

/// §4.5: the same login packet again (our reply was lost): same UIN (the session is the
/// UIN's), session id, address and both sequence numbers.
bool isRepeatOf(const std::optional<store::Session>& current, const Inbound& in) {
  return current && current->sameClient(in.header().sessionId, in.from) && current->loginSeq1 == in.header().seq1 &&
         current->loginSeq2 == in.header().seq2;
}

void answerRepeat(CommandContext& ctx, const Inbound& in) {
  ctx.stats.loginsRepeated++;
  ctx.reply(in, buildLoginReply(ctx, in));
}

store::Session sessionFor(const CommandContext& ctx, const Inbound& in, const v5::LoginRequest& login) {
  static thread_local std::mt19937_64 serials{std::random_device{}()};
  store::Session s;
  s.uin = in.header().uin;
  s.sessionId = in.header().sessionId;
  s.client = in.from;
  s.gateway = std::string(ctx.gateway);
  s.serial = serials();
  s.status = login.status;
  s.nextSeq1 = 1;  // SEQ1 0 is the login reply
  s.loginSeq1 = in.header().seq1;
  s.loginSeq2 = in.header().seq2;
  s.loginMs = s.lastSeenMs = ctx.clock.nowMs();
  s.tcpPort = login.tcpPort;
  s.internalIp = login.internalIp;
  s.dcType = login.dcType;
  s.tcpVersion = login.tcpVersion;
  s.webPort = login.webPort;
  s.features = login.features;
  return s;
}

/// The replaced session is told it is over through the gateway that owns it, with its
/// next SEQ1 so licq does not discard the packet as a duplicate (§4.7, §8.2).
void sendGoAway(CommandContext& ctx, const store::Session& old) {
  std::array<uint8_t, 64> buffer{};
  size_t n = v5::buildSrvGoAway(old.sessionId, old.uin, old.nextSeq1, buffer, ctx.rng);
  ctx.egress.send(old.gateway, old.client, std::span(buffer).first(n));
}

/// The password's verdict: from the worker's verifier cache, or from a check off the loop (the
/// login is then parked and runs again with the verdict), or — without the checks beside the
/// loop, as in a unit test — checked here.
core::LoginChecks::Verdict checkPassword(CommandContext& ctx, const Inbound& in, const std::string& storedHash,
                                         std::string_view password) {
  using Verdict = core::LoginChecks::Verdict;
  if (!ctx.logins || !ctx.parking)
    return ctx.verifiers.verify(in.header().uin, storedHash, password) ? Verdict::valid : Verdict::invalid;
  core::LoginChecks::Resume wait;
  const Verdict verdict = ctx.logins->check(in.header().uin, storedHash, password, ctx.resumed, wait);
  if (verdict == Verdict::pending) ctx.parking->park(in, ctx.gateway, wait);
  return verdict;
}

}  // namespace

AttemptGate gatePasswordAttempt(CommandContext& ctx, const Inbound& in, uint32_t uin) {
  store::AttemptVerdict verdict = store::AttemptVerdict::limited;
  if (!ctx.limits.countLoginAttempt(in.from.ip, uin, verdict)) return AttemptGate::unreachable;
  if (verdict == store::AttemptVerdict::allowed) return AttemptGate::go;
  ctx.stats.loginsThrottled++;
  ctx.sendTryAgain(in);
  // One record per limit and window: a flood past the limit must not write the audit trail.
  if (verdict == store::AttemptVerdict::newly_limited)
    ctx.users.audit(uin, store::AuditEvent::login_refused, "rate limited from " + util::formatIp(in.from.ip));
  core::recordAttemptLimit(ctx.events, verdict, uin, in.from, ctx.clock.nowMs());
  return AttemptGate::refused;
}

void handleLogin(CommandContext& ctx, const Inbound& in) {
  const v5::ClientHeader& h = in.header();
  if (!ctx.settings.enabled)
    return refuse(ctx, in, v5::buildSrvLoginErr(h, kDisabledText, ctx.scratch, ctx.rng), "v5 disabled");

  v5::LoginRequest login;
  if (v5::parseLogin(in.packet.data, login) != v5::ParseError::none) {
    ctx.stats.malformedBodies++;
    return;
  }

  std::optional<store::Session> current;
  if (!ctx.sessions.find(h.uin, current)) {
    ctx.stats.storeFailures++;
    return ctx.sendTryAgain(in);
  }
  // A retransmission is answered from the session before any hashing, but only with the
  // password proved for it: another password from the same endpoint is checked below.
  const bool repeat = isRepeatOf(current, in);
  if (repeat && ctx.verifiers.remembers(h.uin, login.password)) return answerRepeat(ctx, in);

  // The attempt counts once, when it arrives, not again when it runs after its check.
  if (!ctx.resumed) switch (gatePasswordAttempt(ctx, in, h.uin)) {
      case AttemptGate::go:
        break;
      case AttemptGate::refused:
        return;
      case AttemptGate::unreachable:
        ctx.stats.storeFailures++;
        return ctx.sendTryAgain(in);
    }
  std::optional<store::UserCredentials> user;
  if (!ctx.users.findCredentials(h.uin, user)) {
    ctx.stats.storeFailures++;
    return ctx.sendTryAgain(in);
  }
  if (!user) {
    ctx.verifiers.forget(h.uin);  // the account is gone
    return refuse(ctx, in, v5::buildSrvBadPass(h, ctx.settings.badPassV3Layout, ctx.scratch, ctx.rng), "unknown uin");
  }
  switch (checkPassword(ctx, in, user->passwordHash, login.password)) {
    case core::LoginChecks::Verdict::valid:
      break;
    case core::LoginChecks::Verdict::invalid:
      return refuse(ctx, in, v5::buildSrvBadPass(h, ctx.settings.badPassV3Layout, ctx.scratch, ctx.rng),
                    "wrong password");
    case core::LoginChecks::Verdict::pending:
      return;  // runs again once the check is done; its ACK has gone, the client waits
    case core::LoginChecks::Verdict::busy:
      return ctx.sendTryAgain(in);  // more logins wait for their checks than allowed
  }
  if (user->locked) {
    std::string_view text = user->lockText.empty() ? kLockedText : std::string_view(user->lockText);
    return refuse(ctx, in, v5::buildSrvLoginErr(h, text, ctx.scratch, ctx.rng), "locked");
  }
  if (repeat) return answerRepeat(ctx, in);  // proved now: still the same login, not a new one

  store::Session fresh = sessionFor(ctx, in, login);
  size_t replyLength = buildLoginReply(ctx, in);
  auto replyBody = std::span(ctx.scratch).subspan(v5::kServerHeaderSize, replyLength - v5::kServerHeaderSize);
  store::ReliablePacket stored{h.uin, v5::SRV_LOGIN_REPLY, h.seq2, replyBody, 0};
  std::optional<store::Session> replaced;
  if (!ctx.sessions.replace(fresh, stored, replaced)) {
    ctx.stats.storeFailures++;
    return ctx.sendTryAgain(in);
  }
  if (replaced) {
    ctx.stats.loginsReplaced++;
    sendGoAway(ctx, *replaced);
    // The old session's lists go; its watchers are not told it left, since the new
    // session is announced at once (§4.7 decision).
    std::vector<store::Watcher> unannounced;
    if (!ctx.presence.depart(h.uin, unannounced)) ctx.stats.storeFailures++;
    ctx.users.audit(h.uin, store::AuditEvent::replaced, replaced->gateway);
    ctx.events.record(core::endEvent(*replaced, fresh.loginMs, "replaced"));
  }
  ctx.reply(in, replyLength);
  ctx.stats.loginsAccepted++;
  if (!presence::announceLogin(ctx.presence, ctx.outbox, h.uin)) ctx.stats.storeFailures++;
  // The session is live already; these records are history, so a failure only costs the record.
  ctx.users.recordLogin(h.uin, in.from.ip, fresh.loginMs);
  ctx.users.audit(h.uin, store::AuditEvent::login, util::formatEndpoint(in.from));
  ctx.events.record(core::loginEvent(fresh, login.tcpVersion));
}

}  // namespace icq::worker::v5
