// The stored form of an unconfirmed server packet in a session's rtx hash (keys.hpp):
// u16 command | u16 SEQ2 | body, little-endian, without the header — the header is
// rebuilt from the session when the packet is resent. Written by the session store,
// read by the retransmit queue: the format lives here, once.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace icq::redis {

inline std::string encodeUnconfirmed(uint16_t command, uint16_t seq2, std::span<const uint8_t> body) {
  std::string entry;
  entry.reserve(4 + body.size());
  entry += static_cast<char>(command & 0xFF);
  entry += static_cast<char>(command >> 8);
  entry += static_cast<char>(seq2 & 0xFF);
  entry += static_cast<char>(seq2 >> 8);
  entry.append(reinterpret_cast<const char*>(body.data()), body.size());
  return entry;
}

/// False when `entry` is too short to be one.
inline bool decodeUnconfirmed(std::string_view entry, uint16_t& command, uint16_t& seq2, std::vector<uint8_t>& body) {
  if (entry.size() < 4) return false;
  auto byte = [&](size_t i) { return static_cast<uint16_t>(static_cast<uint8_t>(entry[i])); };
  command = static_cast<uint16_t>(byte(0) | byte(1) << 8);
  seq2 = static_cast<uint16_t>(byte(2) | byte(3) << 8);
  body.assign(entry.begin() + 4, entry.end());
  return true;
}

}  // namespace icq::redis
