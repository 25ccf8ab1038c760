// worker: V3 profile changes — SET_BASIC, SET_HOME, SET_HOME_PAGE, SET_WORK, SET_WORK_PAGE,
// SET_NOTES, SET_PASSWORD, SET_AUTH (protocol-v3.md §5.20–§5.26), each confirmed with its
// SET_*_OK (§6.24, reliable, the request's seq2) once saved, and acknowledged then too: a
// store failure leaves the packet to the client's retransmission. A field over its limit is
// refused with NOT_CONNECTED and nothing saved (§2.5: IServerd disconnects; the client logs
// in again either way). The V3 blocks are parts of the record V5 users have too (§9.3), so a
// change is read, merged and written back block by block.
#include "common/auth/password.hpp"
#include "common/codec/v3/login.hpp"
#include "worker/core/session_events.hpp"
#include "worker/v3/commands.hpp"
#include "worker/v3/profile_wire.hpp"

namespace icq::worker::v3 {
namespace {

namespace v3 = codec::v3;

/// What a parse came to, as the handler's outcome when it is not going on.
std::optional<Outcome> refused(V3Context& ctx, const V3Inbound& in, v3::ParseError error) {
  if (error == v3::ParseError::none) return std::nullopt;
  if (error == v3::ParseError::too_long) {
    ctx.sendNotConnected(in);
    return Outcome::acknowledged;  // the refusal is the answer: no ACK after it
  }
  ctx.stats.malformedBodies++;
  return Outcome::done;
}

/// The sender's profile changed: `what` names the part (the journal's info event).
void recordInfoChange(V3Context& ctx, const V3Inbound& in, std::string_view what) {
  ctx.events.record(core::infoEvent(core::actorOf(ctx.sessions, in.header().uin), what, ctx.clock.nowMs()));
}

/// Reads the sender's profile, lets `change` edit it and `save` write it; SET_*_OK `ok` after.
/// `what` names the part of the profile it changes.
template <class Change, class Save>
Outcome updateProfile(V3Context& ctx, const V3Inbound& in, uint16_t ok, std::string_view what, Change&& change,
                      Save&& save) {
  std::optional<store::UserProfile> profile;
  if (!ctx.users.findProfile(in.header().uin, profile)) {
    ctx.stats.storeFailures++;
    return Outcome::retry;
  }
  if (!profile) return Outcome::done;  // the account is gone; the session will follow
  change(*profile);
  bool found = false;
  if (!save(*profile, found)) {
    ctx.stats.storeFailures++;
    return Outcome::retry;
  }
  ctx.replyReliable(in, ok);
  if (found) recordInfoChange(ctx, in, what);
  return Outcome::done;
}

Outcome setPage(V3Context& ctx, const V3Inbound& in, uint16_t ok, bool work) {
  std::string_view url;
  if (auto outcome = refused(ctx, in, v3::parseTextBody(in.body(), url, v3::kMaxUrlLength))) return *outcome;
  if (work)
    return updateProfile(
        ctx, in, ok, "work_page", [&](store::UserProfile& p) { p.work.homepage = url; },
        [&](const store::UserProfile& p, bool& found) { return ctx.users.setWork(p.uin, p.work, found); });
  return updateProfile(
      ctx, in, ok, "home_page", [&](store::UserProfile& p) { p.more.homepage = url; },
      [&](const store::UserProfile& p, bool& found) { return ctx.users.setMore(p.uin, p.more, found); });
}

}  // namespace

Outcome handleV3SetBasic(V3Context& ctx, const V3Inbound& in) {
  v3::BasicInfo basic;
  if (auto outcome = refused(ctx, in, v3::parseSetBasic(in.body(), basic))) return *outcome;
  return updateProfile(
      ctx, in, v3::SRV_SET_BASIC_OK, "basic", [&](store::UserProfile& p) { applyV3Basic(basic, p); },
      [&](const store::UserProfile& p, bool& found) {
        return ctx.users.setBasic(p.uin, {p.basic, std::nullopt, std::nullopt, std::nullopt}, found);
      });
}

Outcome handleV3SetHome(V3Context& ctx, const V3Inbound& in) {
  v3::HomeInfo home;
  if (auto outcome = refused(ctx, in, v3::parseSetHome(in.body(), home))) return *outcome;
  return updateProfile(
      ctx, in, v3::SRV_SET_HOME_OK, "home", [&](store::UserProfile& p) { applyV3Home(home, p); },
      [&](const store::UserProfile& p, bool& found) {
        return ctx.users.setBasic(p.uin, {p.basic, std::nullopt, std::nullopt, std::nullopt}, found) &&
               ctx.users.setMore(p.uin, p.more, found);
      });
}

Outcome handleV3SetWork(V3Context& ctx, const V3Inbound& in) {
  v3::WorkInfo work;
  if (auto outcome = refused(ctx, in, v3::parseSetWork(in.body(), work))) return *outcome;
  return updateProfile(
      ctx, in, v3::SRV_SET_WORK_OK, "work", [&](store::UserProfile& p) { applyV3Work(work, p); },
      [&](const store::UserProfile& p, bool& found) { return ctx.users.setWork(p.uin, p.work, found); });
}

Outcome handleV3SetHomePage(V3Context& ctx, const V3Inbound& in) {
  return setPage(ctx, in, v3::SRV_SET_HOME_PAGE_OK, false);
}

Outcome handleV3SetWorkPage(V3Context& ctx, const V3Inbound& in) {
  return setPage(ctx, in, v3::SRV_SET_WORK_PAGE_OK, true);
}

Outcome handleV3SetNotes(V3Context& ctx, const V3Inbound& in) {
  std::string_view notes;
  if (auto outcome = refused(ctx, in, v3::parseTextBody(in.body(), notes, v3::kMaxNotesLength))) return *outcome;
  bool found = false;
  if (!ctx.users.setAbout(in.header().uin, notes, ctx.clock.nowMs(), found)) {
    ctx.stats.storeFailures++;
    return Outcome::retry;
  }
  ctx.replyReliable(in, v3::SRV_SET_NOTES_OK);
  if (found) recordInfoChange(ctx, in, "notes");
  return Outcome::done;
}

Outcome handleV3SetPassword(V3Context& ctx, const V3Inbound& in) {
  std::string_view password;
  if (auto outcome = refused(ctx, in, v3::parseTextBody(in.body(), password, v3::kMaxPasswordLength))) return *outcome;
  if (password.empty()) return Outcome::done;  // would lock the user out
  std::string hash;
  try {
    hash = auth::hashPassword(password, ctx.settings.passwordOpsLimit, ctx.settings.passwordMemLimitBytes);
  } catch (const std::runtime_error&) {
    ctx.stats.storeFailures++;  // libsodium out of memory: nothing recorded, the client retries
    return Outcome::retry;
  }
  bool found = false;
  if (!ctx.users.setPasswordHash(in.header().uin, hash, found)) {
    ctx.stats.storeFailures++;
    return Outcome::retry;
  }
  ctx.users.audit(in.header().uin, store::AuditEvent::password_changed, "v3");
  ctx.events.record(core::passwordEvent(core::actorOf(ctx.sessions, in.header().uin), ctx.clock.nowMs()));
  ctx.replyReliable(in, v3::SRV_SET_PASSWORD_OK);
  return Outcome::done;
}

Outcome handleV3SetAuth(V3Context& ctx, const V3Inbound& in) {
  uint8_t mode = 0;
  if (auto outcome = refused(ctx, in, v3::parseSetAuth(in.body(), mode))) return *outcome;
  bool found = false;
  // Raw value kept as its meaning (decision 18): 1 = anyone may add me, 0 = authorization.
  if (!ctx.users.setAuthRequired(in.header().uin, mode == 0, found)) {
    ctx.stats.storeFailures++;
    return Outcome::retry;
  }
  ctx.replyReliable(in, v3::SRV_SET_AUTH_OK);
  if (found) recordInfoChange(ctx, in, "auth");
  return Outcome::done;
}

}  // namespace icq::worker::v3
