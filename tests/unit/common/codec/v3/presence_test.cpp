// Tests for common/codec/v3/presence.hpp: TV5 (USER_LIST), TV6 (USER_ONLINE), TV7 (USER_STATUS)
// and TV13 (SET_STATUS, both layouts) of protocol-v3.md §12; lists, u32 bodies, UPDATE_LIST,
// SET_STATE, direct-connection hiding; truncation and garbage.
#include "common/codec/v3/presence.hpp"

#include <algorithm>
#include <array>
#include <catch2/catch.hpp>
#include <vector>

#include "common/codec/v3/constants.hpp"
#include "tests/support/hex.hpp"
#include "tests/unit/common/codec/v3/garbage.hpp"
#include "tests/unit/common/codec/v3/vectors.hpp"

using namespace icq::codec::v3;
using icq::test::fromHex;
using icq::test::v3::built;
using icq::test::v3::decoded;
using icq::test::v3::requireTruncationsFail;
using icq::test::v3::survivesGarbage;
using icq::test::v3::withHeader;

namespace {

constexpr uint32_t kOwnUin = 6218895;
constexpr uint32_t kPeerUin = 6218894;
constexpr uint32_t kPeerIp = 0x020AA8C0;  // 192.168.10.2, network order

constexpr std::string_view kTv5 = "03 00 06 04 04 00 04 00 8f e4 5e 00 00 00 00 00 02 8e e4 5e 00 8d e4 5e 00";
constexpr std::string_view kTv6 =
    "03 00 6e 00 01 00 00 00 8f e4 5e 00 00 00 00 00 8e e4 5e 00 c0 a8 0a 02 b7 09 00 00 c0 a8 0a 02"
    "04 01 00 00 00 02 00 00 00";
constexpr std::string_view kTv7 = "03 00 a4 01 02 00 00 00 8f e4 5e 00 00 00 00 00 8e e4 5e 00 13 00 00 00";
constexpr std::string_view kTv13Miranda = "03 00 d8 04 08 00 08 00 8f e4 5e 00 00 00 00 00 01 00";
constexpr std::string_view kTv13IServerd = "03 00 d8 04 08 00 08 00 8f e4 5e 00 00 00 00 00 01 00 00 00 00 00 00 00";

ParseError parseList(std::span<const uint8_t> input) {
  std::array<uint32_t, kMaxUinsPerListPacket> uins{};
  size_t count = 0;
  return parseUinList(input, uins, count);
}

}  // namespace

TEST_CASE("v3 TV5: USER_LIST parses to two contacts and builds back", "[codec][v3]") {
  const auto tv5 = fromHex(kTv5);
  const auto packet = decoded(tv5);
  CHECK(packet.header.command == CMD_USER_LIST);
  std::array<uint32_t, kMaxUinsPerListPacket> uins{};
  size_t count = 0;
  REQUIRE(parseUinList(packet.body, uins, count) == ParseError::none);
  REQUIRE(count == 2);
  CHECK(uins[0] == kPeerUin);
  CHECK(uins[1] == 6218893);
  const auto body = built([&](auto out) { return buildUinListBody(std::span(uins).first(count), out); });
  CHECK(withHeader(packet.header, body) == tv5);
}

TEST_CASE("v3 USER_LIST: 0 to 255 UINs, trailing garbage ignored, short or small output refused", "[codec][v3]") {
  std::vector<uint32_t> many(kMaxUinsPerListPacket);
  for (size_t i = 0; i < many.size(); ++i) many[i] = static_cast<uint32_t>(1000 + i);
  auto body = built<2048>([&](auto out) { return buildUinListBody(many, out); });
  std::array<uint32_t, kMaxUinsPerListPacket> uins{};
  size_t count = 0;
  body.push_back(0xEE);
  REQUIRE(parseUinList(body, uins, count) == ParseError::none);
  CHECK(count == 255);
  CHECK(uins[254] == 1254);
  std::array<uint32_t, 10> small{};
  CHECK(parseUinList(body, small, count) == ParseError::too_long);
  CHECK(count == 0);
  const auto empty = fromHex("00");
  CHECK(parseUinList(empty, uins, count) == ParseError::none);
  CHECK(count == 0);
  many.push_back(1);
  std::array<uint8_t, 2048> out{};
  CHECK(buildUinListBody(many, out) == 0);
  requireTruncationsFail(decoded(fromHex(kTv5)).body, 9, parseList);
  survivesGarbage(decoded(fromHex(kTv5)).body, parseList);
}

