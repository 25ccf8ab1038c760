// The scheduler loop: each tick, for each job that is due, hold its lease and run one
// slice (Redis's serverCron with run_with_period, spread over replicas by leases).
#pragma once

#include <chrono>
#include <deque>
#include <string>

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>

#include "common/log/log.hpp"
#include "common/store/lease_store.hpp"
#include "common/util/clock.hpp"
#include "common/util/shutdown.hpp"
#include "scheduler/job.hpp"

namespace icq::scheduler {

struct SchedulerSettings {
  std::string holder;  // this replica's identity in leases
  std::chrono::milliseconds tick{1000};
  std::chrono::milliseconds lease{5000};
};

class Scheduler {
public:
  Scheduler(const SchedulerSettings& settings, store::LeaseStore& leases, const util::Clock& clock);

  /// The job must outlive the scheduler.
  void add(Job& job);

  /// One tick: runs every due job whose lease we hold or can take.
  void tick();
  /// Ticks until `stop`, then releases every lease so another replica takes over at once.
  void run(const util::StopToken& stop);

private:
  // A job's series: icq_scheduler_job_duration_seconds, _runs_total{result} and
  // _last_success_timestamp_seconds, labelled with the job's name.
  struct JobMetrics {
    explicit JobMetrics(const std::string& job);
    prometheus::Histogram& duration;
    prometheus::Counter& ok;
    prometheus::Counter& error;
    prometheus::Counter& skipped;  // another replica holds the lease
    prometheus::Gauge& lastSuccess;
  };
  struct Scheduled {
    explicit Scheduled(Job* j) : job(j), metrics(j->name()) {}
    Job* job;
    int64_t nextRunMs = 0;
    bool held = false;
    log::RateLimited failures;
    JobMetrics metrics;
  };
  void runIfDue(Scheduled& scheduled, int64_t nowMs);
  bool runSlice(Scheduled& scheduled, int64_t nowMs);

  SchedulerSettings settings_;
  store::LeaseStore& leases_;
  const util::Clock& clock_;
  std::deque<Scheduled> jobs_;  // a deque: Scheduled is neither copyable nor movable
};

}  // namespace icq::scheduler
