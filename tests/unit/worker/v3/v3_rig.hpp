// Shared setup of the V3 worker tests: a V3Processor over the in-memory fakes
// (tests/support/fake_world.hpp) with its own reliable-packet outbox (a worker shares the V5
// processor's), real V3 client datagrams built with the codec, and the egress decoded back —
// as V3 packets, or as V5 ones for a V5 recipient (protocol-v3.md §9).
#pragma once

#include <catch2/catch.hpp>

#include <array>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/codec/v3/constants.hpp"
#include "common/codec/v3/login.hpp"
#include "common/codec/v3/message.hpp"
#include "common/codec/v3/packet.hpp"
#include "common/codec/v3/presence.hpp"
#include "common/codec/v5/packet.hpp"
#include "common/codec/version.hpp"
#include "common/pipeline/outbox.hpp"
#include "tests/support/fake_world.hpp"
#include "worker/v3/v3_processor.hpp"

namespace icq::test {

namespace v3 = codec::v3;

/// A V3 client as the server sees it: UIN, address and its sequence numbers.
struct V3Peer {
  uint32_t uin = 0;
  util::Endpoint from;
  uint16_t seq1 = 1, seq2 = 0;

  v3::Header next(uint16_t command) { return {command, seq1++, ++seq2, uin, 0}; }
};

inline std::vector<uint8_t> v3Datagram(const v3::Header& header, std::span<const uint8_t> body = {}) {
  std::array<uint8_t, v3::kMaxDatagram> buffer{};
  const size_t n = v3::encodePacket(header, body, buffer);
  REQUIRE(n > 0);
  return {buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(n)};
}

/// A datagram that left the worker: a V3 packet, or (for a V5 recipient) a V5 one.
struct V3Reply {
  std::string gateway;
  util::Endpoint to;
  bool v5 = false;
  v3::Header header;               // when !v5
  codec::v5::ServerHeader header5;  // when v5
  std::vector<uint8_t> body;
  uint16_t command() const { return v5 ? header5.command : header.command; }
  uint32_t uin() const { return v5 ? header5.uin : header.uin; }
};

class V3Rig : public FakeWorld {
public:
  explicit V3Rig(const worker::v3::V3Settings& settings = {})
      : processor(settings, {sessions, presence, users, messages, limits, events, fragments, departments}, clock, egress,
                  outbox) {}

  codec::v5::CheckcodeRng rng{5};
  pipeline::Outbox outbox{&sessions, nullptr, &egress, rng};
  worker::v3::V3Processor processor;

  /// Runs one ingress batch as the worker loop does and returns what left, in order.
  std::vector<V3Reply> run(std::span<const Datagram> batch, std::string_view gateway = kGatewayA) {
    std::vector<V3Reply> out;
    for (const RecordingEgressSink::Sent& s : runBatch(processor, batch, gateway)) {
      V3Reply reply;
      reply.gateway = s.gateway;
      reply.to = s.client;
      if (codec::peekVersion(s.bytes) == v3::kVersion3) {
        v3::Packet packet;
        REQUIRE(v3::decodePacket(s.bytes, packet) == v3::DecodeError::none);
        reply.header = packet.header;
        reply.body.assign(packet.body.begin(), packet.body.end());
      } else {
        reply.v5 = true;
        std::span<const uint8_t> data;
        bool checkcodeValid = false;
        REQUIRE(codec::v5::decodeServerPacket(s.bytes, reply.header5, data, checkcodeValid) ==
                codec::v5::DecodeError::none);
        reply.body.assign(data.begin(), data.end());
      }
      out.push_back(std::move(reply));
    }
    return out;
  }
  std::vector<V3Reply> send(const V3Peer& peer, const v3::Header& header, std::span<const uint8_t> body = {},
                            std::string_view gateway = kGatewayA) {
    const Datagram d{peer.from, v3Datagram(header, body)};
    return run(std::span(&d, 1), gateway);
  }

  /// Puts `peer` online as a V3 session (session id 0).
  void online(const V3Peer& peer, std::string gateway = std::string(kGatewayA)) {
    FakeWorld::online(peer.uin, 0, peer.from, std::move(gateway), 3);
  }

  const worker::v3::V3Stats& stats() const { return processor.stats(); }
  uint64_t counted(uint16_t command, worker::core::PacketResult result) const {
    const size_t slot = worker::v3::v3CommandSlot(worker::v3::lookupV3Command(command));
    return stats().packets[slot][static_cast<size_t>(result)].value();
  }
};

/// Bodies of the client packets the tests send (§5.11, §5.6).
inline std::vector<uint8_t> thruServer(uint32_t to, std::string_view text, uint16_t type = 1) {
  const std::span<const uint8_t> bytes(reinterpret_cast<const uint8_t*>(text.data()), text.size());
  std::vector<uint8_t> body(16 + text.size());
  body.resize(v3::buildThruServerBody({to, type, bytes}, body));
  return body;
}
inline std::vector<uint8_t> uinList(std::initializer_list<uint32_t> uins) {
  const std::vector<uint32_t> list(uins);
  std::vector<uint8_t> body(2 + 4 * list.size());
  body.resize(v3::buildUinListBody(list, body));
  return body;
}

}  // namespace icq::test
