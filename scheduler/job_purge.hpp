// Job "purge": retention in the system of record. Offline messages stored more than
// retention.offline_messages_days ago, audit entries older than retention.audit_days and the
// session journal's events and ended sessions older than retention.journal_days are deleted
// (0 days: kept forever), one pass every scheduler.purge_interval_s, at most
// scheduler.purge_batch rows per table per tick.
#pragma once

#include <chrono>

#include "common/store/journal_store.hpp"
#include "common/store/message_store.hpp"
#include "common/store/user_store.hpp"
#include "scheduler/job.hpp"
#include "scheduler/pass_schedule.hpp"

namespace icq::scheduler {

struct PurgeSettings {
  std::chrono::milliseconds interval{std::chrono::hours(1)};  // scheduler.purge_interval_s
  std::chrono::days messageRetention{180};                    // retention.offline_messages_days; 0 = forever
  std::chrono::days auditRetention{90};                       // retention.audit_days; 0 = forever
  std::chrono::days journalRetention{90};                     // retention.journal_days; 0 = forever
  size_t batch = 1000;                                        // scheduler.purge_batch
};

class PurgeJob final : public Job {
public:
  /// `period`: how often the scheduler offers the job a slice (its tick).
  PurgeJob(const PurgeSettings& settings, store::MessageStore& messages, store::UserStore& users,
           store::JournalStore& journal, std::chrono::milliseconds period);

  const std::string& name() const override { return name_; }
  std::chrono::milliseconds period() const override { return period_; }
  bool runSlice(int64_t nowMs) override;

  uint64_t messagesPurgedTotal() const { return messagesPurged_; }
  uint64_t auditPurgedTotal() const { return auditPurged_; }
  uint64_t journalPurgedTotal() const { return journalPurged_; }  // events and sessions

private:
  /// Every table's pass starts again, except those kept forever.
  void startPass();
  template <class Purge>
  bool purgeBatch(std::chrono::days retention, bool& left, uint64_t& total, Purge&& purge);

  std::string name_ = "purge";
  PurgeSettings settings_;
  store::MessageStore& messages_;
  store::UserStore& users_;
  store::JournalStore& journal_;
  std::chrono::milliseconds period_;
  PassSchedule schedule_;
  // Whether the pass under way may still find rows of each table past retention.
  bool messagesLeft_;
  bool auditLeft_;
  bool journalLeft_;
  uint64_t messagesPurged_ = 0;
  uint64_t auditPurged_ = 0;
  uint64_t journalPurged_ = 0;
};

}  // namespace icq::scheduler
