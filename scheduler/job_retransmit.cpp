// scheduler: overdue retransmissions handed to their owners; see job_retransmit.hpp.
#include "scheduler/job_retransmit.hpp"

namespace icq::scheduler {

RetransmitJob::RetransmitJob(const RetransmitSettings& settings, store::RetransmitQueue& queue,
                             pipeline::PeerLinks& owners, std::chrono::milliseconds period)
    : settings_(settings), queue_(queue), owners_(owners), period_(period) {}

bool RetransmitJob::runSlice(int64_t nowMs) {
  if (!queue_.claimOverdue(nowMs, settings_.batch, nowMs + settings_.claim.count(), due_)) return false;
  for (const store::IndexEntry& entry : due_)
    owners_.nudge({envelope::NudgeKind::retransmit, entry.uin, entry.scoreMs, 0, 0});
  owners_.flushOneWay();
  nudgedTotal_ += due_.size();
  return true;
}

}  // namespace icq::scheduler
