// The gateway's counters: plain integers bumped by the loop thread (STYLE.md §9), read
// by whoever reports them. Drop reasons are a bounded enum; each is one metric label.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace icq::gateway {

enum class DropReason : uint8_t {
  too_short,            // shorter than the protocol's header (V5 24, V3 16 bytes)
  too_long,             // larger than the protocol allows (protocol-v5.md §1.2, protocol-v3.md §11.4)
  unsupported_version,  // neither V5 nor V3
  malformed,            // V5 header fields that no client sends (ZERO field)
  rate_limited,         // the source's token bucket is empty
  queue_full,           // no worker credit and the hold queue is at its limit
  queue_expired,        // held longer than gateway.queue_max_age_ms
  worker_lost,          // the worker vanished while its batch was being handed over
  count_
};

std::string_view dropReasonName(DropReason);

struct GatewayStats {
  uint64_t datagramsReceived = 0;
  uint64_t bytesReceived = 0;
  uint64_t datagramsDispatched = 0;
  uint64_t batchesDispatched = 0;
  uint64_t datagramsSent = 0;
  uint64_t datagramsSendFailed = 0;
  uint64_t egressMalformed = 0;
  uint64_t controlMalformed = 0;
  // SRV_TRY_AGAIN sent by the gateway itself for a datagram shed as queue_full or
  // queue_expired (the drop is counted there as well); at most one per source a second.
  uint64_t busyReplies = 0;
  std::array<uint64_t, static_cast<size_t>(DropReason::count_)> dropped{};

  void drop(DropReason reason, uint64_t n = 1) { dropped[static_cast<size_t>(reason)] += n; }
  uint64_t droppedTotal() const;
};

}  // namespace icq::gateway
