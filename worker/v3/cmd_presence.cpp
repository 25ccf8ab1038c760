// worker: V3 contact lists and presence — USER_LIST 0x0406 (protocol-v3.md §5.6), USER_ADD
// 0x053C (§5.7), VISIBLE_LIST / INVISIBLE_LIST / UPDATE_LIST (§5.8) and SET_STATUS 0x04D8
// (§5.9). The lists are the same per-session lists V5 uses (common/store/presence_store.hpp),
// so who sees whom follows one set of rules across versions, and the V3 contact-list upload
// obeys private status and the invisible lists that IServerd ignores there (rule 8, decision
// 31). What a watcher is told is built in its own protocol by common/presence.
#include <array>

#include "common/codec/v3/presence.hpp"
#include "common/presence/presence.hpp"
#include "worker/core/session_events.hpp"
#include "worker/v3/commands.hpp"

namespace icq::worker::v3 {
namespace {

namespace v3 = codec::v3;

Outcome storeFailed(V3Context& ctx) {
  ctx.stats.storeFailures++;
  return Outcome::retry;
}

/// The contacts of `uins` that are online and visible to the sender are announced to it.
Outcome addContacts(V3Context& ctx, const V3Inbound& in, std::span<const uint32_t> uins) {
  if (!presence::addContacts(ctx.presence, ctx.outbox, in.header().uin, uins)) return storeFailed(ctx);
  return Outcome::done;
}

Outcome editList(V3Context& ctx, const V3Inbound& in, store::PrivacyList list, bool add,
                 std::span<const uint32_t> uins) {
  if (!presence::editList(ctx.presence, ctx.outbox, in.header().uin, list, add, uins)) return storeFailed(ctx);
  return Outcome::done;
}

/// A `u8 count + count × u32` body; false (counted) when malformed.
bool parseList(V3Context& ctx, const V3Inbound& in, std::array<uint32_t, v3::kMaxUinsPerListPacket>& uins,
               size_t& count) {
  if (v3::parseUinList(in.body(), uins, count) == v3::ParseError::none) return true;
  ctx.stats.malformedBodies++;
  return false;
}

Outcome handlePrivacyList(V3Context& ctx, const V3Inbound& in, store::PrivacyList list) {
  std::array<uint32_t, v3::kMaxUinsPerListPacket> uins{};
  size_t count = 0;
  if (!parseList(ctx, in, uins, count)) return Outcome::done;
  // Decision 32, "optionally store": with V5 semantics, so a V3 user can restrict who sees it.
  return editList(ctx, in, list, true, std::span(uins).first(count));
}

}  // namespace

Outcome handleV3UserList(V3Context& ctx, const V3Inbound& in) {
  std::array<uint32_t, v3::kMaxUinsPerListPacket> uins{};
  size_t count = 0;
  if (!parseList(ctx, in, uins, count)) return Outcome::done;
  if (addContacts(ctx, in, std::span(uins).first(count)) == Outcome::retry) return Outcome::retry;
  // One LIST_DONE per USER_LIST packet, after its USER_ONLINE packets, seq2 0 (decision 22).
  size_t pieces = 0;
  ctx.queueV3(in.header().uin, v3::SRV_LIST_DONE, 0, {}, pieces);
  return Outcome::done;
}

Outcome handleV3UserAdd(V3Context& ctx, const V3Inbound& in) {
  uint32_t uin = 0;
  if (v3::parseU32Body(in.body(), uin) != v3::ParseError::none) {
    ctx.stats.malformedBodies++;
    return Outcome::done;
  }
  return addContacts(ctx, in, std::span(&uin, 1));  // no "you were added" (decision 21)
}

Outcome handleV3VisibleList(V3Context& ctx, const V3Inbound& in) {
  return handlePrivacyList(ctx, in, store::PrivacyList::visible);
}

Outcome handleV3InvisibleList(V3Context& ctx, const V3Inbound& in) {
  return handlePrivacyList(ctx, in, store::PrivacyList::invisible);
}

Outcome handleV3UpdateList(V3Context& ctx, const V3Inbound& in) {
  v3::UpdateList update;
  if (v3::parseUpdateList(in.body(), update) != v3::ParseError::none) {
    ctx.stats.malformedBodies++;
    return Outcome::done;
  }
  // No V3 client is known to send it (§5.8); read like V5's CMD_UPDATE_LIST (D9): list 2 =
  // visible, anything else invisible; add 1 = add, anything else remove.
  auto list = update.list == 2 ? store::PrivacyList::visible : store::PrivacyList::invisible;
  return editList(ctx, in, list, update.add == 1, std::span(&update.uin, 1));
}

Outcome handleV3SetStatus(V3Context& ctx, const V3Inbound& in) {
  v3::StatusChange change;
  if (v3::parseSetStatus(in.body(), change) != v3::ParseError::none) {
    ctx.stats.malformedBodies++;
    return Outcome::done;
  }
  uint32_t previous = 0;
  bool found = false;
  store::PresenceData self;
  std::vector<store::Watcher> watchers;
  const uint32_t status = uint32_t{change.status} | uint32_t{change.estat} << 16;
  if (!ctx.presence.changeStatus(in.header().uin, 0, status, previous, self, found, watchers))
    return storeFailed(ctx);
  // §5.9's table is §10.5's: offline to those who lose sight, online to those who gain it,
  // USER_STATUS to the rest — and nothing for private → private.
  if (!found) return Outcome::done;
  presence::announceStatusChange(ctx.outbox, self, previous, watchers);
  ctx.events.record(core::statusEvent(core::actorOf(ctx.sessions, in.header().uin), status, ctx.clock.nowMs()));
  return Outcome::done;
}

}  // namespace icq::worker::v3
