// Tests for common/codec/v3/message.hpp: TV8 (THRU_SERVER), TV9 (SYSMSG_ONLINE), TV10
// (SYSMSG_OFFLINE) and TV11 (SYSMSG_DONE_ACK) of protocol-v3.md §12; AUTHORIZE, broadcasts,
// type conversion, 0xFE fields; limits, truncation and garbage.
#include "common/codec/v3/message.hpp"

#include <array>
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "common/codec/v3/constants.hpp"
#include "common/codec/v3/presence.hpp"
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

constexpr std::string_view kTv8 = "03 00 0e 01 05 00 05 00 8f e4 5e 00 00 00 00 00 8e e4 5e 00 01 00 06 00 48 65 6c 6c 6f 00";
constexpr std::string_view kTv9 = "03 00 04 01 07 00 05 00 8e e4 5e 00 00 00 00 00 8f e4 5e 00 01 00 06 00 48 65 6c 6c 6f 00";
constexpr std::string_view kTv10 =
    "03 00 dc 00 03 00 00 00 8f e4 5e 00 00 00 00 00 8e e4 5e 00 00 ca 9a 3b 01 00 03 00 48 69 00";
constexpr std::string_view kTv11 = "03 00 42 04 06 00 06 00 8f e4 5e 00 00 00 00 00 00 ca 9a 3b";

std::span<const uint8_t> bytesOf(std::string_view text) {
  return {reinterpret_cast<const uint8_t*>(text.data()), text.size()};
}
std::string textOf(std::span<const uint8_t> bytes) { return {bytes.begin(), bytes.end()}; }

ParseError parseThru(std::span<const uint8_t> input) {
  ThruServer out;
  return parseThruServer(input, out);
}

}  // namespace

TEST_CASE("v3 TV8: THRU_SERVER parses to recipient, type and text", "[codec][v3]") {
  const auto tv8 = fromHex(kTv8);
  const auto packet = decoded(tv8);
  CHECK(packet.header.command == CMD_THRU_SERVER);
  ThruServer message;
  REQUIRE(parseThruServer(packet.body, message) == ParseError::none);
  CHECK(message.to == kPeerUin);
  CHECK(message.type == kMsgText);
  CHECK(textOf(message.text) == "Hello");
  const auto body = built([&](auto out) { return buildThruServerBody(message, out); });
  CHECK(withHeader(packet.header, body) == tv8);
}

TEST_CASE("v3 TV9: SYSMSG_ONLINE delivering TV8 is the vector byte for byte", "[codec][v3]") {
  const auto tv8 = fromHex(kTv8);
  const auto request = decoded(tv8);
  ThruServer message;
  REQUIRE(parseThruServer(request.body, message) == ParseError::none);
  const DeliveredMessage delivered{
      .from = request.header.uin, .sentAt = 0, .type = deliveryType(message.type), .text = message.text};
  const auto body = built([&](auto out) { return buildOnlineMessageBody(delivered, out); });
  // seq1 = the recipient's servseq 7; seq2 copied from the sender's packet (§3.2).
  const Header header{.command = SRV_SYSMSG_ONLINE, .seq1 = 7, .seq2 = request.header.seq2, .uin = message.to};
  const auto tv9 = fromHex(kTv9);
  CHECK(withHeader(header, body) == tv9);
  DeliveredMessage parsed;
  REQUIRE(parseOnlineMessage(decoded(tv9).body, parsed) == ParseError::none);
  CHECK(parsed.from == kOwnUin);
  CHECK(textOf(parsed.text) == "Hello");
}

TEST_CASE("v3 TV10: SYSMSG_OFFLINE carries a u32 UTC time, not V5's date fields", "[codec][v3]") {
  const DeliveredMessage stored{.from = kPeerUin, .sentAt = 1000000000, .type = kMsgText, .text = bytesOf("Hi")};
  const auto body = built([&](auto out) { return buildOfflineMessageBody(stored, out); });
  const auto tv10 = fromHex(kTv10);
  CHECK(withHeader(Header{.command = SRV_SYSMSG_OFFLINE, .seq1 = 3, .seq2 = 0, .uin = kOwnUin}, body) == tv10);
  DeliveredMessage parsed;
  REQUIRE(parseOfflineMessage(decoded(tv10).body, parsed) == ParseError::none);
  CHECK(parsed.from == kPeerUin);
  CHECK(parsed.sentAt == 1000000000);
  CHECK(parsed.type == kMsgText);
  CHECK(textOf(parsed.text) == "Hi");
}

TEST_CASE("v3 TV11: SYSMSG_DONE_ACK carries the newest offline message's time", "[codec][v3]") {
  const auto tv11 = fromHex(kTv11);
  const auto packet = decoded(tv11);
  CHECK(packet.header.command == CMD_SYSMSG_DONE_ACK);
  uint32_t lastTime = 0;
  REQUIRE(parseU32Body(packet.body, lastTime) == ParseError::none);
  CHECK(lastTime == 1000000000);
  CHECK(withHeader(packet.header, built([](auto out) { return buildU32Body(1000000000, out); })) == tv11);
}

