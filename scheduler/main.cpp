// icq-scheduler: everything that happens on a clock (see scheduler/README.md).
#include <unistd.h>

#include <zmq.hpp>

#include <optional>

#include "common/log/log.hpp"
#include "common/wiring/admin_port.hpp"
#include "common/wiring/cluster_gauges.hpp"
#include "common/wiring/postgres_readiness.hpp"
#include "common/wiring/postgres_stores.hpp"
#include "common/wiring/process.hpp"
#include "common/wiring/redis_readiness.hpp"
#include "common/wiring/redis_stores.hpp"
#include "scheduler/admin_api.hpp"
#include "scheduler/app.hpp"
#include "scheduler/event_actions_thread.hpp"

int main(int argc, char** argv) {
  using namespace icq;
  int exitCode = 0;
  util::StopToken stop;
  auto config =
      wiring::startRole(argc, argv, {"icq-scheduler", "scheduler", std::to_string(::getpid())}, stop, exitCode);
  if (!config) return exitCode;
  try {
    zmq::context_t context;
    // First: a bad rules file stops the scheduler before it touches a store.
    scheduler::EventActionsThread eventActions(*config, context, stop);
    wiring::RedisStores redis(*config);
    wiring::PostgresStores postgres(*config);
    scheduler::SchedulerStores stores{redis.leases,         redis.directory,      redis.retransmits,
                                      *postgres.users,      *postgres.messages,   redis.registry,
                                      redis.membership,     *postgres.maintenance, *postgres.fragments,
                                      redis.events,         *postgres.journal};
    wiring::AdminPort admin(*config, stop);
    // Declared after the port and the context: it closes its peer links before either goes.
    std::optional<scheduler::AdminApi> adminApi;
    if (admin.server()) adminApi.emplace(*config, context).install(*admin.server());
    wiring::RedisReadiness redisReady(*config);
    wiring::PostgresReadiness postgresReady(*config);
    wiring::ClusterGauges clusterGauges(*config);  // icq_online_users, icq_retransmit_queue_depth
    return scheduler::runScheduler(*config, context, stores, redis.clock, stop);
  } catch (const std::exception& e) {
    log::error("scheduler_start_failed", {{"error", e.what()}});
    return 1;
  }
}
