// Gateway assembly; see app.hpp.
#include "gateway/app.hpp"

#include <system_error>

#include "common/log/log.hpp"
#include "common/ops/health.hpp"
#include "common/ops/tally_exporter.hpp"
#include "common/util/identity.hpp"
#include "gateway/gateway.hpp"
#include "gateway/membership_follower.hpp"
#include "gateway/registration.hpp"

namespace icq::gateway {
namespace {

// After a stop, replies still owed to clients get this long to come back from workers.
constexpr std::chrono::milliseconds kDrainGrace{500};

GatewaySettings settingsFrom(const config::Config& config) {
  GatewaySettings s;
  s.ratePerS = static_cast<uint32_t>(config.integer("gateway.rate_per_s"));
  s.rateBurst = static_cast<uint32_t>(config.integer("gateway.rate_burst"));
  s.queueLimit = static_cast<size_t>(config.integer("gateway.queue_limit"));
  s.queueMaxAge = std::chrono::milliseconds(config.integer("gateway.queue_max_age_ms"));
  return s;
}

void logStats(const GatewayStats& stats) {
  nlohmann::json dropped = nlohmann::json::object();
  for (size_t r = 0; r < stats.dropped.size(); ++r)
    dropped[std::string(dropReasonName(static_cast<DropReason>(r)))] = stats.dropped[r].value();
  log::info("gateway_stopped", {{"received", stats.datagramsReceived.value()},
                                {"dispatched", stats.datagramsDispatched.value()},
                                {"sent", stats.datagramsSent.value()},
                                {"busy_replies", stats.busyReplies.value()},
                                {"dropped", dropped}});
}

}  // namespace

int runGateway(const config::Config& config, zmq::context_t& context, store::GatewayRegistry& registry,
               store::Membership& membership, const util::StopToken& stop) {
  const std::string& id = config.string("gateway.id");
  std::optional<UdpSocket> udp;
  std::string bound;
  zmq::socket_t pipeline;
  try {
    udp.emplace(config.string("gateway.udp_bind"), static_cast<uint16_t>(config.integer("gateway.udp_port")));
    pipeline = bindPipeline(context, config.string("gateway.pipeline_bind"), bound);
  } catch (const std::exception& e) {
    log::error("gateway_start_failed", {{"error", e.what()}});
    return 1;
  }
  std::string advertise = config.string("gateway.pipeline_advertise");
  store::GatewayRecord record{id, advertise.empty() ? bound : advertise, util::randomInstanceId()};

  MembershipFollower follower(membership, std::chrono::milliseconds(config.integer("gateway.membership_poll_ms")));
  follower.start();
  Gateway gateway(settingsFrom(config), *udp, pipeline, &follower);
  ops::TallyExporter exporter;
  exportStats(gateway.stats(), exporter);
  {
    Registration registration(registry, record, std::chrono::milliseconds(config.integer("gateway.heartbeat_ms")),
                              std::chrono::milliseconds(config.integer("gateway.registration_ttl_ms")));
    if (!registration.start()) log::warn("gateway_registration_pending", {{"id", id}});
    // Ready = socket bound (we got here), registered, and no stop requested (ops::readiness).
    ops::ReadinessCheck ready("gateway_registered",
                              [&registration] { return registration.registered() ? "" : "not registered"; });
    log::info("gateway_started", {{"id", id}, {"udp_port", udp->localPort()}, {"pipeline", record.endpoint}});
    gateway.run(stop);
  }                            // withdrawn: workers stop sending new work our way...
  gateway.drain(kDrainGrace);  // ...while replies to what they already have still go out
  logStats(gateway.stats());
  return 0;
}

}  // namespace icq::gateway
