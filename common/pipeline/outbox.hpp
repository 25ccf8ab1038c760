// The outbox for reliable server packets (protocol-v5.md §4.4): a batch of packets for
// any number of recipients is numbered and recorded as unconfirmed in the session store
// in one round trip, then each is built with its recipient's session id and SEQ1 and
// handed to the gateway that owns the recipient. Owned by one thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "common/codec/v5/packet.hpp"
#include "common/pipeline/egress.hpp"
#include "common/store/session_store.hpp"

namespace icq::pipeline {

class Outbox {
public:
  Outbox(store::SessionStore& sessions, Egress& egress, codec::v5::CheckcodeRng& rng)
      : sessions_(sessions), egress_(egress), rng_(rng) {}

  /// Queues a packet for `uin` (`sessionId` non-zero: only for that session, as a reply
  /// is). Returns its index for routeOf() once flushed.
  size_t queue(uint32_t uin, uint16_t command, uint16_t seq2, std::span<const uint8_t> body, uint32_t sessionId = 0);
  /// Numbers and records every queued packet, then sends those whose recipient is online.
  /// False when the store could not be reached: nothing was sent, and every route reads
  /// "not queued".
  bool flush();
  /// Where packet `index` of the last flush went (queued = false: recipient offline).
  const store::ReliableRoute& routeOf(size_t index) const { return routes_[index]; }
  bool empty() const { return packets_.empty(); }

private:
  struct Pending {
    uint32_t uin, sessionId;
    uint16_t command, seq2;
    size_t offset, length;  // into bodies_: a span would dangle when bodies_ grows
  };

  store::SessionStore& sessions_;
  Egress& egress_;
  codec::v5::CheckcodeRng& rng_;
  std::vector<Pending> packets_;
  std::vector<uint8_t> bodies_;
  std::vector<store::ReliablePacket> requests_;
  std::vector<store::ReliableRoute> routes_;
  bool flushed_ = false;
};

}  // namespace icq::pipeline
