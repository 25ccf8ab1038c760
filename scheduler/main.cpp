// icq-scheduler: everything that happens on a clock (see scheduler/README.md).
#include <unistd.h>

#include <zmq.hpp>

#include "common/config/command_line.hpp"
#include "common/log/log.hpp"
#include "common/util/identity.hpp"
#include "common/wiring/postgres_stores.hpp"
#include "common/wiring/redis_stores.hpp"
#include "scheduler/app.hpp"

int main(int argc, char** argv) {
  using namespace icq;
  int exitCode = 0;
  auto config = config::loadFromCommandLine(argc, argv, "icq-scheduler", exitCode);
  if (!config) return exitCode;
  std::string id = util::processIdentity(config->string("scheduler.id"), std::to_string(::getpid()));
  log::init("scheduler", id, config->string("log.level"));
  util::StopToken stop;
  util::stopOnSignals(stop);
  try {
    wiring::RedisStores redis(*config);
    wiring::PostgresStores postgres(*config);
    zmq::context_t context;
    scheduler::SchedulerStores stores{redis.leases,    redis.sessions,     redis.presence, redis.retransmits,
                                      *postgres.users, *postgres.messages, redis.registry};
    return scheduler::runScheduler(config->with("scheduler.id", id), context, stores, redis.clock, stop);
  } catch (const std::exception& e) {
    log::error("scheduler_start_failed", {{"error", e.what()}});
    return 1;
  }
}
