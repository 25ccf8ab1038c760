// loadgen: the delivery ledger (--verify) — the promise "a message acknowledged to its sender
// is never lost" counted from the outside. Every message a sender sees SRV_ACK for, and every
// message a recipient receives (online or from the offline store), is named by its sender and
// the sender's timestamp, which the message text carries. The load threads only append those
// names to their own inbox (one uncontended lock, no lookup); the controller moves the inboxes
// into the ledger while the run goes, matches the two sides, and at the end names any message
// that was acknowledged and never arrived. Matching off the load threads keeps their loops as
// short with --verify as without it.
#pragma once

#include <cstdint>
#include <mutex>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace icq::loadgen {

/// A message: its sender, its recipient and the sender's send time (unique per sender, which
/// has at most one message in flight).
struct MessageKey {
  uint32_t from = 0;
  uint32_t to = 0;
  int64_t stamp = 0;
  bool operator==(const MessageKey&) const = default;
};

struct MessageKeyHash {
  size_t operator()(const MessageKey& k) const noexcept {
    const uint64_t x = (uint64_t{k.from} << 32 | k.to) ^ static_cast<uint64_t>(k.stamp) * 0x9E3779B97F4A7C15ull;
    return static_cast<size_t>(x ^ (x >> 29));
  }
};

/// What one load thread saw since the controller last looked.
class LedgerInbox {
public:
  void acked(const MessageKey& key, int64_t nowNs);
  void received(const MessageKey& key);

  struct Acked {
    MessageKey key;
    int64_t ackedNs = 0;
  };
  /// Moves everything recorded so far into `acked` and `received` (appended).
  void takeInto(std::vector<Acked>& acked, std::vector<MessageKey>& received);

private:
  std::mutex mutex_;
  std::vector<Acked> acked_;
  std::vector<MessageKey> received_;
};

/// The controller's side: every message acknowledged, every message received, and the match.
class DeliveryLedger {
public:
  void take(LedgerInbox& inbox);

  /// Acknowledged to their senders and not received (yet).
  size_t waiting() const { return waiting_.size(); }
  uint64_t acked() const { return acked_; }
  /// Messages received at least once, acknowledged to their senders or not.
  uint64_t received() const { return received_.size(); }
  /// Receptions of a message already received.
  uint64_t duplicates() const { return duplicates_; }
  /// Received although their sender never saw SRV_ACK (it gave up, or logged in again first):
  /// harmless, and a sign the run went through trouble.
  uint64_t receivedUnacked() const { return received_.size() - (acked_ - waiting_.size()); }

  /// The messages still waiting, the earliest acknowledged first, at most `limit`.
  std::vector<LedgerInbox::Acked> missing(size_t limit) const;

private:
  std::vector<LedgerInbox::Acked> ackedBatch_;
  std::vector<MessageKey> receivedBatch_;
  std::unordered_set<MessageKey, MessageKeyHash> received_;
  std::unordered_map<MessageKey, int64_t, MessageKeyHash> waiting_;  // → when it was acknowledged
  uint64_t acked_ = 0;
  uint64_t duplicates_ = 0;
};

}  // namespace icq::loadgen
