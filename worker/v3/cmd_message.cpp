// worker: V3 messages through the server — THRU_SERVER 0x010E and AUTHORIZE 0x0456
// (protocol-v3.md §5.11, §5.12), offline messages on SYSMSG_REQ 0x044C (§5.13) and their
// deletion on SYSMSG_DONE_ACK 0x0442 (§5.14) — and their conversion for V5 recipients (§9.2).
//
// A message is acknowledged only once it is recorded (AckTiming::after_effect): queued as
// unconfirmed packets of the recipient's session, or stored in PostgreSQL. The recipient's
// session is looked up first because the two protocols need different packets — one
// SYSMSG_ONLINE (cut into FRAGMENT pieces above the MTU) for V3, several
// SRV_SYS_DELIVERED_MESS pieces of at most v5.max_msg_chunk bytes for V5 — and each packet is
// queued with that protocol as a filter: if the session changed protocol or ended in
// between, nothing is queued, and the message is stored instead. Never both lost and
// acknowledged.
//
// Offline messages are not pushed to a V3 client: it asks (SYSMSG_REQ) and confirms with the
// time of the newest one it got. The session remembers the highest id it was sent, and the
// confirmation deletes only those up to it stored no later than that second — a message
// stored after the request survives (§5.14, decision 11).
#include <array>
#include <vector>

#include "common/codec/v3/message.hpp"
#include "common/codec/v3/presence.hpp"
#include "common/codec/v5/constants.hpp"
#include "common/codec/v5/message.hpp"
#include "common/log/log.hpp"
#include "worker/core/session_events.hpp"
#include "worker/v3/commands.hpp"

