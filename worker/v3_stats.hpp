// The V3 side of a worker's counters: plain integers bumped by the loop thread (STYLE.md §9),
// apart from WorkerStats so the metrics export can add them as one block.
#pragma once

#include <array>
#include <cstdint>

namespace icq::worker {

struct V3Stats {
  uint64_t datagrams = 0;
  std::array<uint64_t, 5> decodeErrors{};  // indexed by codec::v3::DecodeError
  uint64_t notConnected = 0;               // NOT_CONNECTED sent
  uint64_t duplicates = 0;                 // retransmitted client packets re-acknowledged only
  uint64_t storeFailures = 0;              // packets left unanswered because Redis/PostgreSQL failed
  uint64_t acksMatched = 0;
  uint64_t acksUnmatched = 0;
  uint64_t loginsAccepted = 0;
  uint64_t loginsRefused = 0;
  uint64_t loginsRepeated = 0;  // a retransmitted LOGON answered with the same HELLO
  uint64_t logoffs = 0;
  uint64_t malformedBodies = 0;
  uint64_t messagesOnline = 0;    // THRU_SERVER / AUTHORIZE delivered live (any recipient protocol)
  uint64_t messagesStored = 0;    // stored as offline messages
  uint64_t messagesDropped = 0;   // recipient UIN does not exist
  uint64_t offlineDelivered = 0;  // SYSMSG_OFFLINE sent
  uint64_t fragmentsStored = 0;   // client FRAGMENT pieces stored
  uint64_t fragmentsAssembled = 0;
  uint64_t fragmentsDiscarded = 0;  // groups that can never be a packet (§4.6)
  uint64_t packetsFragmented = 0;   // server packets sent as FRAGMENT pieces (§4.2)
  uint64_t broadcasts = 0;          // BROADCAST_ALL/ONLINE carried out
  uint64_t broadcastsRefused = 0;   // from a sender without the permission: acknowledged, ignored
};

}  // namespace icq::worker