TEST_CASE("v3 TV6: USER_ONLINE of a V3 peer is the vector byte for byte", "[codec][v3]") {
  const OnlineContact peer{.uin = kPeerUin,
                           .ip = kPeerIp,
                           .tcpPort = 2487,
                           .realIp = kPeerIp,
                           .dcType = 4,
                           .status = kStatusAway,
                           .estat = 0,
                           .tcpVersion = 2};
  const auto body = built([&](auto out) { return buildUserOnlineBody(peer, out); });
  CHECK(body.size() == kUserOnlineBodySize);
  const auto tv6 = fromHex(kTv6);
  CHECK(withHeader(Header{.command = SRV_USER_ONLINE, .seq1 = 1, .seq2 = 0, .uin = kOwnUin}, body) == tv6);
  OnlineContact parsed;
  REQUIRE(parseUserOnline(decoded(tv6).body, parsed) == ParseError::none);
  CHECK(parsed.uin == kPeerUin);
  CHECK(parsed.ip == kPeerIp);
  CHECK(parsed.tcpPort == 2487);
  CHECK(parsed.status == kStatusAway);
  CHECK(parsed.tcpVersion == 2);
}

TEST_CASE("v3 TV6: a non-V3 peer's bytes 20 to 32 are all zero", "[codec][v3]") {
  const OnlineContact peer{.uin = kPeerUin, .ip = kPeerIp, .tcpPort = 2487, .realIp = kPeerIp, .dcType = 4,
                           .status = kStatusAway, .estat = 0, .tcpVersion = 2};
  const auto tv6 = fromHex(kTv6);
  std::vector<uint8_t> hidden(tv6.begin() + kHeaderSize, tv6.end());
  std::fill(hidden.begin() + 4, hidden.begin() + 17, 0);
  CHECK(built([&](auto out) { return buildUserOnlineBody(hideDirectConnection(peer), out); }) == hidden);
}

TEST_CASE("v3 USER_ONLINE parse refuses truncation and survives garbage", "[codec][v3]") {
  const auto tv6 = fromHex(kTv6);
  auto parse = [](auto input) {
    OnlineContact out;
    return parseUserOnline(input, out);
  };
  requireTruncationsFail(decoded(tv6).body, kUserOnlineBodySize, parse);
  survivesGarbage(decoded(tv6).body, parse);
}

TEST_CASE("v3 TV7: USER_STATUS of the peer going DND", "[codec][v3]") {
  const auto body = built([](auto out) { return buildUserStatusBody(UserStatus{kPeerUin, kStatusDnd, 0}, out); });
  const auto tv7 = fromHex(kTv7);
  CHECK(withHeader(Header{.command = SRV_USER_STATUS, .seq1 = 2, .seq2 = 0, .uin = kOwnUin}, body) == tv7);
  UserStatus parsed;
  REQUIRE(parseUserStatus(decoded(tv7).body, parsed) == ParseError::none);
  CHECK(parsed.uin == kPeerUin);
  CHECK(parsed.status == kStatusDnd);
  auto parse = [](auto input) {
    UserStatus out;
    return parseUserStatus(input, out);
  };
  requireTruncationsFail(decoded(tv7).body, 8, parse);
  survivesGarbage(decoded(tv7).body, parse);
}

