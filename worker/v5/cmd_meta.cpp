// worker: CMD_META_USER (protocol-v5.md §6.19, §7) — the profile setters, the info requests,
// unregistration and META_LOGIN; the META searches are in cmd_search.cpp.
//
// Each sub-command handler parses its parameters, makes one user-store call and answers with
// reliable SRV_META_USER packets that echo the request's SEQ2 (§7.0). The table at the bottom
// maps sub-commands to handlers; a sub-command it lacks is acknowledged only (D19). A body
// that does not hold its fields is dropped (the ACK is its only answer); a field over its limit
// is answered "failure" (§7.3); a store that cannot be reached withholds the ACK, so the
// client's retransmission retries (the table row is AckTiming::after_effect).
#include <algorithm>
#include <array>
#include <stdexcept>

#include "common/auth/password.hpp"
#include "common/codec/v5/constants.hpp"
#include "common/presence/presence.hpp"
#include "worker/core/session_events.hpp"
#include "worker/v5/commands.hpp"
#include "worker/v5/profile_wire.hpp"

namespace icq::worker::v5 {
namespace {

namespace v5 = codec::v5;
using v5::ParseError;

/// Parse outcomes that end a setter early: dropped, or answered "failure".
bool finishedByParse(CommandContext& ctx, const Inbound& in, ParseError error, uint16_t reply, Outcome& outcome) {
  if (error == ParseError::none) return false;
  if (error == ParseError::truncated) {
    outcome = malformed(ctx);
  } else {
    replyMetaResult(ctx, in, reply, false);
    outcome = Outcome::done;
  }
  return true;
}

/// The common tail of every setter: one store call, then "saved" or "failure". `what` names
/// the part of the profile it changes.
template <class Store>
Outcome save(CommandContext& ctx, const Inbound& in, uint16_t reply, std::string_view what, Store&& store) {
  bool found = false;
  if (!store(found)) return storeFailed(ctx);
  replyMetaResult(ctx, in, reply, found);
  if (found) recordInfoChange(ctx, in, what);
  return Outcome::done;
}

Outcome metaSetBasic(CommandContext& ctx, const Inbound& in, const MetaRequest& request) {
  v5::SetBasicRequest parsed;
  Outcome outcome;
  if (finishedByParse(ctx, in, v5::parseSetBasic(request.params, parsed), v5::META_BASIC_SAVED, outcome))
    return outcome;
  const store::BasicUpdate update = basicUpdate(parsed);
  return save(ctx, in, v5::META_BASIC_SAVED, "basic",
              [&](bool& found) { return ctx.users.setBasic(in.header().uin, update, found); });
}

Outcome metaSetWork(CommandContext& ctx, const Inbound& in, const MetaRequest& request) {
  v5::SetWorkRequest parsed;
  Outcome outcome;
  if (finishedByParse(ctx, in, v5::parseSetWork(request.params, parsed), v5::META_WORK_SAVED, outcome)) return outcome;
  const store::WorkInfo work = workInfo(parsed);
  return save(ctx, in, v5::META_WORK_SAVED, "work",
              [&](bool& found) { return ctx.users.setWork(in.header().uin, work, found); });
}

Outcome metaSetMore(CommandContext& ctx, const Inbound& in, const MetaRequest& request) {
  v5::MoreFields parsed;
  Outcome outcome;
  if (finishedByParse(ctx, in, v5::parseSetMore(request.subcommand, request.params, parsed), v5::META_MORE_SAVED,
                      outcome))
    return outcome;
  const store::MoreInfo more = moreInfo(parsed);
  return save(ctx, in, v5::META_MORE_SAVED, "more",
              [&](bool& found) { return ctx.users.setMore(in.header().uin, more, found); });
}

Outcome metaSetAbout(CommandContext& ctx, const Inbound& in, const MetaRequest& request) {
  std::string_view about;
  Outcome outcome;
  if (finishedByParse(ctx, in, v5::parseSetAbout(request.params, about), v5::META_ABOUT_SAVED, outcome)) return outcome;
  return save(ctx, in, v5::META_ABOUT_SAVED, "about",
              [&](bool& found) { return ctx.users.setAbout(in.header().uin, about, ctx.clock.nowMs(), found); });
}

Outcome metaSetInterests(CommandContext& ctx, const Inbound& in, const MetaRequest& request) {
  v5::InterestFields parsed;
  Outcome outcome;
  if (finishedByParse(ctx, in, v5::parseSetInterests(request.params, parsed), v5::META_INTERESTS_SAVED, outcome))
    return outcome;
  const store::Interests interests = categoryList(parsed);
  return save(ctx, in, v5::META_INTERESTS_SAVED, "interests",
              [&](bool& found) { return ctx.users.setInterests(in.header().uin, interests, found); });
}

Outcome metaSetAffiliations(CommandContext& ctx, const Inbound& in, const MetaRequest& request) {
  v5::BackgroundFields past, affiliations;
  Outcome outcome;
  if (finishedByParse(ctx, in, v5::parseSetAffiliations(request.params, past, affiliations),
                      v5::META_AFFILIATIONS_SAVED, outcome))
    return outcome;
  const store::Background background{categoryList(past), categoryList(affiliations)};
  return save(ctx, in, v5::META_AFFILIATIONS_SAVED, "affiliations",
              [&](bool& found) { return ctx.users.setBackground(in.header().uin, background, found); });
}

// The web-aware bit of the session's status flags (§7.6 "also update the flags word") is the
// client's to send with its next CMD_STATUS_CHANGE; the stored flag serves the info replies.
Outcome metaSetSecurity(CommandContext& ctx, const Inbound& in, const MetaRequest& request) {
  v5::SecurityFields parsed;
  Outcome outcome;
  if (finishedByParse(ctx, in, v5::parseSetSecurity(request.params, parsed), v5::META_SECURITY_SAVED, outcome))
    return outcome;
  const store::SecurityUpdate security{parsed.authRequired, parsed.webAware, parsed.hideIp};
  return save(ctx, in, v5::META_SECURITY_SAVED, "security",
              [&](bool& found) { return ctx.users.setSecurity(in.header().uin, security, found); });
}

Outcome metaSetHpcat(CommandContext& ctx, const Inbound& in, const MetaRequest& request) {
  v5::HomepageCategoryFields parsed;
  Outcome outcome;
  if (finishedByParse(ctx, in, v5::parseSetHpcat(request.params, parsed), v5::META_HPCAT_SAVED, outcome))
    return outcome;
  const store::HomepageCategory category = homepageCategory(parsed);
  return save(ctx, in, v5::META_HPCAT_SAVED, "homepage_category",
              [&](bool& found) { return ctx.users.setHomepageCategory(in.header().uin, category, found); });
}

Outcome metaSetPass(CommandContext& ctx, const Inbound& in, const MetaRequest& request) {
  std::string_view password;
  Outcome outcome;
  if (finishedByParse(ctx, in, v5::parseNewPassword(request.params, password), v5::META_PASS_SAVED, outcome))
    return outcome;
  switch (changePassword(ctx, in.header().uin, password)) {
    case PasswordChange::changed:
      replyMetaResult(ctx, in, v5::META_PASS_SAVED, true);
      return Outcome::done;
    case PasswordChange::refused:
      replyMetaResult(ctx, in, v5::META_PASS_SAVED, false);
      return Outcome::done;
    case PasswordChange::store_failed:
      break;
  }
  return storeFailed(ctx);
}

/// §7.8: seven packets for the full info, 99a or 99b layouts; one failure packet for a UIN
/// that does not exist.
Outcome metaUserInfo(CommandContext& ctx, const Inbound& in, const MetaRequest& request) {
  uint32_t uin = 0;
  if (v5::parseUinRequest(request.params, uin) != ParseError::none) return malformed(ctx);
  std::optional<store::UserProfile> profile;
  if (!ctx.users.findProfile(uin, profile)) return storeFailed(ctx);
  if (!profile) {
    replyMetaResult(ctx, in, v5::META_BASIC_INFO, false);
    return Outcome::done;
  }
  const bool is99b = request.subcommand == v5::META_USER_INFO2 || request.subcommand == v5::META_USER_LOGININFO2;
  const v5::InfoLayout layout = is99b ? v5::InfoLayout::icq99b : v5::InfoLayout::icq99a;
  const store::UserProfile& p = *profile;
  const v5::BasicFields basic = basicFields(p, showsEmail(p, in.header().uin));
  const auto meta = [&](auto&& build) { replyBuilt(ctx, in, v5::SRV_META_USER, build); };
  meta([&](std::span<uint8_t> out) { return v5::buildMetaBasicBody(basic, layout, out); });
  meta([&](std::span<uint8_t> out) { return v5::buildMetaMoreBody(moreFields(p.more), layout, out); });
  meta([&](std::span<uint8_t> out) { return v5::buildMetaHpcatBody(homepageCategoryFields(p.homepageCategory), out); });
  meta([&](std::span<uint8_t> out) { return v5::buildMetaWorkBody(workFields(p.work), layout, out); });
  meta([&](std::span<uint8_t> out) { return v5::buildMetaAboutBody(p.about, out); });
  meta([&](std::span<uint8_t> out) { return v5::buildMetaInterestsBody(categoryFields(p.interests), out); });
  meta([&](std::span<uint8_t> out) {
    return v5::buildMetaAffiliationsBody(categoryFields(p.background.past), categoryFields(p.background.affiliations),
                                         out);
  });
  return Outcome::done;
}

Outcome metaShortInfo(CommandContext& ctx, const Inbound& in, const MetaRequest& request) {
  uint32_t uin = 0;
  if (v5::parseUinRequest(request.params, uin) != ParseError::none) return malformed(ctx);
  std::optional<store::UserProfile> profile;
  if (!ctx.users.findProfile(uin, profile)) return storeFailed(ctx);
  if (!profile) {
    replyMetaResult(ctx, in, v5::META_SHORT_INFO, false);
    return Outcome::done;
  }
  const v5::BasicFields basic = basicFields(*profile, showsEmail(*profile, in.header().uin));
  replyBuilt(ctx, in, v5::SRV_META_USER,
             [&](std::span<uint8_t> out) { return v5::buildMetaShortInfoBody(basic, profile->more.gender, out); });
  return Outcome::done;
}

/// The session is over once its account is: the "unregistered" reply cannot be queued as a
/// reliable packet of a session that no longer exists, so it goes out once, directly, with
/// the ended session's next SEQ1 (which licq accepts, §4.2).
void replyToEndedSession(CommandContext& ctx, const Inbound& in, const store::Session& ended) {
  const size_t body = v5::buildMetaResultBody(v5::META_UNREGISTERED, v5::kMetaSuccess,
                                              std::span(ctx.scratch).subspan(v5::kServerHeaderSize));
  const v5::ServerHeader header{ended.sessionId, v5::SRV_META_USER, ended.nextSeq1, in.header().seq2, ended.uin};
  const size_t length = v5::encodeServerPacket(header, std::span(ctx.scratch).subspan(v5::kServerHeaderSize, body),
                                               ctx.scratch, ctx.rng.serverR1(), ctx.rng.r2());
  ctx.reply(in, length);
}

/// §7.9 decision (D27): only the session's own account, exact password; afterwards the
/// session ends like a logoff (§10.4).
Outcome metaUnregister(CommandContext& ctx, const Inbound& in, const MetaRequest& request) {
  v5::UnregisterRequest parsed;
  const ParseError error = v5::parseUnregister(request.params, parsed);
  if (error == ParseError::truncated) return malformed(ctx);
  const uint32_t uin = in.header().uin;
  std::optional<store::UserCredentials> credentials;
  if (error == ParseError::none && parsed.uin == uin && !ctx.users.findCredentials(uin, credentials))
    return storeFailed(ctx);
  if (!credentials || !auth::verifyPassword(credentials->passwordHash, parsed.password)) {
    replyMetaResult(ctx, in, v5::META_UNREGISTERED, false);
    return Outcome::done;
  }
  bool deleted = false;
  if (!ctx.users.deleteUser(uin, credentials->passwordHash, deleted)) return storeFailed(ctx);
  if (!deleted) {  // the password changed meanwhile
    replyMetaResult(ctx, in, v5::META_UNREGISTERED, false);
    return Outcome::done;
  }
  // Its offline messages went with it (ON DELETE CASCADE); the session goes now. The account
  // is gone whatever follows, so a failure below is counted, not retried.
  ctx.users.audit(uin, store::AuditEvent::user_deleted, util::formatEndpoint(in.from));
  std::optional<store::Session> ended;
  if (!ctx.sessions.end(uin, in.header().sessionId, in.from, ended)) {
    ctx.stats.storeFailures++;
    return Outcome::done;
  }
  if (!ended) return Outcome::done;
  replyToEndedSession(ctx, in, *ended);
  if (!presence::depart(ctx.presence, ctx.outbox, uin, ended->status)) ctx.stats.storeFailures++;
  return Outcome::done;
}

/// §8.22 (D17): IServerd's reply to ICQ 99b's META_LOGIN, command 0x001E, and only here.
Outcome metaLogin(CommandContext& ctx, const Inbound& in, const MetaRequest&) {
  replyBuilt(ctx, in, v5::SRV_SILENT_TOO_LONG, [](std::span<uint8_t> out) { return v5::buildMetaLoginReplyBody(out); });
  return Outcome::done;
}

/// USAGE_STATS (§7.1) is logged by IServerd and never answered; the ACK is enough.
Outcome metaAcknowledgeOnly(CommandContext&, const Inbound&, const MetaRequest&) { return Outcome::done; }

struct MetaSpec {
  uint16_t subcommand;
  MetaHandler handler;
};

constexpr auto kMetaCommands = std::to_array<MetaSpec>({
    {v5::META_SET_BASIC, metaSetBasic},
    {v5::META_SET_BASIC2, metaSetBasic},
    {v5::META_SET_WORK, metaSetWork},
    {v5::META_SET_WORK2, metaSetWork},
    {v5::META_SET_MORE, metaSetMore},
    {v5::META_SET_MORE2, metaSetMore},
    {v5::META_SET_ABOUT, metaSetAbout},
    {v5::META_SET_INTERESTS, metaSetInterests},
    {v5::META_SET_AFFILIATIONS, metaSetAffiliations},
    {v5::META_SET_SECURITY, metaSetSecurity},
    {v5::META_SET_PASS, metaSetPass},
    {v5::META_SET_HPCAT, metaSetHpcat},
    {v5::META_USER_FULLINFO, metaUserInfo},
    {v5::META_USER_INFO2, metaUserInfo},
    {v5::META_USER_LOGININFO, metaUserInfo},
    {v5::META_USER_LOGININFO2, metaUserInfo},
    {v5::META_USER_INFO, metaShortInfo},
    {v5::META_USER_UNREGISTER, metaUnregister},
    {v5::META_SEARCH_NAME, handleMetaSearchName},
    {v5::META_SEARCH_NAME2, handleMetaSearchName},
    {v5::META_SEARCH_UIN, handleMetaSearchUin},
    {v5::META_SEARCH_UIN2, handleMetaSearchUin},
    {v5::META_SEARCH_EMAIL, handleMetaSearchEmail},
    {v5::META_SEARCH_EMAIL2, handleMetaSearchEmail},
    {v5::META_SEARCH_WHITE, handleMetaSearchWhite},
    {v5::META_SEARCH_WHITE2, handleMetaSearchWhite},
    {v5::META_USAGE_STATS, metaAcknowledgeOnly},
    {v5::META_LOGIN, metaLogin},
});

}  // namespace

PasswordChange changePassword(CommandContext& ctx, uint32_t uin, std::string_view password) {
  // A password longer than CMD_LOGIN accepts would lock the user out (§6.1, D44).
  if (password.empty() || password.size() > v5::kMaxPasswordLength) return PasswordChange::refused;
  std::string hash;
  try {
    hash = auth::hashPassword(password, ctx.settings.passwordOpsLimit, ctx.settings.passwordMemLimitBytes);
  } catch (const std::runtime_error&) {
    ctx.stats.storeFailures++;  // libsodium out of memory: nothing recorded, the client may retry
    return PasswordChange::refused;
  }
  bool found = false;
  if (!ctx.users.setPasswordHash(uin, hash, found)) return PasswordChange::store_failed;
  if (!found) return PasswordChange::refused;
  ctx.users.audit(uin, store::AuditEvent::password_changed, "v5");
  ctx.events.record(core::passwordEvent(core::actorOf(ctx.sessions, uin), ctx.clock.nowMs()));
  return PasswordChange::changed;
}

Outcome handleMetaUser(CommandContext& ctx, const Inbound& in) {
  MetaRequest request;
  if (v5::parseMetaUser(in.packet.data, request.subcommand, request.params) != ParseError::none) return malformed(ctx);
  const auto it = std::find_if(kMetaCommands.begin(), kMetaCommands.end(),
                               [&](const MetaSpec& spec) { return spec.subcommand == request.subcommand; });
  if (it == kMetaCommands.end()) return Outcome::done;  // D19: acknowledged, nothing more
  return it->handler(ctx, in, request);
}

}  // namespace icq::worker::v5
