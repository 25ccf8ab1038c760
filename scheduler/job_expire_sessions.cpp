// scheduler: keep-alive expiry by asking the owners; see job_expire_sessions.hpp.
#include "scheduler/job_expire_sessions.hpp"

#include <algorithm>

namespace icq::scheduler {

ExpireSessionsJob::ExpireSessionsJob(store::SessionDirectory& sessions, pipeline::PeerLinks& owners,
                                     std::chrono::milliseconds sessionTtl, std::chrono::milliseconds v3SessionTtl,
                                     std::chrono::milliseconds period, size_t batch)
    : sessions_(sessions),
      owners_(owners),
      sessionTtl_(sessionTtl),
      v3SessionTtl_(v3SessionTtl),
      period_(period),
      batch_(batch) {}

bool ExpireSessionsJob::runSlice(int64_t nowMs) {
  const int64_t v5Cutoff = nowMs - sessionTtl_.count(), v3Cutoff = nowMs - v3SessionTtl_.count();
  if (!sessions_.staleCandidates(std::max(v5Cutoff, v3Cutoff), batch_, candidates_)) return false;
  for (const store::IndexEntry& entry : candidates_)
    owners_.nudge({envelope::NudgeKind::expire, entry.uin, v5Cutoff, v3Cutoff, entry.scoreMs});
  owners_.flushOneWay();
  nudgedTotal_ += candidates_.size();
  return true;
}

}  // namespace icq::scheduler
