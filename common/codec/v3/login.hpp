// V3 bodies of logging in and out: LOGON (protocol-v3.md §5.2), LOGOFF (§5.5), the pre-login
// GET_DEPS (§5.28), and the server's HELLO (§6.3), department lists (§6.4) and one-text
// packets LOGIN_ERROR / SET_OFFLINE / REGISTRATION_OK (§6.6, §6.2, §6.27).
//
// Conventions of every body file in this folder: parsers take the body (the datagram after its
// 16-byte header), never read past it and return a ParseError; texts are views into the
// datagram. Builders write the body only (encodePacket adds the header) and return its length,
// 0 if `out` is too small. Server bodies have a client-side parser and client bodies a builder,
// for the test client.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "common/codec/v3/byte_io.hpp"
#include "common/codec/v3/constants.hpp"

namespace icq::codec::v3 {

// §5.2: "this project should accept up to 32" (IServerd: 19).
inline constexpr size_t kMaxPasswordLength = 32;
// §5.5: IServerd reads at most 20 bytes of the reason.
inline constexpr size_t kMaxLogoffReasonLength = 20;
inline constexpr std::string_view kLogoffText = "B_USER_DISCONNECTED";
inline constexpr std::string_view kLogoffProbeText = "B_MESSAGE_ACK";

// §5.2. Fields after tcp_version are neither read nor required.
struct Logon {
  uint32_t tcpPort = 0;
  std::string_view password;
  uint32_t clientBuild = 0;
  uint32_t internalIp = 0;  // network order
  uint8_t dcType = 0;
  uint16_t status = 0, estat = 0;
  uint32_t tcpVersion = 0;
};
// truncated unless the body reaches tcp_version; a password above kMaxPasswordLength is too_long.
ParseError parseLogon(std::span<const uint8_t> body, Logon& out) noexcept;
// Miranda's layout (TV1): the fields, then u32 0, u16 0x0013, u16 0x007A.
size_t buildLogonBody(const Logon& logon, std::span<uint8_t> out) noexcept;

// §5.5: lstr reason (≤ 20), then an optional u16 (Miranda 5, Mirabilis 4 or 5).
ParseError parseLogoff(std::span<const uint8_t> body, std::string_view& reason) noexcept;
size_t buildLogoffBody(std::string_view reason, std::span<uint8_t> out) noexcept;

// §5.28: the credentials of the pre-login department fetch (header uin 0).
struct GetDeps {
  uint32_t uin = 0;
  std::string_view password;
};
ParseError parseGetDeps(std::span<const uint8_t> body, GetDeps& out) noexcept;
size_t buildGetDepsBody(const GetDeps& request, std::span<uint8_t> out) noexcept;

// §6.3 HELLO, 30 bytes of body. Defaults are the recommended values (decision 6).
struct Hello {
  uint32_t yourIp = 0;  // network order: the LOGON's source address
  uint32_t externalsCount = 0;
  uint32_t deplistVersion = 1;
  uint8_t mustChangePassword = 0, canBroadcast = 0;
  uint16_t pingPeriodS = 45, packetTimeoutS = 10, retryTimeoutS = 10, retries = 3;
};
inline constexpr size_t kHelloBodySize = 30;
size_t buildHelloBody(const Hello& hello, std::span<uint8_t> out) noexcept;
ParseError parseHello(std::span<const uint8_t> body, Hello& out) noexcept;

// §6.4: department code + short name (≤ 8 characters; longer names are cut when building).
inline constexpr size_t kMaxDepartmentName = 8;
inline constexpr size_t kMaxDepartments = 250;
struct Department {
  uint32_t code = 0;
  std::string_view name;
};
// DEPS_LIST (0x0032) and DEPS_LIST1 (0x0082, `withPrefix`: the u16 0x003C first). At most
// kMaxDepartments are written.
size_t buildDepsListBody(uint32_t deplistVersion, std::span<const Department> departments, bool withPrefix,
                         std::span<uint8_t> out) noexcept;
// Client side: `out` receives at most its size (the rest is too_long); `count` is how many.
ParseError parseDepsList(std::span<const uint8_t> body, bool withPrefix, uint32_t& deplistVersion,
                         std::span<Department> out, size_t& count) noexcept;

// Bodies that are one lstr: LOGIN_ERROR, SET_OFFLINE, REGISTRATION_OK (CR LF allowed), and
// SET_PASSWORD, SET_HOME_PAGE / SET_WORK_PAGE, INFO_HOME_PAGE / INFO_WORK_PAGE (profile.hpp
// names their limits). Trailing bytes are ignored.
size_t buildTextBody(std::string_view text, std::span<uint8_t> out) noexcept;
ParseError parseTextBody(std::span<const uint8_t> body, std::string_view& text,
                         size_t maxText = kMaxDatagram) noexcept;

}  // namespace icq::codec::v3
