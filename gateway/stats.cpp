// Names of the gateway's drop reasons and wire versions (metric labels), and the export
// of its counters to the admin port; see stats.hpp.
#include "gateway/stats.hpp"

#include <string>

#include "common/ops/metrics.hpp"

namespace icq::gateway {

std::string_view dropReasonName(DropReason reason) {
  switch (reason) {
    case DropReason::too_short:
      return "too_short";
    case DropReason::too_long:
      return "too_long";
    case DropReason::unsupported_version:
      return "unsupported_version";
    case DropReason::malformed:
      return "malformed";
    case DropReason::rate_limited:
      return "rate_limited";
    case DropReason::queue_full:
      return "queue_full";
    case DropReason::queue_expired:
      return "queue_expired";
    case DropReason::worker_lost:
      return "worker_lost";
    case DropReason::count_:
      break;
  }
  return "other";
}

std::string_view wireVersionName(WireVersion version) {
  switch (version) {
    case WireVersion::v3:
      return "3";
    case WireVersion::v5:
      return "5";
    default:
      return "other";
  }
}

uint64_t GatewayStats::droppedTotal() const {
  uint64_t total = 0;
  for (const Tally& n : dropped) total += n.value();
  return total;
}

void exportStats(const GatewayStats& stats, ops::TallyExporter& exporter) {
  auto& received = ops::counterFamily("icq_gateway_udp_packets_received_total",
                                      "UDP datagrams received, by the protocol version in their first two bytes.");
  for (size_t v = 0; v < stats.receivedByVersion.size(); ++v)
    exporter.counter(stats.receivedByVersion[v],
                     received.Add({{"version", std::string(wireVersionName(static_cast<WireVersion>(v)))}}));
  exporter.counter(stats.datagramsSent,
                   ops::counterFamily("icq_gateway_udp_packets_sent_total", "UDP datagrams sent to clients.").Add({}));
  exporter.counter(stats.bytesReceived,
                   ops::counterFamily("icq_gateway_udp_bytes_received_total", "UDP payload bytes received.").Add({}));
  exporter.counter(stats.bytesSent,
                   ops::counterFamily("icq_gateway_udp_bytes_sent_total", "UDP payload bytes sent.").Add({}));
  exporter.counter(stats.datagramsSendFailed,
                   ops::counterFamily("icq_gateway_udp_send_failures_total",
                                      "Datagrams the kernel did not take for sending (sendmmsg short count).")
                       .Add({}));
  auto& dropped = ops::counterFamily("icq_gateway_packets_dropped_total",
                                     "Datagrams not handed to a worker, by reason (queue_* ones were answered busy).");
  for (size_t r = 0; r < stats.dropped.size(); ++r)
    exporter.counter(stats.dropped[r],
                     dropped.Add({{"reason", std::string(dropReasonName(static_cast<DropReason>(r)))}}));
  exporter.counter(stats.busyReplies,
                   ops::counterFamily("icq_gateway_busy_replies_total",
                                      "SRV_TRY_AGAIN sent by the gateway for datagrams it shed (queue full or expired).")
                       .Add({}));
  exporter.counter(stats.datagramsDispatched,
                   ops::counterFamily("icq_gateway_dispatched_packets_total", "Datagrams handed to workers.").Add({}));
  exporter.counter(stats.batchesDispatched,
                   ops::counterFamily("icq_gateway_dispatched_batches_total",
                                      "Ingress envelopes sent to workers (one per worker per loop turn).")
                       .Add({}));
  auto& malformed = ops::counterFamily("icq_gateway_pipeline_malformed_total",
                                       "Messages from workers that the gateway could not read, by kind.");
  exporter.counter(stats.egressMalformed, malformed.Add({{"kind", "egress"}}));
  exporter.counter(stats.controlMalformed, malformed.Add({{"kind", "control"}}));
  exporter.counter(
      stats.creditInflated,
      ops::counterFamily("icq_gateway_credit_inflated_total",
                         "Hello or Credit messages that would have taken a worker's credits past its window "
                         "(clamped to it).")
          .Add({}));
  auto& cutOff =
      ops::counterFamily("icq_gateway_workers_cut_off_total",
                         "Workers cut off for lying (quarantined), by the violation that crossed the limit.");
  for (size_t v = 0; v < stats.workersCutOff.size(); ++v)
    exporter.counter(stats.workersCutOff[v],
                     cutOff.Add({{"reason", std::string(violationName(static_cast<Violation>(v)))}}));
  exporter.counter(stats.pipelineIgnored,
                   ops::counterFamily("icq_gateway_pipeline_ignored_total",
                                      "Messages from cut-off workers, dropped unread during their quarantine.")
                       .Add({}));
  exporter.gauge(stats.holdQueueDepth,
                 ops::gaugeFamily("icq_gateway_hold_queue_depth",
                                  "Datagrams held while the worker that owns their UIN has no credit.")
                     .Add({}));
  exporter.gauge(stats.membershipEpoch,
                 ops::gaugeFamily("icq_gateway_membership_epoch",
                                  "The membership view (its epoch) the gateway routes UINs to their owners by.")
                     .Add({}));
  exporter.gauge(stats.workerCredits,
                 ops::gaugeFamily("icq_gateway_worker_credits", "Credits workers have granted and not yet used.").Add({}));
  exporter.gauge(stats.workersConnected,
                 ops::gaugeFamily("icq_gateway_workers_connected", "Workers linked to this gateway (Hello, no Goodbye).")
                     .Add({}));
}

}  // namespace icq::gateway
