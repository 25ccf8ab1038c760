// The per-batch V5 pipeline of a worker: decode → session check and duplicate filter
// for the whole batch in one store round trip → acknowledge → command handlers →
// replies grouped per gateway. Logins, the one slow command (a memory-hard password
// check and a database read), run after every other packet of the batch has been
// answered, so a burst of logins never delays a keep-alive's ACK.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "common/envelope/envelope.hpp"
#include "common/pipeline/egress.hpp"
#include "common/store/rate_limiter.hpp"
#include "common/store/session_store.hpp"
#include "common/store/user_store.hpp"
#include "common/util/clock.hpp"
#include "worker/v5/commands.hpp"
#include "worker/v5/stats.hpp"

namespace icq::worker::v5 {

class V5Processor {
public:
  /// The stores a V5 worker talks to.
  struct Stores {
    store::SessionStore& sessions;
    store::PresenceStore& presence;
    store::UserStore& users;
    store::MessageStore& messages;
    store::RateLimiter& limits;
  };

  V5Processor(const V5Settings& settings, const Stores& stores, const util::Clock& clock, Egress& egress,
              uint64_t seed);

  /// Processes every datagram of one ingress batch from `gateway`. Acknowledgements leave
  /// before the logins run; everything else is queued on the egress, which the caller flushes.
  void processBatch(std::string_view gateway, envelope::BatchReader& batch);

  const WorkerStats& stats() const { return stats_; }
  /// The reliable-packet outbox, shared with the V3 processor of the same worker.
  pipeline::Outbox& outbox() { return outbox_; }

private:
  void decodeAll(envelope::BatchReader& batch);
  void checkSessions(std::string_view gateway);
  void answerInOrder(CommandContext& ctx);
  void countClientAck(size_t inboundIndex);
  /// True when the command must be retried (its effect was not recorded).
  bool runCommand(CommandContext& ctx, const CommandSpec& spec, size_t inboundIndex);
  void flushOutbox();
  void remember(const store::TouchRequest& touch);
  void flushRecords();

  V5Settings settings_;
  Stores stores_;
  store::SessionStore& sessions_;
  const util::Clock& clock_;
  Egress& egress_;
  codec::v5::CheckcodeRng rng_;
  pipeline::Outbox outbox_;
  auth::VerifierCache verifiers_;  // this worker's memory of proved logins, never shared
  WorkerStats stats_;
  WorkerTimings timings_;

  // Per-batch working memory, reused across batches (no per-datagram allocation once warm).
  std::vector<envelope::Datagram> datagrams_;
  std::vector<uint8_t> plaintext_;  // decrypted copies of the batch's datagrams
  std::vector<Inbound> inbound_;
  std::vector<const CommandSpec*> specs_;  // inbound_[i]'s table entry
  std::vector<store::TouchRequest> touches_;
  std::vector<store::TouchResult> touchResults_;
  std::vector<size_t> touchIndex_;  // inbound_[i] → its slot in touches_, or kNoTouch
  std::vector<size_t> logins_;
  std::vector<store::TouchRequest> records_;  // after-effect packets to remember (runCommand)
  std::vector<store::TouchResult> recordResults_;
  bool sessionsUnreachable_ = false;  // (B) failed: session-bound packets get no answer
};

}  // namespace icq::worker::v5
