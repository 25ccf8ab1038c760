// Typed V5 bodies for the login/logoff walking skeleton: CMD_LOGIN (protocol-v5.md §6.1),
// CMD_SEND_TEXT_CODE (§6.7) and the server replies of §4.3, §4.7, §8.2, §8.5, §8.6, §8.20.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "common/codec/v5/packet.hpp"

namespace icq::codec::v5 {

// IServerd copies at most 20 password bytes (§6.1, D44); real clients send ≤ 8 characters.
inline constexpr size_t kMaxPasswordLength = 20;
// IServerd reads at most 20 bytes of a text code; the only meaningful one is 19 (§6.7).
inline constexpr size_t kMaxTextCodeLength = 20;

inline constexpr std::string_view kLogoffText = "B_USER_DISCONNECTED";

struct LoginRequest {
  uint32_t time = 0, tcpPort = 0;
  std::string_view password;  // points into the parsed datagram
  uint32_t x1 = 0, internalIp = 0 /*network order*/;
  uint8_t dcType = 0;
  uint32_t status = 0;
  uint16_t tcpVersion = 0;
  uint32_t webPort = 0, features = 0;
};

// Doubles as a drop-reason label, like DecodeError.
enum class ParseError : uint8_t { none, truncated, too_long };

std::string_view parseErrorName(ParseError error) noexcept;

// §6.1, tolerant like IServerd (D42): the body must reach STATUS (p+13, p = end of the
// password); TCP_VERSION and the informational WEB_PORT/CLIENT_FEATURES (read at IServerd's
// fixed offsets p+25/p+29, so mICQ's shorter layout without X3 yields other values there) are 0
// when missing. The password is the field up to its first NUL or its end (D44); a password field
// with more than kMaxPasswordLength bytes of text is too_long (dropped like any over-long field,
// D33) rather than truncated as IServerd does, so a long password is never accepted on the
// strength of its first 20 bytes.
ParseError parseLogin(std::span<const uint8_t> data, LoginRequest& out) noexcept;

// §6.7: the lnts text; the trailing u16 5 is optional. Texts longer than kMaxTextCodeLength are
// too_long (they cannot be the logoff text).
ParseError parseTextCode(std::span<const uint8_t> data, std::string_view& text) noexcept;

struct LoginReplyFields {
  uint16_t keepAliveS = 110, retransmitTimeoutS = 10, retries = 5;
  uint32_t clientIp = 0 /*network order*/;
};

// Builders write a complete server datagram into `out` and return its length, 0 if `out` is too
// small. `req`/`login` is the client packet being answered; the session id and UIN are its own.

// §4.3: echoes session, SEQ1, SEQ2 and UIN; no data.
size_t buildSrvAck(const ClientHeader& req, std::span<uint8_t> out, CheckcodeRng& rng) noexcept;
// §8.5: SEQ1 = 0 (the first reliable packet of the session), SEQ2 = the login's.
size_t buildSrvLoginReply(const ClientHeader& login, const LoginReplyFields& fields, std::span<uint8_t> out,
                          CheckcodeRng& rng) noexcept;
// §8.6: V5 layout by default; `v3Layout` gives IServerd's 18-byte V3 form (D6).
size_t buildSrvBadPass(const ClientHeader& login, bool v3Layout, std::span<uint8_t> out, CheckcodeRng& rng) noexcept;
// §4.7: header only, SEQ1 = 0, SEQ2 = the request's.
size_t buildSrvNotConnected(const ClientHeader& req, std::span<uint8_t> out, CheckcodeRng& rng) noexcept;
size_t buildSrvTryAgain(const ClientHeader& req, std::span<uint8_t> out, CheckcodeRng& rng) noexcept;
// §8.20: lnts text (CR LF allowed) + u32 0; SEQ1 = 0, SEQ2 = the login's.
size_t buildSrvLoginErr(const ClientHeader& login, std::string_view text, std::span<uint8_t> out,
                        CheckcodeRng& rng) noexcept;
// §8.2: unreliable, but carries the session's next SEQ1 because licq drops a mid-session
// SEQ1 = 0 as a duplicate (§4.2); SEQ2 = 0.
size_t buildSrvGoAway(uint32_t sessionId, uint32_t uin, uint16_t seq1, std::span<uint8_t> out,
                      CheckcodeRng& rng) noexcept;

// The 20-byte SRV_LOGIN_REPLY body (§8.5); buildSrvLoginReply wraps it. Returns 0 if `out` is
// too small.
size_t buildLoginReplyData(const LoginReplyFields& fields, std::span<uint8_t> out) noexcept;
// Client side: reads the fields of §8.5; needs the body up to the IP (16 bytes), the only part
// clients are known to use. False if it is shorter.
bool parseLoginReply(std::span<const uint8_t> data, LoginReplyFields& out) noexcept;

// Client side (test client, load generator), data parts only. The login body has the ICQ 99b
// layout of the Capture (§6.1, §13.1): X3 present, X4 = 0x013F0002, then `req.webPort` and
// `req.features` (ICQ 99b: 80 and 3), without the ignored trailer.
size_t buildLoginData(const LoginRequest& req, std::span<uint8_t> out) noexcept;
// §6.7: lnts text + u16 5.
size_t buildTextCodeData(std::string_view text, std::span<uint8_t> out) noexcept;

}  // namespace icq::codec::v5
