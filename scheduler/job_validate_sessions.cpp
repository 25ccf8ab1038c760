// scheduler: validation of the online cache; see job_validate_sessions.hpp.
//
// Gateway loss
// ------------
// A session names the gateway that last heard its client, and every packet the server
// initiates for it (a message, a presence change, a retransmission) leaves through that
// gateway: the client's NAT lets in only what comes from the socket it talks to
// (ARCHITECTURE.md "Routing back to the client"). When a gateway dies, its sessions keep
// naming it until their client's next packet arrives through another gateway, whose session
// check re-homes them (touch). Clients send at least a keep-alive every couple of minutes
// (protocol-v5.md §4.6), so the window is short; inside it, their packets are undeliverable.
//
// What validation does about it: it counts, and changes nothing
// -------------------------------------------------------------
//   * Re-home the sessions to a live gateway? Its socket is not the one the client's NAT
//     knows, so the packets would be dropped all the same; the client's next packet puts
//     the session on the right socket anyway.
//   * End them? Their clients are most likely alive. Ending would tell every watcher they
//     went offline and send every client of the lost gateway through a new login at once —
//     a login storm just when the cluster has lost capacity. A client that really is gone
//     expires like any other, after v5.session_ttl_s (§4.6).
//   * Nothing is lost meanwhile: reliable packets stay unconfirmed in Redis and are resent,
//     through the new gateway once the session re-homed; if the retries run out first, the
//     retransmit job ends the session and keeps every unconfirmed message as an offline
//     message (§4.4 decision).
// So the job reports. At the end of each walk over the online index it logs a warning with
// the number of sessions homed on a gateway that is not registered and those gateways' ids
// (unroutableLastWalk() holds the number). A number that stays up for more than a
// keep-alive interval after a gateway went means clients are not coming back through the
// others: the load balancer, not the cluster, needs looking at.
//
// Index entries that stand for nothing
// ------------------------------------
// icq:online may hold a UIN whose session hash is gone (an end() whose index removal
// failed, a login whose session script failed after its index write). The expiry sweep
// removes such an entry once it is older than the session TTL; the walk, which reads each
// visited session anyway, removes it once it is kLoginGrace old, so ZCARD icq:online — the
// cluster's "online users" (TOOLING.md §4.1) — stops counting it sooner. The removal is the
// sweep's compare-and-delete on the score, so a login that re-adds the UIN wins.
//
// icq:rtx:due is left alone, on purpose. Its entries without a session are dropped by the
// retransmit job within a retransmit timeout already (the claim finds the session gone and
// releases it). And a removal from outside would race with a login: replace() schedules
// the login reply with ZADD LT, which keeps an earlier score already there, so a third
// party's compare-and-delete on that score would take the new session's entry, and its
// login reply would never be resent.
//
// Bounded: a walk is ZSCAN pages of about scheduler.validate_batch entries, one page per
// tick. Its count is approximate: ZSCAN may return an entry twice, and sessions come, go and
// re-home while the walk goes on.
#include "scheduler/job_validate_sessions.hpp"

#include <algorithm>

#include "common/log/log.hpp"

namespace icq::scheduler {
namespace {

// An index entry younger than this is never taken for dangling: a login writes its entry
// and then its session in one round trip, far less than this; it also covers any clock
// skew between the hosts that write the scores and the scheduler that reads them.
constexpr std::chrono::milliseconds kLoginGrace = std::chrono::minutes(1);

}  // namespace

ValidateSessionsJob::ValidateSessionsJob(store::SessionDirectory& sessions, store::GatewayRegistry& registry,
                                         std::chrono::milliseconds interval, size_t batch,
                                         std::chrono::milliseconds period)
    : sessions_(sessions), registry_(registry), batch_(batch), period_(period), schedule_(interval) {}

bool ValidateSessionsJob::runSlice(int64_t nowMs) {
  if (!schedule_.due(nowMs)) return true;
  // Read every slice: a walk outlasts many gateway heartbeats.
  if (!registry_.list(gateways_)) return false;
  size_t removed = 0;
  if (!sessions_.walkOnline(cursor_, batch_, nowMs - kLoginGrace.count(), homes_, removed)) return false;
  danglingRemoved_ += removed;
  for (const store::SessionHome& home : homes_) {
    if (registered(home.gateway)) continue;
    unroutable_++;
    if (std::find(lostGateways_.begin(), lostGateways_.end(), home.gateway) == lostGateways_.end())
      lostGateways_.push_back(home.gateway);
  }
  if (cursor_ == 0) finishWalk();
  return true;
}

bool ValidateSessionsJob::registered(const std::string& gateway) const {
  return std::any_of(gateways_.begin(), gateways_.end(),
                     [&](const store::GatewayRecord& record) { return record.id == gateway; });
}

void ValidateSessionsJob::finishWalk() {
  if (unroutable_ > 0) log::warn("sessions_unroutable", {{"sessions", unroutable_}, {"gateways", lostGateways_}});
  unroutableLastWalk_ = unroutable_;
  unroutable_ = 0;
  lostGateways_.clear();
  walks_++;
  schedule_.finish();
}

}  // namespace icq::scheduler
