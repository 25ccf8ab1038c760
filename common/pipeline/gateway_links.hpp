// Connections to every registered gateway, from a worker or a scheduler: one DEALER per
// gateway, named by its owner's id so the gateway's ROUTER can address it. The links
// follow the registry: a new gateway is connected (a worker grants it its whole credit
// window with a Hello; a scheduler, window 0, only sends egress), a restarted one (new
// instance id) is reconnected, a departed one dropped. Owned by one thread.
#pragma once

#include <zmq.hpp>

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/envelope/envelope.hpp"
#include "common/pipeline/egress_sink.hpp"
#include "common/store/gateway_registry.hpp"

namespace icq::pipeline {

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

/// The production EgressSink: each batch goes down the link to its gateway.
class GatewayLinks final : public EgressSink {
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

  // EgressSink
  bool deliver(std::string_view gateway, std::span<const uint8_t> message) override;

private:
  zmq::context_t& context_;
  std::string workerId_;
  uint32_t creditWindow_;
  std::vector<std::unique_ptr<GatewayLink>> links_;
};

}  // namespace icq::pipeline
