// The gateway role assembled from configuration: UDP socket, pipeline ROUTER,
// registration, loop, and the graceful drain at stop. Shared by icq-gateway and icqd.
#pragma once

#include <zmq.hpp>

#include "common/config/config.hpp"
#include "common/store/gateway_registry.hpp"
#include "common/store/membership.hpp"
#include "common/util/shutdown.hpp"

namespace icq::gateway {

/// Runs until `stop`; returns the process exit code (non-zero when it could not start).
/// `config`'s gateway.id must already be resolved. `registry` is used from the registration
/// thread, `membership` from the membership follower's: each needs a connection of its own.
int runGateway(const config::Config& config, zmq::context_t& context, store::GatewayRegistry& registry,
               store::Membership& membership, const util::StopToken& stop);

}  // namespace icq::gateway
