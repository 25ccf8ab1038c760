// scheduler: retention; see job_purge.hpp. Each table is purged in batches, oldest rows
// first, until a batch comes back short; the cutoff is fixed when the pass starts, so a
// pass ends however fast new rows age past retention while it runs. A batch that fails is
// tried again at the next tick. Undelivered offline messages go too: their recipient has not
// logged in for the whole retention period (docs/DECISIONS.md "Retention, vacuum and gateway
// loss").
#include "scheduler/job_purge.hpp"

#include "common/log/log.hpp"

namespace icq::scheduler {

PurgeJob::PurgeJob(const PurgeSettings& settings, store::MessageStore& messages, store::UserStore& users,
                   store::JournalStore& journal, std::chrono::milliseconds period)
    : settings_(settings),
      messages_(messages),
      users_(users),
      journal_(journal),
      period_(period),
      schedule_(settings.interval) {
  startPass();
}

void PurgeJob::startPass() {
  messagesLeft_ = settings_.messageRetention.count() > 0;
  auditLeft_ = settings_.auditRetention.count() > 0;
  journalLeft_ = settings_.journalRetention.count() > 0;
}

bool PurgeJob::runSlice(int64_t nowMs) {
  if (!schedule_.due(nowMs)) return true;
  bool reached =
      purgeBatch(settings_.messageRetention, messagesLeft_, messagesPurged_, [&](int64_t cutoffMs, size_t& deleted) {
        return messages_.purgeStoredBefore(cutoffMs, settings_.batch, deleted);
      });
  reached = purgeBatch(settings_.auditRetention, auditLeft_, auditPurged_,
                       [&](int64_t cutoffMs, size_t& deleted) {
                         return users_.purgeAuditBefore(cutoffMs, settings_.batch, deleted);
                       }) &&
            reached;
  reached = purgeBatch(settings_.journalRetention, journalLeft_, journalPurged_,
                       [&](int64_t cutoffMs, size_t& deleted) {
                         return journal_.purgeBefore(cutoffMs, settings_.batch, deleted);
                       }) &&
            reached;
  if (messagesLeft_ || auditLeft_ || journalLeft_) return reached;
  schedule_.finish();
  startPass();
  log::debug("purge_pass_done", {{"messages_purged_total", messagesPurged_},
                                 {"audit_purged_total", auditPurged_},
                                 {"journal_purged_total", journalPurged_}});
  return reached;
}

template <class Purge>
bool PurgeJob::purgeBatch(std::chrono::days retention, bool& left, uint64_t& total, Purge&& purge) {
  if (!left) return true;
  const int64_t cutoffMs =
      schedule_.startedMs() - std::chrono::duration_cast<std::chrono::milliseconds>(retention).count();
  size_t deleted = 0;
  if (!purge(cutoffMs, deleted)) return false;
  total += deleted;
  left = deleted >= settings_.batch;  // a full batch (the journal's counts two tables): there may be more
  return true;
}

}  // namespace icq::scheduler
