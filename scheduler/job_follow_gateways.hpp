// Job "follow_gateways": keeps this scheduler replica connected to every registered
// gateway, so the notifications its jobs produce (offline presence at expiry,
// retransmissions) leave through the gateway that owns each client. Not leased: every
// replica needs its own connections.
#pragma once

#include <chrono>
#include <vector>

#include "common/pipeline/gateway_links.hpp"
#include "common/store/gateway_registry.hpp"
#include "scheduler/job.hpp"

namespace icq::scheduler {

class FollowGatewaysJob final : public Job {
public:
  FollowGatewaysJob(pipeline::GatewayLinks& links, store::GatewayRegistry& registry, std::chrono::milliseconds period)
      : links_(links), registry_(registry), period_(period) {}

  const std::string& name() const override { return name_; }
  std::chrono::milliseconds period() const override { return period_; }
  bool leased() const override { return false; }
  bool runSlice(int64_t) override {
    // Keep the links we have when the registry cannot be read: gateways do not vanish
    // because Redis blinked.
    if (!registry_.list(records_)) return false;
    links_.follow(records_);
    return true;
  }

private:
  std::string name_ = "follow_gateways";
  pipeline::GatewayLinks& links_;
  store::GatewayRegistry& registry_;
  std::chrono::milliseconds period_;
  std::vector<store::GatewayRecord> records_;
};

}  // namespace icq::scheduler
