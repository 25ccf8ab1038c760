// V3 bodies of presence: contact and privacy lists (protocol-v3.md §5.6–§5.8), SET_STATUS (§5.9),
// SET_STATE (§5.10), and the server's USER_ONLINE / USER_OFFLINE / USER_STATUS (§6.9–§6.11).
// Conventions as in login.hpp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "common/codec/v3/byte_io.hpp"

namespace icq::codec::v3 {

// The count is a u8 (§5.6): up to 255 UINs per packet, all accepted; per-user caps are the caller's.
inline constexpr size_t kMaxUinsPerListPacket = 255;

// USER_LIST, INVISIBLE_LIST, VISIBLE_LIST (§5.6, §5.8): u8 count + count × u32. `out` must hold
// kMaxUinsPerListPacket UINs (fewer: a longer list is too_long). A count past the data is
// truncated; trailing bytes are ignored. `count` is 0 on error.
ParseError parseUinList(std::span<const uint8_t> body, std::span<uint32_t> out, size_t& count) noexcept;
// Client side: 0 if there are more than kMaxUinsPerListPacket.
size_t buildUinListBody(std::span<const uint32_t> uins, std::span<uint8_t> out) noexcept;

// Bodies that are one u32: USER_ADD (§5.7), GET_INFO / GET_INFO1 / GET_NOTES (§5.17–§5.19),
// SYSMSG_DONE_ACK's time (§5.14), GET_EXTERNALS (§5.30), and the server's USER_OFFLINE (§6.10)
// and INVALID_UIN (§6.21). Trailing bytes are ignored.
ParseError parseU32Body(std::span<const uint8_t> body, uint32_t& value) noexcept;
size_t buildU32Body(uint32_t value, std::span<uint8_t> out) noexcept;

// UPDATE_LIST (§5.8, Miranda's disabled code): u32 uin, u8 list, u8 add. All 6 bytes required.
struct UpdateList {
  uint32_t uin = 0;
  uint8_t list = 0, add = 0;
};
ParseError parseUpdateList(std::span<const uint8_t> body, UpdateList& out) noexcept;
size_t buildUpdateListBody(const UpdateList& update, std::span<uint8_t> out) noexcept;

// SET_STATUS (§5.9, decision 7, [L]): status = u16 @16 (Miranda sends only that); estat = low
// word of u32 @20 if the body has 8 bytes, u16 @18 if it has 4, else 0. Fewer than 2 bytes is
// truncated.
struct StatusChange {
  uint16_t status = 0, estat = 0;
};
ParseError parseSetStatus(std::span<const uint8_t> body, StatusChange& out) noexcept;
// Client side: `miranda` gives the 2-byte body (TV13 first form), otherwise IServerd's
// u32 status + u32 estat (TV13 second form).
size_t buildSetStatusBody(const StatusChange& change, bool miranda, std::span<uint8_t> out) noexcept;

// SET_STATE (§5.10): one byte (0, 1, 0xFF).
ParseError parseSetState(std::span<const uint8_t> body, uint8_t& state) noexcept;
size_t buildSetStateBody(uint8_t state, std::span<uint8_t> out) noexcept;

// USER_ONLINE (§6.9), 25 bytes of body. The caller zeroes ip, tcpPort, realIp and dcType for a
// contact that is not itself a V3 user (§9.1, rule 7) — see hideDirectConnection.
struct OnlineContact {
  uint32_t uin = 0;
  uint32_t ip = 0;  // network order
  uint32_t tcpPort = 0;
  uint32_t realIp = 0;  // network order
  uint8_t dcType = 0;
  uint16_t status = 0, estat = 0, tcpVersion = 0;
};
inline constexpr size_t kUserOnlineBodySize = 25;
size_t buildUserOnlineBody(const OnlineContact& contact, std::span<uint8_t> out) noexcept;
ParseError parseUserOnline(std::span<const uint8_t> body, OnlineContact& out) noexcept;
// The direct-connection fields zeroed (§6.9, §9.1).
OnlineContact hideDirectConnection(OnlineContact contact) noexcept;

// USER_STATUS (§6.11): u32 uin, u16 status, u16 estat.
struct UserStatus {
  uint32_t uin = 0;
  uint16_t status = 0, estat = 0;
};
size_t buildUserStatusBody(const UserStatus& update, std::span<uint8_t> out) noexcept;
ParseError parseUserStatus(std::span<const uint8_t> body, UserStatus& out) noexcept;

// Private is the exact low word 0x0100 (§7.3, §5.9).
inline bool isPrivate(uint16_t status) noexcept { return status == 0x0100; }

}  // namespace icq::codec::v3
