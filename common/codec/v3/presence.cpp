// V3 bodies of presence (protocol-v3.md §5.6–§5.10, §6.9–§6.11). Each layout is one describe*
// lambda, run by readFields to parse and by writeFields to build.
#include "common/codec/v3/presence.hpp"

namespace icq::codec::v3 {

namespace {

constexpr size_t kUinSize = 4;
constexpr size_t kUpdateListSize = 6;
// SET_STATUS body sizes that select a reading (§5.9).
constexpr size_t kStatusOnly = 2;
constexpr size_t kStatusU16Estat = 4;
constexpr size_t kStatusU32Pair = 8;

constexpr auto describeOnlineContact = [](auto& io, auto& contact) noexcept {
  uint16_t zero = 0;
  io.u32(contact.uin);
  io.ip(contact.ip);
  io.u32(contact.tcpPort);
  io.ip(contact.realIp);
  io.u8(contact.dcType);
  io.u16(contact.status);
  io.u16(contact.estat);
  io.u16(contact.tcpVersion);
  io.u16(zero);
};

constexpr auto describeUserStatus = [](auto& io, auto& update) noexcept {
  io.u32(update.uin);
  io.u16(update.status);
  io.u16(update.estat);
};

constexpr auto describeUpdateList = [](auto& io, auto& update) noexcept {
  io.u32(update.uin);
  io.u8(update.list);
  io.u8(update.add);
};

constexpr auto describeU32 = [](auto& io, auto& value) noexcept { io.u32(value); };
constexpr auto describeU8 = [](auto& io, auto& value) noexcept { io.u8(value); };

}  // namespace

ParseError parseUinList(std::span<const uint8_t> body, std::span<uint32_t> out, size_t& count) noexcept {
  count = 0;
  FieldReader reader(body);
  uint8_t listed = 0;
  reader.u8(listed);
  if (reader.truncated() || reader.remaining() < listed * kUinSize) return ParseError::truncated;
  if (listed > out.size()) return ParseError::too_long;
  for (size_t i = 0; i < listed; ++i) reader.u32(out[i]);
  count = listed;
  return ParseError::none;
}

size_t buildUinListBody(std::span<const uint32_t> uins, std::span<uint8_t> out) noexcept {
  if (uins.size() > kMaxUinsPerListPacket) return 0;
  FieldWriter writer(out);
  writer.u8(static_cast<uint8_t>(uins.size()));
  for (const uint32_t uin : uins) writer.u32(uin);
  return writer.result();
}

ParseError parseU32Body(std::span<const uint8_t> body, uint32_t& value) noexcept {
  return readFields(body, value, describeU32);
}

size_t buildU32Body(uint32_t value, std::span<uint8_t> out) noexcept { return writeFields(value, out, describeU32); }

ParseError parseUpdateList(std::span<const uint8_t> body, UpdateList& out) noexcept {
  // All six bytes: a cut packet read as zeros would mean "remove from a list" (§2.2).
  if (body.size() < kUpdateListSize) return ParseError::truncated;
  return readFields(body, out, describeUpdateList);
}

size_t buildUpdateListBody(const UpdateList& update, std::span<uint8_t> out) noexcept {
  return writeFields(update, out, describeUpdateList);
}

ParseError parseSetStatus(std::span<const uint8_t> body, StatusChange& out) noexcept {
  out = StatusChange{};
  if (body.size() < kStatusOnly) return ParseError::truncated;
  FieldReader reader(body);
  reader.u16(out.status);
  if (body.size() >= kStatusU32Pair) {
    uint32_t estat = 0;
    reader.skip(2);  // the high word of IServerd's u32 status
    reader.u32(estat);
    out.estat = static_cast<uint16_t>(estat);
  } else if (body.size() >= kStatusU16Estat) {
    reader.u16(out.estat);
  }
  return ParseError::none;
}

size_t buildSetStatusBody(const StatusChange& change, bool miranda, std::span<uint8_t> out) noexcept {
  FieldWriter writer(out);
  if (miranda) {
    writer.u16(change.status);
  } else {
    writer.u32(change.status);
    writer.u32(change.estat);
  }
  return writer.result();
}

ParseError parseSetState(std::span<const uint8_t> body, uint8_t& state) noexcept {
  return readFields(body, state, describeU8);
}

size_t buildSetStateBody(uint8_t state, std::span<uint8_t> out) noexcept { return writeFields(state, out, describeU8); }

size_t buildUserOnlineBody(const OnlineContact& contact, std::span<uint8_t> out) noexcept {
  return writeFields(contact, out, describeOnlineContact);
}

ParseError parseUserOnline(std::span<const uint8_t> body, OnlineContact& out) noexcept {
  return readFields(body, out, describeOnlineContact);
}

OnlineContact hideDirectConnection(OnlineContact contact) noexcept {
  contact.ip = 0;
  contact.tcpPort = 0;
  contact.realIp = 0;
  contact.dcType = 0;
  return contact;
}

size_t buildUserStatusBody(const UserStatus& update, std::span<uint8_t> out) noexcept {
  return writeFields(update, out, describeUserStatus);
}

ParseError parseUserStatus(std::span<const uint8_t> body, UserStatus& out) noexcept {
  return readFields(body, out, describeUserStatus);
}

}  // namespace icq::codec::v3
