// Fuzz target: any bytes as a V3 datagram. As a client's (what gateways and workers read):
// the gateway's pre-check and the header. As a server's (what icq-v3-client reads): the
// header, then every server body the client parses, fragments and REGISTER_INFO included.
// The worker's body layouts are v3_worker's job, which reaches them through real handlers;
// reassembly on its own is v3_fragments'.
#include <array>
#include <cstdint>
#include <string_view>

#include "common/codec/v3/fragment.hpp"
#include "common/codec/v3/login.hpp"
#include "common/codec/v3/message.hpp"
#include "common/codec/v3/packet.hpp"
#include "common/codec/v3/presence.hpp"
#include "common/codec/v3/profile.hpp"
#include "common/codec/v3/registration.hpp"

namespace {

using namespace icq::codec::v3;

void asServerBodies(std::span<const uint8_t> body) {
  Hello hello;
  parseHello(body, hello);
  std::array<Department, 64> departments;
  size_t count = 0;
  uint32_t version = 0;
  for (bool withPrefix : {false, true}) parseDepsList(body, withPrefix, version, departments, count);
  RegisterInfo info;
  parseRegisterInfo(body, info, departments, count);
  std::string_view text;
  parseTextBody(body, text);
  Broadcast broadcast;
  parseBroadcast(body, broadcast);
  DeliveredMessage message;
  parseOnlineMessage(body, message);
  parseOfflineMessage(body, message);
  OnlineContact contact;
  parseUserOnline(body, contact);
  UserStatus status;
  parseUserStatus(body, status);
  BasicInfo basic;
  parseInfoBasic(body, basic);
  uint32_t uin = 0;
  parseSearchFound(body, uin, basic);
  HomeInfo home;
  parseInfoHome(body, home);
  WorkInfo work;
  parseInfoWork(body, work);
  Notes notes;
  parseNotes(body, notes);
  parseSearchDone(body);
  FragmentPiece piece;
  parseFragment(body, piece);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::span<const uint8_t> input(data, size);
  if (precheckDatagram(input) != DecodeError::none) return 0;
  Packet packet;
  if (decodePacket(input, packet) == DecodeError::none) asServerBodies(packet.body);
  return 0;
}
