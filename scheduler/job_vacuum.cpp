// scheduler: database maintenance; see job_vacuum.hpp. A VACUUM can take minutes, so a slice
// never waits for one (common/pg/maintenance_impl.cpp): it either starts the next table's
// or looks whether the running one has ended — a slice costs no round trip while it runs.
// A table whose vacuum fails is left for the next pass; one that cannot be started is tried
// again at the next tick. If the lease moves while a vacuum runs, it finishes on its own and
// the new holder's pass may vacuum the same table after it: wasted work, never harm.
#include "scheduler/job_vacuum.hpp"

#include "common/log/log.hpp"

namespace icq::scheduler {

VacuumJob::VacuumJob(store::Maintenance& maintenance, std::chrono::milliseconds interval,
                     std::chrono::milliseconds period)
    : maintenance_(maintenance), period_(period), schedule_(interval) {}

bool VacuumJob::runSlice(int64_t nowMs) {
  if (!schedule_.due(nowMs)) return true;
  const store::BusyTable table = store::kBusyTables[next_];
  if (!running_) return running_ = maintenance_.startVacuum(table);

  bool done = false;
  const bool succeeded = maintenance_.vacuumDone(done);
  if (succeeded && !done) return true;  // still running
  running_ = false;
  if (succeeded) {
    vacuumed_++;
    log::debug("table_vacuumed", {{"table", store::busyTableName(table)}});
  }
  if (++next_ == store::kBusyTables.size()) {
    next_ = 0;
    schedule_.finish();
  }
  return succeeded;
}

}  // namespace icq::scheduler
