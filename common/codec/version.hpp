// Which protocol a datagram speaks: the first u16, little-endian, in both V3 and V5
// (protocol-v3.md §2.4, protocol-v5.md §2). The gateway peeks at it to pick the checks.
#pragma once

#include <cstdint>
#include <span>

namespace icq::codec {

inline constexpr uint16_t kNoVersion = 0;  // datagram shorter than the version field

inline uint16_t peekVersion(std::span<const uint8_t> datagram) noexcept {
  if (datagram.size() < 2) return kNoVersion;
  return static_cast<uint16_t>(datagram[0] | (datagram[1] << 8));
}

}  // namespace icq::codec
