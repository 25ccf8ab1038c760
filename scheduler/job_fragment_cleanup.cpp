// scheduler: stale V3 fragments; see job_fragment_cleanup.hpp. A pass deletes batches,
// oldest first, until one comes back short; its cutoff is fixed when it starts, so the pass
// ends however fast fragments age meanwhile. A batch that fails is tried again next tick.
#include "scheduler/job_fragment_cleanup.hpp"

#include "common/log/log.hpp"

namespace icq::scheduler {

FragmentCleanupJob::FragmentCleanupJob(const FragmentCleanupSettings& settings, store::FragmentStore& fragments,
                                       std::chrono::milliseconds period)
    : settings_(settings), fragments_(fragments), period_(period), schedule_(settings.interval) {}

bool FragmentCleanupJob::runSlice(int64_t nowMs) {
  if (!schedule_.due(nowMs)) return true;
  size_t deleted = 0;
  if (!fragments_.purgeReceivedBefore(schedule_.startedMs() - settings_.maxAge.count(), settings_.batch, deleted))
    return false;
  deleted_ += deleted;
  if (deleted == settings_.batch) return true;  // a full batch: there may be more
  schedule_.finish();
  if (deleted > 0) log::debug("fragment_cleanup_pass_done", {{"deleted_total", deleted_}});
  return true;
}

}  // namespace icq::scheduler
