// Job "validate_sessions": validation of the online cache after gateway loss. One walk over
// the online index every scheduler.validate_interval_s, about scheduler.validate_batch
// entries per tick: counts the sessions homed on a gateway that is no longer registered
// (they re-home on their client's next packet; nothing is done to them) and removes index
// entries that stand for no session. The reasons open job_validate_sessions.cpp.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "common/store/gateway_registry.hpp"
#include "common/store/session_directory.hpp"
#include "scheduler/job.hpp"
#include "scheduler/pass_schedule.hpp"

namespace icq::scheduler {

class ValidateSessionsJob final : public Job {
public:
  /// `period`: how often the scheduler offers the job a slice (its tick).
  ValidateSessionsJob(store::SessionDirectory& sessions, store::GatewayRegistry& registry,
                      std::chrono::milliseconds interval, size_t batch, std::chrono::milliseconds period);

  const std::string& name() const override { return name_; }
  std::chrono::milliseconds period() const override { return period_; }
  bool runSlice(int64_t nowMs) override;

  /// Sessions homed on an unregistered gateway, as the last complete walk counted them.
  uint64_t unroutableLastWalk() const { return unroutableLastWalk_; }
  /// Index entries removed because their session was gone.
  uint64_t danglingRemovedTotal() const { return danglingRemoved_; }
  uint64_t walksTotal() const { return walks_; }

private:
  bool registered(const std::string& gateway) const;
  void finishWalk();

  std::string name_ = "validate_sessions";
  store::SessionDirectory& sessions_;
  store::GatewayRegistry& registry_;
  size_t batch_;
  std::chrono::milliseconds period_;
  PassSchedule schedule_;
  uint64_t cursor_ = 0;  // the walk's place in the index; 0 between walks
  std::vector<store::GatewayRecord> gateways_;
  std::vector<store::SessionHome> homes_;
  // The walk under way: unroutable sessions and the gateways they name.
  uint64_t unroutable_ = 0;
  std::vector<std::string> lostGateways_;
  uint64_t unroutableLastWalk_ = 0;
  uint64_t danglingRemoved_ = 0;
  uint64_t walks_ = 0;
};

}  // namespace icq::scheduler
