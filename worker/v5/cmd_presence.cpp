// worker: contact lists and presence — CMD_CONTACT_LIST (protocol-v5.md §6.3, §10.6),
// CMD_ADD_TO_LIST (§6.14, §10.7), CMD_VIS_LIST / CMD_INVIS_LIST (§6.17), CMD_UPDATE_LIST
// (§6.18), CMD_STATUS_CHANGE (§6.13, §10.5) and random chat, CMD_RAND_SET /
// CMD_RAND_SEARCH (§6.21, §8.19). The rules of who is told what live in
// common/presence; these handlers parse, make one store call, and queue what it implies.
#include <array>

#include "common/codec/v5/constants.hpp"
#include "common/codec/v5/presence.hpp"
#include "common/presence/presence.hpp"
#include "worker/core/session_events.hpp"
#include "worker/v5/commands.hpp"

namespace icq::worker::v5 {
namespace {

namespace v5 = codec::v5;

/// A presence step's outcome: retried when the store failed.
Outcome recorded(CommandContext& ctx, bool ok) {
  if (ok) return Outcome::done;
  ctx.stats.storeFailures++;
  return Outcome::retry;
}

/// The contacts of `uins` that are online and visible to the sender are announced to it.
Outcome addContacts(CommandContext& ctx, const Inbound& in, std::span<const uint32_t> uins) {
  return recorded(ctx, presence::addContacts(ctx.presence, ctx.outbox, in.header().uin, uins));
}

Outcome editList(CommandContext& ctx, const Inbound& in, store::PrivacyList list, bool add,
                 std::span<const uint32_t> uins) {
  return recorded(ctx, presence::editList(ctx.presence, ctx.outbox, in.header().uin, list, add, uins));
}

/// Parses a `u8 N + N × uin` body into `uins`; false (counted) when malformed.
bool parseList(CommandContext& ctx, const Inbound& in, std::array<uint32_t, v5::kMaxUinsPerListPacket>& uins,
               size_t& count) {
  if (v5::parseUinList(in.packet.data, uins, count) == v5::ParseError::none) return true;
  ctx.stats.malformedBodies++;
  return false;
}

Outcome handlePrivacyList(CommandContext& ctx, const Inbound& in, store::PrivacyList list) {
  std::array<uint32_t, v5::kMaxUinsPerListPacket> uins{};
  size_t count = 0;
  if (!parseList(ctx, in, uins, count)) return Outcome::done;
  // Lists accumulate over packets (IServerd); visibility is re-evaluated after every one,
  // the first ones after login included (§6.17 decision).
  return editList(ctx, in, list, true, std::span(uins).first(count));
}

}  // namespace

Outcome handleContactList(CommandContext& ctx, const Inbound& in) {
  std::array<uint32_t, v5::kMaxUinsPerListPacket> uins{};
  size_t count = 0;
  if (!parseList(ctx, in, uins, count)) return Outcome::done;
  if (addContacts(ctx, in, std::span(uins).first(count)) == Outcome::retry) return Outcome::retry;
  // §8.18: IServerd puts the recipient's own UIN in it; clients accept that or nothing.
  std::array<uint8_t, 4> self{};
  size_t n = v5::buildUinData(in.header().uin, self);
  ctx.outbox.queue(in.header().uin, v5::SRV_USER_LIST_DONE, 0, std::span(self).first(n), in.header().sessionId);
  deliverOfflineMessagesOnce(ctx, in);
  return Outcome::done;
}

Outcome handleAddToList(CommandContext& ctx, const Inbound& in) {
  uint32_t uin = 0;
  if (v5::parseAddToList(in.packet.data, uin) != v5::ParseError::none) {
    ctx.stats.malformedBodies++;
    return Outcome::done;
  }
  return addContacts(ctx, in, std::span(&uin, 1));
}

Outcome handleVisList(CommandContext& ctx, const Inbound& in) {
  return handlePrivacyList(ctx, in, store::PrivacyList::visible);
}

Outcome handleInvisList(CommandContext& ctx, const Inbound& in) {
  return handlePrivacyList(ctx, in, store::PrivacyList::invisible);
}

Outcome handleUpdateList(CommandContext& ctx, const Inbound& in) {
  v5::UpdateList update;
  if (v5::parseUpdateList(in.packet.data, update) != v5::ParseError::none) {
    ctx.stats.malformedBodies++;
    return Outcome::done;
  }
  auto list = update.list == v5::PrivacyList::visible ? store::PrivacyList::visible : store::PrivacyList::invisible;
  return editList(ctx, in, list, update.add, std::span(&update.uin, 1));
}

Outcome handleStatusChange(CommandContext& ctx, const Inbound& in) {
  uint32_t status = 0;
  if (v5::parseStatusChange(in.packet.data, status) != v5::ParseError::none) {
    ctx.stats.malformedBodies++;
    return Outcome::done;
  }
  uint32_t previous = 0;
  bool found = false;
  store::PresenceData self;
  std::vector<store::Watcher> watchers;
  if (!ctx.presence.changeStatus(in.header().uin, in.header().sessionId, status, previous, self, found, watchers)) {
    ctx.stats.storeFailures++;
    return Outcome::retry;
  }
  if (!found) return Outcome::done;
  presence::announceStatusChange(ctx.outbox, self, previous, watchers);
  ctx.events.record(core::statusEvent(core::actorOf(ctx.sessions, in.header().uin), status, ctx.clock.nowMs()));
  return Outcome::done;
}

Outcome handleRandSet(CommandContext& ctx, const Inbound& in) {
  uint32_t group = 0;
  if (v5::parseStatusChange(in.packet.data, group) != v5::ParseError::none) {  // the same lone u32
    ctx.stats.malformedBodies++;
    return Outcome::done;
  }
  bool found = false;
  if (!ctx.presence.joinRandomGroup(in.header().uin, in.header().sessionId, group, found)) {
    ctx.stats.storeFailures++;
    return Outcome::retry;
  }
  return Outcome::done;
}

Outcome handleRandSearch(CommandContext& ctx, const Inbound& in) {
  uint32_t group = 0;
  if (v5::parseStatusChange(in.packet.data, group) != v5::ParseError::none) {
    ctx.stats.malformedBodies++;
    return Outcome::done;
  }
  store::PresenceData member;
  bool found = false;
  if (group != 0 && !ctx.presence.randomGroupMember(group, in.header().uin, member, found)) {
    ctx.stats.storeFailures++;
    return Outcome::retry;
  }
  std::array<uint8_t, v5::kRandomUserBodySize> body{};
  size_t n = found ? v5::buildRandomUserBody(presence::onlineContactFor(member), body) : 0;
  ctx.replyReliable(in, v5::SRV_RAND_USER, std::span(body).first(n));  // no data: nobody found
  return Outcome::done;
}

}  // namespace icq::worker::v5
