// Helpers shared by the V3 codec tests: decode a datagram, put a header on a built body, and run
// a builder into a scratch buffer.
#pragma once

#include <array>
#include <catch2/catch.hpp>
#include <cstdint>
#include <span>
#include <vector>

#include "common/codec/v3/packet.hpp"

namespace icq::test::v3 {

inline codec::v3::Packet decoded(const std::vector<uint8_t>& datagram) {
  codec::v3::Packet packet;
  REQUIRE(codec::v3::decodePacket(datagram, packet) == codec::v3::DecodeError::none);
  return packet;
}

inline std::vector<uint8_t> withHeader(const codec::v3::Header& header, std::span<const uint8_t> body) {
  std::vector<uint8_t> out(codec::v3::kHeaderSize + body.size());
  REQUIRE(codec::v3::encodePacket(header, body, out) == out.size());
  return out;
}

// Runs build(std::span<uint8_t>) on a scratch buffer; the bytes it wrote (it must write some).
template <size_t N = 1024, class Build>
std::vector<uint8_t> built(Build&& build) {
  std::array<uint8_t, N> out{};
  const size_t length = build(std::span<uint8_t>(out));
  REQUIRE(length > 0);
  return {out.begin(), out.begin() + static_cast<std::ptrdiff_t>(length)};
}

}  // namespace icq::test::v3
