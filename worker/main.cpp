// icq-worker: runs the V5 protocol for packets gateways hand it (see worker/README.md).
#include <unistd.h>

#include <zmq.hpp>

#include "common/config/command_line.hpp"
#include "common/log/log.hpp"
#include "common/util/identity.hpp"
#include "common/wiring/postgres_stores.hpp"
#include "common/wiring/redis_stores.hpp"
#include "worker/app.hpp"

int main(int argc, char** argv) {
  using namespace icq;
  int exitCode = 0;
  auto config = config::loadFromCommandLine(argc, argv, "icq-worker", exitCode);
  if (!config) return exitCode;
  std::string id = util::processIdentity(config->string("worker.id"), std::to_string(::getpid()));
  log::init("worker", id, config->string("log.level"));
  util::StopToken stop;
  util::stopOnSignals(stop);
  try {
    wiring::RedisStores redis(*config);
    wiring::PostgresStores postgres(*config);
    zmq::context_t context;
    worker::V5Processor::Stores stores{redis.sessions, redis.presence, *postgres.users, *postgres.messages};
    return worker::runWorker(config->with("worker.id", id), context, redis.registry, stores, redis.clock, stop);
  } catch (const std::exception& e) {
    log::error("worker_start_failed", {{"error", e.what()}});
    return 1;
  }
}