TEST_CASE("v3 TV13: SET_STATUS as Miranda sends it (2 bytes) reads away", "[codec][v3]") {
  const auto tv13 = fromHex(kTv13Miranda);
  StatusChange change;
  REQUIRE(parseSetStatus(decoded(tv13).body, change) == ParseError::none);
  CHECK(change.status == kStatusAway);
  CHECK(change.estat == 0);
  const auto body = built([](auto out) { return buildSetStatusBody(StatusChange{kStatusAway, 0}, true, out); });
  CHECK(withHeader(decoded(tv13).header, body) == tv13);
}

TEST_CASE("v3 TV13: SET_STATUS in IServerd's u32 pair reads the same status", "[codec][v3]") {
  const auto tv13 = fromHex(kTv13IServerd);
  StatusChange change;
  REQUIRE(parseSetStatus(decoded(tv13).body, change) == ParseError::none);
  CHECK(change.status == kStatusAway);
  CHECK(change.estat == 0);
  const auto body = built([](auto out) { return buildSetStatusBody(StatusChange{kStatusAway, 0}, false, out); });
  CHECK(withHeader(decoded(tv13).header, body) == tv13);
}

TEST_CASE("v3 SET_STATUS: every body length picks its reading of estat (§5.9)", "[codec][v3]") {
  StatusChange change;
  const auto capture = fromHex("00 01 00 00");  // the Mirabilis client going private
  REQUIRE(parseSetStatus(capture, change) == ParseError::none);
  CHECK(change.status == kStatusPrivate);
  CHECK(change.estat == 0);
  const auto u16Pair = fromHex("11 00 22 00");
  REQUIRE(parseSetStatus(u16Pair, change) == ParseError::none);
  CHECK(change.estat == 0x22);
  const auto u32Pair = fromHex("13 00 00 00 33 00 44 00");
  REQUIRE(parseSetStatus(u32Pair, change) == ParseError::none);
  CHECK(change.status == kStatusDnd);
  CHECK(change.estat == 0x33);  // the low word of the u32 at 20
  const auto oneByte = fromHex("01");
  CHECK(parseSetStatus(oneByte, change) == ParseError::truncated);
  survivesGarbage(u32Pair, [](auto input) {
    StatusChange out;
    return parseSetStatus(input, out);
  });
}

TEST_CASE("v3 u32 bodies: USER_ADD, USER_OFFLINE and their kin", "[codec][v3]") {
  const auto body = built([](auto out) { return buildU32Body(kPeerUin, out); });
  CHECK(body == fromHex("8e e4 5e 00"));
  uint32_t value = 0;
  REQUIRE(parseU32Body(body, value) == ParseError::none);
  CHECK(value == kPeerUin);
  auto parse = [](auto input) {
    uint32_t out = 0;
    return parseU32Body(input, out);
  };
  requireTruncationsFail(body, 4, parse);
  survivesGarbage(body, parse);
}

TEST_CASE("v3 UPDATE_LIST needs all six bytes", "[codec][v3]") {
  const auto body = built([](auto out) { return buildUpdateListBody(UpdateList{kPeerUin, 2, 1}, out); });
  CHECK(body == fromHex("8e e4 5e 00 02 01"));
  UpdateList parsed;
  REQUIRE(parseUpdateList(body, parsed) == ParseError::none);
  CHECK(parsed.uin == kPeerUin);
  CHECK(parsed.list == 2);
  CHECK(parsed.add == 1);
  auto parse = [](auto input) {
    UpdateList out;
    return parseUpdateList(input, out);
  };
  requireTruncationsFail(body, 6, parse);
  survivesGarbage(body, parse);
}

TEST_CASE("v3 SET_STATE is one byte", "[codec][v3]") {
  const auto body = built([](auto out) { return buildSetStateBody(0xFF, out); });
  uint8_t state = 0;
  REQUIRE(parseSetState(body, state) == ParseError::none);
  CHECK(state == 0xFF);
  CHECK(parseSetState({}, state) == ParseError::truncated);
}

TEST_CASE("v3 private is the exact low word 0x0100", "[codec][v3]") {
  CHECK(isPrivate(0x0100));
  CHECK_FALSE(isPrivate(0x0101));
  CHECK_FALSE(isPrivate(0x0000));
}
