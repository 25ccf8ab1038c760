// Unconfirmed messages kept offline; see rescue.hpp.
#include "worker/sessions/rescue.hpp"

#include "common/codec/v3/constants.hpp"
#include "common/codec/v3/message.hpp"
#include "common/codec/v5/constants.hpp"
#include "common/codec/v5/message.hpp"

namespace icq::worker {
namespace {

namespace v5 = codec::v5;
namespace v3 = codec::v3;

/// The message an unconfirmed live-message packet carries, in either protocol's form.
bool onlineMessageOf(uint8_t protocol, const HeldPacket& packet, v5::ReceivedMessage& message) {
  if (protocol != 3)
    return packet.command == v5::SRV_SYS_DELIVERED_MESS && v5::parseOnlineMessageBody(packet.body, message);
  v3::DeliveredMessage delivered;
  if (packet.command != v3::SRV_SYSMSG_ONLINE || v3::parseOnlineMessage(packet.body, delivered) != v3::ParseError::none)
    return false;
  message.from = delivered.from;
  message.type = delivered.type;
  message.text = delivered.text;
  return true;
}

}  // namespace

bool rescueMessages(store::MessageStore& messages, uint32_t uin, uint8_t protocol,
                    std::span<const HeldPacket> packets, int64_t nowMs, size_t& kept) {
  kept = 0;
  for (const HeldPacket& packet : packets) {
    v5::ReceivedMessage message;
    if (!onlineMessageOf(protocol, packet, message)) continue;
    bool stored = false;
    if (!messages.storeOffline(message.from, uin, message.type, message.text, nowMs, stored)) return false;
    if (stored) ++kept;
  }
  return true;
}

}  // namespace icq::worker
