// V5 checkcode and client-packet encryption (protocol-v5.md §3): the fixed table, the checkcode
// formula shared by both directions, the client-only scrambling and the XOR keystream.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

namespace icq::codec::v5 {

// T[0..255] of §3.1, shared by the checkcode (§3.2) and the keystream (§3.4).
extern const std::array<uint8_t, 256> kCryptTable;

// NUMBER1 = P[8]<<24 | P[4]<<16 | P[2]<<8 | P[6] (§3.2). Bytes beyond the span count as 0, so
// the function is safe on any input; real packets are always longer than 8 bytes.
uint32_t checkcodeNumber1(std::span<const uint8_t> packet) noexcept;

// CC over the plaintext with position r1 and table index r2 (§3.2). The caller picks r1 inside
// the packet and outside the checkcode field (clients: data area; server: 0..0x10); a byte
// beyond the span counts as 0.
uint32_t computeCheckcode(std::span<const uint8_t> plain, uint8_t r1, uint8_t r2) noexcept;

// The client's bit permutation of CC and its inverse (§3.3).
uint32_t scramble(uint32_t checkcode) noexcept;
uint32_t descramble(uint32_t scrambled) noexcept;

// XORs the keystream of §3.4 over a client packet of exactly packet.size() == LEN bytes, from
// 0x0A to the end, leaving the checkcode bytes 0x14..0x17 alone. `checkcode` is the
// unscrambled CC. The same call encrypts and decrypts. No padding after the span is needed:
// key bytes that would land past LEN are simply not applied.
void applyClientKeystream(std::span<uint8_t> packet, uint32_t checkcode) noexcept;

// §3.5 for client packets (ccOffset 0x14, P = decrypted plaintext) and server packets
// (ccOffset 0x11, P = the packet as received, §3.6). Positions inside the 4 checkcode bytes
// skip the byte comparison because their value was unknown when the checkcode was computed.
bool verifyCheckcode(std::span<const uint8_t> plain, uint32_t checkcode, size_t ccOffset) noexcept;

}  // namespace icq::codec::v5
