// Scrape-time cluster gauges from Redis; see cluster_gauges.hpp.
#include "common/wiring/cluster_gauges.hpp"

#include "common/redis/keys.hpp"
#include "common/wiring/redis_stores.hpp"

namespace icq::wiring {

ClusterGauges::ClusterGauges(const config::Config& config)
    : connection_(redisOptionsFrom(config)),
      online_(ops::gaugeFamily("icq_online_users", "Sessions online in the whole cluster (Redis online index).")
                  .Add({})),
      retransmitDue_(ops::gaugeFamily("icq_retransmit_queue_depth",
                                      "Sessions with unconfirmed server packets waiting for a resend or their ACK.")
                         .Add({})),
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
}

}  // namespace icq::wiring