TEST_CASE("v3 delivered-message parsers refuse truncation and survive garbage", "[codec][v3]") {
  const auto tv9 = fromHex(kTv9);
  const auto tv10 = fromHex(kTv10);
  auto online = [](auto input) {
    DeliveredMessage out;
    return parseOnlineMessage(input, out);
  };
  auto offline = [](auto input) {
    DeliveredMessage out;
    return parseOfflineMessage(input, out);
  };
  requireTruncationsFail(decoded(tv9).body, decoded(tv9).body.size(), online);
  requireTruncationsFail(decoded(tv10).body, decoded(tv10).body.size(), offline);
  survivesGarbage(decoded(tv9).body, online);
  survivesGarbage(decoded(tv10).body, offline);
}

TEST_CASE("v3 AUTHORIZE from Miranda: type 8 with a one-byte NUL text", "[codec][v3]") {
  const auto body = fromHex("8e e4 5e 00 08 00 01 00 00");
  ThruServer message;
  REQUIRE(parseThruServer(body, message) == ParseError::none);
  CHECK(message.type == kMsgAuthGranted);
  CHECK(message.text.empty());
}

TEST_CASE("v3 THRU_SERVER: 2025 text bytes accepted, 2026 too_long, a caller's limit either way", "[codec][v3]") {
  const std::string longest(kMaxMessageLength, 'A');
  auto body = built<4096>([&](auto out) { return buildThruServerBody(ThruServer{kPeerUin, kMsgText, bytesOf(longest)}, out); });
  ThruServer message;
  REQUIRE(parseThruServer(body, message) == ParseError::none);
  CHECK(message.text.size() == kMaxMessageLength);
  CHECK(parseThruServer(body, message, 100) == ParseError::too_long);
  const std::string tooLong(kMaxMessageLength + 1, 'A');
  body = built<4096>([&](auto out) { return buildThruServerBody(ThruServer{kPeerUin, kMsgText, bytesOf(tooLong)}, out); });
  CHECK(parseThruServer(body, message) == ParseError::too_long);
  CHECK(message.text.empty());
  REQUIRE(parseThruServer(body, message, 3000) == ParseError::none);  // a configured v3.max_msgsize
  CHECK(message.text.size() == kMaxMessageLength + 1);
}

TEST_CASE("v3 THRU_SERVER refuses truncation, ignores trailing bytes, survives garbage", "[codec][v3]") {
  const auto tv8 = fromHex(kTv8);
  auto body = std::vector<uint8_t>(tv8.begin() + kHeaderSize, tv8.end());
  requireTruncationsFail(body, body.size(), parseThru);
  body.push_back(0x77);
  CHECK(parseThru(body) == ParseError::none);
  survivesGarbage(body, parseThru);
}

TEST_CASE("v3 broadcasts: BROADCAST_ALL body and BROADCAST_REQ time", "[codec][v3]") {
  const Broadcast broadcast{.department = 20, .type = 0, .text = bytesOf("Meeting at 3")};
  const auto body = built([&](auto out) { return buildBroadcastBody(broadcast, out); });
  Broadcast parsed;
  REQUIRE(parseBroadcast(body, parsed) == ParseError::none);
  CHECK(parsed.department == 20);
  CHECK(textOf(parsed.text) == "Meeting at 3");
  auto parse = [](auto input) {
    Broadcast out;
    return parseBroadcast(input, out);
  };
  requireTruncationsFail(body, body.size(), parse);
  survivesGarbage(body, parse);

  const auto request = built([](auto out) { return buildBroadcastReqBody(1000000000, out); });
  CHECK(request == fromHex("00 ca 9a 3b 00 00 00 00"));
  uint32_t lastTime = 0;
  REQUIRE(parseBroadcastReq(request, lastTime) == ParseError::none);
  CHECK(lastTime == 1000000000);
  CHECK(parseBroadcastReq(std::span(request).first(3), lastTime) == ParseError::truncated);
}

TEST_CASE("v3 delivery type: the low byte, contacts as text (§9.2, decision 37)", "[codec][v3]") {
  CHECK(deliveryType(kMsgText) == kMsgText);
  CHECK(deliveryType(0x8001) == kMsgText);
  CHECK(deliveryType(kMsgContacts) == kMsgText);
  CHECK(deliveryType(0x8013) == kMsgText);
  CHECK(deliveryType(kMsgBroadcast) == kMsgBroadcast);
  CHECK(deliveryType(kMsgUrl) == kMsgUrl);
}

TEST_CASE("v3 0xFE fields join and split back (§7.2)", "[codec][v3]") {
  const std::array<std::span<const uint8_t>, 3> fields{bytesOf("nick"), bytesOf(""), bytesOf("a@b")};
  const auto joined = built([&](auto out) { return joinFields(fields, out); });
  CHECK(joined == fromHex("6e 69 63 6b fe fe 61 40 62"));
  std::vector<std::string> split;
  forEachField(joined, [&](std::span<const uint8_t> field) { split.push_back(textOf(field)); });
  CHECK(split == std::vector<std::string>{"nick", "", "a@b"});
  split.clear();
  forEachField({}, [&](std::span<const uint8_t> field) { split.push_back(textOf(field)); });
  CHECK(split == std::vector<std::string>{""});
  std::array<uint8_t, 5> small{};
  CHECK(joinFields(fields, small) == 0);
}
