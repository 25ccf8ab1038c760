// Counters of the ownership machinery (ARCHITECTURE.md "Ownership"): plain per-thread
// tallies bumped by the worker loop, exported at scrape time (docs/METRICS.md).
#pragma once

#include "common/ops/tally.hpp"
#include "common/ops/tally_exporter.hpp"

namespace icq::worker {

struct OwnershipStats {
  using Tally = ops::Tally;
  Tally forwarded;      // datagrams handed to their owner (a gateway's view differed from ours)
  Tally deferred;       // datagrams dropped while the view settled (the client retransmits)
  Tally delivered;      // reliable packets other processes handed us, queued
  Tally deliverRetry;   // ... that we could not take now
  Tally relayOnline;    // messages other workers relayed to us, delivered to our session
  Tally relayOffline;   // ... stored offline
  Tally relayDropped;   // ... for a UIN that does not exist
  Tally relayDeferred;  // ... we could not take now (the sender's retransmission comes again)
  Tally resent;         // unconfirmed packets resent by our timers
  Tally givenUp;        // sessions ended because a packet ran out of retries
  Tally expired;        // sessions ended by keep-alive expiry
  Tally kicked;         // sessions ended by an administrator
  Tally rescued;        // unconfirmed messages kept offline when their session ended
  Tally released;       // views adopted that moved sessions away
  Tally fenced;         // lease lapses: everything dropped
  Tally persistFailures;  // ledger flushes retried because Redis failed
  ops::Level held;      // sessions held in memory
  ops::Level epoch;     // the membership epoch this worker acts under
  ops::Level authoritative;  // 1 once the takeover walk of the epoch is done
};

void exportOwnershipStats(const OwnershipStats& stats, ops::TallyExporter& exporter);

}  // namespace icq::worker
