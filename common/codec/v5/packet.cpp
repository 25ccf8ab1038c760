// V5 framing (protocol-v5.md §2, §3.4–§3.6). The server side decodes client datagrams in place
// and encodes server packets; the opposite pair exists for the test client and load generator.
#include "common/codec/v5/packet.hpp"

#include <algorithm>
#include <cstring>

#include "common/codec/v5/byte_io.hpp"
#include "common/codec/v5/constants.hpp"
#include "common/codec/v5/crypt.hpp"

namespace icq::codec::v5 {

namespace {

constexpr size_t kClientUinOffset = 0x06;                  // §2.1; session, command and seqs follow
constexpr size_t kServerR1Limit = kServerCheckcodeOffset;  // header bytes before the CC (§3.6)
constexpr size_t kClientR1Limit = 256;                     // R1 is one byte of NUMBER2 (§3.2)

uint16_t readVersion(std::span<const uint8_t> datagram) noexcept { return ByteReader(datagram).u16(); }

// The checks common to both directions (§1.2, §2.4), version first so that a V3 or other
// datagram is labelled unsupported_version whatever its size.
DecodeError checkFrame(std::span<const uint8_t> datagram, size_t headerSize) noexcept {
  if (datagram.size() < 2) {
    return DecodeError::too_short;
  }
  if (readVersion(datagram) != kVersion5) {
    return DecodeError::unsupported_version;
  }
  if (datagram.size() < headerSize) {
    return DecodeError::too_short;
  }
  if (datagram.size() > kMaxDatagram) {
    return DecodeError::too_long;
  }
  return DecodeError::none;
}

// Maps any random value to a checkcode position that verifies: in the data area like licq
// (§3.2), or, for a header-only packet, among the header bytes before the checkcode field.
uint8_t placeClientR1(uint64_t random, size_t length) noexcept {
  if (length <= kClientHeaderSize) {
    return static_cast<uint8_t>(random % kClientCheckcodeOffset);
  }
  const size_t limit = std::min(length, kClientR1Limit);
  return static_cast<uint8_t>(kClientHeaderSize + random % (limit - kClientHeaderSize));
}

// Copies the body behind the header; memmove because builders may have written it there.
void placeData(std::span<const uint8_t> data, std::span<uint8_t> out, size_t headerSize) noexcept {
  if (!data.empty()) {
    std::memmove(out.data() + headerSize, data.data(), data.size());
  }
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
    case DecodeError::checksum:
      return "checksum";
  }
  return "other";
}

DecodeError precheckClientDatagram(std::span<const uint8_t> datagram) noexcept {
  const DecodeError error = checkFrame(datagram, kClientHeaderSize);
  if (error != DecodeError::none) {
    return error;
  }
  return ByteReader(datagram.subspan(2)).u32() == 0 ? DecodeError::none : DecodeError::malformed;
}

DecodeError decodeClientPacket(std::span<uint8_t> datagram, ClientPacket& out) noexcept {
  const DecodeError error = precheckClientDatagram(datagram);
  if (error != DecodeError::none) {
    return error;
  }
  // Server-side order of §3.4: descramble the clear checkcode, then decrypt from 0x0A.
  const uint32_t scrambled = ByteReader(datagram.subspan(kClientCheckcodeOffset)).u32();
  out.checkcode = descramble(scrambled);
  applyClientKeystream(datagram, out.checkcode);

  ByteReader reader(datagram.subspan(kClientUinOffset));
  out.header.uin = reader.u32();
  out.header.sessionId = reader.u32();
  out.header.command = reader.u16();
  out.header.seq1 = reader.u16();
  out.header.seq2 = reader.u16();
  out.data = datagram.subspan(kClientHeaderSize);
  out.checkcodeValid = verifyCheckcode(datagram, out.checkcode, kClientCheckcodeOffset);
  return DecodeError::none;
}

size_t encodeClientPacket(const ClientHeader& header, std::span<const uint8_t> data, std::span<uint8_t> out, uint8_t r1,
                          uint8_t r2) noexcept {
  const size_t length = kClientHeaderSize + data.size();
  if (out.size() < length) {
    return 0;
  }
  const std::span<uint8_t> packet = out.first(length);
  ByteWriter writer(packet);
  writer.u16(kVersion5);
  writer.u32(0);
  writer.u32(header.uin);
  writer.u32(header.sessionId);
  writer.u16(header.command);
  writer.u16(header.seq1);
  writer.u16(header.seq2);
  writer.u32(0);  // the checkcode slot; never part of the checkcode (§3.2)
  placeData(data, packet, kClientHeaderSize);

  const bool inDataArea = r1 >= kClientHeaderSize && r1 < length;
  const uint8_t position = inDataArea ? r1 : placeClientR1(r1, length);
  const uint32_t checkcode = computeCheckcode(packet, position, r2);
  applyClientKeystream(packet, checkcode);
  ByteWriter(packet.subspan(kClientCheckcodeOffset)).u32(scramble(checkcode));
  return length;
}

size_t encodeServerPacket(const ServerHeader& header, std::span<const uint8_t> data, std::span<uint8_t> out, uint8_t r1,
                          uint8_t r2) noexcept {
  const size_t length = kServerHeaderSize + data.size();
  if (out.size() < length) {
    return 0;
  }
  const std::span<uint8_t> packet = out.first(length);
  placeData(data, packet, kServerHeaderSize);
  ByteWriter writer(packet);
  writer.u16(kVersion5);
  writer.u8(0);
  writer.u32(header.sessionId);
  writer.u16(header.command);
  writer.u16(header.seq1);
  writer.u16(header.seq2);
  writer.u32(header.uin);
  writer.u32(0);
  // Computed last, once every header field (SEQ1 included) is final (§3.6).
  const auto position = static_cast<uint8_t>(r1 < kServerR1Limit ? r1 : r1 % kServerR1Limit);
  const uint32_t checkcode = computeCheckcode(packet, position, r2);
  ByteWriter(packet.subspan(kServerCheckcodeOffset)).u32(checkcode);
  return length;
}

DecodeError decodeServerPacket(std::span<const uint8_t> datagram, ServerHeader& header, std::span<const uint8_t>& data,
                               bool& checkcodeValid) noexcept {
  const DecodeError error = checkFrame(datagram, kServerHeaderSize);
  if (error != DecodeError::none) {
    return error;
  }
  ByteReader reader(datagram.subspan(2));
  if (reader.u8() != 0) {
    return DecodeError::malformed;
  }
  header.sessionId = reader.u32();
  header.command = reader.u16();
  header.seq1 = reader.u16();
  header.seq2 = reader.u16();
  header.uin = reader.u32();
  const uint32_t checkcode = reader.u32();
  data = datagram.subspan(kServerHeaderSize);
  checkcodeValid = verifyCheckcode(datagram, checkcode, kServerCheckcodeOffset);
  return DecodeError::none;
}

bool isV3Layout(std::span<const uint8_t> datagram) noexcept {
  return datagram.size() >= 2 && readVersion(datagram) == kVersion3;
}

uint64_t CheckcodeRng::next() noexcept {
  // splitmix64: one add and three xor-multiply steps, no state beyond a word.
  uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

uint8_t CheckcodeRng::serverR1() noexcept { return static_cast<uint8_t>(next() % kServerR1Limit); }

uint8_t CheckcodeRng::r2() noexcept { return static_cast<uint8_t>(next()); }

uint8_t CheckcodeRng::clientR1(size_t length) noexcept { return placeClientR1(next(), length); }

}  // namespace icq::codec::v5
