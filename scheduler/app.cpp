// Scheduler assembly; see app.hpp.
#include "scheduler/app.hpp"


#include "common/log/log.hpp"
#include "common/ops/tally_exporter.hpp"
#include "common/pipeline/peer_links.hpp"
#include "scheduler/job_expire_sessions.hpp"
#include "scheduler/job_follow_membership.hpp"
#include "scheduler/job_fragment_cleanup.hpp"
#include "scheduler/job_journal.hpp"
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

  // The scheduler acts on sessions only through their owners: links to every worker of the
  // membership view, over which its timeouts travel as nudges.
  pipeline::PeerLinks owners(context, settings.holder,
                             std::chrono::milliseconds(config.integer("worker.peer_timeout_ms")));
  FollowMembershipJob followMembership(owners, stores.membership, settings.tick);
  ExpireSessionsJob expireSessions(stores.sessions, owners, std::chrono::seconds(config.integer("v5.session_ttl_s")),
                                   std::chrono::seconds(config.integer("v3.session_ttl_s")), settings.tick,
                                   static_cast<size_t>(config.integer("scheduler.expire_batch")));
  RetransmitSettings retransmitSettings;
  retransmitSettings.claim = std::chrono::milliseconds(config.integer("scheduler.retransmit_claim_ms"));
  retransmitSettings.batch = static_cast<size_t>(config.integer("scheduler.retransmit_batch"));
  RetransmitJob retransmit(retransmitSettings, stores.retransmits, owners, settings.tick);
  PurgeSettings purgeSettings;
  purgeSettings.interval = std::chrono::seconds(config.integer("scheduler.purge_interval_s"));
  purgeSettings.messageRetention = std::chrono::days(config.integer("retention.offline_messages_days"));
  purgeSettings.auditRetention = std::chrono::days(config.integer("retention.audit_days"));
  purgeSettings.journalRetention = std::chrono::days(config.integer("retention.journal_days"));
  purgeSettings.batch = static_cast<size_t>(config.integer("scheduler.purge_batch"));
  PurgeJob purge(purgeSettings, stores.messages, stores.users, stores.journal, settings.tick);
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
  JournalSettings journalSettings;
  journalSettings.consumer = settings.holder;
  journalSettings.batch = static_cast<size_t>(config.integer("journal.batch"));
  journalSettings.claimIdle = std::chrono::seconds(config.integer("journal.claim_idle_s"));
  JournalJob journal(journalSettings, stores.events, stores.journal, settings.tick);
  Scheduler scheduler(settings, stores.leases, clock);
  scheduler.add(followMembership);
  scheduler.add(expireSessions);
  scheduler.add(retransmit);
  scheduler.add(purge);
  scheduler.add(vacuum);
  scheduler.add(validateSessions);
  scheduler.add(fragmentCleanup);
  scheduler.add(journal);
  ops::TallyExporter exporter;
  auto& nudges = ops::counterFamily("icq_scheduler_nudges_total",
                                    "Sessions a scheduler asked their owner to look at, by timeout.");
  exporter.counter([&expireSessions] { return expireSessions.nudgedTotal(); }, nudges.Add({{"kind", "expire"}}));
  exporter.counter([&retransmit] { return retransmit.nudgedTotal(); }, nudges.Add({{"kind", "retransmit"}}));
  auto& journaled = ops::counterFamily("icq_journal_events_total",
                                       "Events the journal writer read from the event stream, by outcome: stored, "
                                       "duplicate (stored before, delivered again) or invalid (not an event).");
  exporter.counter([&journal] { return journal.writtenTotal(); }, journaled.Add({{"outcome", "stored"}}));
  exporter.counter([&journal] { return journal.duplicatesTotal(); }, journaled.Add({{"outcome", "duplicate"}}));
  exporter.counter([&journal] { return journal.invalidTotal(); }, journaled.Add({{"outcome", "invalid"}}));
  log::info("scheduler_started", {{"id", settings.holder}});
  scheduler.run(stop);
  log::info("scheduler_stopped", {{"expiry_nudges", expireSessions.nudgedTotal()},
                                  {"retransmit_nudges", retransmit.nudgedTotal()},
                                  {"offline_messages_purged", purge.messagesPurgedTotal()},
                                  {"audit_entries_purged", purge.auditPurgedTotal()},
                                  {"journal_rows_purged", purge.journalPurgedTotal()},
                                  {"tables_vacuumed", vacuum.vacuumedTotal()},
                                  {"online_index_entries_removed", validateSessions.danglingRemovedTotal()},
                                  {"v3_fragments_deleted", fragmentCleanup.deletedTotal()},
                                  {"journal_events_stored", journal.writtenTotal()}});
  return 0;
}

}  // namespace icq::scheduler
