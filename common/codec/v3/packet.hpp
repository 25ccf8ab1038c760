// V3 framing (protocol-v3.md §2): the 16-byte header shared by both directions, recognising a
// V3 datagram, and encoding a header + body. No checksum, no encryption (§2.3), so decoding
// never touches the datagram and encoding is a copy.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace icq::codec::v3 {

struct Header {
  uint16_t command = 0, seq1 = 0, seq2 = 0;
  uint32_t uin = 0;       // C→S: the sender; S→C: the recipient (§2.2)
  uint32_t reserved = 0;  // ignored on receive, 0 on send (§2.2)
};

// Doubles as the `reason` label of the drop counters; the names match V5's DecodeError.
enum class DecodeError : uint8_t { none, too_short, too_long, unsupported_version, malformed };

std::string_view decodeErrorName(DecodeError error) noexcept;

struct Packet {
  Header header;
  std::span<const uint8_t> body;  // points into the datagram; may be empty
};

// The gateway's checks (§2.4, §11.4): the version first, so that a V5 or other datagram is
// labelled unsupported_version whatever its size, then kMinDatagram..kMaxDatagram bytes.
DecodeError precheckDatagram(std::span<const uint8_t> datagram) noexcept;

// Pre-checks, then the header; `out.body` points into `datagram`. Both directions use it (the
// test client decodes server packets with it too).
DecodeError decodePacket(std::span<const uint8_t> datagram, Packet& out) noexcept;

// Writes the 16-byte header and `body` into `out`; returns the length, 0 if `out` is too small.
// `body` may already sit at out[kHeaderSize] (builders write bodies in place).
size_t encodePacket(const Header& header, std::span<const uint8_t> body, std::span<uint8_t> out) noexcept;

// Overwrites seq1 of an encoded packet: reliable packets are numbered from the session's
// servseq when first sent and keep it on retransmission (§3.2). No-op on a short buffer.
void stampSeq1(std::span<uint8_t> packet, uint16_t seq1) noexcept;

// Headers of the server's answers to a client packet `request`:
// ACK (§3.3, §6.1): command ACK, seq1, seq2 and uin echoed.
Header ackHeader(const Header& request) noexcept;
// Replies (§3.2): seq1 0 (stamped later if reliable), seq2 = the request's (the correlator),
// uin = the request's header uin. Used for NOT_CONNECTED, BUSY, WRONG_PASSWORD, HELLO, …
Header replyHeader(const Header& request, uint16_t command) noexcept;

// Client side (test client): the ACK of a server packet (§3.3): seq1 = its seq1, seq2 = 0,
// uin = the client's own.
Header clientAckHeader(const Header& serverPacket, uint32_t ownUin) noexcept;

}  // namespace icq::codec::v3
