// Job "retransmit": resends unconfirmed server packets (protocol-v5.md §4.4) through the
// gateway that owns each client, with the same SEQ1, every v5.retransmit_timeout_s, in
// SEQ1 order; after v5.retransmit_retries resends it gives up and ends the session — the
// text of every unconfirmed online message is stored as an offline message first, so an
// acknowledged message is never lost (ARCHITECTURE.md "Delivery guarantees").
#pragma once

#include <chrono>
#include <vector>

#include "common/codec/v5/packet.hpp"
#include "common/ops/tally.hpp"
#include "common/pipeline/egress.hpp"
#include "common/pipeline/outbox.hpp"
#include "common/store/message_store.hpp"
#include "common/store/presence_store.hpp"
#include "common/store/retransmit_queue.hpp"
#include "common/store/session_store.hpp"
#include "common/store/user_store.hpp"
#include "scheduler/job.hpp"

namespace icq::scheduler {

struct RetransmitSettings {
  std::chrono::milliseconds timeout{10000};  // v5.retransmit_timeout_s
  uint32_t retries = 5;                      // v5.retransmit_retries
  std::chrono::milliseconds claim{30000};    // scheduler.retransmit_claim_ms
  size_t batch = 1000;                       // scheduler.retransmit_batch
};

struct RetransmitStores {
  store::RetransmitQueue& queue;
  store::SessionStore& sessions;
  store::PresenceStore& presence;
  store::MessageStore& messages;
  store::UserStore& users;
};

class RetransmitJob final : public Job {
public:
  RetransmitJob(const RetransmitSettings& settings, const RetransmitStores& stores, pipeline::Outbox& outbox,
                pipeline::Egress& egress, codec::v5::CheckcodeRng& rng, std::chrono::milliseconds period);

  const std::string& name() const override { return name_; }
  std::chrono::milliseconds period() const override { return period_; }
  bool runSlice(int64_t nowMs) override;

  uint64_t resentTotal() const { return resentTotal_; }
  uint64_t giveUpsTotal() const { return giveUpsTotal_; }

private:
  void resend(const store::DueSession& session, int64_t nowMs);
  bool giveUp(const store::DueSession& session, int64_t nowMs);

  std::string name_ = "retransmit";
  RetransmitSettings settings_;
  RetransmitStores stores_;
  pipeline::Outbox& outbox_;
  pipeline::Egress& egress_;
  codec::v5::CheckcodeRng& rng_;
  std::chrono::milliseconds period_;
  std::vector<store::DueSession> due_;
  ops::Tally resentTotal_;  // read by the admin port's scrape
  ops::Tally giveUpsTotal_;
};

}  // namespace icq::scheduler
