// Outgoing datagrams of one processing batch, grouped per gateway so each gateway gets
// one envelope per batch. Replies go to the gateway the request came through;
// server-initiated packets go to the gateway that owns the recipient's session. Flushed
// batches go to an EgressSink: the gateway links, or a recorder in tests.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/envelope/envelope.hpp"
#include "common/util/endpoint.hpp"
#include "common/pipeline/egress_sink.hpp"

namespace icq::pipeline {

class Egress {
public:
  explicit Egress(EgressSink& sink) : sink_(sink) {}

  void send(std::string_view gateway, const util::Endpoint& client, std::span<const uint8_t> datagram);
  /// Hands every non-empty batch to the sink, one envelope per gateway — once the gate (if
  /// set) has let it through. False when the gate refused: everything pending was dropped.
  bool flush();

  /// What must hold before anything leaves: the worker's gate makes what the datagrams
  /// report (acknowledged messages, numbered packets) durable in Redis first, and refuses
  /// when this worker may no longer speak for its sessions (ARCHITECTURE.md "Ownership").
  void setGate(std::function<bool()> gate) { gate_ = std::move(gate); }
  bool pending() const;

  /// Datagrams that could not be handed over (gateway unknown or its pipe full).
  uint64_t undeliverable() const { return undeliverable_; }

private:
  struct PerGateway {
    std::string gateway;
    envelope::BatchWriter batch{envelope::Kind::Egress};
  };
  EgressSink& sink_;
  std::vector<PerGateway> pending_;  // a handful of gateways: linear search beats hashing
  std::function<bool()> gate_;
  uint64_t undeliverable_ = 0;
};

}  // namespace icq::pipeline
