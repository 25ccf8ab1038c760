// The worker loop: follow the gateway registry, wait on every gateway link, process each
// ingress batch, return its credit. worker.cpp opens with Worker::runOnce.
#pragma once

#include <zmq.hpp>

#include <chrono>
#include <vector>

#include "common/log/log.hpp"
#include "common/ops/tally.hpp"
#include "common/store/gateway_registry.hpp"
#include "common/util/shutdown.hpp"
#include "common/pipeline/egress.hpp"
#include "common/pipeline/gateway_links.hpp"
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
         store::GatewayRegistry& registry, V5Processor& processor, V3Processor& v3Processor);

  void run(const util::StopToken& stop);
  void runOnce(std::chrono::milliseconds timeout);
  /// Graceful stop: withdraw from every gateway (no new hand-outs), then keep answering
  /// what was already handed out until nothing arrives for `quiet`.
  void drain(std::chrono::milliseconds quiet);
  /// Gateways this worker has a link to, as of the last registry read (readiness, metrics).
  const ops::Level& gatewayLinks() const { return gatewayLinks_; }

private:
  void followRegistry();
  bool serveReadyLinks(std::chrono::milliseconds timeout);
  void serveBatch(GatewayLink& link, const zmq::message_t& message);

  std::chrono::milliseconds gatewayRefresh_;
  GatewayLinks& links_;
  Egress& egress_;
  store::GatewayRegistry& registry_;
  V5Processor& processor_;
  V3Processor& v3Processor_;
  std::chrono::steady_clock::time_point nextRefresh_{};
  std::vector<zmq::pollitem_t> pollItems_;
  std::vector<store::GatewayRecord> records_;
  log::RateLimited registryFailures_;
  bool draining_ = false;
  ops::Level gatewayLinks_;
};

}  // namespace icq::worker
