// Typed V5 bodies for login and logoff (protocol-v5.md §4.3, §4.7, §6.1, §6.7, §8.2, §8.5, §8.6,
// §8.20). Parsers are tolerant the way IServerd is (§1.1); builders produce whole datagrams.
#include "common/codec/v5/messages.hpp"

#include "common/codec/v5/byte_io.hpp"
#include "common/codec/v5/constants.hpp"

namespace icq::codec::v5 {

namespace {

// CMD_LOGIN (§6.1): X1 (4) + INTERNAL_IP (4) + DC_TYPE (1) + STATUS (4) must follow the
// password; X2 (2) + X3 (4) + X4 (4) lie between TCP_VERSION and WEB_PORT.
constexpr size_t kLoginRequiredAfterPassword = 13;
constexpr size_t kLoginX2ToX4Size = 10;
constexpr uint32_t kLoginX4 = 0x013F0002;  // Capture and licq 0.8x

// SRV_LOGIN_REPLY constants (§8.5) and the part of the body clients are known to read.
constexpr uint16_t kLoginReplyConstant0 = 0x008C;
constexpr uint16_t kLoginReplyConstant8 = 0x000A;
constexpr uint32_t kLoginReplyServerId = 0x80CDC19B;
constexpr size_t kLoginReplyIpOffset = 12;
constexpr size_t kLoginReplyMinSize = kLoginReplyIpOffset + 4;

// The u16 that follows the text of CMD_SEND_TEXT_CODE (§6.7).
constexpr uint16_t kTextCodeTrailer = 0x0005;

size_t encodeWithRng(const ServerHeader& header, std::span<const uint8_t> data, std::span<uint8_t> out,
                     CheckcodeRng& rng) noexcept {
  const uint8_t r1 = rng.serverR1();
  const uint8_t r2 = rng.r2();
  return encodeServerPacket(header, data, out, r1, r2);
}

// Error replies answer a request: SEQ1 = 0, SEQ2 = the request's (§4.2, §4.7).
size_t buildErrorReply(uint16_t command, const ClientHeader& req, std::span<uint8_t> out, CheckcodeRng& rng) noexcept {
  const ServerHeader header{req.sessionId, command, 0, req.seq2, req.uin};
  return encodeWithRng(header, {}, out, rng);
}

}  // namespace

std::string_view parseErrorName(ParseError error) noexcept {
  switch (error) {
    case ParseError::none:
      return "none";
    case ParseError::truncated:
      return "truncated";
    case ParseError::too_long:
      return "too_long";
  }
  return "other";
}

ParseError parseLogin(std::span<const uint8_t> data, LoginRequest& out) noexcept {
  out = LoginRequest{};
  ByteReader reader(data);
  out.time = reader.u32();
  out.tcpPort = reader.u32();
  out.password = reader.lnts(kMaxPasswordLength);
  if (reader.tooLong()) {
    return ParseError::too_long;
  }
  if (reader.overrun() || reader.remaining() < kLoginRequiredAfterPassword) {
    return ParseError::truncated;
  }
  out.x1 = reader.u32();
  out.internalIp = reader.ip();
  out.dcType = reader.u8();
  out.status = reader.u32();
  // Everything from here on may be missing (D42); the reader yields 0 for it.
  out.tcpVersion = reader.u16();
  reader.skip(kLoginX2ToX4Size);
  out.webPort = reader.u32();
  out.features = reader.u32();
  return ParseError::none;
}

ParseError parseTextCode(std::span<const uint8_t> data, std::string_view& text) noexcept {
  ByteReader reader(data);
  text = reader.lnts(kMaxTextCodeLength);
  if (reader.tooLong()) {
    return ParseError::too_long;
  }
  return reader.overrun() ? ParseError::truncated : ParseError::none;
}

size_t buildSrvAck(const ClientHeader& req, std::span<uint8_t> out, CheckcodeRng& rng) noexcept {
  const ServerHeader header{req.sessionId, SRV_ACK, req.seq1, req.seq2, req.uin};
  return encodeWithRng(header, {}, out, rng);
}

size_t buildSrvLoginReply(const ClientHeader& login, const LoginReplyFields& fields, std::span<uint8_t> out,
                          CheckcodeRng& rng) noexcept {
  if (out.size() < kServerHeaderSize) {
    return 0;
  }
  const size_t dataSize = buildLoginReplyData(fields, out.subspan(kServerHeaderSize));
  if (dataSize == 0) {
    return 0;
  }
  const ServerHeader header{login.sessionId, SRV_LOGIN_REPLY, 0, login.seq2, login.uin};
  return encodeWithRng(header, out.subspan(kServerHeaderSize, dataSize), out, rng);
}

size_t buildSrvBadPass(const ClientHeader& login, bool v3Layout, std::span<uint8_t> out, CheckcodeRng& rng) noexcept {
  if (!v3Layout) {
    return buildErrorReply(SRV_BAD_PASS, login, out, rng);
  }
  // IServerd's form (§8.6): 16-byte V3 header (no session id, zero checkcode slot) + 2 zero
  // data bytes.
  ByteWriter writer(out);
  writer.u16(kVersion3);
  writer.u16(SRV_BAD_PASS);
  writer.u16(0);
  writer.u16(login.seq2);
  writer.u32(login.uin);
  writer.u32(0);
  writer.u16(0);
  return writer.overflow() ? 0 : writer.size();
}

size_t buildSrvNotConnected(const ClientHeader& req, std::span<uint8_t> out, CheckcodeRng& rng) noexcept {
  return buildErrorReply(SRV_NOT_CONNECTED, req, out, rng);
}

size_t buildSrvTryAgain(const ClientHeader& req, std::span<uint8_t> out, CheckcodeRng& rng) noexcept {
  return buildErrorReply(SRV_TRY_AGAIN, req, out, rng);
}

size_t buildSrvLoginErr(const ClientHeader& login, std::string_view text, std::span<uint8_t> out,
                        CheckcodeRng& rng) noexcept {
  if (out.size() < kServerHeaderSize) {
    return 0;
  }
  ByteWriter writer(out.subspan(kServerHeaderSize));
  writer.lnts(text);
  writer.u32(0);
  if (writer.overflow()) {
    return 0;
  }
  const ServerHeader header{login.sessionId, SRV_LOGIN_ERR, 0, login.seq2, login.uin};
  return encodeWithRng(header, out.subspan(kServerHeaderSize, writer.size()), out, rng);
}

size_t buildSrvGoAway(uint32_t sessionId, uint32_t uin, uint16_t seq1, std::span<uint8_t> out,
                      CheckcodeRng& rng) noexcept {
  const ServerHeader header{sessionId, SRV_GO_AWAY, seq1, 0, uin};
  return encodeWithRng(header, {}, out, rng);
}

size_t buildLoginReplyData(const LoginReplyFields& fields, std::span<uint8_t> out) noexcept {
  ByteWriter writer(out);
  writer.u16(kLoginReplyConstant0);
  writer.u16(0);
  writer.u16(fields.keepAliveS);
  writer.u16(fields.retransmitTimeoutS);
  writer.u16(kLoginReplyConstant8);
  writer.u16(fields.retries);
  writer.ip(fields.clientIp);
  writer.u32(kLoginReplyServerId);
  return writer.overflow() ? 0 : writer.size();
}

bool parseLoginReply(std::span<const uint8_t> data, LoginReplyFields& out) noexcept {
  if (data.size() < kLoginReplyMinSize) {
    return false;
  }
  ByteReader reader(data);
  reader.skip(4);
  out.keepAliveS = reader.u16();
  out.retransmitTimeoutS = reader.u16();
  reader.skip(2);
  out.retries = reader.u16();
  out.clientIp = reader.ip();
  return true;
}

size_t buildLoginData(const LoginRequest& req, std::span<uint8_t> out) noexcept {
  ByteWriter writer(out);
  writer.u32(req.time);
  writer.u32(req.tcpPort);
  writer.lnts(req.password);
  writer.u32(req.x1);
  writer.ip(req.internalIp);
  writer.u8(req.dcType);
  writer.u32(req.status);
  writer.u16(req.tcpVersion);
  writer.u16(0);  // X2
  writer.u32(0);  // X3, which mICQ omits (D42)
  writer.u32(kLoginX4);
  writer.u32(req.webPort);
  writer.u32(req.features);
  return writer.overflow() ? 0 : writer.size();
}

size_t buildTextCodeData(std::string_view text, std::span<uint8_t> out) noexcept {
  ByteWriter writer(out);
  writer.lnts(text);
  writer.u16(kTextCodeTrailer);
  return writer.overflow() ? 0 : writer.size();
}

}  // namespace icq::codec::v5
