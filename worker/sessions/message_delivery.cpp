// worker: a message delivered or stored; see message_delivery.hpp.
#include "worker/sessions/message_delivery.hpp"

#include <array>

#include "common/codec/v3/constants.hpp"
#include "common/codec/v3/message.hpp"
#include "common/codec/v5/constants.hpp"

namespace icq::worker {

namespace v5 = codec::v5;

MessageFate deliverMessage(pipeline::Outbox& outbox, store::MessageStore& messages, const MessageSettings& settings,
                           int64_t nowMs, uint32_t from, uint32_t to, uint16_t type, std::span<const uint8_t> text) {
  // Room for SRV_RECV_MESSAGE's 14 fixed bytes, a piece of at most kMaxMessageText bytes and its NUL.
  std::array<uint8_t, 14 + v5::kMaxMessageText + 1> body{}, v3Body{};
  size_t firstIndex = 0, pieces = 0;
  v5::forEachMessagePiece(text, settings.maxChunk, settings.splitOrder, [&](std::span<const uint8_t> piece) {
    const size_t n = v5::buildOnlineMessageBody(from, type, piece, body);
    // A piece of at most 450 bytes always fits one V3 datagram (v3.packet_mtu ≥ 480).
    const size_t m = codec::v3::buildOnlineMessageBody({from, 0, codec::v3::deliveryType(type), piece}, v3Body);
    const size_t index = outbox.queueEither(to, v5::SRV_SYS_DELIVERED_MESS, std::span(body).first(n),
                                            codec::v3::SRV_SYSMSG_ONLINE, std::span(v3Body).first(m));
    if (pieces++ == 0) firstIndex = index;
  });
  // Flushed now, not with the batch: the routes say whether the recipient was online.
  if (!outbox.flushForRoutes()) return MessageFate::retry;
  bool online = true;
  for (size_t i = 0; i < pieces; ++i) {
    const store::ReliableRoute& route = outbox.routeOf(firstIndex + i);
    if (route.retry) return MessageFate::retry;
    online = online && route.queued;
  }
  if (online) return MessageFate::online;
  // Offline, or gone between two pieces: the whole text is stored, so at worst a piece
  // arrives twice, never not at all.
  bool stored = false;
  if (!messages.storeOffline(from, to, type, text, nowMs, stored)) return MessageFate::retry;
  return stored ? MessageFate::offline : MessageFate::unknown;
}

}  // namespace icq::worker
