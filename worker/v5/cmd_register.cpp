// worker: accounts outside META — registration by CMD_REG_NEW_USER (protocol-v5.md §6.2, D7),
// IServerd's pre-login CMD_NEW_USER_1 and CMD_GET_DEPS (§6.15, §6.16, D8), and the pre-META
// updates the spec recommends handling (§6.21): CMD_CHANGE_PW, CMD_UPDATE_INFO,
// CMD_AUTH_UPDATE and CMD_UPDATE_EXT_INFO, answered with the header-only replies of §8.17.
//
// The first three run without a session. Registration is off unless v5.registration is set;
// then every CMD_REG_NEW_USER creates an account whose UIN PostgreSQL allocates from one
// sequence, so two workers never hand out the same number. Registration and CMD_GET_DEPS
// hash or check a password, so they count against the same password-attempt limits as
// CMD_LOGIN (cmd_login.cpp) before they do.
#include <optional>
#include <stdexcept>

#include "common/auth/password.hpp"
#include "common/codec/v5/constants.hpp"
#include "common/codec/v5/meta.hpp"
#include "worker/core/request_events.hpp"
#include "worker/v5/commands.hpp"
#include "worker/v5/profile_wire.hpp"

namespace icq::worker::v5 {
namespace {

namespace v5 = codec::v5;
using v5::ParseError;

// §6.21: CMD_UPDATE_EXT_INFO is answered with the V2/V4 codes 0x00C8 (SRV_UPDATE_EXT) or
// 0x00D2 on failure; the spec gives the latter no name.
constexpr uint16_t kUpdateExtFailed = 0x00D2;

/// A header-only reliable reply with the request's SEQ2 (§8.17). Reliable, because a
/// mid-session packet with SEQ1 0 is dropped by licq (§4.2).
void replyHeaderOnly(CommandContext& ctx, const Inbound& in, uint16_t command) { ctx.replyReliable(in, command, {}); }

/// `what`: the part of the profile the update changes.
Outcome replyUpdate(CommandContext& ctx, const Inbound& in, std::string_view what, bool stored, bool found,
                    uint16_t success, uint16_t failure) {
  if (!stored) return storeFailed(ctx);
  replyHeaderOnly(ctx, in, found ? success : failure);
  if (found) recordInfoChange(ctx, in, what);
  return Outcome::done;
}

void sendRegistrationAck(CommandContext& ctx, const Inbound& in, bool success, uint32_t x2) {
  ctx.reply(in, v5::buildSrvRegistrationAck(in.header(), success, x2, ctx.scratch, ctx.rng));
}

/// The password-attempt limits for a pre-login command: nullopt to go on, else the outcome.
/// Over a limit the command ends answered SRV_TRY_AGAIN; the plain SRV_ACK that follows stops
/// the client's retransmissions, and SRV_TRY_AGAIN tells it to come back later (§4.7).
std::optional<Outcome> limitAttempt(CommandContext& ctx, const Inbound& in, uint32_t uin) {
  switch (gatePasswordAttempt(ctx, in, uin)) {
    case AttemptGate::go:
      return std::nullopt;
    case AttemptGate::refused:
      return Outcome::done;
    case AttemptGate::unreachable:
      break;
  }
  return storeFailed(ctx);
}

/// A new account for a registration; its UIN, or 0 if nothing was created.
uint32_t createAccount(CommandContext& ctx, const v5::RegNewUserRequest& request) {
  store::NewUser user;
  try {
    user.passwordHash =
        auth::hashPassword(request.password, ctx.settings.passwordOpsLimit, ctx.settings.passwordMemLimitBytes);
  } catch (const std::runtime_error&) {
    return 0;  // libsodium out of memory: nothing created, the client retries
  }
  user.email = request.email;
  uint32_t uin = 0;
  bool exists = false;
  if (!ctx.users.createUser(user, uin, exists)) return 0;
  return uin;
}

/// The extended ACK and SRV_NEW_UIN (§6.2): the acknowledgement of a registration.
Outcome confirmRegistration(CommandContext& ctx, const Inbound& in, uint32_t uin, uint32_t x2) {
  sendRegistrationAck(ctx, in, true, x2);
  ctx.reply(in, v5::buildSrvNewUin(in.header(), uin, x2, ctx.settings.newUinV3Layout, ctx.scratch, ctx.rng));
  return Outcome::acknowledged;
}

}  // namespace

Outcome handleRegNewUser(CommandContext& ctx, const Inbound& in) {
  if (!ctx.settings.registration) return Outcome::done;  // D29: acknowledged, nothing more
  v5::RegNewUserRequest request;
  const ParseError parsed = v5::parseRegNewUser(in.packet.data, request);
  if (parsed == ParseError::truncated) return malformed(ctx);
  if (parsed == ParseError::too_long || request.password.empty()) {
    sendRegistrationAck(ctx, in, false, request.x2);
    return Outcome::acknowledged;
  }
  // No session remembers a registration: a retransmission (our reply was lost) is
  // recognised by address and sequence numbers, and gets the same UIN again.
  const store::TouchRequest seen{0,
                                 in.header().sessionId,
                                 in.from,
                                 ctx.gateway,
                                 in.header().seq1,
                                 in.header().seq2,
                                 in.header().command,
                                 store::TouchRequest::Dedupe::off,
                                 std::nullopt};
  bool first = false;
  uint32_t uin = 0;
  if (!ctx.sessions.claimPreLogin(seen, first, uin)) return storeFailed(ctx);
  if (!first) {
    if (uin == 0) return Outcome::acknowledged;  // the first copy is still being processed: stay silent
    return confirmRegistration(ctx, in, uin, request.x2);
  }
  if (auto limited = limitAttempt(ctx, in, 0)) {
    ctx.sessions.finishPreLogin(seen, 0);
    return *limited;
  }
  uin = createAccount(ctx, request);
  if (!ctx.sessions.finishPreLogin(seen, uin)) ctx.stats.storeFailures++;  // costs only the retransmission's reply
  if (uin == 0) return storeFailed(ctx);
  ctx.users.audit(uin, store::AuditEvent::user_created, "v5 registration from " + util::formatEndpoint(in.from));
  ctx.events.record(core::registrationEvent(uin, in.from, 5, ctx.clock.nowMs()));
  return confirmRegistration(ctx, in, uin, request.x2);
}

Outcome handleNewUser1(CommandContext& ctx, const Inbound& in) {
  uint32_t x = 0;
  if (v5::parseNewUser1(in.packet.data, x) != ParseError::none) return malformed(ctx);
  ctx.reply(in, v5::buildSrvNewUser1Ack(in.header(), x, ctx.scratch, ctx.rng));
  return Outcome::acknowledged;
}

/// §6.16, implemented exactly (IServerd's Groupware "pseudo login"): no session is created.
Outcome handleGetDeps(CommandContext& ctx, const Inbound& in) {
  v5::GetDepsRequest request;
  const ParseError parsed = v5::parseGetDeps(in.packet.data, request);
  if (parsed == ParseError::truncated) return malformed(ctx);
  if (auto limited = limitAttempt(ctx, in, request.uin)) return *limited;
  std::optional<store::UserCredentials> user;
  if (parsed == ParseError::none && !ctx.users.findCredentials(request.uin, user)) return storeFailed(ctx);
  if (!user || user->locked || !auth::verifyPassword(user->passwordHash, request.password)) {
    ctx.reply(in, v5::buildSrvBadPass(in.header(), true, ctx.scratch, ctx.rng));
    return Outcome::done;
  }
  std::optional<store::Session> session;
  if (!ctx.sessions.find(request.uin, session)) return storeFailed(ctx);
  if (session)
    ctx.sendTryAgain(in);
  else
    ctx.reply(in, v5::buildSrvGetDepsReply(in.header(), ctx.scratch));
  return Outcome::done;
}

Outcome handleChangePw(CommandContext& ctx, const Inbound& in) {
  std::string_view password;
  const ParseError parsed = v5::parseNewPassword(in.packet.data, password);
  if (parsed == ParseError::truncated) return malformed(ctx);
  const PasswordChange change =
      parsed == ParseError::none ? changePassword(ctx, in.header().uin, password) : PasswordChange::refused;
  if (change == PasswordChange::store_failed) return storeFailed(ctx);
  replyHeaderOnly(ctx, in, change == PasswordChange::changed ? v5::SRV_UPDATE_SUCCESS : v5::SRV_UPDATE_FAIL);
  return Outcome::done;
}

Outcome handleUpdateInfo(CommandContext& ctx, const Inbound& in) {
  v5::UpdateInfoRequest request;
  const ParseError parsed = v5::parseUpdateInfo(in.packet.data, request);
  if (parsed == ParseError::truncated) return malformed(ctx);
  if (parsed == ParseError::too_long) {
    replyHeaderOnly(ctx, in, v5::SRV_UPDATE_FAIL);
    return Outcome::done;
  }
  store::NameUpdate update{std::string(request.nick), std::string(request.firstName), std::string(request.lastName),
                           std::string(request.email), std::nullopt};
  if (request.hasAuth) update.authRequired = request.authRequired;
  bool found = false;
  const bool stored = ctx.users.updateNames(in.header().uin, update, found);
  return replyUpdate(ctx, in, "names", stored, found, v5::SRV_UPDATE_SUCCESS, v5::SRV_UPDATE_FAIL);
}

Outcome handleAuthUpdate(CommandContext& ctx, const Inbound& in) {
  bool authRequired = false;
  if (v5::parseAuthUpdate(in.packet.data, authRequired) != ParseError::none) return malformed(ctx);
  bool found = false;
  const bool stored = ctx.users.setAuthRequired(in.header().uin, authRequired, found);
  // licq reads 0x01FE as "auth updated" and 0x01F4 as "auth update failed" (§6.21).
  return replyUpdate(ctx, in, "auth", stored, found, v5::SRV_AUTH_UPDATED, v5::SRV_AUTH_UPDATE);
}

Outcome handleUpdateExtInfo(CommandContext& ctx, const Inbound& in) {
  v5::UpdateExtInfoRequest request;
  const ParseError parsed = v5::parseUpdateExtInfo(in.packet.data, request);
  if (parsed == ParseError::truncated) return malformed(ctx);
  if (parsed == ParseError::too_long) {
    replyHeaderOnly(ctx, in, kUpdateExtFailed);
    return Outcome::done;
  }
  store::ExtInfoUpdate update;
  update.homeCity = request.city;
  update.homeState = request.state;
  update.homePhone = request.phone;
  update.homepage = request.homepage;
  update.about = request.about;
  update.homeZip = request.zip != 0 ? std::to_string(request.zip) : std::string();
  update.homeCountry = request.country;
  update.age = request.age;
  update.timezone = request.timezone;
  update.gender = request.gender;
  bool found = false;
  const bool stored = ctx.users.updateExtInfo(in.header().uin, update, ctx.clock.nowMs(), found);
  return replyUpdate(ctx, in, "ext_info", stored, found, v5::SRV_UPDATE_EXT, kUpdateExtFailed);
}

}  // namespace icq::worker::v5
