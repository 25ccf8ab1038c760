// The admin port of a server process; see admin_port.hpp.
#include "common/wiring/admin_port.hpp"

#include <stdexcept>

#include "common/log/log.hpp"
#include "common/ops/health.hpp"
#include "common/ops/ops_routes.hpp"

namespace icq::wiring {

AdminPort::AdminPort(const config::Config& config, const util::StopToken& stop) {
  ops::watchStopForReadiness(stop);
  const std::string& listen = config.string("admin.listen");
  if (listen.empty()) return;
  ops::addOpsRoutes(server_);
  try {
    server_.start(listen);
  } catch (const std::runtime_error& e) {
    throw std::runtime_error(std::string("admin.listen: ") + e.what());
  }
  log::info("admin_listening", {{"listen", listen}, {"port", server_.port()}});
}

}  // namespace icq::wiring
