// Worker assembly; see app.hpp.
#include "worker/app.hpp"

#include <unistd.h>

#include <array>
#include <random>

#include "common/auth/password_checks.hpp"
#include "common/log/log.hpp"
#include "common/ops/health.hpp"
#include "common/ops/tally_exporter.hpp"
#include "common/pipeline/gateway_links.hpp"
#include "common/pipeline/peer_links.hpp"
#include "common/util/identity.hpp"
#include "worker/peer_server.hpp"
#include "worker/sessions/owned_presence.hpp"
#include "worker/sessions/ownership.hpp"
#include "worker/v3/v3_processor.hpp"
#include "worker/v5/v5_processor.hpp"
#include "worker/worker.hpp"

namespace icq::worker {
namespace {

// At stop: keep answering what gateways already handed us until they have been quiet this long.
constexpr std::chrono::milliseconds kDrainQuiet{300};

// Events kept while the event stream is out of reach (about 200 bytes each): beyond, new
// ones are dropped and counted.
constexpr size_t kEventBufferCapacity = 100000;

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

/// Where peers reach this worker: worker.peer_advertise, else the bound endpoint with a
/// wildcard address replaced by the host name (a container's name on its network).
std::string peerAdvertise(const std::string& configured, const std::string& bound) {
  if (!configured.empty()) return configured;
  constexpr std::string_view kWildcard = "tcp://0.0.0.0:";
  if (!bound.starts_with(kWildcard)) return bound;
  std::array<char, 256> host{};
  if (::gethostname(host.data(), host.size() - 1) != 0) return bound;
  return "tcp://" + std::string(host.data()) + ":" + bound.substr(kWildcard.size());
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
  s.eventMessageText = config.boolean("events.message_text");
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
  s.eventMessageText = config.boolean("events.message_text");
  return s;
}

OwnedSettings ownedSettingsFrom(const config::Config& config) {
  OwnedSettings s;
  s.window = static_cast<size_t>(config.integer("v5.dedupe_window"));
  s.retransmitTimeout = std::chrono::seconds(config.integer("v5.retransmit_timeout_s"));
  s.retries = static_cast<uint32_t>(config.integer("v5.retransmit_retries"));
  s.refreshV5 = std::chrono::seconds(config.integer("worker.session_refresh_s"));
  s.refreshV3 = std::min<std::chrono::milliseconds>(s.refreshV5, std::chrono::seconds(config.integer("v3.session_ttl_s")) / 4);
  return s;
}

int runWorker(const config::Config& config, zmq::context_t& context, const WorkerStores& stores,
              const util::Clock& clock, const util::StopToken& stop) {
  const std::string& id = config.string("worker.id");
  GatewayLinks links(context, id, static_cast<uint32_t>(config.integer("worker.credit_window")));
  Egress egress(links);
  std::string bound;
  zmq::socket_t router;
  try {
    router = pipeline::bindPeerServer(context, config.string("worker.peer_bind"), bound);
  } catch (const zmq::error_t& e) {
    log::error("worker_start_failed", {{"error", std::string("worker.peer_bind: ") + e.what()}});
    return 1;
  }
  const std::string advertise = peerAdvertise(config.string("worker.peer_advertise"), bound);
  MembershipClient membership({std::chrono::milliseconds(config.integer("worker.heartbeat_ms")),
                               std::chrono::milliseconds(config.integer("worker.lease_ms")),
                               std::chrono::milliseconds(config.integer("worker.lease_ms")) / 6},
                              stores.membership, {id, advertise, util::randomInstanceId()});

  OwnedSessions owned(ownedSettingsFrom(config), stores.ledger, stores.directory, stores.messages, clock);
  OwnedPresence presence(stores.presence, owned);
  pipeline::PeerLinks peers(context, id, std::chrono::milliseconds(config.integer("worker.peer_timeout_ms")));
  events::EventBuffer events(kEventBufferCapacity);
  const V5Processor::Stores v5Stores{owned, presence, stores.users, stores.messages, stores.limits, events};
  V5Processor processor(v5SettingsFrom(config), v5Stores, clock, egress, &peers, std::random_device{}());
  V3Processor v3Processor(v3SettingsFrom(config),
                          {owned, presence, stores.users, stores.messages, stores.limits, events,
                           stores.fragments, stores.departments},
                          clock, egress, processor.outbox());

  // What other processes ask of our sessions goes through an outbox of its own: it may be
  // served while the processors' outbox waits for another owner.
  codec::v5::CheckcodeRng rng(std::random_device{}());
  pipeline::Outbox servingOutbox(&owned, &peers, &egress, rng);
  OwnershipStats ownershipStats;
  SessionEndings endings(owned, presence, stores.users, events, servingOutbox, egress, rng, ownershipStats);
  Ownership ownership(membership, owned, peers, endings, egress, clock, ownershipStats, stop);
  egress.setGate([&ownership] { return ownership.persist(); });
  const V5Settings v5 = v5SettingsFrom(config);
  PeerServer server(router, owned, servingOutbox, egress, endings, stores.messages, {v5.maxMsgChunk, v5.splitOrder},
                    clock, ownershipStats);
  peers.setServing({&router, [&server] { server.serve(); }});

  // Password checks beside the loop: a login storm waits for them, the sessions online do not.
  auth::PasswordChecks passwordChecks(static_cast<size_t>(config.integer("auth.check_threads")));
  core::LoginChecks logins(passwordChecks, processor.verifiers(),
                           static_cast<size_t>(config.integer("auth.max_waiting_logins")));
  processor.checkLoginsWith(logins);
  v3Processor.checkLoginsWith(logins);

  Worker worker(std::chrono::milliseconds(config.integer("worker.gateway_refresh_ms")), links, egress,
                stores.registry, processor, v3Processor, ownership, server, logins, stores.history, events,
                stores.events);
  ops::TallyExporter exporter;
  exportStats(processor.stats(), exporter);
  exportV3Stats(v3Processor.stats(), exporter);
  exportOwnershipStats(ownershipStats, exporter);
  exporter.gauge(worker.gatewayLinks(),
                 ops::gaugeFamily("icq_worker_gateway_links", "Gateways a worker is linked to.").Add({}));
  if (!membership.start()) log::warn("worker_membership_pending", {{"id", id}});
  // Ready: Redis and PostgreSQL reachable (main registers those), a gateway to serve and a
  // place in the membership.
  ops::ReadinessCheck ready("gateway_links", [&worker, &membership] {
    if (worker.gatewayLinks().value() == 0) return "no gateway link yet";
    return membership.leaseValid() ? "" : "no membership lease";
  });
  log::info("worker_started", {{"id", id}, {"peer", advertise}});
  worker.run(stop);
  worker.drain(kDrainQuiet);
  logStats(processor.stats());
  return 0;
}

}  // namespace icq::worker
