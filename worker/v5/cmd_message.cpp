// worker: messages through the server — CMD_SEND_MESSAGE and CMD_MSG_TO_NEW_USER
// (protocol-v5.md §6.10), offline messages once per session on CMD_LOGIN_1 (§6.9, §5.2) and
// their deletion on CMD_ACK_MESSAGES (§6.8).
//
// A message is acknowledged only once it is recorded (AckTiming::after_effect, ARCHITECTURE.md
// "Delivery guarantees"): queued as unconfirmed SRV_SYS_DELIVERED_MESS packets of the
// recipient's session, or stored in PostgreSQL (worker/sessions/message_delivery.cpp). When
// another worker owns the recipient, the message is relayed to it and that worker answers the
// sender once it has recorded it; this one waits for nothing (Outcome::handed_over). If a store
// fails, the handler returns retry: no ACK, and the client's retransmission is processed anew.
// Invisibility plays no part here (§10.9).
//
// Offline messages go to a session once, as one batch ended by SRV_END_OFFLINE_MESSAGES; the
// session remembers the batch's highest id, and CMD_ACK_MESSAGES deletes only up to it, so a
// message stored after the batch was read survives the acknowledgement (D21, D22).
#include <array>
#include <vector>

#include "common/codec/v3/constants.hpp"
#include "common/codec/v3/message.hpp"
#include "common/codec/v5/constants.hpp"
#include "common/codec/v5/message.hpp"
#include "common/log/log.hpp"
#include "worker/core/session_events.hpp"
#include "worker/sessions/message_delivery.hpp"
#include "worker/v5/commands.hpp"

