// worker: the Groupware department list and registration — GET_DEPS 0x03F2 (protocol-v3.md
// §5.28, a pseudo-login: credentials in the body, no session), GET_DEPS1 0x05F0 (§5.29),
// REG_REQUEST_INFO 0x05DC (§5.33: three unreliable hand-cut fragments of REGISTER_INFO) and
// REG_NEW_USER 0x05E6 (§5.34).
//
// Registration follows v3.registration: off, the form is refused with a REGISTRATION_OK text
// that says so (decision 38; IServerd registers anyway); on, an account is created at once
// with a random six-character password, and the text names the UIN and the password (the
// client learns its UIN only from it). A retransmitted form (same source, seq1 and seq2) gets
// the same UIN again, not a second account (the pre-login duplicate filter V5 registration
// uses); password attempts and registrations count against the same per-source limit.
#include <random>

#include "common/auth/password.hpp"
#include "common/codec/v3/login.hpp"
#include "common/codec/v3/registration.hpp"
#include "worker/core/request_events.hpp"
#include "worker/v3/commands.hpp"

namespace icq::worker::v3 {
namespace {

namespace v3 = codec::v3;

constexpr std::string_view kRegistrationOff = "Registration of new users is disabled on this server.";
constexpr std::string_view kAdminNotes = "Welcome. Fill in the form to get your ICQ number.";

bool departments(V3Context& ctx, std::vector<store::Department>& stored, std::vector<v3::Department>& wire) {
  if (!ctx.departments.list(v3::kMaxDepartments, stored)) return false;
  wire.clear();
  for (const store::Department& d : stored) wire.push_back({d.code, d.name});
  return true;
}

std::string randomPassword() {
  static constexpr std::string_view kAlphabet = "abcdefghijkmnpqrstuvwxyz23456789";
  static thread_local std::mt19937_64 random{std::random_device{}()};
  std::string password(6, ' ');
  for (char& c : password) c = kAlphabet[random() % kAlphabet.size()];
  return password;
}

void sendRegistrationText(V3Context& ctx, const V3Inbound& in, std::string_view text) {
  v3::Header header = v3::replyHeader(in.header(), v3::SRV_REGISTRATION_OK);
  header.seq1 = in.header().seq1;  // §6.27: the form's seq1
  header.uin = 0;
  ctx.send(in, header, ctx.bodyArea().first(v3::buildTextBody(text, ctx.bodyArea())));
}

}  // namespace

Outcome handleV3GetDeps(V3Context& ctx, const V3Inbound& in) {
  v3::GetDeps request;
  if (v3::parseGetDeps(in.body(), request) != v3::ParseError::none) {
    ctx.stats.malformedBodies++;
    return Outcome::done;
  }
  store::AttemptVerdict verdict = store::AttemptVerdict::limited;
  if (!ctx.limits.countLoginAttempt(in.from.ip, request.uin, verdict)) {
    ctx.stats.storeFailures++;
    return Outcome::done;  // no answer: the client asks again
  }
  if (verdict != store::AttemptVerdict::allowed) {
    core::recordAttemptLimit(ctx.events, verdict, request.uin, in.from, ctx.clock.nowMs());
    ctx.send(in, v3::replyHeader(in.header(), v3::SRV_BUSY));
    return Outcome::done;
  }
  std::optional<store::UserCredentials> user;
  std::optional<store::Session> session;
  if (!ctx.users.findCredentials(request.uin, user) || !ctx.sessions.find(request.uin, session)) {
    ctx.stats.storeFailures++;
    return Outcome::done;
  }
  if (!user || !auth::verifyPassword(user->passwordHash, request.password)) {
    ctx.send(in, v3::replyHeader(in.header(), v3::SRV_WRONG_PASSWORD));  // no ACK (§3.3)
    return Outcome::done;
  }
  if (session) {
    ctx.send(in, v3::replyHeader(in.header(), v3::SRV_BUSY));
    return Outcome::done;
  }
  std::vector<store::Department> stored;
  std::vector<v3::Department> wire;
  if (!departments(ctx, stored, wire)) {
    ctx.stats.storeFailures++;
    return Outcome::done;
  }
  ctx.sendAck(in);
  v3::Header header = v3::replyHeader(in.header(), v3::SRV_DEPS_LIST);
  header.uin = request.uin;  // the UIN from the body: the header's is 0 (§5.28)
  const size_t n = v3::buildDepsListBody(ctx.settings.deplistVersion, wire, false, ctx.bodyArea());
  ctx.send(in, header, ctx.bodyArea().first(n));
  return Outcome::done;
}

Outcome handleV3GetDeps1(V3Context& ctx, const V3Inbound& in) {
  std::vector<store::Department> stored;
  std::vector<v3::Department> wire;
  if (!departments(ctx, stored, wire)) {
    ctx.stats.storeFailures++;
    return Outcome::retry;
  }
  const size_t n = v3::buildDepsListBody(ctx.settings.deplistVersion, wire, true, ctx.bodyArea());
  ctx.replyReliable(in, v3::SRV_DEPS_LIST1, ctx.bodyArea().first(n));  // fragmented when long
  return Outcome::done;
}

Outcome handleV3RegRequestInfo(V3Context& ctx, const V3Inbound& in) {
  std::vector<store::Department> stored;
  std::vector<v3::Department> wire;
  if (!departments(ctx, stored, wire)) {
    ctx.stats.storeFailures++;
    return Outcome::done;  // acknowledged already; the client asks again
  }
  const v3::RegisterInfo info{kAdminNotes, ctx.settings.registration, ctx.settings.deplistVersion, wire};
  std::array<uint8_t, v3::kMaxDatagram> datagram{};
  for (size_t index = 0; index < v3::kRegisterInfoFragments; ++index) {
    const size_t n = v3::buildRegisterInfoFragment(info, in.header().seq2, index, datagram);
    if (n > 0) ctx.egress.send(ctx.gateway, in.from, std::span(datagram).first(n));
  }
  return Outcome::done;
}

Outcome handleV3RegNewUser(V3Context& ctx, const V3Inbound& in) {
  if (!ctx.settings.registration) {
    sendRegistrationText(ctx, in, kRegistrationOff);
    return Outcome::done;
  }
  v3::RegNewUser form;
  switch (v3::parseRegNewUser(in.body(), form)) {
    case v3::ParseError::none:
      break;
    case v3::ParseError::too_long:
      ctx.sendNotConnected(in);  // §5.34: registration aborted
      return Outcome::done;
    default:
      ctx.stats.malformedBodies++;
      return Outcome::done;
  }
  const store::TouchRequest seen{0, 0, in.from, ctx.gateway, in.header().seq1, in.header().seq2,
                                 in.header().command, store::TouchRequest::Dedupe::off, std::nullopt};
  bool first = false;
  uint32_t uin = 0;
  if (!ctx.sessions.claimPreLogin(seen, first, uin)) {
    ctx.stats.storeFailures++;
    return Outcome::done;
  }
  if (!first) {
    // The first copy's reply was lost: its password is not kept, so the UIN is told again
    // with a pointer to the first answer.
    if (uin != 0) sendRegistrationText(ctx, in, "Already registered as " + std::to_string(uin) + ".");
    return Outcome::done;
  }
  store::AttemptVerdict verdict = store::AttemptVerdict::limited;
  if (!ctx.limits.countLoginAttempt(in.from.ip, 0, verdict) || verdict != store::AttemptVerdict::allowed) {
    core::recordAttemptLimit(ctx.events, verdict, 0, in.from, ctx.clock.nowMs());
    ctx.sessions.finishPreLogin(seen, 0);
    ctx.send(in, v3::replyHeader(in.header(), v3::SRV_BUSY));
    return Outcome::done;
  }
  const std::string password = randomPassword();
  store::NewUser user;
  user.nick = form.nick;
  user.firstName = form.first;
  user.lastName = form.last;
  user.email = form.email;
  bool exists = false;
  try {
    user.passwordHash = auth::hashPassword(password, ctx.settings.passwordOpsLimit, ctx.settings.passwordMemLimitBytes);
  } catch (const std::runtime_error&) {
    ctx.sessions.finishPreLogin(seen, 0);
    ctx.stats.storeFailures++;
    return Outcome::done;
  }
  if (!ctx.users.createUser(user, uin, exists) || uin == 0) {
    ctx.sessions.finishPreLogin(seen, 0);
    ctx.stats.storeFailures++;
    return Outcome::done;
  }
  if (!ctx.sessions.finishPreLogin(seen, uin)) ctx.stats.storeFailures++;
  ctx.users.audit(uin, store::AuditEvent::user_created, "v3 registration from " + util::formatEndpoint(in.from));
  ctx.events.record(core::registrationEvent(uin, in.from, 3, ctx.clock.nowMs()));
  sendRegistrationText(ctx, in,
                       "Registration complete.\r\nYour ICQ number: " + std::to_string(uin) + "\r\nYour password: " +
                           password + "\r\nPlease change it after logging in.");
  return Outcome::done;
}

}  // namespace icq::worker::v3
