// V5 framing (protocol-v5.md §2, §3.4–§3.6): client and server headers, the gateway's cheap
// pre-checks, in-place decryption of client datagrams and encoding of both directions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace icq::codec::v5 {

struct ClientHeader {
  uint32_t uin = 0, sessionId = 0;
  uint16_t command = 0, seq1 = 0, seq2 = 0;
};

struct ServerHeader {
  uint32_t sessionId = 0;
  uint16_t command = 0, seq1 = 0, seq2 = 0;
  uint32_t uin = 0;
};

// Doubles as the `reason` label of the drop counters (STYLE.md §5). The decoders here never
// return `checksum`: a bad checkcode is reported through `checkcodeValid`, because whether it
// drops the packet is a configuration decision (§3.5); callers that drop use this value.
enum class DecodeError : uint8_t { none, too_short, too_long, unsupported_version, malformed, checksum };

std::string_view decodeErrorName(DecodeError error) noexcept;

struct ClientPacket {
  ClientHeader header;
  std::span<const uint8_t> data;  // points into the decrypted datagram
  uint32_t checkcode = 0;         // unscrambled CC
  bool checkcodeValid = false;
};

// Checks that need no decryption (§2.4): the version field first, so that a V3 or other
// datagram is labelled unsupported_version whatever its size, then 24..kMaxDatagram bytes,
// then ZERO == 0.
DecodeError precheckClientDatagram(std::span<const uint8_t> datagram) noexcept;

// Runs the pre-checks, then decrypts IN PLACE (the caller owns the buffer) and parses the
// header; `out.data` points into the buffer. On error the buffer is left untouched.
DecodeError decodeClientPacket(std::span<uint8_t> datagram, ClientPacket& out) noexcept;

// Client side (test client, load generator; §3.4 "client-side order"): writes header + data,
// computes CC over the plaintext, encrypts and stores S(CC) at 0x14. r1 is used as given when
// it lies in the data area (0x18 <= r1 < length); otherwise it is mapped into the data area
// as licq does (0x18 + r1 % (length - 0x18), kept below 256 because R1 is a byte), or into the
// header for a header-only packet. Returns the length, 0 if `out` is too small.
size_t encodeClientPacket(const ClientHeader& header, std::span<const uint8_t> data, std::span<uint8_t> out, uint8_t r1,
                          uint8_t r2) noexcept;

// Server side (§2.3, §3.6): 21-byte header + data, never encrypted, plain CC at 0x11 with r1
// reduced to 0..0x10. `data` may already sit at out[kServerHeaderSize], so builders can write
// the body in place. Returns the length, 0 if `out` is too small.
size_t encodeServerPacket(const ServerHeader& header, std::span<const uint8_t> data, std::span<uint8_t> out, uint8_t r1,
                          uint8_t r2) noexcept;

// Test client side: parses a V5-layout server datagram and reports whether its checkcode
// verifies (§3.6). `data` points into `datagram`.
DecodeError decodeServerPacket(std::span<const uint8_t> datagram, ServerHeader& header, std::span<const uint8_t>& data,
                               bool& checkcodeValid) noexcept;

// True for a datagram in the 16-byte V3 layout, which some replies use (§6.16, §8.4, §8.6).
bool isV3Layout(std::span<const uint8_t> datagram) noexcept;

// Allocation-free splitmix64 source for the checkcode's R1/R2 choices (§3.2). They only need
// to vary, not to be unpredictable: the checkcode is not a security measure.
class CheckcodeRng {
public:
  explicit CheckcodeRng(uint64_t seed) noexcept : state_(seed) {}

  uint8_t serverR1() noexcept;  // 0..0x10 (§3.6)
  uint8_t r2() noexcept;        // 0..0xFF
  // A data-area position of a `length`-byte client packet, below 256 (R1 is a byte); for a
  // header-only packet a header position before the checkcode field.
  uint8_t clientR1(size_t length) noexcept;

private:
  uint64_t next() noexcept;

  uint64_t state_;
};

}  // namespace icq::codec::v5
