// icq-scheduler: everything that happens on a clock (see scheduler/README.md).
#include <unistd.h>

#include <zmq.hpp>

#include "common/log/log.hpp"
#include "common/wiring/postgres_stores.hpp"
#include "common/wiring/process.hpp"
#include "common/wiring/redis_stores.hpp"
#include "scheduler/app.hpp"

int main(int argc, char** argv) {
  using namespace icq;
  int exitCode = 0;
  util::StopToken stop;
  auto config =
      wiring::startRole(argc, argv, {"icq-scheduler", "scheduler", std::to_string(::getpid())}, stop, exitCode);
  if (!config) return exitCode;
  try {
    wiring::RedisStores redis(*config);
    wiring::PostgresStores postgres(*config);
    zmq::context_t context;
    scheduler::SchedulerStores stores{redis.leases,    redis.sessions,     redis.presence, redis.retransmits,
                                      *postgres.users, *postgres.messages, redis.registry, *postgres.maintenance,
                                      *postgres.fragments};
    return scheduler::runScheduler(*config, context, stores, redis.clock, stop);
  } catch (const std::exception& e) {
    log::error("scheduler_start_failed", {{"error", e.what()}});
    return 1;
  }
}
