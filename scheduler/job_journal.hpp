// Job "journal": the session journal's writer. Every scheduler replica is a consumer of the
// event stream's group "journal" (so the job is not leased: the group shares the events
// out); each slice writes what it was given to PostgreSQL and only then acknowledges it.
//
// Nothing lost: an event is acknowledged only after the transaction holding it committed.
// A write that fails (PostgreSQL down) leaves its events pending with this consumer; the
// next slices read this consumer's pending entries again, before anything new, until they
// are written. A replica that dies leaves its pending entries to the others, which claim
// entries idle for journal.claim_idle_s. Nothing written twice: the journal store writes by
// event id, so an event written and then delivered again (the acknowledgement was lost, or
// it was claimed from a slow consumer) is stored once.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "common/redis/event_stream.hpp"
#include "common/store/journal_store.hpp"
#include "scheduler/job.hpp"

namespace icq::scheduler {

struct JournalSettings {
  std::string consumer;                          // this replica's name in the group (scheduler.id)
  size_t batch = 500;                            // journal.batch: entries per shard per slice
  std::chrono::milliseconds claimIdle{30'000};   // journal.claim_idle_s
  std::chrono::milliseconds claimEvery{5'000};   // how often to look for a gone consumer's entries
};

class JournalJob final : public Job {
public:
  static constexpr std::string_view kGroup = redis::kJournalGroup;

  JournalJob(const JournalSettings& settings, redis::RedisEventStream& stream, store::JournalStore& journal,
             std::chrono::milliseconds period);

  const std::string& name() const override { return name_; }
  std::chrono::milliseconds period() const override { return period_; }
  bool leased() const override { return false; }
  bool runSlice(int64_t nowMs) override;

  uint64_t writtenTotal() const { return written_; }        // events stored for the first time
  uint64_t duplicatesTotal() const { return duplicates_; }  // delivered again, already stored
  uint64_t invalidTotal() const { return invalid_; }        // entries that were not events

private:
  bool writeAndAcknowledge();

  std::string name_ = "journal";
  JournalSettings settings_;
  redis::RedisEventStream& stream_;
  store::JournalStore& journal_;
  std::chrono::milliseconds period_;
  bool groupReady_ = false;
  bool ownPending_ = true;  // at start and after a failed write: what we were given comes first
  int64_t lastClaimMs_ = 0;
  std::vector<redis::StreamEntry> entries_;
  std::vector<events::Event> events_;
  uint64_t written_ = 0;
  uint64_t duplicates_ = 0;
  uint64_t invalid_ = 0;
};

}  // namespace icq::scheduler
