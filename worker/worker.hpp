// The worker loop: follow the gateway registry, tend the sessions it owns (membership views,
// takeover, resend timers), wait on every gateway link, on its peer ROUTER and on the password
// checks beside it, process each ingress batch — after handing what is not its own to the
// owner — run again the logins whose checks are done, and return credit.
// worker.cpp opens with Worker::runOnce.
#pragma once

#include <zmq.hpp>

#include <chrono>
#include <vector>

#include "common/events/event_log.hpp"
#include "common/redis/event_stream.hpp"
#include "common/envelope/envelope.hpp"
#include "common/log/log.hpp"
#include "common/ops/tally.hpp"
#include "common/pipeline/egress.hpp"
#include "common/pipeline/gateway_links.hpp"
#include "common/store/gateway_registry.hpp"
#include "common/store/user_store.hpp"
#include "common/util/shutdown.hpp"
#include "worker/peer_server.hpp"
#include "worker/sessions/ownership.hpp"
#include "worker/v3/v3_processor.hpp"
#include "worker/v5/v5_processor.hpp"

namespace icq::worker {

using pipeline::Egress;
using pipeline::GatewayLink;
using pipeline::GatewayLinks;
using v3::V3Processor;
using v5::V5Processor;

class Worker {
public:
  Worker(std::chrono::milliseconds gatewayRefresh, GatewayLinks& links, Egress& egress,
         store::GatewayRegistry& registry, V5Processor& processor, V3Processor& v3Processor, Ownership& ownership,
         PeerServer& peers, core::LoginChecks& logins, store::HistoryWriter* history, events::EventBuffer& events,
         redis::RedisEventStream& eventStream);

  void run(const util::StopToken& stop);
  void runOnce(std::chrono::milliseconds timeout);
  /// Graceful stop: leave the membership and hand every session to its next owner, withdraw
  /// from every gateway, and keep answering (or passing on) what was already handed out
  /// until nothing arrives for `quiet`.
  void drain(std::chrono::milliseconds quiet);
  /// Gateways this worker has a link to, as of the last registry read (readiness, metrics).
  const ops::Level& gatewayLinks() const { return gatewayLinks_; }

private:
  void followRegistry();
  bool serveReady(std::chrono::milliseconds timeout);
  void serveBatch(GatewayLink& link, const zmq::message_t& message);
  /// Runs again the logins whose password checks are done.
  void resumeLogins();
  /// Runs one ingress batch that came through `gateway` (or from a peer: `forwarded`).
  void process(std::string_view gateway, std::span<const uint8_t> batch, bool forwarded);

  std::chrono::milliseconds gatewayRefresh_;
  GatewayLinks& links_;
  Egress& egress_;
  store::GatewayRegistry& registry_;
  V5Processor& processor_;
  V3Processor& v3Processor_;
  Ownership& ownership_;
  PeerServer& peers_;
  core::LoginChecks& logins_;
  store::HistoryWriter* history_;
  events::EventBuffer& events_;
  redis::RedisEventStream& eventStream_;
  std::vector<uint64_t> finishedChecks_;
  std::chrono::steady_clock::time_point nextRefresh_{};
  std::vector<zmq::pollitem_t> pollItems_;
  std::vector<store::GatewayRecord> records_;
  envelope::BatchWriter here_{envelope::Kind::Ingress};
  log::RateLimited registryFailures_;
  bool draining_ = false;
  ops::Level gatewayLinks_;
};

}  // namespace icq::worker
