// Hex dumps to bytes, for tests that quote packets as the spec prints them.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace icq::test {

/// "05000000" → {0x05, 0x00, 0x00, 0x00}; spaces are skipped, so spec dumps paste as they are.
inline std::vector<uint8_t> fromHex(std::string_view hex) {
  std::string digits;
  for (char c : hex)
    if (c != ' ' && c != '\n') digits += c;
  std::vector<uint8_t> bytes;
  for (size_t i = 0; i + 1 < digits.size(); i += 2)
    bytes.push_back(static_cast<uint8_t>(std::stoul(digits.substr(i, 2), nullptr, 16)));
  return bytes;
}

}  // namespace icq::test
