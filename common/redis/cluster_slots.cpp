// Slot hashing, command key positions and the slot map; see cluster_slots.hpp.
#include "common/redis/cluster_slots.hpp"

#include <algorithm>
#include <cctype>

#include "common/redis/connection.hpp"
#include "common/util/integer.hpp"

namespace icq::redis {
namespace {

constexpr std::array<uint16_t, 256> makeCrc16Table() {
  std::array<uint16_t, 256> table{};
  for (uint32_t byte = 0; byte < 256; ++byte) {
    uint32_t crc = byte << 8;
    for (int bit = 0; bit < 8; ++bit) crc = (crc & 0x8000) ? (crc << 1) ^ 0x1021 : crc << 1;
    table[byte] = static_cast<uint16_t>(crc);
  }
  return table;
}

constexpr std::array<uint16_t, 256> kCrc16Table = makeCrc16Table();

bool equalsUpper(std::string_view arg, std::string_view upper) {
  return arg.size() == upper.size() && std::equal(arg.begin(), arg.end(), upper.begin(), [](char a, char b) {
           return std::toupper(static_cast<unsigned char>(a)) == b;
         });
}

bool parsePort(std::string_view text, int& port) {
  int64_t value = 0;
  if (!util::parseInteger(text, value) || value < 1 || value > 65535) return false;
  port = static_cast<int>(value);
  return true;
}

/// "host:port", the host possibly an IPv6 address (the last colon separates the port).
std::optional<ClusterNode> parseEndpoint(std::string_view text) {
  const size_t colon = text.rfind(':');
  ClusterNode node;
  if (colon == std::string_view::npos || colon == 0 || !parsePort(text.substr(colon + 1), node.port))
    return std::nullopt;
  node.host = std::string(text.substr(0, colon));
  return node;
}

}  // namespace

uint16_t crc16(std::string_view bytes) {
  uint16_t crc = 0;
  for (unsigned char byte : bytes) crc = static_cast<uint16_t>((crc << 8) ^ kCrc16Table[((crc >> 8) ^ byte) & 0xff]);
  return crc;
}

uint16_t keySlot(std::string_view key) {
  const size_t open = key.find('{');
  if (open != std::string_view::npos) {
    const size_t close = key.find('}', open + 1);
    if (close != std::string_view::npos && close > open + 1) key = key.substr(open + 1, close - open - 1);
  }
  return crc16(key) & (kClusterSlots - 1);
}

std::optional<size_t> commandKeyIndex(std::span<const std::string_view> argv) {
  if (argv.size() < 2) return std::nullopt;
  const std::string_view name = argv[0];
  if (equalsUpper(name, "EVALSHA") || equalsUpper(name, "EVAL")) {
    // EVAL <script> <numkeys> <key>...: a script without keys runs anywhere.
    if (argv.size() < 4 || argv[2] == "0") return std::nullopt;
    return 3;
  }
  if (equalsUpper(name, "XREADGROUP") || equalsUpper(name, "XREAD")) {
    for (size_t i = 1; i + 1 < argv.size(); ++i)
      if (equalsUpper(argv[i], "STREAMS")) return i + 1;
    return std::nullopt;
  }
  // Subcommand first, then the key.
  if (equalsUpper(name, "XGROUP") || equalsUpper(name, "XINFO") || equalsUpper(name, "OBJECT") ||
      equalsUpper(name, "MEMORY"))
    return argv.size() > 2 ? std::optional<size_t>(2) : std::nullopt;
  for (std::string_view keyless : {"PING", "INFO", "SCRIPT", "CONFIG", "CLUSTER", "DBSIZE", "FLUSHALL", "FLUSHDB",
                                   "TIME", "CLIENT", "COMMAND", "AUTH", "SELECT", "WAIT", "ASKING", "READONLY", "ACL"})
    if (equalsUpper(name, keyless)) return std::nullopt;
  return 1;
}

bool runsOnEveryMaster(std::string_view command) {
  for (std::string_view name : {"SCRIPT", "CONFIG", "FLUSHALL", "FLUSHDB", "WAIT"})
    if (equalsUpper(command, name)) return true;
  return false;
}

bool SlotMap::load(ReplyView slots, std::string_view askedHost) {
  if (!slots.isArray() || slots.size() == 0) return false;
  SlotMap next;  // built aside: a reply that is no slot table leaves this map as it was
  next.nodes_ = nodes_;
  for (size_t i = 0; i < slots.size(); ++i) {
    const ReplyView range = slots[i];
    const ReplyView master = range[2];
    if (range.size() < 3 || !range[0].isInteger() || !range[1].isInteger() || !master.isArray() || master.size() < 2 ||
        !master[1].isInteger())
      return false;
    const long long first = range[0].integer();
    const long long last = range[1].integer();
    if (first < 0 || last >= kClusterSlots || first > last) return false;
    ClusterNode node{std::string(master[0].str()), static_cast<int>(master[1].integer())};
    if (node.host.empty() || node.host == "?") node.host = std::string(askedHost);
    std::fill(next.slots_.begin() + first, next.slots_.begin() + last + 1, next.indexOf(node));
  }
  if (std::find(next.slots_.begin(), next.slots_.end(), kNoNode) != next.slots_.end()) return false;
  next.loaded_ = true;
  *this = std::move(next);
  return true;
}

uint16_t SlotMap::indexOf(const ClusterNode& node) {
  const auto found = std::find(nodes_.begin(), nodes_.end(), node);
  if (found != nodes_.end()) return static_cast<uint16_t>(found - nodes_.begin());
  nodes_.push_back(node);
  return static_cast<uint16_t>(nodes_.size() - 1);
}

uint16_t SlotMap::move(uint16_t slot, const ClusterNode& node) {
  const uint16_t index = indexOf(node);
  slots_[slot & (kClusterSlots - 1)] = index;
  return index;
}

std::vector<uint16_t> SlotMap::masters() const {
  std::vector<bool> serving(nodes_.size(), false);
  for (uint16_t node : slots_)
    if (node != kNoNode) serving[node] = true;
  std::vector<uint16_t> out;
  for (size_t i = 0; i < serving.size(); ++i)
    if (serving[i]) out.push_back(static_cast<uint16_t>(i));
  return out;
}

std::optional<Redirection> parseRedirection(std::string_view error) {
  Redirection redirection;
  if (error.starts_with("MOVED "))
    error.remove_prefix(6);
  else if (error.starts_with("ASK ")) {
    redirection.ask = true;
    error.remove_prefix(4);
  } else
    return std::nullopt;
  const size_t space = error.find(' ');
  int64_t slot = 0;
  if (space == std::string_view::npos || !util::parseInteger(error.substr(0, space), slot) || slot < 0 ||
      slot >= kClusterSlots)
    return std::nullopt;
  auto node = parseEndpoint(error.substr(space + 1));
  if (!node) return std::nullopt;
  redirection.slot = static_cast<uint16_t>(slot);
  redirection.node = std::move(*node);
  return redirection;
}

std::vector<ClusterNode> parseNodeList(std::string_view list, std::string& error) {
  std::vector<ClusterNode> nodes;
  while (!list.empty()) {
    const size_t comma = list.find(',');
    std::string_view entry = list.substr(0, comma);
    list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
    while (!entry.empty() && entry.front() == ' ') entry.remove_prefix(1);
    while (!entry.empty() && entry.back() == ' ') entry.remove_suffix(1);
    auto node = parseEndpoint(entry);
    if (!node) {
      error = "not host:port: \"" + std::string(entry) + "\"";
      return {};
    }
    nodes.push_back(std::move(*node));
  }
  return nodes;
}

}  // namespace icq::redis
