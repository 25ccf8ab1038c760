// worker: V3 LOGON 0x03E8 (protocol-v3.md §5.2) — the password check, the session it
// creates, and every refusal: WRONG_PASSWORD 0x0064, LOGIN_ERROR 0x0370, BUSY 0x00FA.
//
// The ACK has already left (§5.2 step 1). Order of decisions, after IServerd with this
// project's decisions:
//   1. V3 disabled                          → LOGIN_ERROR
//   2. body unparseable                     → nothing more (the ACK stands; counted)
//   3. a retransmission of the LOGON that created the current session (§3.7)
//                                           → the same HELLO again (rule 4)
//   4. store unreachable                    → LOGIN_ERROR "Database error" (the LOGON is
//      acknowledged, so the client would not retransmit: it must be told)
//   5. over a password-attempt limit        → BUSY, the password unchecked (as V5's
//      SRV_TRY_AGAIN; one cluster-wide limiter for both protocols)
//   6. unknown UIN or wrong password        → WRONG_PASSWORD
//   7. account locked                       → LOGIN_ERROR with the lock text
//   8. the UIN is online (either protocol) and its session was heard within the last ping
//      period                               → LOGIN_ERROR "already connected" (§5.2 step 7)
//      — decision 20: an older, silent session is replaced instead (it gets SET_OFFLINE,
//      or SRV_GO_AWAY if it is V5); a live one never is, so two clients cannot keep
//      taking the session from each other (§6.2)
//   9. otherwise: the session (protocol 3, session id 0, servseq 0 = HELLO), the HELLO
//      (reliable, seq2 = LOGON's), leftover fragments of the UIN dropped, watchers told.
// Contacts' presence and offline messages wait for USER_LIST and SYSMSG_REQ (§5.2).
#include <random>

#include "common/auth/password.hpp"
#include "common/codec/v3/login.hpp"
#include "common/codec/v5/messages.hpp"
#include "common/presence/presence.hpp"
#include "worker/core/request_events.hpp"
#include "worker/core/session_events.hpp"
#include "worker/v3/commands.hpp"

