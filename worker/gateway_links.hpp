// A worker's connections to gateways: one DEALER per registered gateway, named by the
// worker's id so a gateway's ROUTER can address batches to it. The worker
// follows the registry: it connects to new gateways with a Hello that grants its whole
// credit window, reconnects when a gateway restarted (a new instance id), and drops
// gateways that left. Owned by the worker loop thread.
#pragma once

#include <zmq.hpp>

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/envelope/envelope.hpp"
#include "common/store/gateway_registry.hpp"

namespace icq::worker {

class GatewayLink {
public:
  GatewayLink(zmq::context_t& context, const store::GatewayRecord& record, const std::string& workerId);
  const std::string& id() const { return record_.id; }
  const store::GatewayRecord& record() const { return record_; }
  zmq::socket_t& socket() { return socket_; }

  /// Sends one message; false when the pipe to the gateway is full or gone (the
  /// datagrams in it are lost; the protocol's retransmission covers them).
  bool send(std::span<const uint8_t> message);
  bool sendControl(envelope::Kind kind, uint32_t credits);

private:
  store::GatewayRecord record_;
  zmq::socket_t socket_;
};

class GatewayLinks {
public:
  GatewayLinks(zmq::context_t& context, std::string workerId, uint32_t creditWindow);

  /// Brings the links in line with the registry's list of live gateways.
  void follow(const std::vector<store::GatewayRecord>& records);
  /// Withdraws from every gateway (no more hand-outs), e.g. at shutdown.
  void goodbyeAll();

  size_t size() const { return links_.size(); }
  GatewayLink& at(size_t i) { return *links_[i]; }
  GatewayLink* find(std::string_view gatewayId);
  uint32_t creditWindow() const { return creditWindow_; }

private:
  zmq::context_t& context_;
  std::string workerId_;
  uint32_t creditWindow_;
  std::vector<std::unique_ptr<GatewayLink>> links_;
};

}  // namespace icq::worker
