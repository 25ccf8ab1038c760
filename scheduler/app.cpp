// Scheduler assembly; see app.hpp.
#include "scheduler/app.hpp"

#include "common/log/log.hpp"
#include "scheduler/job_expire_sessions.hpp"
#include "scheduler/scheduler.hpp"

namespace icq::scheduler {

int runScheduler(const config::Config& config, store::LeaseStore& leases, store::SessionStore& sessions,
                 store::UserStore& users, const util::Clock& clock, const util::StopToken& stop) {
  SchedulerSettings settings;
  settings.holder = config.string("scheduler.id");
  settings.tick = std::chrono::milliseconds(config.integer("scheduler.tick_ms"));
  settings.lease = std::chrono::milliseconds(config.integer("scheduler.lease_ms"));

  ExpireSessionsJob expireSessions(sessions, users, std::chrono::seconds(config.integer("v5.session_ttl_s")),
                                   settings.tick, static_cast<size_t>(config.integer("scheduler.expire_batch")));
  Scheduler scheduler(settings, leases, clock);
  scheduler.add(expireSessions);
  log::info("scheduler_started", {{"id", settings.holder}});
  scheduler.run(stop);
  log::info("scheduler_stopped", {{"sessions_expired", expireSessions.expiredTotal()}});
  return 0;
}

}  // namespace icq::scheduler
