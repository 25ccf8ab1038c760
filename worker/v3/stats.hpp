// The V3 side of a worker's counters: bumped by the loop thread (STYLE.md §9), read by the
// admin port's scrape (ops::Tally: one writer), apart from WorkerStats so the metrics export
// adds them as one block: the version="3" series of the icq_worker_* families.
#pragma once

#include <array>
#include <cstdint>

#include "common/ops/tally.hpp"
#include "common/ops/tally_exporter.hpp"
#include "worker/core/packet_stats.hpp"

namespace icq::worker::v3 {

using core::PacketResult;
using core::PacketRow;

/// Rows of the V3 per-command packet counts: the V3 command table's entries, then "other"
/// (codes the table does not list); command_table.cpp checks the table fits.
inline constexpr size_t kV3CommandSlots = 48;

/// The V3 counters; those both protocols keep alike are core::PacketCounters' (V3 sends no
/// busy reply that counts there: busyReplies stays 0).
struct V3Stats : core::PacketCounters {
  Tally datagrams;
  std::array<Tally, 5> decodeErrors{};  // indexed by codec::v3::DecodeError
  Tally loginsAccepted;
  Tally loginsRefused;
  Tally loginsRepeated;  // a retransmitted LOGON answered with the same HELLO
  Tally logoffs;
  Tally messagesOnline;    // THRU_SERVER / AUTHORIZE delivered live (any recipient protocol)
  Tally messagesStored;    // stored as offline messages
  Tally messagesDropped;   // recipient UIN does not exist
  Tally offlineDelivered;  // SYSMSG_OFFLINE sent
  Tally fragmentsStored;   // client FRAGMENT pieces stored
  Tally fragmentsAssembled;
  Tally fragmentsDiscarded;  // groups that can never be a packet (§4.6)
  Tally packetsFragmented;   // server packets sent as FRAGMENT pieces (§4.2)
  Tally broadcasts;          // BROADCAST_ALL/ONLINE carried out
  Tally broadcastsRefused;   // from a sender without the permission: acknowledged, ignored
  // V3 packets by command slot (V3 command table order) and result.
  std::array<PacketRow, kV3CommandSlots> packets{};
};

/// Registers `stats` as the version="3" series of the icq_worker_* families (docs/METRICS.md).
void exportV3Stats(const V3Stats& stats, ops::TallyExporter& exporter);

}  // namespace icq::worker::v3
