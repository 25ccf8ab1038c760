// Job "retransmit": the backstop of the retransmission of unconfirmed server packets
// (protocol-v5.md §4.4). Each session's owner resends its packets itself, with their SEQ1,
// every v5.retransmit_timeout_s, and after v5.retransmit_retries ends the session with its
// messages kept offline (worker/sessions/session_endings.cpp). The retransmit schedule in
// Redis lists the sessions that have unconfirmed packets; an entry that comes due was left
// behind — its owner died before the takeover loaded it, or lost it — so the job claims it
// and asks the session's current owner to look (a retransmit nudge): the owner loads the
// session if it must, resends, and keeps or removes the entry.
#pragma once

#include <chrono>
#include <vector>

#include "common/ops/tally.hpp"
#include "common/pipeline/peer_links.hpp"
#include "common/store/retransmit_queue.hpp"
#include "scheduler/job.hpp"

namespace icq::scheduler {

struct RetransmitSettings {
  std::chrono::milliseconds claim{30000};  // scheduler.retransmit_claim_ms
  size_t batch = 1000;                     // scheduler.retransmit_batch
};

class RetransmitJob final : public Job {
public:
  RetransmitJob(const RetransmitSettings& settings, store::RetransmitQueue& queue, pipeline::PeerLinks& owners,
                std::chrono::milliseconds period);

  const std::string& name() const override { return name_; }
  std::chrono::milliseconds period() const override { return period_; }
  bool runSlice(int64_t nowMs) override;
  uint64_t nudgedTotal() const { return nudgedTotal_; }

private:
  std::string name_ = "retransmit";
  RetransmitSettings settings_;
  store::RetransmitQueue& queue_;
  pipeline::PeerLinks& owners_;
  std::chrono::milliseconds period_;
  std::vector<store::IndexEntry> due_;
  ops::Tally nudgedTotal_;  // read by the admin port's scrape
};

}  // namespace icq::scheduler
