// The admin HTTP port every server process opens on admin.listen: /metrics, /healthz and
// /readyz, with readiness following the stop token (SIGTERM flips /readyz to 503 at once).
// The scheduler adds its admin API to server(). Opened by main() once the role's stores
// exist, just before the role runs and registers its own checks.
#pragma once

#include "common/config/config.hpp"
#include "common/ops/http_server.hpp"
#include "common/util/shutdown.hpp"

namespace icq::wiring {

class AdminPort {
public:
  /// Listens unless admin.listen is empty. Throws std::runtime_error naming admin.listen
  /// when the address cannot be bound.
  AdminPort(const config::Config& config, const util::StopToken& stop);

  /// The server to add routes to; nullptr when admin.listen is empty.
  ops::HttpServer* server() { return server_.running() ? &server_ : nullptr; }

private:
  ops::HttpServer server_;
};

}  // namespace icq::wiring
