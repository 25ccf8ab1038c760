// Scrape-time cluster gauges from Redis; see cluster_gauges.hpp.
#include "common/wiring/cluster_gauges.hpp"

#include "common/redis/keys.hpp"
#include "common/wiring/redis_stores.hpp"

namespace icq::wiring {
namespace {

prometheus::Gauge& backlogGauge(std::string_view group, const std::string& state) {
  return ops::gaugeFamily("icq_events_backlog",
                          "The event stream as each consumer group (journal, actions) sees it: entries kept in the "
                          "stream keys, entries delivered to a consumer and not yet acknowledged (pending), entries "
                          "not yet delivered (undelivered: if it nears events.max_length, events are trimmed unread).")
      .Add({{"group", std::string(group)}, {"state", state}});
}

}  // namespace

ClusterGauges::GroupGauges::GroupGauges(std::string_view name)
    : group(name),
      entries(backlogGauge(name, "entries")),
      pending(backlogGauge(name, "pending")),
      undelivered(backlogGauge(name, "undelivered")) {}

ClusterGauges::ClusterGauges(const config::Config& config)
    : connection_(redisOptionsFrom(config)),
      online_(
          ops::gaugeFamily("icq_online_users", "Sessions online in the whole cluster (Redis online index).").Add({})),
      retransmitDue_(ops::gaugeFamily("icq_retransmit_queue_depth",
                                      "Sessions with unconfirmed server packets waiting for a resend or their ACK.")
                         .Add({})),
      events_(connection_, eventStreamSettingsFrom(config)),
      groups_{GroupGauges(redis::kJournalGroup), GroupGauges(redis::kActionsGroup)},
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
  for (GroupGauges& gauges : groups_) {
    redis::GroupBacklog backlog;
    if (!events_.backlog(gauges.group, backlog)) return;
    gauges.entries.Set(static_cast<double>(backlog.length));
    gauges.pending.Set(static_cast<double>(backlog.pending));
    gauges.undelivered.Set(static_cast<double>(backlog.lag));
  }
}

}  // namespace icq::wiring
