// Redis Cluster's addressing: which of the 16384 hash slots a key lives in (CRC16 of the key,
// or of its {hash tag}), which argument of a command is its key, and the map from slots to
// the masters that serve them, read from CLUSTER SLOTS. RedisConnection routes every command
// with these; they are pure functions and a plain table so the per-command cost is a CRC
// over a few dozen bytes and one array index.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace icq::redis {

class ReplyView;

inline constexpr uint16_t kClusterSlots = 16384;

/// CRC16-CCITT (XMODEM), the checksum Redis Cluster hashes keys with.
uint16_t crc16(std::string_view bytes);

/// The slot of `key`: CRC16 of the text between the first '{' and the next '}' when that is
/// not empty, else of the whole key; modulo 16384.
uint16_t keySlot(std::string_view key);

/// The index in `argv` of the argument that decides where a command runs: its first key.
/// Empty for commands without a key (PING, INFO, SCRIPT LOAD, ...), which run on any node.
/// Knows the commands icqcluster sends; any other command is taken to have its key first.
std::optional<size_t> commandKeyIndex(std::span<const std::string_view> argv);

/// Keyless commands that change a server's state (SCRIPT, CONFIG, FLUSHALL, FLUSHDB) or wait
/// for its replicas (WAIT): in a cluster they are sent to every master.
bool runsOnEveryMaster(std::string_view command);

/// A master of the cluster, as the cluster announces it.
struct ClusterNode {
  std::string host;
  int port = 0;
  bool operator==(const ClusterNode&) const = default;
};

/// Which master serves each slot. Nodes are numbered in the order they were first seen, so
/// that an index stays valid when the map is read again (the caller keeps a link per index).
class SlotMap {
public:
  static constexpr uint16_t kNoNode = 0xffff;

  SlotMap() { slots_.fill(kNoNode); }

  /// Reads a CLUSTER SLOTS reply; a node announced without a host (an empty string or "?")
  /// is at `askedHost`, the address the reply came from. False, leaving the map as it was,
  /// if the reply is not a slot table or leaves a slot without a master.
  bool load(ReplyView slots, std::string_view askedHost);

  /// The node index serving `slot`, or kNoNode before a successful load().
  uint16_t nodeOf(uint16_t slot) const { return slots_[slot]; }
  /// Points one slot at a node (a MOVED reply), adding the node if it is new.
  uint16_t move(uint16_t slot, const ClusterNode& node);
  /// The index of `node`, added if it is new.
  uint16_t indexOf(const ClusterNode& node);

  bool loaded() const { return loaded_; }
  const std::vector<ClusterNode>& nodes() const { return nodes_; }
  /// The nodes that serve at least one slot now (ascending indices).
  std::vector<uint16_t> masters() const;

private:
  std::array<uint16_t, kClusterSlots> slots_{};
  std::vector<ClusterNode> nodes_;
  bool loaded_ = false;
};

/// A redirection reply: "MOVED <slot> <host>:<port>" or "ASK <slot> <host>:<port>".
struct Redirection {
  bool ask = false;  // ASK: this one command, once, preceded by ASKING; MOVED: the slot moved
  uint16_t slot = 0;
  ClusterNode node;
};

/// The redirection in an error reply's text; empty for any other reply.
std::optional<Redirection> parseRedirection(std::string_view error);

/// "host:port,host:port" (redis.cluster_nodes) as nodes; empty, with `error` set to what is
/// wrong, if an entry is not host:port with a port from 1 to 65535.
std::vector<ClusterNode> parseNodeList(std::string_view list, std::string& error);

}  // namespace icq::redis
