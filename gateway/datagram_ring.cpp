// Fixed-capacity datagram ring; see datagram_ring.hpp.
#include "gateway/datagram_ring.hpp"

namespace icq::gateway {

DatagramRing::DatagramRing(size_t capacity, size_t slotBytes)
    : slotBytes_(slotBytes), buffers_(capacity * slotBytes), meta_(capacity) {}

std::span<uint8_t> DatagramRing::freeBuffer(size_t i) {
  size_t slot = (head_ + count_ + i) % meta_.size();
  return {&buffers_[slot * slotBytes_], slotBytes_};
}

void DatagramRing::commit(size_t n) { count_ += n; }

void DatagramRing::popFront() {
  meta_[head_].length = 0;
  head_ = (head_ + 1) % meta_.size();
  --count_;
}

}  // namespace icq::gateway
