// The worker's V5 counters: plain integers bumped by the loop thread (STYLE.md §9), read by
// the admin port's scrape (ops::Tally: one writer, so no locked instruction) and by the
// stop log; and the per-batch latency series, observed once per batch and stage.
#pragma once

#include <prometheus/histogram.h>

#include <array>
#include <cstdint>
#include <span>
#include <string_view>

#include "common/ops/tally.hpp"
#include "common/ops/tally_exporter.hpp"
#include "worker/core/packet_stats.hpp"

namespace icq::worker::v5 {

using core::PacketResult;
using core::PacketRow;

/// Rows of the per-command packet counts: the command table's entries, then "other"
/// (codes the table does not list) and CMD_ACK (never in the table: it is never answered).
inline constexpr size_t kCommandSlots = 40;

/// The V5 counters; those both protocols keep alike (not-connected, duplicates, store
/// failures, busy replies, client ACKs, malformed bodies) are core::PacketCounters'.
struct WorkerStats : core::PacketCounters {
  Tally batches;
  Tally datagrams;
  std::array<Tally, 6> decodeErrors{};  // indexed by codec::v5::DecodeError
  Tally checkcodeFailures;              // counted under v5.verify_checkcode=log and drop
  Tally envelopeMalformed;
  Tally loginsAccepted;
  Tally loginsRefused;
  Tally loginsReplaced;
  Tally loginsRepeated;  // a retransmitted CMD_LOGIN answered from the session
  // Password attempts over v5.login_rate_*: answered SRV_TRY_AGAIN, the password unchecked.
  Tally loginsThrottled;
  Tally logoffs;
  Tally messagesOnline;    // CMD_SEND_MESSAGE delivered as SRV_SYS_DELIVERED_MESS
  Tally messagesRelayed;   // handed to the recipient's owner, which counts what became of it
  Tally messagesStored;    // stored as offline messages
  Tally messagesDropped;   // recipient UIN does not exist (D40)
  Tally messagesTooLong;   // LEN above 510, dropped (D33)
  Tally offlineDelivered;  // SRV_RECV_MESSAGE batches' messages sent
  // V5 packets by command slot (command table order) and result.
  std::array<PacketRow, kCommandSlots> packets{};
};

/// The per-batch latency series (one Observe per batch and stage: a lock each, not per packet).
struct WorkerTimings {
  WorkerTimings();
  prometheus::Histogram& batch;
  prometheus::Histogram& decode;   // (A) decrypt and check every datagram
  prometheus::Histogram& session;  // (B) the session check round trip
  prometheus::Histogram& handle;   // (C) acknowledgements and handlers
  prometheus::Histogram& flush;    // outbox, duplicate records and egress
  prometheus::Histogram& login;    // (D) the batch's logins, when it has any
};

/// Registers `stats` as the icq_worker_* families (docs/METRICS.md) with `exporter`.
void exportStats(const WorkerStats& stats, ops::TallyExporter& exporter);

}  // namespace icq::worker::v5
