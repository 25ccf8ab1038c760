// Job "expire_sessions": keep-alive expiry (protocol-v5.md §4.6, protocol-v3.md §3.8). Every
// tick it reads the expiry index's entries that may be due and asks each session's owner to
// look (an expire nudge, ARCHITECTURE.md "Ownership"): the owner knows the session's last
// packet exactly, ends it if that is v5.session_ttl_s (v3.session_ttl_s for V3) old — its
// watchers are told (§10.4), its unconfirmed messages kept offline, nothing sent to the client
// — or re-scores its entry. The job writes nothing itself, so replicas need no coordination
// beyond the lease; an owner that is down is asked again once the view has moved its UINs.
#pragma once

#include <chrono>
#include <vector>

#include "common/ops/tally.hpp"
#include "common/pipeline/peer_links.hpp"
#include "common/store/session_directory.hpp"
#include "scheduler/job.hpp"

namespace icq::scheduler {

class ExpireSessionsJob final : public Job {
public:
  ExpireSessionsJob(store::SessionDirectory& sessions, pipeline::PeerLinks& owners, std::chrono::milliseconds sessionTtl,
                    std::chrono::milliseconds v3SessionTtl, std::chrono::milliseconds period, size_t batch);

  const std::string& name() const override { return name_; }
  std::chrono::milliseconds period() const override { return period_; }
  bool runSlice(int64_t nowMs) override;
  uint64_t nudgedTotal() const { return nudgedTotal_; }

private:
  std::string name_ = "expire_sessions";
  store::SessionDirectory& sessions_;
  pipeline::PeerLinks& owners_;
  std::chrono::milliseconds sessionTtl_;
  std::chrono::milliseconds v3SessionTtl_;
  std::chrono::milliseconds period_;
  size_t batch_;
  std::vector<store::IndexEntry> candidates_;
  ops::Tally nudgedTotal_;  // read by the admin port's scrape
};

}  // namespace icq::scheduler
