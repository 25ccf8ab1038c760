// V3 framing (protocol-v3.md §2.2, §2.4, §3.2, §3.3): the header is read and written field by
// field; nothing else happens to a V3 datagram on its way in or out.
#include "common/codec/v3/packet.hpp"

#include <cstring>

#include "common/codec/v3/byte_io.hpp"
#include "common/codec/v3/constants.hpp"

namespace icq::codec::v3 {

namespace {

constexpr size_t kSeq1Offset = 4;

template <class Io, class H>
void describeHeader(Io& io, H& header) noexcept {
  uint16_t version = kVersion3;
  io.u16(version);
  io.u16(header.command);
  io.u16(header.seq1);
  io.u16(header.seq2);
  io.u32(header.uin);
  io.u32(header.reserved);
}

}  // namespace

std::string_view decodeErrorName(DecodeError error) noexcept {
  switch (error) {
    case DecodeError::none:
      return "none";
    case DecodeError::too_short:
      return "too_short";
    case DecodeError::too_long:
      return "too_long";
    case DecodeError::unsupported_version:
      return "unsupported_version";
    case DecodeError::malformed:
      return "malformed";
  }
  return "other";
}

DecodeError precheckDatagram(std::span<const uint8_t> datagram) noexcept {
  if (datagram.size() < 2) return DecodeError::too_short;
  if ((datagram[0] | (datagram[1] << 8)) != kVersion3) return DecodeError::unsupported_version;
  if (datagram.size() < kMinDatagram) return DecodeError::too_short;
  if (datagram.size() > kMaxDatagram) return DecodeError::too_long;
  return DecodeError::none;
}

DecodeError decodePacket(std::span<const uint8_t> datagram, Packet& out) noexcept {
  const DecodeError error = precheckDatagram(datagram);
  if (error != DecodeError::none) return error;
  FieldReader reader(datagram);
  describeHeader(reader, out.header);
  out.body = datagram.subspan(kHeaderSize);
  return DecodeError::none;
}

size_t encodePacket(const Header& header, std::span<const uint8_t> body, std::span<uint8_t> out) noexcept {
  const size_t length = kHeaderSize + body.size();
  if (out.size() < length) return 0;
  // The body first: it may already sit at out[kHeaderSize], or overlap it.
  if (!body.empty()) std::memmove(out.data() + kHeaderSize, body.data(), body.size());
  FieldWriter writer(out.first(kHeaderSize));
  describeHeader(writer, header);
  return length;
}

void stampSeq1(std::span<uint8_t> packet, uint16_t seq1) noexcept {
  if (packet.size() < kHeaderSize) return;
  FieldWriter(packet.subspan(kSeq1Offset, 2)).u16(seq1);
}

Header ackHeader(const Header& request) noexcept {
  return Header{.command = SRV_ACK, .seq1 = request.seq1, .seq2 = request.seq2, .uin = request.uin};
}

Header replyHeader(const Header& request, uint16_t command) noexcept {
  return Header{.command = command, .seq1 = 0, .seq2 = request.seq2, .uin = request.uin};
}

Header clientAckHeader(const Header& serverPacket, uint32_t ownUin) noexcept {
  return Header{.command = CMD_ACK, .seq1 = serverPacket.seq1, .seq2 = 0, .uin = ownUin};
}

}  // namespace icq::codec::v3
