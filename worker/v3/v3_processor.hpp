// The per-batch V3 pipeline of a worker (protocol-v3.md §2–§4), batched like the V5 one:
// decode → session check, duplicate filter and client ACKs for the whole batch in one store
// round trip → acknowledge → command handlers → replies grouped per gateway. Logons (a
// memory-hard password check and a database read) run after every other packet of the batch
// has been answered; packets assembled from client fragments run last, through the same steps.
// Everything after the decoding is the batch core's (worker/core/batch_core.hpp); this class
// supplies V3's part.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "common/envelope/envelope.hpp"
#include "common/pipeline/egress.hpp"
#include "common/pipeline/outbox.hpp"
#include "common/util/clock.hpp"
#include "worker/core/batch_core.hpp"
#include "worker/core/stores.hpp"
#include "worker/v3/commands.hpp"
#include "worker/v3/stats.hpp"

namespace icq::worker::v3 {

class V3Processor final : public V3LogonParking {
public:
  /// The stores a V3 worker talks to: V5's, and those of fragments and departments.
  struct Stores : core::Stores {
    store::FragmentStore& fragments;
    store::DepartmentStore& departments;
  };

  V3Processor(const V3Settings& settings, const Stores& stores, const util::Clock& clock, Egress& egress,
              pipeline::Outbox& outbox);

  /// Processes the V3 datagrams of one ingress batch from `gateway` (the others are the V5
  /// processor's). Acknowledgements leave before the logons run, the logons' replies once
  /// they have run.
  void processBatch(std::string_view gateway, envelope::BatchReader& batch);

  const V3Stats& stats() const { return stats_; }

  /// Logons check their passwords through `logins` (beside the loop) from now on.
  void checkLoginsWith(core::LoginChecks& logins) { logins_ = &logins; }
  /// Runs again the logons parked for the checks in `finished` (and sends what they queue).
  void resumeLogins(std::span<const uint64_t> finished);

  // V3LogonParking
  void park(const V3Inbound& in, std::string_view gateway, const core::LoginChecks::Resume& wait) override;

private:
  /// A logon waiting for its password check: the packet (its body copied) and its gateway.
  struct Parked {
    core::LoginChecks::Resume wait;
    std::string gateway;
    V3Inbound in;  // in.packet.body points into `body` when it runs again
    std::vector<uint8_t> body;
  };
  core::LoginChecks* logins_ = nullptr;
  std::vector<Parked> parked_;
  std::vector<Parked> resuming_;

  void decode(std::span<const uint8_t> bytes, const util::Endpoint& from);

  V3Settings settings_;
  Stores stores_;
  const util::Clock& clock_;
  Egress& egress_;
  pipeline::Outbox& outbox_;
  V3Stats stats_;
  core::BatchCore core_;  // steps (B)–(D); its packet i is inbound_[i]

  // Per-batch working memory, reused across batches.
  std::vector<V3Inbound> inbound_;
  std::vector<const V3CommandSpec*> specs_;  // inbound_[i]'s table entry
  std::vector<AssembledPacket> assembled_;  // packets assembled from fragments this batch
  std::vector<AssembledPacket> running_;    // the assembled packets being run (inbound_ points in)
};

}  // namespace icq::worker::v3
