// The outbox for reliable server packets (protocol-v5.md §4.4, protocol-v3.md §3.4): a batch
// of packets for any number of recipients is numbered and recorded as unconfirmed in the
// session store in one round trip, then each is built with its recipient's header (V5:
// session id, SEQ1, encrypted; V3: SEQ1 from the session's servseq, clear) and handed to the
// gateway that owns the recipient. Owned by one thread.
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

  /// Queues a V5 packet for `uin` (`sessionId` non-zero: only for that session, as a reply
  /// is). Returns its index for routeOf() once flushed. A V3 session never gets it.
  size_t queue(uint32_t uin, uint16_t command, uint16_t seq2, std::span<const uint8_t> body, uint32_t sessionId = 0);
  /// Queues a packet every session of `uin` gets in its own protocol: the V5 form, or
  /// (`v3Command`, `v3Body`) for a V3 session (presence, V5-originated messages).
  size_t queueEither(uint32_t uin, uint16_t command, std::span<const uint8_t> body, uint16_t v3Command,
                     std::span<const uint8_t> v3Body, uint16_t seq2 = 0);
  /// Queues a V3 packet for `uin`, only if its session speaks V3 (fragments are queued one by
  /// one: each is a reliable packet of its own, §4.2).
  size_t queueV3(uint32_t uin, uint16_t command, uint16_t seq2, std::span<const uint8_t> body);
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
    uint8_t protocol;       // the ReliablePacket filter
    bool hasV3Form;
    uint16_t v3Command;
    size_t v3Offset, v3Length;
  };
  size_t add(Pending pending, std::span<const uint8_t> body, std::span<const uint8_t> v3Body);
  std::span<const uint8_t> bytes(size_t offset, size_t length) const {
    return std::span(bodies_).subspan(offset, length);
  }

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
