// worker: CMD_INFO_REQ and CMD_EXT_INFO_REQ (protocol-v5.md §6.11, §6.12) — the pre-META
// user information, answered with SRV_INFO_REPLY / SRV_EXT_INFO_REPLY (§8.13, §8.14) or
// SRV_INVALID_UIN (§8.15), reliable and with the request's SEQ2 (D30 decision).
#include "common/codec/v5/constants.hpp"
#include "common/codec/v5/meta.hpp"
#include "worker/v5/commands.hpp"
#include "worker/v5/profile_wire.hpp"

namespace icq::worker::v5 {
namespace {

namespace v5 = codec::v5;

/// Reads the profile the request names; `outcome` is set when the handler is finished (a
/// malformed body, an unreachable store, or an unknown UIN answered with SRV_INVALID_UIN).
std::optional<store::UserProfile> targetOf(CommandContext& ctx, const Inbound& in, Outcome& outcome) {
  uint32_t uin = 0;
  if (v5::parseUinRequest(in.packet.data, uin) != v5::ParseError::none) {
    outcome = malformed(ctx);
    return std::nullopt;
  }
  std::optional<store::UserProfile> profile;
  if (!ctx.users.findProfile(uin, profile)) {
    outcome = storeFailed(ctx);
    return std::nullopt;
  }
  if (!profile) {
    replyBuilt(ctx, in, v5::SRV_INVALID_UIN, [&](std::span<uint8_t> out) { return v5::buildInvalidUinBody(uin, out); });
    outcome = Outcome::done;
  }
  return profile;
}

}  // namespace

Outcome handleInfoReq(CommandContext& ctx, const Inbound& in) {
  Outcome outcome = Outcome::done;
  const std::optional<store::UserProfile> profile = targetOf(ctx, in, outcome);
  if (!profile) return outcome;
  const v5::SearchHitFields user = userFields(*profile, showsEmail(*profile, in.header().uin));
  replyBuilt(ctx, in, v5::SRV_INFO_REPLY, [&](std::span<uint8_t> out) { return v5::buildInfoReplyBody(user, out); });
  return Outcome::done;
}

Outcome handleExtInfoReq(CommandContext& ctx, const Inbound& in) {
  Outcome outcome = Outcome::done;
  const std::optional<store::UserProfile> profile = targetOf(ctx, in, outcome);
  if (!profile) return outcome;
  const v5::BasicFields basic = basicFields(*profile, showsEmail(*profile, in.header().uin));
  replyBuilt(ctx, in, v5::SRV_EXT_INFO_REPLY, [&](std::span<uint8_t> out) {
    return v5::buildExtInfoReplyBody(profile->uin, basic, moreFields(profile->more), profile->about, out);
  });
  return Outcome::done;
}

}  // namespace icq::worker::v5
