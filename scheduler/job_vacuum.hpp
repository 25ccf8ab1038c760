// Job "vacuum": VACUUM (ANALYZE) of the busy tables (store::kBusyTables), one pass every
// scheduler.vacuum_interval_s, a table at a time. Autovacuum may well keep up on its own;
// this pass bounds how stale the dead rows of a purge and the planner's statistics can get.
#pragma once

#include <chrono>

#include "common/store/maintenance.hpp"
#include "scheduler/job.hpp"
#include "scheduler/pass_schedule.hpp"

namespace icq::scheduler {

class VacuumJob final : public Job {
public:
  /// `period`: how often the scheduler offers the job a slice (its tick).
  VacuumJob(store::Maintenance& maintenance, std::chrono::milliseconds interval, std::chrono::milliseconds period);

  const std::string& name() const override { return name_; }
  std::chrono::milliseconds period() const override { return period_; }
  bool runSlice(int64_t nowMs) override;

  /// Tables vacuumed to the end without an error.
  uint64_t vacuumedTotal() const { return vacuumed_; }

private:
  std::string name_ = "vacuum";
  store::Maintenance& maintenance_;
  std::chrono::milliseconds period_;
  PassSchedule schedule_;
  size_t next_ = 0;       // index in kBusyTables of the table to start next, or of the one running
  bool running_ = false;  // a vacuum of kBusyTables[next_] was started and has not ended
  uint64_t vacuumed_ = 0;
};

}  // namespace icq::scheduler
