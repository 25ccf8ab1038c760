// Cluster-wide gauges read from Redis at scrape time: icq_online_users (ZCARD of the online
// index), icq_retransmit_queue_depth (sessions with unconfirmed packets due) and
// icq_events_backlog (what the journal writers and the event actions have still to do with the event
// stream). Only the
// scheduler exports them, so replicas of the other roles do not multiply them; scheduler
// replicas each report the same value (dashboards take max()).
#pragma once

#include <prometheus/gauge.h>

#include <mutex>

#include "common/config/config.hpp"
#include "common/ops/metrics.hpp"
#include "common/redis/connection.hpp"
#include "common/redis/event_stream.hpp"

namespace icq::wiring {

class ClusterGauges {
public:
  explicit ClusterGauges(const config::Config& config);

private:
  void refresh();

  std::mutex mutex_;
  redis::RedisConnection connection_;  // its own: a role's connections belong to its thread
  prometheus::Gauge& online_;
  prometheus::Gauge& retransmitDue_;
  /// icq_events_backlog of one consumer group.
  struct GroupGauges {
    explicit GroupGauges(std::string_view name);
    std::string_view group;
    prometheus::Gauge& entries;
    prometheus::Gauge& pending;
    prometheus::Gauge& undelivered;
  };
  redis::RedisEventStream events_;
  GroupGauges groups_[2];  // the journal writers' and the event actions' groups
  ops::ScrapeHook hook_;  // last: registered once the rest exists
};

}  // namespace icq::wiring
