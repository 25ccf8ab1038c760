// loadgen: the delivery ledger; see delivery_ledger.hpp.
#include "tools/loadgen/delivery_ledger.hpp"

#include <algorithm>

namespace icq::loadgen {

void LedgerInbox::acked(const MessageKey& key, int64_t nowNs) {
  std::lock_guard lock(mutex_);
  acked_.push_back({key, nowNs});
}

void LedgerInbox::received(const MessageKey& key) {
  std::lock_guard lock(mutex_);
  received_.push_back(key);
}

void LedgerInbox::takeInto(std::vector<Acked>& acked, std::vector<MessageKey>& received) {
  std::lock_guard lock(mutex_);
  acked.insert(acked.end(), acked_.begin(), acked_.end());
  received.insert(received.end(), received_.begin(), received_.end());
  acked_.clear();
  received_.clear();
}

// A recipient often has the message before its sender has the SRV_ACK, so either side may come
// first: receptions are kept for good, and an acknowledgement waits only if none came before it.
void DeliveryLedger::take(LedgerInbox& inbox) {
  ackedBatch_.clear();
  receivedBatch_.clear();
  inbox.takeInto(ackedBatch_, receivedBatch_);
  for (const MessageKey& key : receivedBatch_) {
    if (!received_.insert(key).second) {
      duplicates_++;
      continue;
    }
    waiting_.erase(key);
  }
  for (const auto& a : ackedBatch_) {
    acked_++;
    if (!received_.contains(a.key)) waiting_.emplace(a.key, a.ackedNs);
  }
}

std::vector<LedgerInbox::Acked> DeliveryLedger::missing(size_t limit) const {
  std::vector<LedgerInbox::Acked> out;
  out.reserve(waiting_.size());
  for (const auto& [key, ackedNs] : waiting_) out.push_back({key, ackedNs});
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.ackedNs < b.ackedNs; });
  if (out.size() > limit) out.resize(limit);
  return out;
}

}  // namespace icq::loadgen
