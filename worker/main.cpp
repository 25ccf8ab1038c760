// icq-worker: runs the V5 protocol for packets gateways hand it (see worker/README.md).
#include <unistd.h>

#include <zmq.hpp>

#include "common/log/log.hpp"
#include "common/wiring/admin_port.hpp"
#include "common/wiring/postgres_readiness.hpp"
#include "common/wiring/postgres_stores.hpp"
#include "common/wiring/process.hpp"
#include "common/wiring/redis_readiness.hpp"
#include "common/wiring/redis_stores.hpp"
#include "worker/app.hpp"

int main(int argc, char** argv) {
  using namespace icq;
  int exitCode = 0;
  util::StopToken stop;
  auto config = wiring::startRole(argc, argv, {"icq-worker", "worker", std::to_string(::getpid())}, stop, exitCode);
  if (!config) return exitCode;
  try {
    wiring::RedisStores redis(*config);
    wiring::RedisMembershipLink heartbeat(*config);  // the membership thread's own connection
    wiring::PostgresStores postgres(*config);
    zmq::context_t context;
    worker::WorkerStores stores{redis.ledger,     redis.directory,     redis.presence,         *postgres.users,
                                *postgres.messages, redis.limits,      *postgres.fragments,    *postgres.departments,
                                redis.registry,     heartbeat.membership, redis.events,           postgres.users.get()};
    postgres.serveWorker(*config, redis.clock);
    wiring::AdminPort admin(*config, stop);
    wiring::RedisReadiness redisReady(*config);
    wiring::PostgresReadiness postgresReady(*config);
    return worker::runWorker(*config, context, stores, redis.clock, stop);
  } catch (const std::exception& e) {
    log::error("worker_start_failed", {{"error", e.what()}});
    return 1;
  }
}
