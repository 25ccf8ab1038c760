// Where an Egress hands each gateway's batch of outgoing datagrams: the links to every
// gateway in a running worker or scheduler (GatewayLinks), a recorder in unit tests. One
// call per gateway and flush, never per datagram.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace icq::pipeline {

class EgressSink {
public:
  virtual ~EgressSink() = default;

  /// Hands one egress envelope (envelope::Kind::Egress) to gateway `gateway`. False when it
  /// cannot be delivered (no link to that gateway, or its pipe is full): the datagrams in
  /// it are lost, and the protocol's retransmission covers them.
  virtual bool deliver(std::string_view gateway, std::span<const uint8_t> message) = 0;
};

}  // namespace icq::pipeline
