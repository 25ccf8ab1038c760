// The worker's counters: plain integers bumped by the loop thread (STYLE.md §9).
#pragma once

#include <array>
#include <cstdint>

namespace icq::worker {

struct WorkerStats {
  uint64_t batches = 0;
  uint64_t datagrams = 0;
  std::array<uint64_t, 6> decodeErrors{};  // indexed by codec::v5::DecodeError
  uint64_t checkcodeFailures = 0;          // counted under v5.verify_checkcode=log and drop
  uint64_t envelopeMalformed = 0;
  uint64_t notConnected = 0;   // SRV_NOT_CONNECTED sent
  uint64_t duplicates = 0;     // retransmitted client packets re-acknowledged only
  uint64_t storeFailures = 0;  // packets left unanswered because Redis/PostgreSQL failed
  uint64_t acksMatched = 0;
  uint64_t acksUnmatched = 0;
  uint64_t loginsAccepted = 0;
  uint64_t loginsRefused = 0;
  uint64_t loginsReplaced = 0;
  uint64_t loginsRepeated = 0;  // a retransmitted CMD_LOGIN answered from the session
  // Password attempts over v5.login_rate_*: answered SRV_TRY_AGAIN, the password unchecked.
  uint64_t loginsThrottled = 0;
  uint64_t logoffs = 0;
  uint64_t malformedBodies = 0;
  uint64_t messagesOnline = 0;     // CMD_SEND_MESSAGE delivered as SRV_SYS_DELIVERED_MESS
  uint64_t messagesStored = 0;     // stored as offline messages
  uint64_t messagesDropped = 0;    // recipient UIN does not exist (D40)
  uint64_t messagesTooLong = 0;    // LEN above 510, dropped (D33)
  uint64_t offlineDelivered = 0;   // SRV_RECV_MESSAGE batches' messages sent
};

}  // namespace icq::worker
