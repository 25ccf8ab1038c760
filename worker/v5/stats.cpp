// The export of the worker's V5 counters and latency series to the admin port; see
// stats.hpp. Names and labels: docs/METRICS.md.
#include "worker/v5/stats.hpp"

#include <string>

#include "common/codec/v5/packet.hpp"
#include "common/ops/metrics.hpp"
#include "worker/v5/commands.hpp"

namespace icq::worker::v5 {
namespace {

prometheus::Histogram& stage(const char* name) {
  static auto& family = ops::histogramFamily("icq_worker_stage_duration_seconds",
                                             "Time a worker spends per ingress batch in each stage of the V5 pipeline.");
  return family.Add({{"stage", name}}, ops::stageBuckets());
}

}  // namespace

WorkerTimings::WorkerTimings()
    : batch(ops::histogramFamily("icq_worker_batch_duration_seconds",
                                 "Time a worker takes for one ingress batch, from receipt to the last reply.")
                .Add({}, ops::stageBuckets())),
      decode(stage("decode")),
      session(stage("session")),
      handle(stage("handle")),
      flush(stage("flush")),
      login(stage("login")) {}

void exportStats(const WorkerStats& stats, ops::TallyExporter& exporter) {
  core::exportPackets(stats.packets, commandSlotName, "5", exporter);
  auto& decodeErrors = ops::counterFamily("icq_worker_decode_errors_total",
                                          "Datagrams a worker could not decode, by protocol version and reason.");
  using codec::v5::DecodeError;
  for (size_t e = 1; e < stats.decodeErrors.size(); ++e) {
    std::string reason(codec::v5::decodeErrorName(static_cast<DecodeError>(e)));
    if (static_cast<DecodeError>(e) == DecodeError::checksum)  // checkcodes are verified after decoding
      exporter.counter([&stats, e] { return stats.decodeErrors[e].value() + stats.checkcodeFailures.value(); },
                       decodeErrors.Add({{"version", "5"}, {"reason", reason}}));
    else
      exporter.counter(stats.decodeErrors[e], decodeErrors.Add({{"version", "5"}, {"reason", reason}}));
  }
  auto& logins = ops::counterFamily("icq_worker_logins_total", "Login attempts a worker answered, by result.");
  exporter.counter(stats.loginsAccepted, logins.Add({{"version", "5"}, {"result", "accepted"}}));
  exporter.counter(stats.loginsRefused, logins.Add({{"version", "5"}, {"result", "refused"}}));
  exporter.counter(stats.loginsReplaced, logins.Add({{"version", "5"}, {"result", "replaced"}}));
  exporter.counter(stats.loginsRepeated, logins.Add({{"version", "5"}, {"result", "repeated"}}));
  exporter.counter(stats.loginsThrottled, logins.Add({{"version", "5"}, {"result", "throttled"}}));
  auto& messages = ops::counterFamily("icq_worker_messages_total", "Messages sent by clients, by what became of them.");
  exporter.counter(stats.messagesOnline, messages.Add({{"outcome", "online"}}));
  exporter.counter(stats.messagesRelayed, messages.Add({{"outcome", "relayed"}}));
  exporter.counter(stats.messagesStored, messages.Add({{"outcome", "offline"}}));
  exporter.counter(stats.messagesDropped, messages.Add({{"outcome", "dropped"}}));
  exporter.counter(stats.messagesTooLong, messages.Add({{"outcome", "too_long"}}));
  exporter.counter(stats.busyReplies, ops::counterFamily("icq_worker_busy_replies_total",
                                                         "SRV_TRY_AGAIN a worker answered (rate limits, store failures).")
                                          .Add({}));
  exporter.counter(stats.batches,
                   ops::counterFamily("icq_worker_batches_total", "Ingress batches a worker processed.").Add({}));
  exporter.counter(stats.offlineDelivered, ops::counterFamily("icq_worker_offline_messages_delivered_total",
                                                              "Offline messages sent to clients after login.")
                                               .Add({}));
  exporter.counter(stats.logoffs, ops::counterFamily("icq_worker_logoffs_total", "Sessions ended by the client.").Add({}));
  exporter.counter(stats.envelopeMalformed, ops::counterFamily("icq_worker_envelope_malformed_total",
                                                               "Ingress envelopes from gateways that did not parse.")
                                                .Add({}));
}

}  // namespace icq::worker::v5