namespace icq::worker::v3 {
namespace {

namespace v3 = codec::v3;

constexpr std::string_view kDisabledText = "V3 protocol disabled by administrator...\r\nTry to use another client version...";
constexpr std::string_view kDatabaseText = "Database error. Try to reconnect later...";
constexpr std::string_view kLockedText = "Account locked...";

void refuse(V3Context& ctx, const V3Inbound& in, uint16_t command, std::string_view text, std::string_view why) {
  ctx.stats.loginsRefused++;
  size_t n = text.empty() ? 0 : v3::buildTextBody(text, ctx.bodyArea());
  ctx.send(in, v3::replyHeader(in.header(), command), ctx.bodyArea().first(n));
  ctx.users.audit(in.header().uin, store::AuditEvent::login_refused, why);
}

size_t buildHello(V3Context& ctx, const V3Inbound& in, bool mayBroadcast, std::span<uint8_t> out) {
  v3::Hello hello;
  hello.yourIp = in.from.ip;
  hello.canBroadcast = mayBroadcast ? 1 : 0;
  hello.deplistVersion = ctx.settings.deplistVersion;
  hello.pingPeriodS = static_cast<uint16_t>(ctx.settings.sessionTtlS - 10);
  hello.packetTimeoutS = ctx.settings.retransmitTimeoutS;
  hello.retries = ctx.settings.retries;
  return v3::buildHelloBody(hello, out);
}

bool isRepeatOf(const std::optional<store::Session>& current, const V3Inbound& in) {
  return current && current->protocol == 3 && current->client == in.from && current->loginSeq1 == in.header().seq1;
}

/// Decision 20: a session not heard for a ping period is presumed dead and may be replaced.
bool isStale(const V3Context& ctx, const store::Session& session) {
  const int64_t pingPeriodMs = int64_t{ctx.settings.sessionTtlS - 10} * 1000;
  return ctx.clock.nowMs() - session.lastSeenMs > pingPeriodMs;
}

store::Session sessionFor(const V3Context& ctx, const V3Inbound& in, const v3::Logon& logon) {
  static thread_local std::mt19937_64 serials{std::random_device{}()};
  store::Session s;
  s.uin = in.header().uin;
  s.sessionId = 0;  // V3 has none: the endpoint is the session's identity (§2.6)
  s.client = in.from;
  s.gateway = std::string(ctx.gateway);
  s.serial = serials();
  s.status = uint32_t{logon.status} | uint32_t{logon.estat} << 16;
  s.nextSeq1 = 1;  // 0 is the HELLO (§3.2)
  s.loginSeq1 = in.header().seq1;
  s.loginSeq2 = in.header().seq2;
  s.loginMs = s.lastSeenMs = ctx.clock.nowMs();
  s.tcpPort = logon.tcpPort;
  s.internalIp = logon.internalIp;
  s.dcType = logon.dcType;
  s.tcpVersion = static_cast<uint16_t>(logon.tcpVersion);
  s.protocol = 3;
  return s;
}

/// The replaced session learns it is over through the gateway that owns it, in its own protocol.
void tellReplaced(V3Context& ctx, const store::Session& old) {
  std::array<uint8_t, 64> buffer{};
  size_t n = 0;
  if (old.protocol == 3) {
    std::array<uint8_t, 32> reason{};
    size_t r = v3::buildTextBody("Logged in from another place", reason);
    n = v3::encodePacket({v3::SRV_SET_OFFLINE, old.nextSeq1, 0, old.uin, 0}, std::span(reason).first(r), buffer);
  } else {
    codec::v5::CheckcodeRng rng(old.serial);
    n = codec::v5::buildSrvGoAway(old.sessionId, old.uin, old.nextSeq1, buffer, rng);
  }
  if (n > 0) ctx.egress.send(old.gateway, old.client, std::span(buffer).first(n));
}

/// The password's verdict: from the worker's verifier cache, or from a check off the loop (the
/// logon is then parked and runs again with the verdict), or — without the checks beside the
/// loop, as in a unit test — checked here.
core::LoginChecks::Verdict checkPassword(V3Context& ctx, const V3Inbound& in, const std::string& storedHash,
                                         std::string_view password) {
  using Verdict = core::LoginChecks::Verdict;
  if (!ctx.logins || !ctx.parking) return auth::verifyPassword(storedHash, password) ? Verdict::valid : Verdict::invalid;
  core::LoginChecks::Resume wait;
  const Verdict verdict = ctx.logins->check(in.header().uin, storedHash, password, ctx.resumed, wait);
  if (verdict == Verdict::pending) ctx.parking->park(in, ctx.gateway, wait);
  return verdict;
}

}  // namespace

void handleV3Logon(V3Context& ctx, const V3Inbound& in) {
  const v3::Header& h = in.header();
  if (!ctx.settings.enabled) return refuse(ctx, in, v3::SRV_LOGIN_ERROR, kDisabledText, "v3 disabled");
  v3::Logon logon;
  if (v3::parseLogon(in.body(), logon) != v3::ParseError::none) {
    ctx.stats.malformedBodies++;
    return;
  }
  std::optional<store::Session> current;
  if (!ctx.sessions.find(h.uin, current)) {
    ctx.stats.storeFailures++;
    return refuse(ctx, in, v3::SRV_LOGIN_ERROR, kDatabaseText, "store unreachable");
  }
  if (isRepeatOf(current, in)) {
    ctx.stats.loginsRepeated++;
    // The same HELLO as the first time; an unreachable database reads as "may not broadcast".
    std::optional<store::UserCredentials> user;
    const bool mayBroadcast = ctx.users.findCredentials(h.uin, user) && user && user->mayBroadcast;
    size_t n = buildHello(ctx, in, mayBroadcast, ctx.bodyArea());
    return ctx.send(in, v3::replyHeader(h, v3::SRV_HELLO), ctx.bodyArea().first(n));
  }
  // The attempt counts once, when it arrives, not again when it runs after its check.
  store::AttemptVerdict verdict = store::AttemptVerdict::allowed;
  if (!ctx.resumed && !ctx.limits.countLoginAttempt(in.from.ip, h.uin, verdict)) {
    ctx.stats.storeFailures++;
    return refuse(ctx, in, v3::SRV_LOGIN_ERROR, kDatabaseText, "store unreachable");
  }
  if (verdict != store::AttemptVerdict::allowed) {
    core::recordAttemptLimit(ctx.events, verdict, h.uin, in.from, ctx.clock.nowMs());
    return refuse(ctx, in, v3::SRV_BUSY, {}, "rate limited");
  }
  std::optional<store::UserCredentials> user;
  if (!ctx.users.findCredentials(h.uin, user)) {
    ctx.stats.storeFailures++;
    return refuse(ctx, in, v3::SRV_LOGIN_ERROR, kDatabaseText, "store unreachable");
  }
  if (!user) return refuse(ctx, in, v3::SRV_WRONG_PASSWORD, {}, "unknown uin");
  switch (checkPassword(ctx, in, user->passwordHash, logon.password)) {
    case core::LoginChecks::Verdict::valid:
      break;
    case core::LoginChecks::Verdict::invalid:
      return refuse(ctx, in, v3::SRV_WRONG_PASSWORD, {}, "wrong password");
    case core::LoginChecks::Verdict::pending:
      return;  // runs again once the check is done; its ACK has gone, the client waits
    case core::LoginChecks::Verdict::busy:
      return refuse(ctx, in, v3::SRV_BUSY, {}, "password checks busy");
  }
  if (user->locked)
    return refuse(ctx, in, v3::SRV_LOGIN_ERROR, user->lockText.empty() ? kLockedText : user->lockText, "locked");
  if (current && !isStale(ctx, *current)) {
    const std::string text = "User " + std::to_string(h.uin) + " already connected.\r\nTry again later.";
    return refuse(ctx, in, v3::SRV_LOGIN_ERROR, text, "already connected");
  }

  store::Session fresh = sessionFor(ctx, in, logon);
  std::array<uint8_t, v3::kHelloBodySize> hello{};
  const size_t helloLength = buildHello(ctx, in, user->mayBroadcast, hello);
  const store::ReliablePacket stored{h.uin, v3::SRV_HELLO, h.seq2, std::span(hello).first(helloLength)};
  std::optional<store::Session> replaced;
  if (!ctx.sessions.replace(fresh, stored, replaced)) {
    ctx.stats.storeFailures++;
    return refuse(ctx, in, v3::SRV_LOGIN_ERROR, kDatabaseText, "store unreachable");
  }
  // Before the HELLO, so no fragment of the new session can be stored yet. A failure leaves
  // them to the age sweep: they cannot complete a packet of this session.
  if (!ctx.fragments.dropFor(h.uin)) ctx.stats.storeFailures++;
  ctx.send(in, v3::replyHeader(h, v3::SRV_HELLO), std::span(hello).first(helloLength));
  ctx.stats.loginsAccepted++;
  if (replaced) {
    tellReplaced(ctx, *replaced);
    std::vector<store::Watcher> unannounced;  // the new session is announced at once
    if (!ctx.presence.depart(h.uin, unannounced)) ctx.stats.storeFailures++;
    ctx.users.audit(h.uin, store::AuditEvent::replaced, replaced->gateway);
    ctx.events.record(core::endEvent(*replaced, fresh.loginMs, "replaced"));
  }
  if (!presence::announceLogin(ctx.presence, ctx.outbox, h.uin)) ctx.stats.storeFailures++;
  ctx.users.recordLogin(h.uin, in.from.ip, fresh.loginMs);
  ctx.users.audit(h.uin, store::AuditEvent::login, util::formatEndpoint(in.from));
  ctx.events.record(core::loginEvent(fresh, logon.clientBuild));
}

}  // namespace icq::worker::v3
