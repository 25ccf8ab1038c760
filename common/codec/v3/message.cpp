// V3 bodies of messages (protocol-v3.md §5.11–§5.16, §6.13, §6.14, §6.28, §7). Each layout is
// one describe* template run by FieldReader to parse and by FieldWriter to build.
#include "common/codec/v3/message.hpp"

#include <algorithm>

#include "common/codec/v3/constants.hpp"

namespace icq::codec::v3 {

namespace {

template <class Io, class M>
void describeThruServer(Io& io, M& message, size_t maxText) noexcept {
  io.u32(message.to);
  io.u16(message.type);
  io.lstrBytes(message.text, maxText);
}

template <class Io, class B>
void describeBroadcast(Io& io, B& broadcast, size_t maxText) noexcept {
  io.u32(broadcast.department);
  io.u16(broadcast.type);
  io.lstrBytes(broadcast.text, maxText);
}

// The online and offline deliveries differ only by the time between sender and type.
template <class Io, class M>
void describeDelivered(Io& io, M& message, bool withTime) noexcept {
  io.u32(message.from);
  if (withTime) io.u32(message.sentAt);
  io.u16(message.type);
  io.lstrBytes(message.text, kMaxReassembled);
}

ParseError parseDelivered(std::span<const uint8_t> body, DeliveredMessage& out, bool withTime) noexcept {
  out = DeliveredMessage{};
  FieldReader reader(body);
  describeDelivered(reader, out, withTime);
  return reader.result();
}

}  // namespace

ParseError parseThruServer(std::span<const uint8_t> body, ThruServer& out, size_t maxText) noexcept {
  FieldReader reader(body);
  describeThruServer(reader, out, std::min(maxText, kMaxMessageLength));
  return reader.result();
}

size_t buildThruServerBody(const ThruServer& message, std::span<uint8_t> out) noexcept {
  FieldWriter writer(out);
  describeThruServer(writer, message, 0);
  return writer.result();
}

ParseError parseBroadcast(std::span<const uint8_t> body, Broadcast& out, size_t maxText) noexcept {
  FieldReader reader(body);
  describeBroadcast(reader, out, std::min(maxText, kMaxMessageLength));
  return reader.result();
}

size_t buildBroadcastBody(const Broadcast& broadcast, std::span<uint8_t> out) noexcept {
  FieldWriter writer(out);
  describeBroadcast(writer, broadcast, 0);
  return writer.result();
}

ParseError parseBroadcastReq(std::span<const uint8_t> body, uint32_t& lastTime) noexcept {
  FieldReader reader(body);
  reader.u32(lastTime);
  return reader.result();
}

size_t buildBroadcastReqBody(uint32_t lastTime, std::span<uint8_t> out) noexcept {
  FieldWriter writer(out);
  writer.u32(lastTime);
  writer.u32(0);
  return writer.result();
}

size_t buildOnlineMessageBody(const DeliveredMessage& message, std::span<uint8_t> out) noexcept {
  FieldWriter writer(out);
  describeDelivered(writer, message, false);
  return writer.result();
}

size_t buildOfflineMessageBody(const DeliveredMessage& message, std::span<uint8_t> out) noexcept {
  FieldWriter writer(out);
  describeDelivered(writer, message, true);
  return writer.result();
}

ParseError parseOnlineMessage(std::span<const uint8_t> body, DeliveredMessage& out) noexcept {
  return parseDelivered(body, out, false);
}

ParseError parseOfflineMessage(std::span<const uint8_t> body, DeliveredMessage& out) noexcept {
  return parseDelivered(body, out, true);
}

uint16_t deliveryType(uint16_t type) noexcept {
  const auto low = static_cast<uint16_t>(type & 0x00FF);
  return low == kMsgContacts ? kMsgText : low;
}

size_t joinFields(std::span<const std::span<const uint8_t>> fields, std::span<uint8_t> out) noexcept {
  FieldWriter writer(out);
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) writer.u8(kFieldSeparator);
    writer.raw(fields[i]);
  }
  return writer.result();
}

}  // namespace icq::codec::v3
