// Outgoing datagrams of one processing batch, grouped per gateway so each gateway gets
// one envelope per batch. Replies go to the gateway the request came through;
// server-initiated packets go to the gateway that owns the recipient's session. Flushed
// batches go to an EgressSink: the gateway links, or a recorder in tests.
#pragma once

#include <cstdint>
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
  /// Hands every non-empty batch to the sink, one envelope per gateway.
  void flush();

  /// Datagrams that could not be handed over (gateway unknown or its pipe full).
  uint64_t undeliverable() const { return undeliverable_; }

private:
  struct PerGateway {
    std::string gateway;
    envelope::BatchWriter batch{envelope::Kind::Egress};
  };
  EgressSink& sink_;
  std::vector<PerGateway> pending_;  // a handful of gateways: linear search beats hashing
  uint64_t undeliverable_ = 0;
};

}  // namespace icq::pipeline
