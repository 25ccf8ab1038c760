// V3 bodies of messages: THRU_SERVER and AUTHORIZE (protocol-v3.md §5.11, §5.12), the
// broadcasts (§5.15, §5.16), and the server's SYSMSG_ONLINE / SYSMSG_OFFLINE (§6.13, §6.14) and
// BROADCAST_ONLINE / BROADCAST_OFFLINE (§6.28); the 0xFE field separator of texts (§7.2).
// Conventions as in login.hpp. Texts are bytes (8-bit code page, 0xFE inside), without the NUL.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "common/codec/v3/byte_io.hpp"

namespace icq::codec::v3 {

// "V3 max msgsize" (§3.9) by default: `len` (with its NUL) up to this + 1. Callers with a
// configured limit (v3.max_msgsize) pass theirs; a datagram bounds it anyway.
inline constexpr size_t kMaxMessageLength = 2025;

// THRU_SERVER and AUTHORIZE (§5.11, §5.12): u32 to, u16 type, lstr text. Miranda's
// "grant authorization" (len 1, text NUL) parses as an empty text. A text above `maxText` is
// too_long; a missing or cut text is truncated. Bytes after the text are ignored.
struct ThruServer {
  uint32_t to = 0;
  uint16_t type = 0;
  std::span<const uint8_t> text;
};
ParseError parseThruServer(std::span<const uint8_t> body, ThruServer& out,
                           size_t maxText = kMaxMessageLength) noexcept;
// Client side: writes whatever it is given (the test client may send over-long texts).
size_t buildThruServerBody(const ThruServer& message, std::span<uint8_t> out) noexcept;

// BROADCAST_ALL / BROADCAST_ONLINE (§5.16): u32 department (0 = everybody), u16 type (ignored:
// the server always uses kMsgBroadcast), lstr text.
struct Broadcast {
  uint32_t department = 0;
  uint16_t type = 0;
  std::span<const uint8_t> text;
};
ParseError parseBroadcast(std::span<const uint8_t> body, Broadcast& out,
                          size_t maxText = kMaxMessageLength) noexcept;
size_t buildBroadcastBody(const Broadcast& broadcast, std::span<uint8_t> out) noexcept;

// BROADCAST_REQ (§5.15, [L]): time32 of the last broadcast seen, then u32 0. Only the time is
// required.
ParseError parseBroadcastReq(std::span<const uint8_t> body, uint32_t& lastTime) noexcept;
size_t buildBroadcastReqBody(uint32_t lastTime, std::span<uint8_t> out) noexcept;

// A message as the server delivers it. SYSMSG_ONLINE and BROADCAST_ONLINE (§6.13, §6.28):
// u32 from, u16 type, lstr text. SYSMSG_OFFLINE and BROADCAST_OFFLINE (§6.14, §6.28): u32 from,
// time32 sentAt, u16 type, lstr text. `sentAt` is ignored/0 in the online forms.
struct DeliveredMessage {
  uint32_t from = 0;
  uint32_t sentAt = 0;  // true UTC Unix seconds (§7.4)
  uint16_t type = 0;
  std::span<const uint8_t> text;
};
// Builders write the type as given; deliveryType() gives what a V3 recipient must see.
size_t buildOnlineMessageBody(const DeliveredMessage& message, std::span<uint8_t> out) noexcept;
size_t buildOfflineMessageBody(const DeliveredMessage& message, std::span<uint8_t> out) noexcept;
// Client side; texts up to kMaxReassembled bytes are accepted (server texts may be long).
ParseError parseOnlineMessage(std::span<const uint8_t> body, DeliveredMessage& out) noexcept;
ParseError parseOfflineMessage(std::span<const uint8_t> body, DeliveredMessage& out) noexcept;

// The type a V3 recipient receives (§5.11, §9.2, decision 37): the low byte, and contacts
// (0x0013) as plain text (0x0001) — on the online and the offline path alike.
uint16_t deliveryType(uint16_t type) noexcept;

// §7.2: fields joined by 0xFE, no escaping. Writes the join into `out`; returns its length, 0 if
// `out` is too small.
inline constexpr uint8_t kFieldSeparator = 0xFE;
size_t joinFields(std::span<const std::span<const uint8_t>> fields, std::span<uint8_t> out) noexcept;
// Calls visit(std::span<const uint8_t> field) for each 0xFE-separated field of `text`, in order
// (an empty text is one empty field).
template <class Visit>
void forEachField(std::span<const uint8_t> text, Visit&& visit) {
  size_t start = 0;
  for (size_t i = 0; i <= text.size(); ++i) {
    if (i == text.size() || text[i] == kFieldSeparator) {
      visit(text.subspan(start, i - start));
      start = i + 1;
    }
  }
}

}  // namespace icq::codec::v3
