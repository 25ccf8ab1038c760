// The outbox for reliable server packets (protocol-v5.md §4.4, protocol-v3.md §3.4): a batch
// of packets for any number of recipients goes to each recipient's owner (ARCHITECTURE.md
// "Ownership"), which numbers it with the session's next SEQ1, records it as unconfirmed and
// sends it. Packets for sessions this process owns are numbered here (the session store is
// the worker's own, OwnedSessions), built with the recipient's header (V5: session id, SEQ1,
// encrypted; V3: SEQ1 from the session's servseq, clear) and handed to the gateway that serves
// the recipient; the others travel to their owners in one Deliver per owner (PeerLinks).
// The scheduler and the admin API own no session: everything they queue travels. Owned by
// one thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "common/codec/v5/packet.hpp"
#include "common/envelope/peer.hpp"
#include "common/pipeline/egress.hpp"
#include "common/pipeline/peer_links.hpp"
#include "common/store/session_store.hpp"

namespace icq::pipeline {

class Outbox {
public:
  /// `local`: the sessions this process owns (nullptr: none); `peers`: the other owners
  /// (nullptr: every session is local, as in a test with one worker).
  /// `egress`: where local packets leave (nullptr with no local sessions).
  Outbox(store::SessionStore* local, PeerLinks* peers, Egress* egress, codec::v5::CheckcodeRng& rng)
      : local_(local), peers_(peers), egress_(egress), rng_(rng) {}

  /// Queues a V5 packet for `uin` (`sessionId` non-zero: only for that session, as a reply
  /// is). Returns its index for routeOf() once flushed. A V3 session never gets it.
  size_t queue(uint32_t uin, uint16_t command, uint16_t seq2, std::span<const uint8_t> body, uint32_t sessionId = 0);
  /// Queues a packet every session of `uin` gets in its own protocol: the V5 form, or
  /// (`v3Command`, `v3Body`) for a V3 session (presence, V5-originated messages).
  size_t queueEither(uint32_t uin, uint16_t command, std::span<const uint8_t> body, uint16_t v3Command,
                     std::span<const uint8_t> v3Body, uint16_t seq2 = 0);
  /// Queues a packet as another process handed it over (a peer's Deliver).
  size_t queuePacket(const store::ReliablePacket& packet);
  /// Queues a V3 packet for `uin`, only if its session speaks V3 (fragments are queued one by
  /// one: each is a reliable packet of its own, §4.2).
  size_t queueV3(uint32_t uin, uint16_t command, uint16_t seq2, std::span<const uint8_t> body);
  /// Numbers, records and sends every queued packet whose recipient is online, here or at
  /// its owner, without waiting for other owners to answer (their routes read "retry").
  /// False when the local store could not be reached: nothing local was sent.
  bool flush() { return flushPackets(false); }
  /// The same, waiting for the other owners' answers (at most worker.peer_timeout_ms), for callers
  /// that read routeOf(): a message is acknowledged to its sender only once it is queued.
  bool flushForRoutes() { return flushPackets(true); }
  /// Where packet `index` of the last flush went (queued = false: recipient offline; retry:
  /// its owner could not say).
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
  bool flushPackets(bool waitForRemote);
  void sendQueued(size_t index);
  std::span<const uint8_t> bytes(size_t offset, size_t length) const {
    return std::span(bodies_).subspan(offset, length);
  }

  store::SessionStore* local_;
  PeerLinks* peers_;
  Egress* egress_;
  codec::v5::CheckcodeRng& rng_;
  std::vector<Pending> packets_;
  std::vector<uint8_t> bodies_;
  std::vector<store::ReliablePacket> requests_;
  std::vector<store::ReliableRoute> routes_;
  // The split of the last flush: indices into requests_ of local and remote packets.
  std::vector<size_t> localIndex_, remoteIndex_;
  std::vector<store::ReliablePacket> localRequests_, remoteRequests_;
  std::vector<store::ReliableRoute> localRoutes_;
  std::vector<envelope::PeerResult> remoteOutcomes_;
  bool flushed_ = false;
};

}  // namespace icq::pipeline
