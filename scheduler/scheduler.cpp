// scheduler: the loop. Per tick, for every job whose period has come: take (or extend)
// its lease; if we hold it, run one slice. A replica that loses a lease (another holds
// it, or Redis is unreachable) simply skips the job until it can hold it again.
#include "scheduler/scheduler.hpp"

#include <thread>

#include "common/ops/health.hpp"
#include "common/ops/metrics.hpp"

namespace icq::scheduler {
namespace {

prometheus::Family<prometheus::Counter>& runs() {
  return ops::counterFamily("icq_scheduler_job_runs_total",
                            "Due runs of a scheduler job, by result (skipped: another replica holds its lease).");
}

}  // namespace

void Scheduler::tick() {
  int64_t now = clock_.nowMs();
  for (Scheduled& scheduled : jobs_) runIfDue(scheduled, now);
}

void Scheduler::run(const util::StopToken& stop) {
  ops::Heartbeat heartbeat("scheduler", ops::kLoopStaleAfter);  // /healthz: this loop turns
  while (!stop.stopRequested()) {
    heartbeat.beat();
    auto next = std::chrono::steady_clock::now() + settings_.tick;
    tick();
    // Sleep in short steps so a stop request is honoured within ~50 ms.
    while (!stop.stopRequested() && std::chrono::steady_clock::now() < next)
      std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(next - std::chrono::steady_clock::now(),
                                                                                std::chrono::milliseconds(50)));
  }
  for (Scheduled& scheduled : jobs_)
    if (scheduled.held) leases_.release(scheduled.job->name(), settings_.holder);
}

Scheduler::Scheduler(const SchedulerSettings& settings, store::LeaseStore& leases, const util::Clock& clock)
    : settings_(settings), leases_(leases), clock_(clock) {}

void Scheduler::add(Job& job) { jobs_.emplace_back(&job); }

void Scheduler::runIfDue(Scheduled& scheduled, int64_t nowMs) {
  if (nowMs < scheduled.nextRunMs) return;
  Job& job = *scheduled.job;
  scheduled.nextRunMs = nowMs + job.period().count();
  if (!job.leased()) {
    if (!runSlice(scheduled, nowMs)) scheduled.failures.warn("job_store_unreachable", {{"job", job.name()}});
    return;
  }
  bool held = false;
  if (!leases_.acquire(job.name(), settings_.holder, settings_.lease, held)) {
    scheduled.failures.warn("lease_unreachable", {{"job", job.name()}});
    held = false;
  }
  if (held != scheduled.held)
    log::info(held ? "lease_won" : "lease_lost", {{"job", job.name()}, {"holder", settings_.holder}});
  scheduled.held = held;
  if (!held) {
    scheduled.metrics.skipped.Increment();
    return;
  }
  if (!runSlice(scheduled, nowMs)) scheduled.failures.warn("job_store_unreachable", {{"job", job.name()}});
}

bool Scheduler::runSlice(Scheduled& scheduled, int64_t nowMs) {
  auto started = std::chrono::steady_clock::now();
  bool ok = scheduled.job->runSlice(nowMs);
  scheduled.metrics.duration.Observe(ops::secondsBetween(started, std::chrono::steady_clock::now()));
  (ok ? scheduled.metrics.ok : scheduled.metrics.error).Increment();
  if (ok) scheduled.metrics.lastSuccess.SetToCurrentTime();
  return ok;
}

Scheduler::JobMetrics::JobMetrics(const std::string& job)
    : duration(ops::histogramFamily("icq_scheduler_job_duration_seconds", "Time one slice of a scheduler job takes.")
                   .Add({{"job", job}}, ops::callBuckets())),
      ok(runs().Add({{"job", job}, {"result", "ok"}})),
      error(runs().Add({{"job", job}, {"result", "error"}})),
      skipped(runs().Add({{"job", job}, {"result", "skipped"}})),
      lastSuccess(ops::gaugeFamily("icq_scheduler_job_last_success_timestamp_seconds",
                                   "Unix time of the last slice of a job that ran without a store failure.")
                      .Add({{"job", job}})) {}

}  // namespace icq::scheduler
