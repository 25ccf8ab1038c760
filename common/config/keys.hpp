// The one table of configuration keys: name, type, default, range and meaning. Loading,
// validation, the environment-variable names and docs/CONFIGURATION.md all derive from it,
// so a key cannot exist in one of them and be missing from another.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace icq::config {

enum class KeyType { Integer, Boolean, String, Choice };

struct KeyDef {
  std::string_view key;  // "section.name"
  KeyType type;
  std::string_view defaultValue;  // as it would be written in the file
  int64_t min = 0;                // Integer only
  int64_t max = 0;                // Integer only
  std::string_view choices;       // Choice only: "a|b|c"
  std::string_view usedBy;        // which binaries read it
  std::string_view help;
  bool secret = false;  // redacted when the effective config is printed
};

std::span<const KeyDef> allKeys();
const KeyDef* findKey(std::string_view key);

/// "gateway.udp_port" -> "ICQ_GATEWAY_UDP_PORT"
std::string envNameFor(std::string_view key);

}  // namespace icq::config
