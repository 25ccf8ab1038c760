// Typed V5 bodies for contact lists and presence: CMD_CONTACT_LIST / CMD_VIS_LIST / CMD_INVIS_LIST
// (protocol-v5.md §6.3, §6.17), CMD_ADD_TO_LIST (§6.14), CMD_STATUS_CHANGE (§6.13), CMD_UPDATE_LIST
// (§6.18) and the server bodies SRV_USER_ONLINE (§8.7), SRV_USER_OFFLINE (§8.10), SRV_STATUS_UPDATE (§8.16).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "common/codec/v5/messages.hpp"

namespace icq::codec::v5 {

// The count is a u8: a packet cannot name more than 255 UINs, and we accept them all (§6.3, D32);
// the per-user cap is the caller's.
inline constexpr size_t kMaxUinsPerListPacket = 255;

// CMD_CONTACT_LIST, CMD_VIS_LIST, CMD_INVIS_LIST (§6.3, §6.17): u8 N + N × uin. `out` must hold
// kMaxUinsPerListPacket UINs; if it holds fewer than N the packet is too_long. A count larger than
// the data is truncated; bytes after the N-th UIN are ignored. `count` is 0 on error.
ParseError parseUinList(std::span<const uint8_t> data, std::span<uint32_t> out, size_t& count) noexcept;

// CMD_ADD_TO_LIST (§6.14): the target uin. CMD_STATUS_CHANGE (§6.13): the new status u32. Both are
// truncated without their 4 bytes; trailing bytes are ignored.
ParseError parseAddToList(std::span<const uint8_t> data, uint32_t& uin) noexcept;
ParseError parseStatusChange(std::span<const uint8_t> data, uint32_t& status) noexcept;

enum class PrivacyList : uint8_t { visible, invisible };

// CMD_UPDATE_LIST (§6.18, D9): LIST 2 → visible, anything else → invisible (1 is IServerd's and
// mICQ's invisible, 0 licq's); ACTION 1 = add, anything else = remove (IServerd). `rawList` keeps
// the byte so the caller can log licq's conflicting 1 = visible and unknown values.
struct UpdateList {
  uint32_t uin = 0;
  PrivacyList list = PrivacyList::invisible;
  bool add = false;
  uint8_t rawList = 0;
};

// All 6 bytes are required: reading a missing LIST/ACTION as 0 (§1.1) would turn a cut packet
// into "remove from the invisible list", which reveals the user.
ParseError parseUpdateList(std::span<const uint8_t> data, UpdateList& out) noexcept;

// SRV_USER_ONLINE body (§8.7): 49 bytes, status u32 at data offset 17 (D14). Callers zero the
// direct-connection fields (externalIp..dcType) themselves when hiding them (§8.7, D38).
struct OnlineContact {
  uint32_t uin = 0, externalIp = 0 /*network order*/, tcpPort = 0, internalIp = 0 /*network order*/;
  uint8_t dcType = 0;
  uint32_t status = 0, tcpVersion = 0, dcCookie = 0, webPort = 0, features = 0, infoUpdateTime = 0, moreUpdateTime = 0,
           statusUpdateTime = 0;
};

inline constexpr size_t kUserOnlineBodySize = 49;

// Body builders return the number of bytes written, 0 if `out` is too small.
size_t buildUserOnlineBody(const OnlineContact& contact, std::span<uint8_t> out) noexcept;
// Test client side: false unless all 49 bytes are there (our server always sends them).
bool parseUserOnlineBody(std::span<const uint8_t> data, OnlineContact& out) noexcept;
// SRV_USER_OFFLINE (§8.10): the contact's uin.
size_t buildUserOfflineBody(uint32_t uin, std::span<uint8_t> out) noexcept;

// SRV_RAND_USER body (§8.19): 37 bytes — mICQ accepts exactly that many. No data means
// "nobody found".
inline constexpr size_t kRandomUserBodySize = 37;
size_t buildRandomUserBody(const OnlineContact& contact, std::span<uint8_t> out) noexcept;
// SRV_STATUS_UPDATE (§8.16): uin + status as one u32, as licq and mICQ read it.
size_t buildStatusUpdateBody(uint32_t uin, uint32_t status, std::span<uint8_t> out) noexcept;

// Client side (test client, load generator), data parts only.
// u8 N + the UINs; 0 if there are more than kMaxUinsPerListPacket.
size_t buildUinListData(std::span<const uint32_t> uins, std::span<uint8_t> out) noexcept;
// §6.18 with IServerd's values: LIST 2/1, ACTION 1/0 (mICQ sends 0 to remove).
size_t buildUpdateListData(uint32_t uin, PrivacyList list, bool add, std::span<uint8_t> out) noexcept;
// Bodies that are a single uin: CMD_ADD_TO_LIST, CMD_INFO_REQ, CMD_EXT_INFO_REQ (§6.11–§6.14).
size_t buildUinData(uint32_t uin, std::span<uint8_t> out) noexcept;
// CMD_STATUS_CHANGE (§6.13).
size_t buildStatusData(uint32_t status, std::span<uint8_t> out) noexcept;

// Invisible is a bit of the state word, not a value of it: 0x0101 is invisible too (§9.4, D11).
inline constexpr uint32_t kStatusInvisible = 0x0100;
bool isInvisible(uint32_t status) noexcept;
/// The state a status word shows, as the event actions' filters name it: "invisible" when
/// that bit is set, else by the bit a client shows first (§9.4: DND 0x13 also carries away's
/// and occupied's bits) — "dnd", "occupied", "na", "away", "ffc", or "online".
std::string_view stateName(uint32_t status) noexcept;
/// Whether `name` is one stateName() gives.
bool isStateName(std::string_view name) noexcept;

}  // namespace icq::codec::v5
