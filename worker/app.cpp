// Worker assembly; see app.hpp.
#include "worker/app.hpp"

#include <random>

#include "common/log/log.hpp"
#include "common/ops/health.hpp"
#include "common/ops/tally_exporter.hpp"
#include "common/pipeline/gateway_links.hpp"
#include "worker/v3/v3_processor.hpp"
#include "worker/v5/v5_processor.hpp"
#include "worker/worker.hpp"

namespace icq::worker {
namespace {

// At stop: keep answering what gateways already handed us until they have been quiet this long.
constexpr std::chrono::milliseconds kDrainQuiet{300};

v5::CheckcodePolicy checkcodePolicyFrom(const std::string& text) {
  if (text == "off") return v5::CheckcodePolicy::off;
  if (text == "drop") return v5::CheckcodePolicy::drop;
  return v5::CheckcodePolicy::log;
}

void logStats(const v5::WorkerStats& s) {
  log::info("worker_stopped", {{"batches", s.batches.value()},
                               {"datagrams", s.datagrams.value()},
                               {"not_connected", s.notConnected.value()},
                               {"duplicates", s.duplicates.value()},
                               {"store_failures", s.storeFailures.value()},
                               {"checkcode_failures", s.checkcodeFailures.value()},
                               {"logins_accepted", s.loginsAccepted.value()},
                               {"logins_refused", s.loginsRefused.value()},
                               {"logins_throttled", s.loginsThrottled.value()}});
}

}  // namespace

V5Settings v5SettingsFrom(const config::Config& config) {
  V5Settings s;
  s.enabled = config.boolean("v5.enabled");
  s.loginReply.keepAliveS = static_cast<uint16_t>(config.integer("v5.keepalive_advertised_s"));
  s.loginReply.retransmitTimeoutS = static_cast<uint16_t>(config.integer("v5.retransmit_timeout_s"));
  s.loginReply.retries = static_cast<uint16_t>(config.integer("v5.retransmit_retries"));
  s.verifyCheckcode = checkcodePolicyFrom(config.string("v5.verify_checkcode"));
  s.badPassV3Layout = config.boolean("v5.bad_pass_v3_layout");
  s.maxMsgChunk = static_cast<size_t>(config.integer("v5.max_msg_chunk"));
  s.splitOrder = config.string("v5.split_order") == "forward" ? codec::v5::SplitOrder::forward
                                                                : codec::v5::SplitOrder::backward;
  s.maxOfflineBatch = static_cast<size_t>(config.integer("v5.max_offline_batch"));
  s.maxSearchResults = static_cast<size_t>(config.integer("v5.max_search_results"));
  s.registration = config.boolean("v5.registration");
  s.newUinV3Layout = config.boolean("v5.new_uin_v3_layout");
  s.passwordOpsLimit = static_cast<uint64_t>(config.integer("auth.argon2_opslimit"));
  s.passwordMemLimitBytes = static_cast<size_t>(config.integer("auth.argon2_memlimit_kib")) * 1024;
  s.verifierCache.entries = static_cast<size_t>(config.integer("auth.verifier_cache_entries"));
  s.verifierCache.ttlMs = config.integer("auth.verifier_cache_ttl_s") * 1000;
  return s;
}

V3Settings v3SettingsFrom(const config::Config& config) {
  V3Settings s;
  s.enabled = config.boolean("v3.enabled");
  s.sessionTtlS = static_cast<uint16_t>(config.integer("v3.session_ttl_s"));
  s.retransmitTimeoutS = static_cast<uint16_t>(config.integer("v5.retransmit_timeout_s"));
  s.retries = static_cast<uint16_t>(config.integer("v5.retransmit_retries"));
  s.mtu = static_cast<size_t>(config.integer("v3.packet_mtu"));
  s.maxMessage = static_cast<size_t>(config.integer("v3.max_msgsize"));
  s.deplistVersion = static_cast<uint32_t>(config.integer("v3.deplist_version"));
  s.registration = config.boolean("v3.registration");
  s.maxOfflineBatch = static_cast<size_t>(config.integer("v5.max_offline_batch"));
  s.maxSearchResults = static_cast<size_t>(config.integer("v5.max_search_results"));
  s.v5MaxChunk = static_cast<size_t>(config.integer("v5.max_msg_chunk"));
  s.v5SplitOrder = config.string("v5.split_order") == "forward" ? codec::v5::SplitOrder::forward
                                                                  : codec::v5::SplitOrder::backward;
  s.passwordOpsLimit = static_cast<uint64_t>(config.integer("auth.argon2_opslimit"));
  s.passwordMemLimitBytes = static_cast<size_t>(config.integer("auth.argon2_memlimit_kib")) * 1024;
  return s;
}

int runWorker(const config::Config& config, zmq::context_t& context, store::GatewayRegistry& registry,
              const V5Processor::Stores& stores, store::FragmentStore& fragments,
              store::DepartmentStore& departments, const util::Clock& clock, const util::StopToken& stop) {
  const std::string& id = config.string("worker.id");
  GatewayLinks links(context, id, static_cast<uint32_t>(config.integer("worker.credit_window")));
  Egress egress(links);
  V5Processor processor(v5SettingsFrom(config), stores, clock, egress, std::random_device{}());
  V3Processor v3Processor(v3SettingsFrom(config),
                          {stores.sessions, stores.presence, stores.users, stores.messages, stores.limits, fragments,
                           departments},
                          clock, egress, processor.outbox());
  Worker worker(std::chrono::milliseconds(config.integer("worker.gateway_refresh_ms")), links, egress, registry,
                processor, v3Processor);
  ops::TallyExporter exporter;
  exportStats(processor.stats(), exporter);
  exportV3Stats(v3Processor.stats(), exporter);
  exporter.gauge(worker.gatewayLinks(),
                 ops::gaugeFamily("icq_worker_gateway_links", "Gateways a worker is linked to.").Add({}));
  // Ready: Redis and PostgreSQL reachable (main registers those) and a gateway to serve.
  ops::ReadinessCheck ready("gateway_links",
                            [&worker] { return worker.gatewayLinks().value() > 0 ? "" : "no gateway link yet"; });
  log::info("worker_started", {{"id", id}});
  worker.run(stop);
  worker.drain(kDrainQuiet);
  logStats(processor.stats());
  return 0;
}

}  // namespace icq::worker
