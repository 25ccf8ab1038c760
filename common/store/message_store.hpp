// MessageStore: offline messages in the system of record (protocol-v5.md §6.8, §6.10,
// §11.2): stored when the recipient is offline, delivered oldest first at its next login,
// deleted only once the client confirmed the batch. Failures are values: false means the
// database could not be reached.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace icq::store {

struct OfflineMessage {
  int64_t id = 0;          // increasing per store: the delivery batch marker compares ids
  uint32_t from = 0;
  uint32_t to = 0;
  int64_t storedAtMs = 0;  // UTC
  uint16_t type = 0;
  std::string text;        // 8-bit client text, without the trailing NUL
};

class MessageStore {
public:
  virtual ~MessageStore() = default;

  /// Stores a message for `to`. `stored` is false when no such user exists (D40: dropped).
  virtual bool storeOffline(uint32_t from, uint32_t to, uint16_t type, std::span<const uint8_t> text, int64_t atMs,
                            bool& stored) = 0;

  /// `uin`'s offline messages, oldest first, at most `limit`.
  virtual bool pendingFor(uint32_t uin, size_t limit, std::vector<OfflineMessage>& out) = 0;

  /// Deletes `uin`'s messages with id ≤ `upToId`: the batch that was delivered (§6.8
  /// decision — messages stored after the batch started survive).
  virtual bool deleteDelivered(uint32_t uin, int64_t upToId) = 0;

  /// V3 SYSMSG_DONE_ACK (protocol-v3.md §5.14): deletes `uin`'s messages with id ≤ `upToId`
  /// (what was sent) that were stored before `beforeMs` (the whole second the client named
  /// and earlier).
  virtual bool deleteDeliveredBefore(uint32_t uin, int64_t upToId, int64_t beforeMs) = 0;

  /// Retention (scheduler job "purge"): deletes at most `limit` messages stored before
  /// `cutoffMs`, oldest first; `deleted` receives how many went. Fewer than `limit` means
  /// none older is left.
  virtual bool purgeStoredBefore(int64_t cutoffMs, size_t limit, size_t& deleted) = 0;

  /// One page of a V3 BROADCAST_ALL's offline copies (protocol-v3.md §5.16): stores the
  /// message for every account above `afterUin` (at most `limit` of them, by UIN) but `skip`
  /// (the sender and whoever got it live), only those in department `department` unless it
  /// is 0. `lastUin` receives the highest UIN the page looked at (0: none left), `stored` how
  /// many copies it stored.
  virtual bool storeForAll(uint32_t from, uint16_t type, std::span<const uint8_t> text, int64_t atMs,
                           uint32_t department, const std::vector<uint32_t>& skip, uint32_t afterUin, size_t limit,
                           uint32_t& lastUin, size_t& stored) = 0;

  /// How many offline messages wait for delivery, all recipients together (admin status).
  virtual bool countStored(int64_t& out) = 0;
};

}  // namespace icq::store
