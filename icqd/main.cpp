// icqd: gateway, workers and scheduler in one process (see icqd/README.md). Each role
// runs the same code as its own binary, on its own thread with its own store
// connections; the pipelines are inproc:// and the gateway registry and the membership
// live in memory, since nothing outside this process could reach an in-process endpoint.
#include <unistd.h>

#include <zmq.hpp>

#include <atomic>
#include <optional>
#include <thread>
#include <vector>

#include "common/config/command_line.hpp"
#include "common/log/log.hpp"
#include "common/store/in_memory_gateway_registry.hpp"
#include "common/store/in_memory_membership.hpp"
#include "common/util/identity.hpp"
#include "common/wiring/admin_port.hpp"
#include "common/wiring/cluster_gauges.hpp"
#include "common/wiring/postgres_readiness.hpp"
#include "common/wiring/postgres_stores.hpp"
#include "common/wiring/redis_readiness.hpp"
#include "common/wiring/redis_stores.hpp"
#include "gateway/app.hpp"
#include "scheduler/admin_api.hpp"
#include "scheduler/app.hpp"
#include "scheduler/event_actions_thread.hpp"
#include "worker/app.hpp"

namespace {

using namespace icq;

/// Runs `role` on its own thread; any failure to start stops the whole process.
template <class Role>
std::thread spawn(const std::string& name, util::StopToken& stop, std::atomic<int>& failures, Role role) {
  return std::thread([name, &stop, &failures, role]() mutable {
    int code = 1;
    try {
      code = role();
    } catch (const std::exception& e) {
      log::error("role_failed", {{"role", name}, {"error", e.what()}});
    }
    if (code != 0) {
      ++failures;
      stop.requestStop();
    }
  });
}

}  // namespace

int main(int argc, char** argv) {
  int exitCode = 0;
  auto loaded = config::loadFromCommandLine(argc, argv, "icqd", exitCode);
  if (!loaded) return exitCode;
  std::string id = util::processIdentity(loaded->string("gateway.id"), "icqd");
  config::Config config = loaded->with("gateway.id", id)
                              .with("gateway.pipeline_bind", "inproc://icqd-gateway")
                              .with("scheduler.id", id + "-scheduler");
  log::init("icqd", id, config.string("log.level"));
  util::StopToken stop;
  util::stopOnSignals(stop);
  zmq::context_t context;
  store::InMemoryGatewayRegistry registry;
  store::InMemoryMembership membership;
  std::atomic<int> failures = 0;
  // One admin port for every role: they all register in the same process-wide registries.
  std::optional<wiring::AdminPort> admin;
  // The admin API follows this process's in-memory registry (thread-safe): the gateway is here.
  std::optional<scheduler::AdminApi> adminApi;
  std::optional<scheduler::EventActionsThread> eventActions;
  try {
    admin.emplace(config, stop);
    if (admin->server())
      adminApi.emplace(config, context, scheduler::AdminApi::Shared{&registry, &membership}).install(*admin->server());
    eventActions.emplace(config, context, stop, scheduler::EventActionsThread::Shared{&registry, &membership});
  } catch (const std::exception& e) {
    log::error("icqd_start_failed", {{"error", e.what()}});
    return 1;
  }
  wiring::RedisReadiness redisReady(config);
  wiring::PostgresReadiness postgresReady(config);
  wiring::ClusterGauges clusterGauges(config);

  std::vector<std::thread> roles;
  roles.push_back(
      spawn("gateway", stop, failures, [&] { return gateway::runGateway(config, context, registry, membership, stop); }));
  for (int64_t w = 0; w < config.integer("icqd.workers"); ++w) {
    const std::string workerId = id + "-worker-" + std::to_string(w);
    config::Config workerConfig =
        config.with("worker.id", workerId).with("worker.peer_bind", "inproc://icqd-peer-" + workerId);
    roles.push_back(spawn("worker", stop, failures, [&, workerConfig] {
      wiring::RedisStores redis(workerConfig);
      wiring::PostgresStores postgres(workerConfig);
      worker::WorkerStores stores{redis.ledger,        redis.directory,       redis.presence,        *postgres.users,
                                  *postgres.messages,  redis.limits,          *postgres.fragments,   *postgres.departments,
                                  registry,            membership,            redis.events,          postgres.users.get()};
      postgres.serveWorker(workerConfig, redis.clock);
      return worker::runWorker(workerConfig, context, stores, redis.clock, stop);
    }));
  }
  roles.push_back(spawn("scheduler", stop, failures, [&] {
    wiring::RedisStores redis(config);
    wiring::PostgresStores postgres(config);
    scheduler::SchedulerStores stores{redis.leases,    redis.directory,    redis.retransmits,    *postgres.users,
                                      *postgres.messages, registry,        membership,           *postgres.maintenance,
                                      *postgres.fragments, redis.events,   *postgres.journal};
    return scheduler::runScheduler(config, context, stores, redis.clock, stop);
  }));
  for (std::thread& t : roles) t.join();
  return failures == 0 ? 0 : 1;
}
