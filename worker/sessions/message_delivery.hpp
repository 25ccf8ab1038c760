// worker: a client's message to a session this worker owns — the second half of
// CMD_SEND_MESSAGE (protocol-v5.md §6.10), shared by the sender's worker when it owns the
// recipient too and by the recipient's owner when another worker relayed the message to it
// (envelope/peer.hpp Relay): queued as SRV_SYS_DELIVERED_MESS pieces (SYSMSG_ONLINE for a V3
// session, protocol-v3.md §9.2) or, if the recipient is offline, stored offline. Whether the
// recipient is online is what numbering the pieces finds, in the same step, so no logoff can
// slip in between "online?" and "queued".
#pragma once

#include <cstdint>
#include <span>

#include "common/codec/v5/message.hpp"
#include "common/pipeline/outbox.hpp"
#include "common/store/message_store.hpp"

namespace icq::worker {

struct MessageSettings {
  size_t maxChunk = 450;  // v5.max_msg_chunk
  codec::v5::SplitOrder splitOrder = codec::v5::SplitOrder::backward;  // v5.split_order
};

enum class MessageFate : uint8_t {
  online,   // queued for the recipient's session (every piece)
  offline,  // stored for its next login
  unknown,  // no such user (D40): dropped
  retry,    // a store failed or the owner could not say: the sender's retransmission tries again
};

/// Queues `text` for `to` through `outbox` (flushed here) or stores it offline.
MessageFate deliverMessage(pipeline::Outbox& outbox, store::MessageStore& messages, const MessageSettings& settings,
                           int64_t nowMs, uint32_t from, uint32_t to, uint16_t type, std::span<const uint8_t> text);

}  // namespace icq::worker