namespace icq::worker::v5 {
namespace {

namespace v5 = codec::v5;

// Room for any message body the worker builds: SRV_RECV_MESSAGE's 14 fixed bytes, a piece of
// at most kMaxMessageText bytes (a chunk never exceeds 450) and its NUL.
using BodyBuffer = std::array<uint8_t, 14 + v5::kMaxMessageText + 1>;

std::span<const uint8_t> asBytes(const std::string& text) {
  return {reinterpret_cast<const uint8_t*>(text.data()), text.size()};
}

bool isEmptyAdded(const v5::MessageRequest& request) {
  return (request.type & ~v5::kMsgMultipleRecipients) == v5::kMsgAdded && request.text.empty();
}

/// §6.10 step 7: the sender's nick FE first FE last FE email FE 1 into `buffer`, and `text`
/// pointing at it. An account that is gone, or names too long to fit a message, leave the
/// text empty, as the client sent it. False when the user store failed.
bool fillAddedText(CommandContext& ctx, uint32_t sender, std::array<uint8_t, v5::kMaxMessageText>& buffer,
                   std::span<const uint8_t>& text) {
  std::optional<store::UserProfile> profile;
  if (!ctx.users.findProfile(sender, profile)) return false;
  if (!profile) return true;
  const store::BasicInfo& b = profile->basic;
  text = std::span(buffer).first(v5::buildAddedText(b.nick, b.firstName, b.lastName, b.email, buffer));
  return true;
}

void queueOfflineMessage(CommandContext& ctx, const Inbound& in, const store::OfflineMessage& message) {
  const v5::MessageTime time = v5::messageTimeFromUnix(message.storedAtMs / 1000);
  BodyBuffer body{};
  v5::forEachMessagePiece(
      asBytes(message.text), ctx.settings.maxMsgChunk, ctx.settings.splitOrder, [&](std::span<const uint8_t> piece) {
        const size_t n = v5::buildOfflineMessageBody(message.from, time, message.type, piece, body);
        ctx.outbox.queue(in.header().uin, v5::SRV_RECV_MESSAGE, 0, std::span(body).first(n), in.header().sessionId);
      });
}

Outcome storeFailed(CommandContext& ctx) {
  ctx.stats.storeFailures++;
  return Outcome::retry;
}

void recordSent(CommandContext& ctx, const Inbound& in, const v5::MessageRequest& request,
                std::span<const uint8_t> text, std::string_view delivery) {
  const core::SentMessage sent{request.to, request.type, delivery, text};
  ctx.events.record(core::messageEvent(core::actorOf(ctx.sessions, in.header().uin), sent,
                                       ctx.settings.eventMessageText, ctx.clock.nowMs()));
}

}  // namespace

Outcome handleSendMessage(CommandContext& ctx, const Inbound& in) {
  v5::MessageRequest request;
  switch (v5::parseSendMessage(in.packet.data, request)) {
    case v5::ParseError::none:
      break;
    case v5::ParseError::too_long:  // D33: dropped, still acknowledged
      ctx.stats.messagesTooLong++;
      log::debug("message_dropped", {{"reason", "too_long"}, {"uin", in.header().uin}});
      return Outcome::done;
    case v5::ParseError::truncated:
      ctx.stats.malformedBodies++;
      return Outcome::done;
  }
  const uint32_t from = in.header().uin;
  std::span<const uint8_t> text = request.text;
  std::array<uint8_t, v5::kMaxMessageText> added{};
  if (isEmptyAdded(request) && !fillAddedText(ctx, from, added, text)) return storeFailed(ctx);

  // The recipient's owner takes it from here when that is another worker: it delivers or
  // stores the message and acknowledges it to the sender, and this worker waits for nothing.
  if (ctx.peers && !ctx.peers->ownedHere(request.to)) {
    const envelope::RelayItem relay{from,          request.to,          request.type, text, in.header().sessionId,
                                    in.header().seq1, in.header().seq2, in.from,      ctx.gateway};
    if (!ctx.peers->relay(relay)) return storeFailed(ctx);
    ctx.stats.messagesRelayed++;
    recordSent(ctx, in, request, text, "relayed");
    return Outcome::handed_over;
  }
  const MessageSettings settings{ctx.settings.maxMsgChunk, ctx.settings.splitOrder};
  switch (deliverMessage(ctx.outbox, ctx.messages, settings, ctx.clock.nowMs(), from, request.to, request.type, text)) {
    case MessageFate::online:
      ctx.stats.messagesOnline++;
      recordSent(ctx, in, request, text, "online");
      return Outcome::done;
    case MessageFate::offline:
      ctx.stats.messagesStored++;
      recordSent(ctx, in, request, text, "offline");
      return Outcome::done;
    case MessageFate::unknown:  // D40: no such user
      ctx.stats.messagesDropped++;
      log::debug("message_dropped", {{"reason", "unknown_recipient"}, {"uin", from}, {"to", request.to}});
      return Outcome::done;
    case MessageFate::retry:
      return storeFailed(ctx);
  }
  return storeFailed(ctx);
}

Outcome handleLogin1(CommandContext& ctx, const Inbound& in) { return deliverOfflineMessagesOnce(ctx, in); }

Outcome deliverOfflineMessagesOnce(CommandContext& ctx, const Inbound& in) {
  const uint32_t uin = in.header().uin, sessionId = in.header().sessionId;
  // Read before claiming: a failed read leaves the delivery unclaimed, so the next trigger
  // (CMD_LOGIN_1, another contact-list packet, a retransmission) can still make it. The cost
  // is one indexed read per trigger, a handful per login.
  std::vector<store::OfflineMessage> batch;
  if (!ctx.messages.pendingFor(uin, ctx.settings.maxOfflineBatch, batch)) return storeFailed(ctx);
  bool first = false;
  if (!ctx.sessions.claimOfflineDelivery(uin, sessionId, first)) return storeFailed(ctx);
  if (!first) return Outcome::done;

  for (const store::OfflineMessage& message : batch) queueOfflineMessage(ctx, in, message);
  ctx.outbox.queue(uin, v5::SRV_END_OFFLINE_MESSAGES, 0, {}, sessionId);  // even after none (§5.2)
  ctx.stats.offlineDelivered += batch.size();
  // Unmarked, the batch is still sent: its acknowledgement then deletes nothing and the
  // messages come again at the next login — twice rather than never.
  if (!batch.empty() && !ctx.sessions.setOfflineBatch(uin, sessionId, batch.back().id)) ctx.stats.storeFailures++;
  return Outcome::done;
}

Outcome handleAckMessages(CommandContext& ctx, const Inbound& in) {
  int64_t upToId = 0;
  if (!ctx.sessions.offlineBatch(in.header().uin, in.header().sessionId, upToId)) return storeFailed(ctx);
  if (upToId == 0) return Outcome::done;  // nothing was sent in this session
  if (!ctx.messages.deleteDelivered(in.header().uin, upToId)) return storeFailed(ctx);
  return Outcome::done;
}

}  // namespace icq::worker::v5
