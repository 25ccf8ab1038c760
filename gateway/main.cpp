// icq-gateway: the UDP edge of icqcluster (see gateway/README.md).
#include <zmq.hpp>

#include "common/log/log.hpp"
#include "common/wiring/admin_port.hpp"
#include "common/wiring/process.hpp"
#include "common/wiring/redis_stores.hpp"
#include "gateway/app.hpp"

int main(int argc, char** argv) {
  using namespace icq;
  int exitCode = 0;
  util::StopToken stop;
  // A gateway is named after its UDP port unless told otherwise: one per port per host.
  auto config = wiring::startRole(argc, argv, {"icq-gateway", "gateway", "", "gateway.udp_port"}, stop, exitCode);
  if (!config) return exitCode;
  // The gateway's only Redis uses, each on a thread of its own: its registration and the
  // membership view it routes by.
  redis::RedisConnection connection(wiring::redisOptionsFrom(*config));
  redis::RedisGatewayRegistry registry(connection);
  wiring::RedisMembershipLink membership(*config);
  zmq::context_t context;
  try {
    wiring::AdminPort admin(*config, stop);
    return gateway::runGateway(*config, context, registry, membership.membership, stop);
  } catch (const std::exception& e) {
    log::error("gateway_start_failed", {{"error", e.what()}});
    return 1;
  }
}
