// scheduler: keep-alive expiry; see job_expire_sessions.hpp. The store removes each
// stale session atomically and hands it to exactly one caller, so with several
// replicas (or a lease that changed hands mid-slice) every expiry is acted on once.
#include "scheduler/job_expire_sessions.hpp"

#include "common/log/log.hpp"
#include "common/presence/presence.hpp"

namespace icq::scheduler {

ExpireSessionsJob::ExpireSessionsJob(store::SessionStore& sessions, store::PresenceStore& presence,
                                     store::UserStore& users, pipeline::Outbox& outbox, pipeline::Egress& egress,
                                     std::chrono::milliseconds sessionTtl, std::chrono::milliseconds v3SessionTtl,
                                     std::chrono::milliseconds period, size_t batch)
    : sessions_(sessions),
      presence_(presence),
      users_(users),
      outbox_(outbox),
      egress_(egress),
      sessionTtl_(sessionTtl),
      v3SessionTtl_(v3SessionTtl),
      period_(period),
      batch_(batch) {}

bool ExpireSessionsJob::runSlice(int64_t nowMs) {
  expired_.clear();
  if (!sessions_.expireStale(nowMs - sessionTtl_.count(), nowMs - v3SessionTtl_.count(), batch_, expired_))
    return false;
  bool reached = true;
  for (const store::Session& session : expired_) {
    reached = presence::depart(presence_, outbox_, session.uin, session.status) && reached;
    users_.audit(session.uin, store::AuditEvent::expired, session.gateway);
  }
  reached = outbox_.flush() && reached;
  egress_.flush();
  expiredTotal_ += expired_.size();
  if (!expired_.empty()) log::debug("sessions_expired", {{"count", expired_.size()}});
  return reached;
}

}  // namespace icq::scheduler
