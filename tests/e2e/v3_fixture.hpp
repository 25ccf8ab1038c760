// Shared pieces of the V3 end-to-end tests: the V3 test client next to the V5 one on the
// same cluster, and the V5 helpers the interop tests need (contact list, status, messages).
#pragma once

#include <string>
#include <vector>

#include "common/codec/v3/constants.hpp"
#include "common/codec/v3/message.hpp"
#include "common/codec/v3/presence.hpp"
#include "common/codec/v5/message.hpp"
#include "common/codec/v5/presence.hpp"
#include "tests/e2e/e2e_fixture.hpp"
#include "tools/v3client/v3_client.hpp"

namespace icq::test {

namespace v3 = codec::v3;

inline constexpr uint32_t kV5OnlineStatus = 0x00030000;  // what the V5 test client logs in with

/// A V5 contact list upload, acknowledged.
inline void sendV5List(V5Client& client, uint16_t command, std::vector<uint32_t> uins) {
  std::array<uint8_t, 1100> body{};
  size_t n = v5::buildUinListData(uins, body);
  client.send(command, std::span(body).first(n));
  REQUIRE(client.expect(v5::SRV_ACK));
}

inline void changeV5Status(V5Client& client, uint32_t status) {
  std::array<uint8_t, 4> body{};
  v5::buildStatusData(status, body);
  client.send(v5::CMD_STATUS_CHANGE, body);
  REQUIRE(client.expect(v5::SRV_ACK));
}

/// The UIN a presence packet of either version is about (its first u32).
inline uint32_t aboutUin(std::span<const uint8_t> body) {
  return body.size() < 4 ? 0 : uint32_t{body[0]} | uint32_t{body[1]} << 8 | uint32_t{body[2]} << 16 | uint32_t{body[3]} << 24;
}

/// A text of `size` bytes whose every 10-byte block names its position, so a piece out of
/// place or missing shows.
inline std::string numberedText(size_t size) {
  std::string text;
  for (size_t i = 0; text.size() < size; ++i) {
    std::string block = "<" + std::to_string(i) + ">";
    block.resize(10, '.');
    text += block;
  }
  text.resize(size);
  return text;
}

/// A live message as the V5 client shows it.
struct V5Text {
  uint32_t from = 0;
  uint16_t type = 0;
  std::string text;
};

/// The V5 live messages (SRV_SYS_DELIVERED_MESS) that arrive, up to `count` of them.
inline std::vector<V5Text> expectV5Messages(V5Client& client, size_t count) {
  std::vector<V5Text> out;
  while (out.size() < count) {
    auto packet = client.expect(v5::SRV_SYS_DELIVERED_MESS, std::chrono::milliseconds(3000));
    if (!packet) break;
    v5::ReceivedMessage m;
    REQUIRE(v5::parseOnlineMessageBody(packet->data, m));
    out.push_back({m.from, m.type, std::string(m.text.begin(), m.text.end())});
  }
  return out;
}

}  // namespace icq::test
