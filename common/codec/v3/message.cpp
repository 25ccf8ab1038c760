// V3 bodies of messages (protocol-v3.md §5.11–§5.16, §6.13, §6.14, §6.28, §7). Each layout is
// one describe* lambda, run by readFields to parse and by writeFields to build.
#include "common/codec/v3/message.hpp"

#include "common/codec/v3/constants.hpp"

namespace icq::codec::v3 {

namespace {

constexpr auto describeThruServer = [](auto& io, auto& message, size_t maxText) noexcept {
  io.u32(message.to);
  io.u16(message.type);
  io.lstrBytes(message.text, maxText);
};

constexpr auto describeBroadcast = [](auto& io, auto& broadcast, size_t maxText) noexcept {
  io.u32(broadcast.department);
  io.u16(broadcast.type);
  io.lstrBytes(broadcast.text, maxText);
};

// The online and offline deliveries differ only by the time between sender and type.
constexpr auto describeOnline = [](auto& io, auto& message) noexcept {
  io.u32(message.from);
  io.u16(message.type);
  io.lstrBytes(message.text, kMaxReassembled);
};
constexpr auto describeOffline = [](auto& io, auto& message) noexcept {
  io.u32(message.from);
  io.u32(message.sentAt);
  io.u16(message.type);
  io.lstrBytes(message.text, kMaxReassembled);
};

}  // namespace

ParseError parseThruServer(std::span<const uint8_t> body, ThruServer& out, size_t maxText) noexcept {
  return readFields(body, out, [maxText](auto& io, auto& m) { describeThruServer(io, m, maxText); });
}

size_t buildThruServerBody(const ThruServer& message, std::span<uint8_t> out) noexcept {
  return writeFields(message, out, [](auto& io, auto& m) { describeThruServer(io, m, 0); });
}

ParseError parseBroadcast(std::span<const uint8_t> body, Broadcast& out, size_t maxText) noexcept {
  return readFields(body, out, [maxText](auto& io, auto& b) { describeBroadcast(io, b, maxText); });
}

size_t buildBroadcastBody(const Broadcast& broadcast, std::span<uint8_t> out) noexcept {
  return writeFields(broadcast, out, [](auto& io, auto& b) { describeBroadcast(io, b, 0); });
}

ParseError parseBroadcastReq(std::span<const uint8_t> body, uint32_t& lastTime) noexcept {
  return readFields(body, lastTime, [](auto& io, auto& t) { io.u32(t); });
}

size_t buildBroadcastReqBody(uint32_t lastTime, std::span<uint8_t> out) noexcept {
  FieldWriter writer(out);
  writer.u32(lastTime);
  writer.u32(0);
  return writer.result();
}

size_t buildOnlineMessageBody(const DeliveredMessage& message, std::span<uint8_t> out) noexcept {
  return writeFields(message, out, describeOnline);
}

size_t buildOfflineMessageBody(const DeliveredMessage& message, std::span<uint8_t> out) noexcept {
  return writeFields(message, out, describeOffline);
}

ParseError parseOnlineMessage(std::span<const uint8_t> body, DeliveredMessage& out) noexcept {
  return readFields(body, out, describeOnline);
}

ParseError parseOfflineMessage(std::span<const uint8_t> body, DeliveredMessage& out) noexcept {
  return readFields(body, out, describeOffline);
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
