// A pipeline::EgressSink that keeps what a worker would have handed to its gateways, for
// unit tests: every egress envelope, opened into its datagrams (gateway, client, bytes).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "common/envelope/envelope.hpp"
#include "common/pipeline/egress_sink.hpp"

namespace icq::test {

class RecordingEgressSink final : public pipeline::EgressSink {
public:
  struct Sent {
    std::string gateway;
    util::Endpoint client;
    std::vector<uint8_t> bytes;
    size_t envelope = 0;  // the deliver() call that carried it, from 1
  };
  std::vector<Sent> sent;   // in the order handed over
  size_t envelopes = 0;     // deliver() calls
  bool refuse = false;      // deliver() fails (a full or vanished link) while set

  bool deliver(std::string_view gateway, std::span<const uint8_t> message) override {
    ++envelopes;
    if (refuse) return false;
    auto batch = envelope::BatchReader::open(message);
    if (!batch || batch->kind() != envelope::Kind::Egress) return false;
    envelope::Datagram d;
    while (batch->next(d)) sent.push_back({std::string(gateway), d.client, {d.bytes.begin(), d.bytes.end()}, envelopes});
    return true;
  }
};

}  // namespace icq::test
