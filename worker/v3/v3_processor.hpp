// The per-batch V3 pipeline of a worker (protocol-v3.md §2–§4), batched like the V5 one:
// decode → session check, duplicate filter and client ACKs for the whole batch in one store
// round trip → acknowledge → command handlers → replies grouped per gateway. Logons (a
// memory-hard password check and a database read) run after every other packet of the batch
// has been answered; packets assembled from client fragments run last, through the same steps.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "common/envelope/envelope.hpp"
#include "common/pipeline/egress.hpp"
#include "common/pipeline/outbox.hpp"
#include "common/util/clock.hpp"
#include "worker/v3/commands.hpp"
#include "worker/v3/stats.hpp"

namespace icq::worker::v3 {

class V3Processor {
public:
  /// The stores a V3 worker talks to.
  struct Stores {
    store::SessionStore& sessions;
    store::PresenceStore& presence;
    store::UserStore& users;
    store::MessageStore& messages;
    store::RateLimiter& limits;
    store::FragmentStore& fragments;
    store::DepartmentStore& departments;
  };

  V3Processor(const V3Settings& settings, const Stores& stores, const util::Clock& clock, Egress& egress,
              pipeline::Outbox& outbox);

  /// Processes the V3 datagrams of one ingress batch from `gateway` (the others are the V5
  /// processor's). Everything is queued on the egress, which the caller flushes.
  void processBatch(std::string_view gateway, envelope::BatchReader& batch);

  const V3Stats& stats() const { return stats_; }

private:
  void decode(std::span<const uint8_t> bytes, const util::Endpoint& from);
  void runPackets(V3Context& ctx);
  void checkSessions(std::string_view gateway);
  void answerInOrder(V3Context& ctx);
  /// True when the command must be retried (its effect was not recorded).
  bool runCommand(V3Context& ctx, const V3CommandSpec& spec, size_t i);
  void remember(const store::TouchRequest& touch);
  void flushOutbox();
  void flushRecords();

  V3Settings settings_;
  Stores stores_;
  const util::Clock& clock_;
  Egress& egress_;
  pipeline::Outbox& outbox_;
  V3Stats stats_;

  // Per-batch working memory, reused across batches.
  std::vector<V3Inbound> inbound_;
  std::vector<const V3CommandSpec*> specs_;
  std::vector<store::TouchRequest> touches_;
  std::vector<store::TouchResult> touchResults_;
  std::vector<size_t> touchIndex_;  // inbound_[i] → its slot in touches_, or kNoTouch
  std::vector<size_t> logons_;
  std::vector<store::TouchRequest> records_;
  std::vector<store::TouchResult> recordResults_;
  std::vector<AssembledPacket> assembled_;  // packets assembled from fragments this batch
  std::vector<AssembledPacket> running_;    // the assembled packets being run (inbound_ points in)
  bool sessionsUnreachable_ = false;
};

}  // namespace icq::worker::v3
