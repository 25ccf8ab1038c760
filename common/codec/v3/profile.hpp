// V3 bodies of user data: the SET_* commands (protocol-v3.md §5.20–§5.26), GET_NOTES' reply, the
// INFO_* replies (§6.16–§6.20), SEARCH (§5.27) with SEARCH_FOUND / SEARCH_DONE (§6.22, §6.23).
// The SET_* command and its INFO_* reply share one layout, so they share one struct.
// Conventions as in login.hpp. Client-side parsers of server bodies accept any field length.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "common/codec/v3/byte_io.hpp"

namespace icq::codec::v3 {

// Field limits (texts without their NUL), from §5.20–§5.27.
inline constexpr size_t kMaxNameLength = 32;    // nick, first, last, city, state, phones, company, title
inline constexpr size_t kMaxEmailLength = 128;  // SET_BASIC (registration: 64)
inline constexpr size_t kMaxAddressLength = 64;
inline constexpr size_t kMaxUrlLength = 128;
inline constexpr size_t kMaxNotesLength = 256;
inline constexpr size_t kMaxSearchValueLength = 64;

// SET_BASIC (§5.21); INFO_BASIC / INFO_SINGLE (§6.16) add `auth`; SEARCH_FOUND (§6.22) adds the
// uin in front and `auth`.
struct BasicInfo {
  std::string_view nick, first, last, email;
  uint8_t auth = 0;  // INFO_BASIC, INFO_SINGLE, SEARCH_FOUND only
};
ParseError parseSetBasic(std::span<const uint8_t> body, BasicInfo& out) noexcept;
size_t buildSetBasicBody(const BasicInfo& info, std::span<uint8_t> out) noexcept;
size_t buildInfoBasicBody(const BasicInfo& info, std::span<uint8_t> out) noexcept;
ParseError parseInfoBasic(std::span<const uint8_t> body, BasicInfo& out) noexcept;
size_t buildSearchFoundBody(uint32_t uin, const BasicInfo& info, std::span<uint8_t> out) noexcept;
ParseError parseSearchFound(std::span<const uint8_t> body, uint32_t& uin, BasicInfo& out) noexcept;

// SET_HOME (§5.22) and INFO_HOME (§6.17).
struct HomeInfo {
  std::string_view address, city, state;
  uint16_t country = 0xFFFF;  // telephone-style code; 0xFFFF = not set
  std::string_view phone, fax, cellular;
  uint32_t zip = 0;
  uint8_t gender = 0;  // 0 unspecified, 1 female, 2 male
  uint16_t age = 0;
  uint8_t birthDay = 0, birthMonth = 0;
  uint16_t birthYear = 0;  // years since 1900 on the wire (§6.17)
};
ParseError parseSetHome(std::span<const uint8_t> body, HomeInfo& out) noexcept;
size_t buildHomeBody(const HomeInfo& info, std::span<uint8_t> out) noexcept;  // both directions
ParseError parseInfoHome(std::span<const uint8_t> body, HomeInfo& out) noexcept;

// SET_WORK (§5.24) and INFO_WORK (§6.19).
struct WorkInfo {
  std::string_view address, city, state;
  uint16_t country = 0xFFFF;
  std::string_view company, title;
  uint32_t department = 0;
  std::string_view phone, fax, pager;
  uint32_t zip = 0;
};
// Decision 17 ([L]): three strings after the department, and zip from the LAST four bytes of the
// body, so the Mirabilis capture's fourth string is tolerated.
ParseError parseSetWork(std::span<const uint8_t> body, WorkInfo& out) noexcept;
size_t buildWorkBody(const WorkInfo& info, std::span<uint8_t> out) noexcept;  // both directions
ParseError parseInfoWork(std::span<const uint8_t> body, WorkInfo& out) noexcept;

// SET_NOTES (§5.20): lstr ≤ kMaxNotesLength; use parseTextBody(body, notes, kMaxNotesLength).
// SET_PASSWORD (§5.25): parseTextBody(body, password, kMaxPasswordLength).
// SET_HOME_PAGE / SET_WORK_PAGE (§5.23): parseTextBody(body, url, kMaxUrlLength).

// NOTES reply (§6.20).
struct Notes {
  std::string_view text;
  uint32_t updatedAt = 0, lastLogin = 0;
  uint32_t lastIp = 0;  // network order
};
size_t buildNotesBody(const Notes& notes, std::span<uint8_t> out) noexcept;
ParseError parseNotes(std::span<const uint8_t> body, Notes& out) noexcept;

// SET_AUTH (§5.26, decision 18, [L]): the byte at offset 20 when the body has ≥ 5 bytes (the
// capture), else the one at 16 (IServerd). Kept raw: 1 = anyone may add, 0 = authorization.
ParseError parseSetAuth(std::span<const uint8_t> body, uint8_t& mode) noexcept;
// Client side: `captureLayout` writes u32 0 before the mode byte.
size_t buildSetAuthBody(uint8_t mode, bool captureLayout, std::span<uint8_t> out) noexcept;

// SEARCH (§5.27): 0xFF, field, 0x00, mode, then an lstr value — or, for the numeric fields
// (work country, department, home country), a bare u16.
struct Search {
  uint8_t field = 0, mode = 0;
  std::string_view text;  // text fields (and the UIN / age, as decimal text)
  uint16_t number = 0;    // numeric fields
};
bool isNumericSearchField(uint8_t field) noexcept;
ParseError parseSearch(std::span<const uint8_t> body, Search& out) noexcept;
size_t buildSearchBody(const Search& search, std::span<uint8_t> out) noexcept;

// SEARCH_DONE (§6.23): u8 more. The client side reads a missing byte as 0 (the Mirabilis capture).
size_t buildSearchDoneBody(bool more, std::span<uint8_t> out) noexcept;
bool parseSearchDone(std::span<const uint8_t> body) noexcept;

}  // namespace icq::codec::v3
