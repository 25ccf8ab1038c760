// Job "fragment_cleanup": V3 client fragments whose packet never completed (protocol-v3.md
// §4.5, §4.6). Fragments received more than v3.fragment_max_age_s ago (550 s: ten ping
// periods) are deleted, one pass every scheduler.fragment_cleanup_interval_s — every few
// minutes, not IServerd's twelve hours, so an abandoned set does not linger — at most
// scheduler.fragment_cleanup_batch rows per tick. Login and logoff drop a user's fragments
// themselves; this catches the rest (expiry, a client that gave up half-way).
#pragma once

#include <chrono>

#include "common/store/fragment_store.hpp"
#include "scheduler/job.hpp"
#include "scheduler/pass_schedule.hpp"

namespace icq::scheduler {

struct FragmentCleanupSettings {
  std::chrono::milliseconds interval{std::chrono::minutes(1)};  // scheduler.fragment_cleanup_interval_s
  std::chrono::milliseconds maxAge{std::chrono::seconds(550)};  // v3.fragment_max_age_s
  size_t batch = 1000;                                          // scheduler.fragment_cleanup_batch
};

class FragmentCleanupJob final : public Job {
public:
  /// `period`: how often the scheduler offers the job a slice (its tick).
  FragmentCleanupJob(const FragmentCleanupSettings& settings, store::FragmentStore& fragments,
                     std::chrono::milliseconds period);

  const std::string& name() const override { return name_; }
  std::chrono::milliseconds period() const override { return period_; }
  bool runSlice(int64_t nowMs) override;

  uint64_t deletedTotal() const { return deleted_; }

private:
  std::string name_ = "fragment_cleanup";
  FragmentCleanupSettings settings_;
  store::FragmentStore& fragments_;
  std::chrono::milliseconds period_;
  PassSchedule schedule_;
  uint64_t deleted_ = 0;
};

}  // namespace icq::scheduler
