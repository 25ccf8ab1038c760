// Keeping a session's unconfirmed messages when the session ends before its client confirmed
// them (ARCHITECTURE.md "Delivery guarantees"): replaced by a new login, logged off, expired,
// disconnected by an administrator, or given up on after its retransmissions (protocol-v5.md
// §4.4 decision). Every unconfirmed live message becomes an offline message; the next login
// delivers it. Presence notices and replies die with the session, as they should.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "common/store/message_store.hpp"

namespace icq::worker {

/// An unconfirmed server packet as its owner holds it (header-less: the header is rebuilt
/// from the session when it is resent).
struct HeldPacket {
  uint16_t seq1 = 0, command = 0, seq2 = 0;
  uint64_t epoch = 0;  // of the owner that stored it in Redis: its field's name there
  uint32_t attempts = 0;  // resends so far
  std::vector<uint8_t> body;
  int64_t sentMs = 0;  // when it last went out (0: never by this owner, so due at once)
};

/// Stores the text of every unconfirmed live message among `packets` (V5
/// SRV_SYS_DELIVERED_MESS, V3 SYSMSG_ONLINE; `protocol` is the session's) as an offline
/// message for `uin`. A V3 message that went out as fragments is not among them: its pieces
/// are confirmed one by one. False when the message store failed (nothing may be dropped
/// then); `kept` counts the messages stored.
bool rescueMessages(store::MessageStore& messages, uint32_t uin, uint8_t protocol,
                    std::span<const HeldPacket> packets, int64_t nowMs, size_t& kept);

}  // namespace icq::worker
