// Export of the ownership counters; see ownership_stats.hpp and docs/METRICS.md.
#include "worker/sessions/ownership_stats.hpp"

#include "common/ops/metrics.hpp"

namespace icq::worker {

void exportOwnershipStats(const OwnershipStats& s, ops::TallyExporter& exporter) {
  auto& datagrams = ops::counterFamily("icq_worker_ownership_datagrams_total",
                                       "Datagrams a worker did not process itself: forwarded to their owner, or "
                                       "dropped while the membership view settled.");
  exporter.counter(s.forwarded, datagrams.Add({{"outcome", "forwarded"}}));
  exporter.counter(s.deferred, datagrams.Add({{"outcome", "deferred"}}));
  auto& delivered = ops::counterFamily("icq_worker_peer_deliveries_total",
                                       "Reliable packets other processes handed this worker for its sessions.");
  exporter.counter(s.delivered, delivered.Add({{"outcome", "queued"}}));
  exporter.counter(s.deliverRetry, delivered.Add({{"outcome", "retry"}}));
  // The retransmission and expiry families keep the names they had when the scheduler did
  // this work: dashboards and alerts sum them over every process.
  // Relayed messages count where they are recorded, in the same series as the sender's own.
  auto& messages = ops::counterFamily("icq_worker_messages_total", "Messages sent by clients, by what became of them.");
  exporter.counter(s.relayOnline, messages.Add({{"outcome", "online"}}));
  exporter.counter(s.relayOffline, messages.Add({{"outcome", "offline"}}));
  exporter.counter(s.relayDropped, messages.Add({{"outcome", "dropped"}}));
  exporter.counter(s.relayDeferred, messages.Add({{"outcome", "relay_deferred"}}));
  exporter.counter(s.resent, ops::counterFamily("icq_retransmits_total",
                                                "Unconfirmed server packets resent by the sessions' owners.")
                                 .Add({}));
  exporter.counter(s.givenUp,
                   ops::counterFamily("icq_retransmit_giveups_total",
                                      "Sessions ended because a server packet stayed unconfirmed after every retry.")
                       .Add({}));
  exporter.counter(s.expired,
                   ops::counterFamily("icq_sessions_expired_total", "Sessions ended by keep-alive expiry.").Add({}));
  exporter.counter(s.kicked, ops::counterFamily("icq_sessions_disconnected_total",
                                                "Sessions ended by an administrator's disconnect.")
                                 .Add({}));
  exporter.counter(s.rescued, ops::counterFamily("icq_worker_messages_kept_offline_total",
                                                 "Unconfirmed messages kept offline when their session ended.")
                                  .Add({}));
  exporter.counter(s.released, ops::counterFamily("icq_worker_view_changes_total",
                                                  "Membership views a worker adopted.")
                                   .Add({}));
  exporter.counter(s.fenced, ops::counterFamily("icq_worker_lease_lapses_total",
                                                "Times a worker's lease lapsed and it dropped every session.")
                                 .Add({}));
  exporter.counter(s.persistFailures, ops::counterFamily("icq_worker_persist_retries_total",
                                                         "Batch writes to Redis retried because they failed.")
                                          .Add({}));
  exporter.gauge(s.held, ops::gaugeFamily("icq_worker_sessions_held", "Sessions a worker holds in memory.").Add({}));
  exporter.gauge(s.epoch, ops::gaugeFamily("icq_worker_membership_epoch",
                                           "The membership epoch a worker acts under.")
                              .Add({}));
  exporter.gauge(s.authoritative, ops::gaugeFamily("icq_worker_authoritative",
                                                   "1 once a worker has loaded every session its view gives it.")
                                      .Add({}));
}

}  // namespace icq::worker
