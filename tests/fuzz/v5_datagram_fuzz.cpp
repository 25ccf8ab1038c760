// Fuzz target: any bytes as a V5 datagram, both ways. As a client's (what gateways and
// workers read): the gateway's pre-checks, then in-place decryption and the header. As a
// server's (what icq-v5-client and icq-loadgen read from a server they are pointed at): the
// header and checkcode, then every server body the tools parse. The worker's body layouts are
// v5_worker's job, which reaches them through real handlers.
#include <array>
#include <cstdint>
#include <cstring>

#include "common/codec/v5/constants.hpp"
#include "common/codec/v5/message.hpp"
#include "common/codec/v5/messages.hpp"
#include "common/codec/v5/meta.hpp"
#include "common/codec/v5/packet.hpp"
#include "common/codec/v5/presence.hpp"

namespace {

using namespace icq::codec::v5;

void asClientDatagram(std::span<const uint8_t> input) {
  if (precheckClientDatagram(input) != DecodeError::none) return;
  std::array<uint8_t, kMaxDatagram> copy;  // decryption is in place; the input is read-only
  std::memcpy(copy.data(), input.data(), input.size());
  ClientPacket packet;
  decodeClientPacket(std::span(copy).first(input.size()), packet);
}

void asServerBodies(std::span<const uint8_t> data) {
  LoginReplyFields login;
  parseLoginReply(data, login);
  ReceivedMessage message;
  parseOnlineMessageBody(data, message);
  parseOfflineMessageBody(data, message);
  OnlineContact contact;
  parseUserOnlineBody(data, contact);
  uint16_t reply = 0;
  uint8_t result = 0;
  std::span<const uint8_t> rest;
  if (!parseMetaReply(data, reply, result, rest)) return;
  SearchHitFields hit;
  uint32_t usersLeft = 0;
  for (ResultFormat format : {ResultFormat::plain, ResultFormat::sized})
    parseMetaFound(reply, rest, format, hit, usersLeft);
}

void asServerDatagram(std::span<const uint8_t> input) {
  ServerHeader header;
  std::span<const uint8_t> data;
  bool checkcodeValid = false;
  if (decodeServerPacket(input, header, data, checkcodeValid) == DecodeError::none) asServerBodies(data);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::span<const uint8_t> input(data, size);
  asClientDatagram(input);
  asServerDatagram(input);
  return 0;
}
