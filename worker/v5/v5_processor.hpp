// The per-batch V5 pipeline of a worker: decode → session check and duplicate filter
// for the whole batch in one store round trip → acknowledge → command handlers →
// replies grouped per gateway. Logins, the one slow command (a memory-hard password
// check and a database read), run after every other packet of the batch has been
// answered, so a burst of logins never delays a keep-alive's ACK. Everything after the
// decoding is the batch core's (worker/core/batch_core.hpp); this class supplies V5's part.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/envelope/envelope.hpp"
#include "common/pipeline/egress.hpp"
#include "common/pipeline/peer_links.hpp"
#include "common/store/rate_limiter.hpp"
#include "common/store/session_store.hpp"
#include "common/store/user_store.hpp"
#include "common/util/clock.hpp"
#include "worker/core/batch_core.hpp"
#include "worker/core/stores.hpp"
#include "worker/v5/commands.hpp"
#include "worker/v5/stats.hpp"

namespace icq::worker::v5 {

class V5Processor final : public LoginParking {
public:
  /// The stores a V5 worker talks to.
  using Stores = core::Stores;

  /// `peers`: the other session owners, where reliable packets for their sessions go
  /// (nullptr: every session is this worker's, as in a single-worker test).
  V5Processor(const V5Settings& settings, const Stores& stores, const util::Clock& clock, Egress& egress,
              pipeline::PeerLinks* peers, uint64_t seed);

  /// Processes the V5 datagrams of one ingress batch from `gateway` (the others are the V3
  /// processor's). Acknowledgements leave before the logins run, the logins' replies once
  /// they have run.
  void processBatch(std::string_view gateway, envelope::BatchReader& batch);

  const WorkerStats& stats() const { return stats_; }
  /// A message from a gateway that is no ingress batch: counted with the batches that do not
  /// parse (icq_worker_envelope_malformed_total), since both say the gateway is broken or lying.
  void countMalformedEnvelope() { stats_.envelopeMalformed++; }
  /// The reliable-packet outbox, shared with the V3 processor of the same worker.
  pipeline::Outbox& outbox() { return outbox_; }
  /// This worker's memory of proved logins (the password checks beside the loop fill it).
  auth::VerifierCache& verifiers() { return verifiers_; }

  /// Logins check their passwords through `logins` (beside the loop) from now on.
  void checkLoginsWith(core::LoginChecks& logins) { logins_ = &logins; }
  /// Runs again the logins parked for the checks in `finished` (and sends what they queue).
  void resumeLogins(std::span<const uint64_t> finished);

  // LoginParking
  void park(const Inbound& in, std::string_view gateway, const core::LoginChecks::Resume& wait) override;

private:
  void decodeAll(envelope::BatchReader& batch);

  V5Settings settings_;
  Stores stores_;
  const util::Clock& clock_;
  Egress& egress_;
  codec::v5::CheckcodeRng rng_;
  pipeline::PeerLinks* peers_;
  pipeline::Outbox outbox_;
  auth::VerifierCache verifiers_;  // this worker's memory of proved logins, never shared
  WorkerStats stats_;
  WorkerTimings timings_;
  core::BatchCore core_;  // steps (B)–(D); its packet i is inbound_[i]

  /// A login waiting for its password check: the packet (its data copied) and its gateway.
  struct Parked {
    core::LoginChecks::Resume wait;
    std::string gateway;
    Inbound in;  // in.packet.data points into `data` when it runs again
    std::vector<uint8_t> data;
  };
  core::LoginChecks* logins_ = nullptr;
  std::vector<Parked> parked_;
  std::vector<Parked> resuming_;

  // Per-batch working memory, reused across batches (no per-datagram allocation once warm).
  std::vector<envelope::Datagram> datagrams_;
  std::vector<uint8_t> plaintext_;  // decrypted copies of the batch's datagrams
  std::vector<Inbound> inbound_;
  std::vector<const CommandSpec*> specs_;  // inbound_[i]'s table entry
};

}  // namespace icq::worker::v5
