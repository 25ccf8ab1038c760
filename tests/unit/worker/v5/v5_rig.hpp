// Shared setup of the V5 worker tests: a V5Processor over the in-memory fakes
// (tests/support/fake_world.hpp), real V5 client datagrams built with the codec (encrypted,
// with checkcodes, as tools/v5client sends them), and the egress decoded back into server
// packets. A test reads like a client session: send a batch, look at what left, look at the
// stores.
#pragma once

#include <catch2/catch.hpp>

#include <array>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/codec/v5/constants.hpp"
#include "common/codec/v5/message.hpp"
#include "common/codec/v5/messages.hpp"
#include "common/codec/v5/packet.hpp"
#include "common/codec/v5/presence.hpp"
#include "tests/support/fake_world.hpp"
#include "worker/v5/v5_processor.hpp"

namespace icq::test {

namespace v5 = codec::v5;

/// A V5 client as the server sees it: UIN, session id, address and its sequence numbers.
struct V5Peer {
  uint32_t uin = 0, sessionId = 0;
  util::Endpoint from;
  uint16_t seq1 = 1, seq2 = 0;

  /// The header of the next packet (a request takes the next SEQ2 too, §4.2).
  v5::ClientHeader next(uint16_t command, bool request = true) {
    return {uin, sessionId, command, seq1++, static_cast<uint16_t>(request ? ++seq2 : 0)};
  }
};

/// An encrypted client datagram with a valid checkcode.
inline std::vector<uint8_t> v5Datagram(const v5::ClientHeader& header, std::span<const uint8_t> data) {
  std::array<uint8_t, 2048> buffer{};
  static v5::CheckcodeRng rng(99);
  const size_t length = 0x18 + data.size();
  const size_t n = v5::encodeClientPacket(header, data, buffer, rng.clientR1(length), rng.r2());
  REQUIRE(n > 0);
  return {buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(n)};
}

/// A server datagram that left the worker, decoded.
struct V5Reply {
  std::string gateway;
  util::Endpoint to;
  v5::ServerHeader header;
  std::vector<uint8_t> data;
  size_t envelope = 0;  // which egress envelope carried it (RecordingEgressSink::envelopes)
  uint16_t command() const { return header.command; }
};

class V5Rig : public FakeWorld {
public:
  explicit V5Rig(const worker::v5::V5Settings& settings = {})
      : processor(settings, {sessions, presence, users, messages, limits, events}, clock, egress, nullptr, 7) {}

  worker::v5::V5Processor processor;

  /// Runs one ingress batch as the worker loop does (the V5 pipeline, then the egress flush)
  /// and returns the server packets that left, in order.
  std::vector<V5Reply> run(std::span<const Datagram> batch, std::string_view gateway = kGatewayA) {
    std::vector<V5Reply> out;
    for (const RecordingEgressSink::Sent& s : runBatch(processor, batch, gateway)) {
      V5Reply reply{s.gateway, s.client, {}, {}, s.envelope};
      std::span<const uint8_t> data;
      bool checkcodeValid = false;
      REQUIRE(v5::decodeServerPacket(s.bytes, reply.header, data, checkcodeValid) == v5::DecodeError::none);
      CHECK(checkcodeValid);
      reply.data.assign(data.begin(), data.end());
      out.push_back(std::move(reply));
    }
    return out;
  }
  /// One packet from `peer` as a batch of its own.
  std::vector<V5Reply> send(const V5Peer& peer, const v5::ClientHeader& header, std::span<const uint8_t> data = {},
                            std::string_view gateway = kGatewayA) {
    const Datagram d{peer.from, v5Datagram(header, data)};
    return run(std::span(&d, 1), gateway);
  }

  /// Puts `peer` online through `gateway` as a V5 session.
  void online(const V5Peer& peer, std::string gateway = std::string(kGatewayA), uint32_t status = 0) {
    FakeWorld::online(peer.uin, peer.sessionId, peer.from, std::move(gateway), 5, 1, status);
  }

  const worker::v5::WorkerStats& stats() const { return processor.stats(); }
  /// How many packets of the command table's row for `command` ended with `result`.
  uint64_t counted(uint16_t command, worker::core::PacketResult result) const {
    const size_t slot = command == v5::CMD_ACK ? worker::v5::ackSlot()
                                                : worker::v5::commandSlot(worker::v5::lookupCommand(command));
    return stats().packets[slot][static_cast<size_t>(result)].value();
  }
};

/// A random 4-byte body, as clients send with packets that carry nothing (keep-alive, CMD_ACK).
inline constexpr std::array<uint8_t, 4> kNoData{0x12, 0x34, 0x56, 0x78};

/// Bodies of the client packets the tests send (§6.10, §6.13, §6.7, §6.14).
inline std::vector<uint8_t> messageTo(uint32_t to, std::string_view text, uint16_t type = 1) {
  std::vector<uint8_t> body(8 + text.size() + 1);
  const std::span<const uint8_t> bytes(reinterpret_cast<const uint8_t*>(text.data()), text.size());
  body.resize(v5::buildSendMessageData(to, type, bytes, body));
  return body;
}
inline std::vector<uint8_t> statusData(uint32_t status) {
  std::vector<uint8_t> data(4);
  data.resize(v5::buildStatusData(status, data));
  return data;
}
inline std::vector<uint8_t> textCode(std::string_view text) {
  std::vector<uint8_t> data(64);
  data.resize(v5::buildTextCodeData(text, data));
  return data;
}
inline std::vector<uint8_t> uinList(std::initializer_list<uint32_t> uins) {
  const std::vector<uint32_t> list(uins);
  std::vector<uint8_t> data(1 + 4 * list.size());
  data.resize(v5::buildUinListData(list, data));
  return data;
}

}  // namespace icq::test
