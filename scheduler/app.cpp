// Scheduler assembly; see app.hpp.
#include "scheduler/app.hpp"

#include <random>

#include "common/codec/v5/packet.hpp"
#include "common/log/log.hpp"
#include "common/ops/tally_exporter.hpp"
#include "common/pipeline/egress.hpp"
#include "common/pipeline/gateway_links.hpp"
#include "common/pipeline/outbox.hpp"
#include "scheduler/job_expire_sessions.hpp"
#include "scheduler/job_follow_gateways.hpp"
#include "scheduler/job_fragment_cleanup.hpp"
#include "scheduler/job_purge.hpp"
#include "scheduler/job_retransmit.hpp"
#include "scheduler/job_vacuum.hpp"
#include "scheduler/job_validate_sessions.hpp"
#include "scheduler/scheduler.hpp"

namespace icq::scheduler {

int runScheduler(const config::Config& config, zmq::context_t& context, const SchedulerStores& stores,
                 const util::Clock& clock, const util::StopToken& stop) {
  SchedulerSettings settings;
  settings.holder = config.string("scheduler.id");
  settings.tick = std::chrono::milliseconds(config.integer("scheduler.tick_ms"));
  settings.lease = std::chrono::milliseconds(config.integer("scheduler.lease_ms"));

  // A scheduler only sends through gateways: credit window 0, no hand-outs come its way.
  pipeline::GatewayLinks links(context, settings.holder, 0);
  pipeline::Egress egress(links);
  codec::v5::CheckcodeRng rng(std::random_device{}());
  pipeline::Outbox outbox(stores.sessions, egress, rng);

  FollowGatewaysJob followGateways(links, stores.registry,
                                   std::chrono::milliseconds(config.integer("worker.gateway_refresh_ms")));
  ExpireSessionsJob expireSessions(stores.sessions, stores.presence, stores.users, outbox, egress,
                                   std::chrono::seconds(config.integer("v5.session_ttl_s")),
                                   std::chrono::seconds(config.integer("v3.session_ttl_s")), settings.tick,
                                   static_cast<size_t>(config.integer("scheduler.expire_batch")));
  RetransmitSettings retransmitSettings;
  retransmitSettings.timeout = std::chrono::seconds(config.integer("v5.retransmit_timeout_s"));
  retransmitSettings.retries = static_cast<uint32_t>(config.integer("v5.retransmit_retries"));
  retransmitSettings.claim = std::chrono::milliseconds(config.integer("scheduler.retransmit_claim_ms"));
  retransmitSettings.batch = static_cast<size_t>(config.integer("scheduler.retransmit_batch"));
  RetransmitJob retransmit(retransmitSettings,
                           {stores.retransmits, stores.sessions, stores.presence, stores.messages, stores.users},
                           outbox, egress, rng, settings.tick);
  PurgeSettings purgeSettings;
  purgeSettings.interval = std::chrono::seconds(config.integer("scheduler.purge_interval_s"));
  purgeSettings.messageRetention = std::chrono::days(config.integer("retention.offline_messages_days"));
  purgeSettings.auditRetention = std::chrono::days(config.integer("retention.audit_days"));
  purgeSettings.batch = static_cast<size_t>(config.integer("scheduler.purge_batch"));
  PurgeJob purge(purgeSettings, stores.messages, stores.users, settings.tick);
  VacuumJob vacuum(stores.maintenance, std::chrono::seconds(config.integer("scheduler.vacuum_interval_s")),
                   settings.tick);
  ValidateSessionsJob validateSessions(stores.sessions, stores.registry,
                                       std::chrono::seconds(config.integer("scheduler.validate_interval_s")),
                                       static_cast<size_t>(config.integer("scheduler.validate_batch")), settings.tick);
  FragmentCleanupSettings fragmentSettings;
  fragmentSettings.interval = std::chrono::seconds(config.integer("scheduler.fragment_cleanup_interval_s"));
  fragmentSettings.maxAge = std::chrono::seconds(config.integer("v3.fragment_max_age_s"));
  fragmentSettings.batch = static_cast<size_t>(config.integer("scheduler.fragment_cleanup_batch"));
  FragmentCleanupJob fragmentCleanup(fragmentSettings, stores.fragments, settings.tick);
  Scheduler scheduler(settings, stores.leases, clock);
  scheduler.add(followGateways);
  scheduler.add(expireSessions);
  scheduler.add(retransmit);
  scheduler.add(purge);
  scheduler.add(vacuum);
  scheduler.add(validateSessions);
  scheduler.add(fragmentCleanup);
  ops::TallyExporter exporter;
  exporter.counter([&retransmit] { return retransmit.resentTotal(); },
                   ops::counterFamily("icq_retransmits_total", "Unconfirmed server packets resent by this scheduler.")
                       .Add({}));
  exporter.counter([&retransmit] { return retransmit.giveUpsTotal(); },
                   ops::counterFamily("icq_retransmit_giveups_total",
                                      "Sessions ended because a server packet stayed unconfirmed after every retry.")
                       .Add({}));
  exporter.counter([&expireSessions] { return expireSessions.expiredTotal(); },
                   ops::counterFamily("icq_sessions_expired_total", "Sessions ended by keep-alive expiry.").Add({}));
  log::info("scheduler_started", {{"id", settings.holder}});
  scheduler.run(stop);
  log::info("scheduler_stopped", {{"sessions_expired", expireSessions.expiredTotal()},
                                  {"packets_resent", retransmit.resentTotal()},
                                  {"retransmit_give_ups", retransmit.giveUpsTotal()},
                                  {"offline_messages_purged", purge.messagesPurgedTotal()},
                                  {"audit_entries_purged", purge.auditPurgedTotal()},
                                  {"tables_vacuumed", vacuum.vacuumedTotal()},
                                  {"online_index_entries_removed", validateSessions.danglingRemovedTotal()},
                                  {"v3_fragments_deleted", fragmentCleanup.deletedTotal()}});
  return 0;
}

}  // namespace icq::scheduler
