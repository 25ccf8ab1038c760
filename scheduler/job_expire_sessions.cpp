// scheduler: keep-alive expiry; see job_expire_sessions.hpp. The store removes each
// stale session atomically and hands it to exactly one caller, so with several
// replicas (or a lease that changed hands mid-slice) every expiry is acted on once.
#include "scheduler/job_expire_sessions.hpp"

#include "common/log/log.hpp"

namespace icq::scheduler {

ExpireSessionsJob::ExpireSessionsJob(store::SessionStore& sessions, store::UserStore& users,
                                     std::chrono::milliseconds sessionTtl, std::chrono::milliseconds period,
                                     size_t batch)
    : sessions_(sessions), users_(users), sessionTtl_(sessionTtl), period_(period), batch_(batch) {}

bool ExpireSessionsJob::runSlice(int64_t nowMs) {
  expired_.clear();
  if (!sessions_.expireStale(nowMs - sessionTtl_.count(), batch_, expired_)) return false;
  for (const store::Session& session : expired_) {
    // Watchers' SRV_USER_OFFLINE (§10.4) joins here with the presence engine.
    users_.audit(session.uin, store::AuditEvent::expired, session.gateway);
  }
  expiredTotal_ += expired_.size();
  if (!expired_.empty()) log::debug("sessions_expired", {{"count", expired_.size()}});
  return true;
}

}  // namespace icq::scheduler