namespace icq::worker::v3 {
namespace {

namespace v3 = codec::v3;
namespace v5 = codec::v5;

// §9.2: a V3 broadcast (type 0x14) reaches a V5 user as a type-9 message from a fake sender.
constexpr std::string_view kBroadcastPrefix = "ICQ User\xFE\xFE\xFEnone\xFE"
                                              "3";
constexpr uint32_t kAdministrator = 1;

Outcome storeFailed(V3Context& ctx) {
  ctx.stats.storeFailures++;
  return Outcome::retry;
}

void recordSent(V3Context& ctx, const V3Message& message, std::string_view delivery) {
  const core::SentMessage sent{message.to, message.type, delivery, message.text};
  ctx.events.record(core::messageEvent(core::actorOf(ctx.sessions, message.from), sent, ctx.settings.eventMessageText,
                                       ctx.clock.nowMs()));
}

std::span<const uint8_t> asBytes(std::string_view text) {
  return {reinterpret_cast<const uint8_t*>(text.data()), text.size()};
}

/// SYSMSG_ONLINE to a V3 session. False when the session store failed.
bool deliverToV3(V3Context& ctx, const V3Inbound& in, const V3Message& message, bool& online) {
  // seq2 of the sender's packet (IServerd; clients ignore it).
  const QueuedPieces queued = queueForV3(ctx, message, in.header().seq2);
  if (!ctx.outbox.flushForRoutes() || queued.unsettled(ctx.outbox)) return false;
  online = queued.reached(ctx.outbox);
  return true;
}

/// SRV_SYS_DELIVERED_MESS pieces to a V5 session (§9.2). False when the session store failed.
bool deliverToV5(V3Context& ctx, const V3Message& message, bool& online) {
  const QueuedPieces queued = queueForV5(ctx, message);
  if (!ctx.outbox.flushForRoutes() || queued.unsettled(ctx.outbox)) return false;
  online = queued.reached(ctx.outbox);
  return true;
}

}  // namespace

bool QueuedPieces::reached(const pipeline::Outbox& outbox) const {
  bool queued = count > 0;
  for (size_t i = 0; i < count; ++i) queued = queued && outbox.routeOf(first + i).queued;
  return queued;
}

bool QueuedPieces::unsettled(const pipeline::Outbox& outbox) const {
  for (size_t i = 0; i < count; ++i)
    if (outbox.routeOf(first + i).retry) return true;
  return false;
}

QueuedPieces queueForV3(V3Context& ctx, const V3Message& message, uint16_t seq2) {
  const size_t n = v3::buildOnlineMessageBody({message.from, 0, v3::deliveryType(message.type), message.text},
                                              ctx.bodyArea());
  QueuedPieces queued;
  queued.first = ctx.queueV3(message.to, v3::SRV_SYSMSG_ONLINE, seq2, ctx.bodyArea().first(n), queued.count);
  return queued;
}

QueuedPieces queueForV5(V3Context& ctx, const V3Message& message) {
  uint16_t type = message.type;
  std::span<const uint8_t> text = message.text;
  std::vector<uint8_t> converted;
  if (type == v3::kMsgBroadcast) {
    type = v3::kMsgSystem;
    if (message.from != kAdministrator) {
      converted.assign(kBroadcastPrefix.begin(), kBroadcastPrefix.end());
      converted.insert(converted.end(), text.begin(), text.end());
      text = converted;
    }
  }
  std::array<uint8_t, 14 + v5::kMaxMessageText + 1> body{};
  QueuedPieces queued;
  v5::forEachMessagePiece(text, ctx.settings.v5MaxChunk, ctx.settings.v5SplitOrder, [&](std::span<const uint8_t> piece) {
    const size_t n = v5::buildOnlineMessageBody(message.from, type, piece, body);
    const size_t index = ctx.outbox.queue(message.to, v5::SRV_SYS_DELIVERED_MESS, 0, std::span(body).first(n));
    if (queued.count++ == 0) queued.first = index;
  });
  return queued;
}

Outcome deliverV3Message(V3Context& ctx, const V3Inbound& in, const V3Message& message) {
  std::optional<store::Session> recipient;
  if (!ctx.sessions.find(message.to, recipient)) return storeFailed(ctx);
  bool online = false;
  if (recipient && recipient->protocol == 3 && !deliverToV3(ctx, in, message, online)) return storeFailed(ctx);
  if (recipient && recipient->protocol != 3 && !deliverToV5(ctx, message, online)) return storeFailed(ctx);
  if (online) {
    ctx.stats.messagesOnline++;
    recordSent(ctx, message, "online");
    return Outcome::done;
  }
  // Offline, or gone (or changed protocol) meanwhile: the whole text is stored with its
  // original type, converted when it is delivered (§9.2).
  bool stored = false;
  if (!ctx.messages.storeOffline(message.from, message.to, message.type, message.text, ctx.clock.nowMs(), stored))
    return storeFailed(ctx);
  if (stored) {
    ctx.stats.messagesStored++;
    recordSent(ctx, message, "offline");
  } else {  // no such user: dropped, still acknowledged (as V5's D40)
    ctx.stats.messagesDropped++;
    log::debug("message_dropped", {{"reason", "unknown_recipient"}, {"uin", message.from}, {"to", message.to}});
  }
  return Outcome::done;
}

Outcome handleV3ThruServer(V3Context& ctx, const V3Inbound& in) {
  v3::ThruServer request;
  switch (v3::parseThruServer(in.body(), request, ctx.settings.maxMessage)) {
    case v3::ParseError::none:
      break;
    case v3::ParseError::too_long:
      // IServerd disconnects the sender; NOT_CONNECTED without side effects makes the client
      // log in again just the same (§2.5, rule 10). It is the answer: no ACK after it.
      ctx.sendNotConnected(in);
      return Outcome::acknowledged;
    default:
      ctx.stats.malformedBodies++;
      return Outcome::done;
  }
  V3Message message{in.header().uin, request.to, request.type, request.text};
  // §5.11: an empty "you were added" is filled in with the sender's names.
  std::array<uint8_t, v5::kMaxMessageText> added{};
  if (request.type == v3::kMsgAdded && request.text.empty()) {
    std::optional<store::UserProfile> profile;
    if (!ctx.users.findProfile(message.from, profile)) return storeFailed(ctx);
    if (profile) {
      const store::BasicInfo& b = profile->basic;
      message.text = std::span(added).first(v5::buildAddedText(b.nick, b.firstName, b.lastName, b.email, added));
    }
  }
  return deliverV3Message(ctx, in, message);
}

Outcome handleV3SysmsgReq(V3Context& ctx, const V3Inbound& in) {
  const uint32_t uin = in.header().uin;
  std::vector<store::OfflineMessage> batch;
  if (!ctx.messages.pendingFor(uin, ctx.settings.maxOfflineBatch, batch)) return storeFailed(ctx);
  for (const store::OfflineMessage& m : batch) {
    const v3::DeliveredMessage delivered{m.from, static_cast<uint32_t>(m.storedAtMs / 1000), v3::deliveryType(m.type),
                                         asBytes(m.text)};
    const size_t n = v3::buildOfflineMessageBody(delivered, ctx.bodyArea());
    size_t pieces = 0;
    ctx.queueV3(uin, v3::SRV_SYSMSG_OFFLINE, 0, ctx.bodyArea().first(n), pieces);
  }
  ctx.replyReliable(in, v3::SRV_SYSMSG_DONE);  // even after none
  ctx.stats.offlineDelivered += batch.size();
  // Unmarked, the batch is still sent: its confirmation then deletes nothing and the messages
  // come again at the next request — twice rather than never.
  if (!batch.empty() && !ctx.sessions.setOfflineBatch(uin, 0, batch.back().id)) ctx.stats.storeFailures++;
  return Outcome::done;
}

Outcome handleV3SysmsgDoneAck(V3Context& ctx, const V3Inbound& in) {
  uint32_t lastTime = 0;
  if (v3::parseU32Body(in.body(), lastTime) != v3::ParseError::none) {
    ctx.stats.malformedBodies++;
    return Outcome::done;
  }
  int64_t upToId = 0;
  if (!ctx.sessions.offlineBatch(in.header().uin, 0, upToId)) return storeFailed(ctx);
  if (upToId == 0) return Outcome::done;  // nothing was sent in this session
  // Stored at or before the named second: before the start of the next one.
  const int64_t beforeMs = (int64_t{lastTime} + 1) * 1000;
  if (!ctx.messages.deleteDeliveredBefore(in.header().uin, upToId, beforeMs)) return storeFailed(ctx);
  return Outcome::done;
}

}  // namespace icq::worker::v3
