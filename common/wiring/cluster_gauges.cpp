// Scrape-time cluster gauges from Redis; see cluster_gauges.hpp.
#include "common/wiring/cluster_gauges.hpp"

#include "common/redis/keys.hpp"
#include "common/wiring/redis_stores.hpp"

namespace icq::wiring {
namespace {

prometheus::Gauge& backlogGauge(const std::string& state) {
  return ops::gaugeFamily("icq_events_backlog",
                          "The event stream as the journal writers see it: entries kept in the stream keys, entries "
                          "delivered to a writer and not yet acknowledged (pending), entries not yet delivered "
                          "(undelivered: if it nears events.max_length, events are trimmed unread).")
      .Add({{"group", std::string(redis::kJournalGroup)}, {"state", state}});
}

}  // namespace

ClusterGauges::ClusterGauges(const config::Config& config)
    : connection_(redisOptionsFrom(config)),
      online_(ops::gaugeFamily("icq_online_users", "Sessions online in the whole cluster (Redis online index).")
                  .Add({})),
      retransmitDue_(ops::gaugeFamily("icq_retransmit_queue_depth",
                                      "Sessions with unconfirmed server packets waiting for a resend or their ACK.")
                         .Add({})),
      events_(connection_, eventStreamSettingsFrom(config)),
      eventsLength_(backlogGauge("entries")),
      eventsPending_(backlogGauge("pending")),
      eventsUndelivered_(backlogGauge("undelivered")),
      hook_([this] { refresh(); }) {}

void ClusterGauges::refresh() {
  std::lock_guard lock(mutex_);
  // One round trip for both; when Redis is unreachable the gauges keep their last values
  // and icq_redis_errors_total{op="zcard"} and /readyz say why.
  connection_.append({"ZCARD", redis::keys::kOnline});
  connection_.append({"ZCARD", redis::keys::kRetransmitDue});
  std::vector<redis::Reply> replies;
  if (!connection_.readReplies(2, replies)) return;
  if (replies[0].isInteger()) online_.Set(static_cast<double>(replies[0].integer()));
  if (replies[1].isInteger()) retransmitDue_.Set(static_cast<double>(replies[1].integer()));
  redis::GroupBacklog backlog;
  if (!events_.backlog(redis::kJournalGroup, backlog)) return;
  eventsLength_.Set(static_cast<double>(backlog.length));
  eventsPending_.Set(static_cast<double>(backlog.pending));
  eventsUndelivered_.Set(static_cast<double>(backlog.lag));
}

}  // namespace icq::wiring
