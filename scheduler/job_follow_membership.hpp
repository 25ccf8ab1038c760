// Job "follow_membership": keeps this scheduler replica linked to every worker that owns
// sessions, by the current membership view, so that its timeouts (expiry and retransmit
// nudges) reach each session's owner. Not leased: every replica needs its own links.
#pragma once

#include <chrono>

#include "common/pipeline/peer_links.hpp"
#include "common/store/membership.hpp"
#include "scheduler/job.hpp"

namespace icq::scheduler {

class FollowMembershipJob final : public Job {
public:
  FollowMembershipJob(pipeline::PeerLinks& owners, store::Membership& membership, std::chrono::milliseconds period)
      : owners_(owners), membership_(membership), period_(period) {}

  const std::string& name() const override { return name_; }
  std::chrono::milliseconds period() const override { return period_; }
  bool leased() const override { return false; }
  bool runSlice(int64_t) override {
    // Keep the links we have when the view cannot be read: workers do not vanish because
    // Redis blinked.
    if (!membership_.view(view_)) return false;
    if (view_.epoch != owners_.owners().epoch()) owners_.follow(view_);
    return true;
  }

private:
  std::string name_ = "follow_membership";
  pipeline::PeerLinks& owners_;
  store::Membership& membership_;
  std::chrono::milliseconds period_;
  store::MembershipView view_;
};

}  // namespace icq::scheduler
