// Typed V5 bodies for contact lists and presence (protocol-v5.md §6.3, §6.13, §6.14, §6.17, §6.18,
// §8.7, §8.10, §8.16). Parsers never read past the data; builders write bodies only.
#include "common/codec/v5/presence.hpp"

#include <utility>

#include "common/codec/v5/byte_io.hpp"

namespace icq::codec::v5 {

namespace {

constexpr size_t kUinSize = 4;
constexpr size_t kUpdateListSize = 6;  // uin + LIST + ACTION (§6.18)

// CMD_UPDATE_LIST values as IServerd and mICQ send them (§6.18, D9).
constexpr uint8_t kUpdateListVisible = 2;
constexpr uint8_t kUpdateListInvisible = 1;
constexpr uint8_t kUpdateListAdd = 1;
constexpr uint8_t kUpdateListRemove = 0;

ParseError parseU32(std::span<const uint8_t> data, uint32_t& value) noexcept {
  ByteReader reader(data);
  value = reader.u32();
  return reader.overrun() ? ParseError::truncated : ParseError::none;
}

size_t buildU32(uint32_t value, std::span<uint8_t> out) noexcept {
  ByteWriter writer(out);
  writer.u32(value);
  return writer.overflow() ? 0 : writer.size();
}

}  // namespace

ParseError parseUinList(std::span<const uint8_t> data, std::span<uint32_t> out, size_t& count) noexcept {
  count = 0;
  ByteReader reader(data);
  const size_t n = reader.u8();
  if (reader.overrun() || reader.remaining() < n * kUinSize) {
    return ParseError::truncated;
  }
  if (n > out.size()) {
    return ParseError::too_long;
  }
  for (size_t i = 0; i < n; ++i) {
    out[i] = reader.u32();
  }
  count = n;
  return ParseError::none;
}

ParseError parseAddToList(std::span<const uint8_t> data, uint32_t& uin) noexcept { return parseU32(data, uin); }

ParseError parseStatusChange(std::span<const uint8_t> data, uint32_t& status) noexcept {
  return parseU32(data, status);
}

ParseError parseUpdateList(std::span<const uint8_t> data, UpdateList& out) noexcept {
  out = UpdateList{};
  if (data.size() < kUpdateListSize) {
    return ParseError::truncated;
  }
  ByteReader reader(data);
  out.uin = reader.u32();
  out.rawList = reader.u8();
  out.list = out.rawList == kUpdateListVisible ? PrivacyList::visible : PrivacyList::invisible;
  out.add = reader.u8() == kUpdateListAdd;
  return ParseError::none;
}

namespace {

// The 21 bytes SRV_USER_ONLINE (§8.7) and SRV_RAND_USER (§8.19) begin with alike: who,
// where to connect to directly, and the status at offset 17 (not Wireshark's 19, D14).
void writeContactHead(ByteWriter& writer, const OnlineContact& contact) noexcept {
  writer.u32(contact.uin);
  writer.ip(contact.externalIp);
  writer.u32(contact.tcpPort);
  writer.ip(contact.internalIp);
  writer.u8(contact.dcType);
  writer.u32(contact.status);
}

}  // namespace

size_t buildUserOnlineBody(const OnlineContact& contact, std::span<uint8_t> out) noexcept {
  ByteWriter writer(out);
  writeContactHead(writer, contact);
  writer.u32(contact.tcpVersion);
  writer.u32(contact.dcCookie);
  writer.u32(contact.webPort);
  writer.u32(contact.features);
  writer.u32(contact.infoUpdateTime);
  writer.u32(contact.moreUpdateTime);
  writer.u32(contact.statusUpdateTime);
  return writer.overflow() ? 0 : writer.size();
}

bool parseUserOnlineBody(std::span<const uint8_t> data, OnlineContact& out) noexcept {
  if (data.size() < kUserOnlineBodySize) {
    return false;
  }
  ByteReader reader(data);
  out.uin = reader.u32();
  out.externalIp = reader.ip();
  out.tcpPort = reader.u32();
  out.internalIp = reader.ip();
  out.dcType = reader.u8();
  out.status = reader.u32();
  out.tcpVersion = reader.u32();
  out.dcCookie = reader.u32();
  out.webPort = reader.u32();
  out.features = reader.u32();
  out.infoUpdateTime = reader.u32();
  out.moreUpdateTime = reader.u32();
  out.statusUpdateTime = reader.u32();
  return true;
}

size_t buildRandomUserBody(const OnlineContact& contact, std::span<uint8_t> out) noexcept {
  ByteWriter writer(out);
  writeContactHead(writer, contact);
  writer.u16(static_cast<uint16_t>(contact.tcpVersion));
  for (int i = 0; i < 14; ++i) writer.u8(0);  // unknown (§8.19): zeros
  return writer.overflow() ? 0 : writer.size();
}

size_t buildUserOfflineBody(uint32_t uin, std::span<uint8_t> out) noexcept { return buildU32(uin, out); }

size_t buildStatusUpdateBody(uint32_t uin, uint32_t status, std::span<uint8_t> out) noexcept {
  ByteWriter writer(out);
  writer.u32(uin);
  writer.u32(status);
  return writer.overflow() ? 0 : writer.size();
}

size_t buildUinListData(std::span<const uint32_t> uins, std::span<uint8_t> out) noexcept {
  if (uins.size() > kMaxUinsPerListPacket) {
    return 0;
  }
  ByteWriter writer(out);
  writer.u8(static_cast<uint8_t>(uins.size()));
  for (const uint32_t uin : uins) {
    writer.u32(uin);
  }
  return writer.overflow() ? 0 : writer.size();
}

size_t buildUpdateListData(uint32_t uin, PrivacyList list, bool add, std::span<uint8_t> out) noexcept {
  ByteWriter writer(out);
  writer.u32(uin);
  writer.u8(list == PrivacyList::visible ? kUpdateListVisible : kUpdateListInvisible);
  writer.u8(add ? kUpdateListAdd : kUpdateListRemove);
  return writer.overflow() ? 0 : writer.size();
}

size_t buildUinData(uint32_t uin, std::span<uint8_t> out) noexcept { return buildU32(uin, out); }

size_t buildStatusData(uint32_t status, std::span<uint8_t> out) noexcept { return buildU32(status, out); }

bool isInvisible(uint32_t status) noexcept { return (status & kStatusInvisible) != 0; }

namespace {

// By precedence: the first bit set names the state.
constexpr std::pair<uint32_t, std::string_view> kStateBits[] = {
    {kStatusInvisible, "invisible"},
    {0x0002, "dnd"},
    {0x0010, "occupied"},
    {0x0004, "na"},
    {0x0001, "away"},
    {0x0020, "ffc"},
};

}  // namespace

std::string_view stateName(uint32_t status) noexcept {
  for (const auto& [bit, name] : kStateBits)
    if ((status & bit) != 0) return name;
  return "online";
}

bool isStateName(std::string_view name) noexcept {
  if (name == "online") return true;
  for (const auto& [bit, known] : kStateBits)
    if (known == name) return true;
  return false;
}

}  // namespace icq::codec::v5
