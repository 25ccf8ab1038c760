// scheduler: the session journal's writer; see job_journal.hpp.
#include "scheduler/job_journal.hpp"

namespace icq::scheduler {

JournalJob::JournalJob(const JournalSettings& settings, redis::RedisEventStream& stream, store::JournalStore& journal,
                       std::chrono::milliseconds period)
    : settings_(settings), stream_(stream), journal_(journal), period_(period) {}

bool JournalJob::runSlice(int64_t nowMs) {
  if (!groupReady_) {
    if (!stream_.createGroup(kGroup)) return false;
    groupReady_ = true;
  }
  entries_.clear();
  if (ownPending_) {
    // What this consumer was given and did not acknowledge (a failed write, a restart), until
    // a read finds none left; claimed entries join the same list, so they wait for this too.
    if (!stream_.read(kGroup, settings_.consumer, settings_.batch, true, entries_)) return false;
    if (entries_.empty()) ownPending_ = false;
  }
  if (!ownPending_) {
    if (nowMs - lastClaimMs_ >= settings_.claimEvery.count()) {
      if (!stream_.claimStale(kGroup, settings_.consumer, settings_.claimIdle, settings_.batch, entries_)) return false;
      lastClaimMs_ = nowMs;
    }
    if (!stream_.read(kGroup, settings_.consumer, settings_.batch, false, entries_)) return false;
  }
  return writeAndAcknowledge();
}

bool JournalJob::writeAndAcknowledge() {
  if (entries_.empty()) return true;
  events_.clear();
  for (redis::StreamEntry& entry : entries_)
    if (entry.valid) events_.push_back(std::move(entry.event));
  size_t stored = 0;
  // A failure leaves the entries pending with us; a lost acknowledgement only means they
  // come back, and are stored once.
  if (!journal_.write(events_, stored) || !stream_.acknowledge(kGroup, entries_)) {
    ownPending_ = true;
    return false;
  }
  written_ += stored;
  duplicates_ += events_.size() - stored;
  invalid_ += entries_.size() - events_.size();
  return true;
}

}  // namespace icq::scheduler
