// The gateway's counters: plain integers bumped by the loop thread (STYLE.md §9), read
// by the admin port's scrape (ops::Tally: one writer, so no locked instruction) and by
// the stop log. Drop reasons are a bounded enum; each is one metric label.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "common/ops/tally.hpp"
#include "common/ops/tally_exporter.hpp"
#include "gateway/quarantine.hpp"

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

/// The protocol a datagram claims in its first two bytes, as metric label index.
enum class WireVersion : uint8_t { v3, v5, other, count_ };
std::string_view wireVersionName(WireVersion);

struct GatewayStats {
  using Tally = ops::Tally;
  Tally datagramsReceived;
  std::array<Tally, static_cast<size_t>(WireVersion::count_)> receivedByVersion{};
  Tally bytesReceived;
  Tally datagramsDispatched;
  Tally batchesDispatched;
  Tally datagramsSent;
  Tally bytesSent;
  Tally datagramsSendFailed;
  Tally egressMalformed;
  Tally controlMalformed;
  Tally creditInflated;  // Hello or Credit past the window: clamped (credit_router.hpp)
  // Workers cut off for lying, by the violation that crossed the limit (quarantine.hpp), and
  // the messages then ignored from them.
  std::array<Tally, static_cast<size_t>(Violation::count_)> workersCutOff{};
  Tally pipelineIgnored;
  // SRV_TRY_AGAIN sent by the gateway itself for a datagram shed as queue_full or
  // queue_expired (the drop is counted there as well); at most one per source a second.
  Tally busyReplies;
  std::array<Tally, static_cast<size_t>(DropReason::count_)> dropped{};
  // Levels the loop publishes once per turn.
  ops::Level holdQueueDepth;    // datagrams held for credit
  ops::Level workerCredits;     // credits workers have granted and not used
  ops::Level workersConnected;  // workers that said Hello and have not left
  ops::Level membershipEpoch;   // the membership view datagrams are routed by

  void drop(DropReason reason, uint64_t n = 1) { dropped[static_cast<size_t>(reason)] += n; }
  void cutOff(Violation violation) { ++workersCutOff[static_cast<size_t>(violation)]; }
  void received(WireVersion version, size_t bytes) {
    ++datagramsReceived;
    ++receivedByVersion[static_cast<size_t>(version)];
    bytesReceived += bytes;
  }
  uint64_t droppedTotal() const;
};

/// Registers `stats` as the icq_gateway_* families (docs/METRICS.md) with `exporter`.
void exportStats(const GatewayStats& stats, ops::TallyExporter& exporter);

}  // namespace icq::gateway
