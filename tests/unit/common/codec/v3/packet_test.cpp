// Tests for common/codec/v3/packet.hpp and common/codec/version.hpp: the header-only vectors of
// protocol-v3.md §12 (TV2, TV4, TV12), the gateway's pre-checks, round trips and random input.
#include "common/codec/v3/packet.hpp"

#include <array>
#include <catch2/catch.hpp>
#include <random>
#include <vector>

#include "common/codec/v3/byte_io.hpp"
#include "common/codec/v3/constants.hpp"
#include "common/codec/version.hpp"
#include "tests/support/hex.hpp"

using namespace icq::codec::v3;
using icq::test::fromHex;

namespace {

constexpr uint32_t kOwnUin = 6218895;
constexpr std::string_view kTv1Header = "03 00 e8 03 01 00 01 00 8f e4 5e 00 00 00 00 00";

std::vector<uint8_t> encode(const Header& header, std::span<const uint8_t> body = {}) {
  std::vector<uint8_t> out(kHeaderSize + body.size());
  REQUIRE(encodePacket(header, body, out) == out.size());
  return out;
}

}  // namespace

TEST_CASE("v3 TV2: the server ACK of TV1 echoes seq1, seq2 and uin", "[codec][v3]") {
  Packet logon;
  const auto tv1 = fromHex(kTv1Header);
  REQUIRE(decodePacket(tv1, logon) == DecodeError::none);
  CHECK(encode(ackHeader(logon.header)) == fromHex("03 00 0a 00 01 00 01 00 8f e4 5e 00 00 00 00 00"));
}

TEST_CASE("v3 TV4: the client ACK of the HELLO carries its seq1 and seq2 0", "[codec][v3]") {
  const Header hello{.command = SRV_HELLO, .seq1 = 0, .seq2 = 1, .uin = kOwnUin};
  const auto tv4 = fromHex("03 00 0a 00 00 00 00 00 8f e4 5e 00 00 00 00 00");
  CHECK(encode(clientAckHeader(hello, kOwnUin)) == tv4);
  Packet ack;
  REQUIRE(decodePacket(tv4, ack) == DecodeError::none);
  CHECK(ack.header.command == CMD_ACK);
  CHECK(ack.header.seq1 == 0);
  CHECK(ack.body.empty());
}

TEST_CASE("v3 TV12: PING decodes to a header-only packet with seq1 7 and seq2 0", "[codec][v3]") {
  const auto tv12 = fromHex("03 00 2e 04 07 00 00 00 8f e4 5e 00 00 00 00 00");
  Packet ping;
  REQUIRE(decodePacket(tv12, ping) == DecodeError::none);
  CHECK(ping.header.command == CMD_PING);
  CHECK(ping.header.seq1 == 7);
  CHECK(ping.header.seq2 == 0);
  CHECK(ping.header.uin == kOwnUin);
  CHECK(ping.body.empty());
  CHECK(encode(ping.header) == tv12);
}

TEST_CASE("v3 decode ignores the reserved field and points the body into the datagram", "[codec][v3]") {
  auto datagram = fromHex("03 00 28 05 09 00 09 00 8f e4 5e 00 11 22 33 44 ff");
  Packet packet;
  REQUIRE(decodePacket(datagram, packet) == DecodeError::none);
  CHECK(packet.header.command == CMD_SET_STATE);
  CHECK(packet.header.reserved == 0x44332211);
  REQUIRE(packet.body.size() == 1);
  CHECK(packet.body.data() == datagram.data() + kHeaderSize);
}

TEST_CASE("v3 pre-checks: version first, then 16..8192 bytes", "[codec][v3]") {
  CHECK(precheckDatagram({}) == DecodeError::too_short);
  CHECK(precheckDatagram(fromHex("03")) == DecodeError::too_short);
  CHECK(precheckDatagram(fromHex("05 00")) == DecodeError::unsupported_version);
  CHECK(precheckDatagram(fromHex("21 21 00 00")) == DecodeError::unsupported_version);  // §2.4 admin channel
  CHECK(precheckDatagram(fromHex("03 00 2e 04 07 00 00 00 8f e4 5e 00 00 00 00")) == DecodeError::too_short);
  std::vector<uint8_t> big(kMaxDatagram, 0);
  big[0] = 3;
  CHECK(precheckDatagram(big) == DecodeError::none);
  big.push_back(0);
  CHECK(precheckDatagram(big) == DecodeError::too_long);
  std::vector<uint8_t> v5(9000, 0);
  v5[0] = 5;
  CHECK(precheckDatagram(v5) == DecodeError::unsupported_version);
}

TEST_CASE("v3 decode error names are stable metric labels", "[codec][v3]") {
  CHECK(decodeErrorName(DecodeError::too_short) == "too_short");
  CHECK(decodeErrorName(DecodeError::unsupported_version) == "unsupported_version");
  CHECK(parseErrorName(ParseError::too_long) == "too_long");
  CHECK(parseErrorName(ParseError::malformed) == "malformed");
}

