// RetransmitQueue: the cluster's schedule of sessions with unconfirmed server packets
// (protocol-v5.md §4.4), as the scheduler sees it. Each session's owner resends its packets
// on its own timers and keeps the schedule (icq:rtx:due) up to date in batches; the schedule
// is the scheduler's view of what is overdue — a session whose owner died, or whose packets
// nobody resent — so that the owner of the moment is asked to look (a retransmit nudge).
#pragma once

#include <cstdint>
#include <vector>

#include "common/store/session_directory.hpp"

namespace icq::store {

class RetransmitQueue {
public:
  virtual ~RetransmitQueue() = default;

  /// Claims up to `limit` sessions due at or before `nowMs`, each pushed to `leaseUntilMs`
  /// so that no sweep claims it again before then (its owner rewrites or removes the entry
  /// when it has looked). `out` gets each claimed session with the score it was due at.
  virtual bool claimOverdue(int64_t nowMs, size_t limit, int64_t leaseUntilMs, std::vector<IndexEntry>& out) = 0;
};

}  // namespace icq::store
