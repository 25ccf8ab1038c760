// icq-gateway: the UDP edge of icqcluster (see gateway/README.md).
#include <zmq.hpp>

#include "common/config/command_line.hpp"
#include "common/log/log.hpp"
#include "common/util/identity.hpp"
#include "common/wiring/redis_stores.hpp"
#include "gateway/app.hpp"

int main(int argc, char** argv) {
  using namespace icq;
  int exitCode = 0;
  auto config = config::loadFromCommandLine(argc, argv, "icq-gateway", exitCode);
  if (!config) return exitCode;
  std::string id =
      util::processIdentity(config->string("gateway.id"), std::to_string(config->integer("gateway.udp_port")));
  log::init("gateway", id, config->string("log.level"));
  util::StopToken stop;
  util::stopOnSignals(stop);
  // The registry is the gateway's only Redis use, on its registration thread.
  redis::RedisConnection connection(wiring::redisOptionsFrom(*config));
  redis::RedisGatewayRegistry registry(connection);
  zmq::context_t context;
  return gateway::runGateway(config->with("gateway.id", id), context, registry, stop);
}