TEST_CASE("v3 peekVersion reads the first u16 of either protocol", "[codec][v3]") {
  CHECK(icq::codec::peekVersion(fromHex("03 00 0a 00")) == 3);
  CHECK(icq::codec::peekVersion(fromHex("05 00")) == 5);
  CHECK(icq::codec::peekVersion(fromHex("05")) == icq::codec::kNoVersion);
}

TEST_CASE("v3 encode round-trips every header field and refuses a small buffer", "[codec][v3]") {
  const Header header{.command = 0xBEEF, .seq1 = 0x1234, .seq2 = 0xFFFF, .uin = 0xDEADBEEF, .reserved = 0};
  const std::array<uint8_t, 3> body{1, 2, 3};
  const auto bytes = encode(header, body);
  Packet packet;
  REQUIRE(decodePacket(bytes, packet) == DecodeError::none);
  CHECK(packet.header.command == header.command);
  CHECK(packet.header.seq1 == header.seq1);
  CHECK(packet.header.seq2 == header.seq2);
  CHECK(packet.header.uin == header.uin);
  CHECK(std::vector<uint8_t>(packet.body.begin(), packet.body.end()) == std::vector<uint8_t>{1, 2, 3});
  std::array<uint8_t, kHeaderSize + 2> small{};
  CHECK(encodePacket(header, body, small) == 0);
}

TEST_CASE("v3 encode takes a body already written in place behind the header", "[codec][v3]") {
  std::vector<uint8_t> out(kHeaderSize + 4, 0);
  out[kHeaderSize] = 0xAA;
  out[kHeaderSize + 3] = 0xBB;
  const std::span<const uint8_t> inPlace(out.data() + kHeaderSize, 4);
  REQUIRE(encodePacket(Header{.command = SRV_USER_OFFLINE, .uin = 1}, inPlace, out) == out.size());
  CHECK(out[kHeaderSize] == 0xAA);
  CHECK(out[kHeaderSize + 3] == 0xBB);
  CHECK(out[2] == 0x78);
}

TEST_CASE("v3 stampSeq1 numbers a built packet and leaves the rest alone", "[codec][v3]") {
  auto packet = encode(Header{.command = SRV_LIST_DONE, .seq1 = 0, .seq2 = 9, .uin = kOwnUin});
  auto expected = packet;
  stampSeq1(packet, 0x0102);
  expected[4] = 0x02;
  expected[5] = 0x01;
  CHECK(packet == expected);
  std::array<uint8_t, 4> tiny{};
  stampSeq1(tiny, 7);  // shorter than a header: untouched
  CHECK(tiny == std::array<uint8_t, 4>{});
}

TEST_CASE("v3 reply headers: seq1 0, the request's seq2 and uin (§3.2)", "[codec][v3]") {
  const Header request{.command = CMD_GET_INFO, .seq1 = 10, .seq2 = 11, .uin = kOwnUin};
  const Header reply = replyHeader(request, SRV_INVALID_UIN);
  CHECK(reply.command == SRV_INVALID_UIN);
  CHECK(reply.seq1 == 0);
  CHECK(reply.seq2 == 11);
  CHECK(reply.uin == kOwnUin);
}

TEST_CASE("v3 decode answers random datagrams with a value", "[codec][v3]") {
  std::mt19937 rng(7);
  for (int round = 0; round < 5000; ++round) {
    std::vector<uint8_t> input(rng() % 64);
    for (auto& byte : input) byte = static_cast<uint8_t>(rng());
    if (round % 2 == 0 && input.size() >= 2) input[0] = 3, input[1] = 0;
    Packet packet;
    const DecodeError error = decodePacket(input, packet);
    if (error == DecodeError::none) {
      REQUIRE(input.size() >= kHeaderSize);
      REQUIRE(packet.body.size() == input.size() - kHeaderSize);
    }
  }
}

TEST_CASE("v3 command names and classes follow §3.4 and §2.6", "[codec][v3]") {
  CHECK(clientCommandName(CMD_THRU_SERVER) == "CMD_THRU_SERVER");
  CHECK(serverCommandName(SRV_SYSMSG_ONLINE) == "SRV_SYSMSG_ONLINE");
  CHECK(clientCommandName(0x7777) == "unknown");
  CHECK(isReliableServerPacket(SRV_HELLO));
  CHECK(isReliableServerPacket(SRV_FRAGMENT));
  CHECK(isReliableServerPacket(SRV_BROADCAST_DONE));
  CHECK_FALSE(isReliableServerPacket(SRV_ACK));
  CHECK_FALSE(isReliableServerPacket(SRV_DEPS_LIST));
  CHECK_FALSE(isReliableServerPacket(SRV_REGISTRATION_OK));
  CHECK_FALSE(isReliableServerPacket(SRV_LOGIN_ERROR));
  CHECK(isSessionlessCommand(CMD_LOGON));
  CHECK(isSessionlessCommand(CMD_REG_NEW_USER));
  CHECK_FALSE(isSessionlessCommand(CMD_PING));
  CHECK_FALSE(isSessionlessCommand(CMD_FRAGMENT));
}
