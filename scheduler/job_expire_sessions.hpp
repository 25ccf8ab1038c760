// Job "expire_sessions": keep-alive expiry (protocol-v5.md §4.6, protocol-v3.md §3.8). A
// session that sent no packet for v5.session_ttl_s (v3.session_ttl_s for V3) goes offline and its watchers are told (§10.4); nothing is
// sent to the client itself (its next packet gets SRV_NOT_CONNECTED and it logs in again).
#pragma once

#include <chrono>
#include <vector>

#include "common/ops/tally.hpp"
#include "common/pipeline/outbox.hpp"
#include "common/store/presence_store.hpp"
#include "common/store/session_store.hpp"
#include "common/store/user_store.hpp"
#include "scheduler/job.hpp"

namespace icq::scheduler {

class ExpireSessionsJob final : public Job {
public:
  ExpireSessionsJob(store::SessionStore& sessions, store::PresenceStore& presence, store::UserStore& users,
                    pipeline::Outbox& outbox, pipeline::Egress& egress, std::chrono::milliseconds sessionTtl,
                    std::chrono::milliseconds v3SessionTtl, std::chrono::milliseconds period, size_t batch);

  const std::string& name() const override { return name_; }
  std::chrono::milliseconds period() const override { return period_; }
  bool runSlice(int64_t nowMs) override;

  uint64_t expiredTotal() const { return expiredTotal_; }

private:
  std::string name_ = "expire_sessions";
  store::SessionStore& sessions_;
  store::PresenceStore& presence_;
  store::UserStore& users_;
  pipeline::Outbox& outbox_;
  pipeline::Egress& egress_;
  std::chrono::milliseconds sessionTtl_;
  std::chrono::milliseconds v3SessionTtl_;
  std::chrono::milliseconds period_;
  size_t batch_;
  std::vector<store::Session> expired_;
  ops::Tally expiredTotal_;  // read by the admin port's scrape
};

}  // namespace icq::scheduler
