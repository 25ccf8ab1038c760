// scheduler: the authenticated HTTP admin API under /api/v1/ on the scheduler's admin port
// (docs/admin-api.yaml is its contract; icqctl is its main client). The route table lives
// here; every operation is common/admin's, so the API only parses, authenticates and maps
// outcomes to HTTP. It serves from the scheduler because the scheduler already holds what
// disconnect and broadcast need: Redis, PostgreSQL and links to every session owner.
//
// Threads: requests arrive on the HTTP server's threads, never on the scheduler loop. The
// API keeps stores and peer links of its own (hiredis, libpq and ZeroMQ handles are
// single-threaded) and serialises requests on one mutex: admin traffic is a trickle, and
// one owner at a time is what those handles need.
#pragma once

#include <zmq.hpp>

#include <memory>
#include <span>
#include <string_view>

#include "common/config/config.hpp"
#include "common/ops/http_server.hpp"
#include "common/store/gateway_registry.hpp"
#include "common/store/membership.hpp"

namespace icq::scheduler {

/// One route of the API: a method and a path template ("{uin}" stands for a UIN).
struct AdminRoute {
  std::string_view method;
  std::string_view path;
};

/// Request bodies larger than this are refused with 413 (the HTTP server's own limit is 1 MiB).
inline constexpr size_t kMaxAdminBody = 64 * 1024;

class AdminApi {
public:
  /// Registries that may be used from any thread (icqd's in-memory ones); null: the API
  /// reads the Redis ones over its own connection.
  struct Shared {
    store::GatewayRegistry* registry = nullptr;
    store::Membership* membership = nullptr;
  };
  /// Opens the API's own Redis and PostgreSQL connections (throws if they cannot be set up,
  /// like the scheduler's).
  AdminApi(const config::Config& config, zmq::context_t& context, const Shared& shared);
  AdminApi(const config::Config& config, zmq::context_t& context) : AdminApi(config, context, Shared()) {}
  /// Closes the peer links before the ZeroMQ context goes; later requests get 503.
  ~AdminApi();
  AdminApi(const AdminApi&) = delete;
  AdminApi& operator=(const AdminApi&) = delete;

  /// Adds the /api/v1/ routes to `server`. The routes keep the API's state alive.
  void install(ops::HttpServer& server);
  /// What the API answers `request` (a path under /api/v1/), without a socket.
  ops::HttpResponse handle(const ops::HttpRequest& request);

  /// Every route, for the check that docs/admin-api.yaml documents exactly these.
  static std::span<const AdminRoute> routes();

private:
  struct Core;
  std::shared_ptr<Core> core_;
};

}  // namespace icq::scheduler
