// The counters both protocols keep alike: what became of each client packet, by command row
// and result (the icq_worker_packets_total family, docs/METRICS.md), and the handful of
// counters the batch core and the handlers bump for either protocol (PacketCounters).
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string_view>

#include "common/ops/tally.hpp"
#include "common/ops/tally_exporter.hpp"

namespace icq::worker::core {

/// What became of one client packet: the `result` label of icq_worker_packets_total.
enum class PacketResult : uint8_t { ok, duplicate, not_connected, malformed, store_error, throttled, count_ };
std::string_view packetResultName(PacketResult);

/// One command's packets by result.
using PacketRow = std::array<ops::Tally, static_cast<size_t>(PacketResult::count_)>;

/// The counters every protocol's pipeline keeps alike, bumped by the batch core and by the
/// handlers: WorkerStats (V5) and V3Stats build on it. Plain integers with one writer, the
/// loop thread (STYLE.md §9); read by the admin port's scrape.
struct PacketCounters {
  using Tally = ops::Tally;
  Tally notConnected;     // NOT_CONNECTED sent
  Tally duplicates;       // retransmitted client packets re-acknowledged only
  Tally storeFailures;    // packets left unanswered because Redis/PostgreSQL failed
  Tally busyReplies;      // busy answers a handler sent (V5 SRV_TRY_AGAIN: rate limits, store failures at login)
  Tally acksMatched;      // client ACKs that confirmed an unconfirmed server packet
  Tally acksUnmatched;    // client ACKs that matched none (ignored)
  Tally malformedBodies;  // bodies that did not parse

  /// The handler-side counters a packet's result is read from: take one before a handler
  /// runs, and resultSince() says what the handler reported about its packet.
  struct Marks {
    uint64_t malformed, storeFailures, busy;
  };
  Marks marks() const { return {malformedBodies, storeFailures, busyReplies}; }
  PacketResult resultSince(const Marks& before, bool retry) const;
};

/// Registers per-command packet rows as the icq_worker_packets_total series of protocol
/// `version`, each labelled with its row's `slotName` (rows with an empty name are unused).
void exportPackets(std::span<const PacketRow> rows, std::string_view (*slotName)(size_t), const char* version,
                   ops::TallyExporter& exporter);

}  // namespace icq::worker::core
