// worker: V3 broadcasts. BROADCAST_REQ 0x0604 (protocol-v3.md §5.15, decision 33): Miranda
// asks for the broadcasts it missed and waits for BROADCAST_DONE 0x0398. Broadcasts reach V3
// users as ordinary type-0x14 messages (offline ones through SYSMSG_REQ), so there is never
// anything else to send: the DONE, reliable, seq2 = the request's.
//
// BROADCAST_ALL 0x060E / BROADCAST_ONLINE 0x0618 (§5.16) from an account an administrator
// allowed to broadcast (users.may_broadcast): a type-0x14 message from the sender to every
// online session but the sender's, in its protocol (V3 SYSMSG_ONLINE, V5 type 9 with the
// fake sender header of §9.2), found by walking the online index a slice at a time with one
// outbox round trip per slice. BROADCAST_ALL then stores a copy for every account that did
// not get it live, a page of accounts per statement (message_store.hpp). Without the
// permission the packet is acknowledged and ignored (decision 34: IServerd's silence only
// makes the client retransmit and reconnect).
//
// The ACK follows the effect: if a store fails half-way the client's retransmission runs the
// broadcast again, and those already reached get it twice — twice rather than never.
#include <algorithm>
#include <unordered_set>
#include <vector>

#include "common/codec/v3/message.hpp"
#include "common/log/log.hpp"
#include "worker/v3/commands.hpp"

namespace icq::worker::v3 {
namespace {

namespace v3 = codec::v3;

// One walk step over the online index and one outbox round trip.
constexpr size_t kOnlineSlice = 500;
// Accounts whose offline copies one statement stores (and whose users rows it locks).
constexpr size_t kOfflinePage = 1000;

/// Sends `message` to every online session but the sender's (in `department` unless 0);
/// `reached` receives every UIN that got it. False when a store failed.
bool sendToOnline(V3Context& ctx, const V3Message& message, uint32_t department, std::vector<uint32_t>& reached) {
  struct Recipient {
    uint32_t uin;
    QueuedPieces asV3, asV5;
  };
  std::unordered_set<uint32_t> seen{message.from};  // the walk may list a session twice
  std::vector<store::SessionHome> homes;
  std::vector<uint32_t> uins, members;
  std::vector<Recipient> recipients;
  uint64_t cursor = 0;
  do {
    size_t removed = 0;
    // staleBeforeMs -1: only look, never remove index entries.
    if (!ctx.sessions.walkOnline(cursor, kOnlineSlice, -1, homes, removed)) return false;
    uins.clear();
    for (const store::SessionHome& home : homes)
      if (seen.insert(home.uin).second) uins.push_back(home.uin);
    if (department != 0 && !uins.empty()) {
      if (!ctx.users.inDepartment(department, uins, members)) return false;
      uins.swap(members);
    }
    recipients.clear();
    for (uint32_t uin : uins) {
      V3Message copy = message;
      copy.to = uin;
      // Each form is filtered by protocol in the session store: exactly one can arrive.
      const QueuedPieces asV3 = queueForV3(ctx, copy, 0);
      recipients.push_back({uin, asV3, queueForV5(ctx, copy)});
    }
    if (!ctx.outbox.flushForRoutes()) return false;
    for (const Recipient& r : recipients)
      if (r.asV3.reached(ctx.outbox) || r.asV5.reached(ctx.outbox)) reached.push_back(r.uin);
  } while (cursor != 0);
  return true;
}

/// Stores `message` for every account in `department` (all when 0) but those in `skip`.
bool storeForTheRest(V3Context& ctx, const V3Message& message, uint32_t department, std::vector<uint32_t> skip,
                     size_t& stored) {
  std::sort(skip.begin(), skip.end());
  uint32_t after = 0;
  stored = 0;
  for (;;) {
    // Only the skipped UINs past the page start can be in the page.
    const std::vector<uint32_t> ahead(std::upper_bound(skip.begin(), skip.end(), after), skip.end());
    uint32_t last = 0;
    size_t page = 0;
    if (!ctx.messages.storeForAll(message.from, message.type, message.text, ctx.clock.nowMs(), department, ahead,
                                  after, kOfflinePage, last, page))
      return false;
    stored += page;
    if (last == 0) return true;
    after = last;
  }
}

}  // namespace

Outcome handleV3BroadcastReq(V3Context& ctx, const V3Inbound& in) {
  ctx.replyReliable(in, v3::SRV_BROADCAST_DONE);
  return Outcome::done;
}

Outcome handleV3Broadcast(V3Context& ctx, const V3Inbound& in) {
  v3::Broadcast request;
  if (v3::parseBroadcast(in.body(), request, ctx.settings.maxMessage) != v3::ParseError::none) {
    ctx.stats.malformedBodies++;
    return Outcome::done;
  }
  const uint32_t from = in.header().uin;
  std::optional<store::UserCredentials> sender;
  if (!ctx.users.findCredentials(from, sender)) {
    ctx.stats.storeFailures++;
    return Outcome::retry;
  }
  if (!sender || !sender->mayBroadcast) {
    ctx.stats.broadcastsRefused++;
    log::info("v3_broadcast_refused", {{"uin", from}});
    return Outcome::done;
  }
  // The server always sends type 0x14, whatever the client put in the packet (§5.16).
  const V3Message message{from, 0, v3::kMsgBroadcast, request.text};
  std::vector<uint32_t> reached;
  size_t stored = 0;
  const bool toAll = in.header().command == v3::CMD_BROADCAST_ALL;
  reached.push_back(from);
  if (!sendToOnline(ctx, message, request.department, reached) ||
      (toAll && !storeForTheRest(ctx, message, request.department, reached, stored))) {
    ctx.stats.storeFailures++;
    return Outcome::retry;
  }
  ctx.stats.broadcasts++;
  log::info("v3_broadcast", {{"uin", from}, {"all", toAll}, {"department", request.department},
                             {"online", reached.size() - 1}, {"stored", stored}});
  return Outcome::done;
}

}  // namespace icq::worker::v3
