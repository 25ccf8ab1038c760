// The gateway's datagram store: a fixed ring of MTU-sized slots that recvmmsg writes into
// directly and that holds datagrams until a worker has credit. Receiving, holding and
// handing out therefore never allocate or copy until the datagram is packed into an
// envelope. Owned by the gateway loop thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "common/util/endpoint.hpp"

namespace icq::gateway {

struct HeldDatagram {
  util::Endpoint from;
  int64_t receivedUs = 0;     // wall clock, travels in the envelope
  int64_t arrivedMonoUs = 0;  // monotonic, for the queue-age limit
  uint32_t uin = 0;           // from the clear-text header, for worker affinity
  size_t length = 0;          // 0 = slot released (rejected at admission)
};

class DatagramRing {
public:
  /// `capacity` datagrams of up to `slotBytes` each.
  DatagramRing(size_t capacity, size_t slotBytes);

  size_t capacity() const { return meta_.size(); }
  size_t size() const { return count_; }
  size_t free() const { return capacity() - count_; }

  /// The buffer of the i-th free slot after the tail (i < free()): recvmmsg targets.
  std::span<uint8_t> freeBuffer(size_t i);
  /// Makes the first `n` free slots held; fill their metadata through at(size()-n+k).
  void commit(size_t n);

  /// The i-th held datagram from the head (oldest first).
  HeldDatagram& at(size_t i) { return meta_[index(i)]; }
  std::span<const uint8_t> bytes(size_t i) { return {&buffers_[index(i) * slotBytes_], meta_[index(i)].length}; }

  /// Drops the oldest datagram (dispatched, released or expired).
  void popFront();

private:
  size_t index(size_t i) const { return (head_ + i) % meta_.size(); }
  size_t slotBytes_;
  std::vector<uint8_t> buffers_;
  std::vector<HeldDatagram> meta_;
  size_t head_ = 0;
  size_t count_ = 0;
};

}  // namespace icq::gateway
