// Tests for common/codec/v5/presence.hpp: list packets (protocol-v5.md §6.3, §6.17, D32),
// CMD_UPDATE_LIST's values (§6.18, D9), the presence bodies (§8.7, §8.10, §8.16, D14, TV7) and
// the invisible bit (§9.4, D11).
#include "common/codec/v5/presence.hpp"

#include <array>
#include <catch2/catch.hpp>
#include <cstring>
#include <random>
#include <vector>

#include "common/codec/v5/constants.hpp"
#include "common/codec/v5/packet.hpp"
#include "tests/support/hex.hpp"

using namespace icq::codec::v5;

namespace {

using icq::test::fromHex;

uint32_t ipv4(uint8_t a, uint8_t b, uint8_t c, uint8_t d) {
  const std::array<uint8_t, 4> octets{a, b, c, d};
  uint32_t address = 0;
  std::memcpy(&address, octets.data(), 4);
  return address;
}

std::vector<uint8_t> bytesOf(std::span<const uint8_t> out, size_t length) {
  return {out.begin(), out.begin() + static_cast<std::ptrdiff_t>(length)};
}

OnlineContact sampleContact() {
  OnlineContact contact;
  contact.uin = 654321;
  contact.externalIp = ipv4(192, 0, 2, 1);
  contact.tcpPort = 30096;
  contact.internalIp = ipv4(10, 10, 10, 2);
  contact.dcType = 0x04;
  contact.status = 0x00030001;
  contact.tcpVersion = 6;
  contact.dcCookie = 0x11223344;
  contact.webPort = 80;
  contact.features = 3;
  contact.infoUpdateTime = 0x01020304;
  contact.moreUpdateTime = 5;
  contact.statusUpdateTime = 6;
  return contact;
}

// sampleContact() laid out as §8.7 prints it.
const std::vector<uint8_t> kSampleOnlineBody = fromHex(
    "F1FB0900 C0000201 90750000 0A0A0A02 04 01000300 06000000 44332211 50000000 03000000 04030201 05000000 "
    "06000000");

std::vector<uint32_t> sequentialUins(size_t n) {
  std::vector<uint32_t> uins(n);
  for (size_t i = 0; i < n; ++i) {
    uins[i] = 100000u + static_cast<uint32_t>(i) * 7919u;
  }
  return uins;
}

}  // namespace

TEST_CASE("v5 uin lists of 0, 1, 100 and 255 UINs round-trip", "[codec][v5]") {
  for (const size_t n : {size_t{0}, size_t{1}, size_t{100}, size_t{255}}) {
    INFO("N " << n);
    const std::vector<uint32_t> uins = sequentialUins(n);
    std::vector<uint8_t> data(1 + 4 * n);
    REQUIRE(buildUinListData(uins, data) == data.size());
    CHECK(data[0] == n);

    std::array<uint32_t, kMaxUinsPerListPacket> parsed{};
    size_t count = 99;
    REQUIRE(parseUinList(data, parsed, count) == ParseError::none);
    REQUIRE(count == n);
    CHECK(std::equal(uins.begin(), uins.end(), parsed.begin()));
  }
}

TEST_CASE("v5 uin list with a count larger than its data is truncated", "[codec][v5]") {
  std::array<uint32_t, kMaxUinsPerListPacket> parsed{};
  size_t count = 99;
  CHECK(parseUinList(fromHex("03 01000000 02000000"), parsed, count) == ParseError::truncated);
  CHECK(count == 0);
  CHECK(parseUinList({}, parsed, count) == ParseError::truncated);
  CHECK(count == 0);
}

TEST_CASE("v5 uin list parser survives every truncation and ignores trailing bytes", "[codec][v5]") {
  const std::vector<uint32_t> uins = sequentialUins(5);
  std::vector<uint8_t> data(1 + 4 * uins.size());
  REQUIRE(buildUinListData(uins, data) == data.size());
  std::array<uint32_t, kMaxUinsPerListPacket> parsed{};
  size_t count = 0;
  for (size_t length = 0; length < data.size(); ++length) {
    INFO("length " << length);
    CHECK(parseUinList(std::span(data).first(length), parsed, count) == ParseError::truncated);
    CHECK(count == 0);
  }
  data.push_back(0xAB);
  REQUIRE(parseUinList(data, parsed, count) == ParseError::none);
  CHECK(count == 5);
  CHECK(parsed[4] == uins[4]);
}

TEST_CASE("v5 uin list with more UINs than the output holds is too_long", "[codec][v5]") {
  const std::vector<uint32_t> uins = sequentialUins(10);
  std::vector<uint8_t> data(1 + 4 * uins.size());
  REQUIRE(buildUinListData(uins, data) == data.size());
  std::array<uint32_t, 9> small{};
  size_t count = 99;
  CHECK(parseUinList(data, small, count) == ParseError::too_long);
  CHECK(count == 0);
}

TEST_CASE("v5 uin list builder refuses 256 UINs and a short output", "[codec][v5]") {
  std::vector<uint8_t> out(2048);
  CHECK(buildUinListData(sequentialUins(256), out) == 0);
  const std::vector<uint32_t> uins = sequentialUins(3);
  for (size_t size = 0; size < 13; ++size) {
    CHECK(buildUinListData(uins, std::span(out).first(size)) == 0);
  }
  CHECK(buildUinListData(uins, std::span(out).first(13)) == 13);
}

TEST_CASE("v5 add-to-list and status-change bodies round-trip and need all four bytes", "[codec][v5]") {
  std::array<uint8_t, 8> out{};
  REQUIRE(buildUinData(654321, out) == 4);
  CHECK(bytesOf(out, 4) == fromHex("F1FB0900"));
  uint32_t uin = 1;
  for (size_t length = 0; length < 4; ++length) {
    CHECK(parseAddToList(std::span(out).first(length), uin) == ParseError::truncated);
  }
  REQUIRE(parseAddToList(std::span(out).first(4), uin) == ParseError::none);
  CHECK(uin == 654321);
  // Trailing bytes (licq's random padding, §1.2) are ignored.
  REQUIRE(parseAddToList(out, uin) == ParseError::none);
  CHECK(uin == 654321);

  REQUIRE(buildStatusData(0x00030100, out) == 4);
  CHECK(bytesOf(out, 4) == fromHex("00010300"));
  uint32_t status = 1;
  for (size_t length = 0; length < 4; ++length) {
    CHECK(parseStatusChange(std::span(out).first(length), status) == ParseError::truncated);
  }
  REQUIRE(parseStatusChange(std::span(out).first(4), status) == ParseError::none);
  CHECK(status == 0x00030100);
}

TEST_CASE("v5 update-list LIST bytes 0, 1, 2 and ACTION bytes 0, 1, 7 follow D9", "[codec][v5]") {
  struct Case {
    uint8_t list, action;
    PrivacyList expectedList;
    bool expectedAdd;
  };
  const std::array cases{
      Case{2, 1, PrivacyList::visible, true},    Case{2, 0, PrivacyList::visible, false},
      Case{2, 7, PrivacyList::visible, false},   Case{1, 1, PrivacyList::invisible, true},
      Case{1, 0, PrivacyList::invisible, false}, Case{1, 7, PrivacyList::invisible, false},
      Case{0, 1, PrivacyList::invisible, true},  Case{0, 0, PrivacyList::invisible, false},
      Case{0, 7, PrivacyList::invisible, false}, Case{9, 1, PrivacyList::invisible, true},
  };
  for (const Case& c : cases) {
    INFO("LIST " << int{c.list} << " ACTION " << int{c.action});
    std::vector<uint8_t> data = fromHex("F1FB0900");
    data.push_back(c.list);
    data.push_back(c.action);
    UpdateList update;
    REQUIRE(parseUpdateList(data, update) == ParseError::none);
    CHECK(update.uin == 654321);
    CHECK(update.list == c.expectedList);
    CHECK(update.add == c.expectedAdd);
    CHECK(update.rawList == c.list);
  }
}

TEST_CASE("v5 update-list builder writes IServerd's values and round-trips", "[codec][v5]") {
  std::array<uint8_t, 6> out{};
  REQUIRE(buildUpdateListData(654321, PrivacyList::visible, true, out) == 6);
  CHECK(bytesOf(out, 6) == fromHex("F1FB0900 02 01"));
  REQUIRE(buildUpdateListData(654321, PrivacyList::invisible, false, out) == 6);
  CHECK(bytesOf(out, 6) == fromHex("F1FB0900 01 00"));
  CHECK(buildUpdateListData(654321, PrivacyList::visible, true, std::span(out).first(5)) == 0);

  for (const PrivacyList list : {PrivacyList::visible, PrivacyList::invisible}) {
    for (const bool add : {true, false}) {
      REQUIRE(buildUpdateListData(42, list, add, out) == 6);
      UpdateList update;
      REQUIRE(parseUpdateList(out, update) == ParseError::none);
      CHECK(update.uin == 42);
      CHECK(update.list == list);
      CHECK(update.add == add);
    }
  }
}

TEST_CASE("v5 update-list parser needs all six bytes", "[codec][v5]") {
  const auto data = fromHex("F1FB0900 02 01");
  for (size_t length = 0; length < data.size(); ++length) {
    INFO("length " << length);
    UpdateList update;
    CHECK(parseUpdateList(std::span(data).first(length), update) == ParseError::truncated);
  }
}

TEST_CASE("v5 SRV_USER_ONLINE body is 49 bytes, status at 17, IPs in wire order", "[codec][v5]") {
  REQUIRE(kSampleOnlineBody.size() == kUserOnlineBodySize);
  std::array<uint8_t, 64> out{};
  const size_t length = buildUserOnlineBody(sampleContact(), out);
  REQUIRE(length == 49);
  CHECK(bytesOf(out, length) == kSampleOnlineBody);
  // The status is the u32 right after the DC-type byte (D14), not Wireshark's offset 19.
  CHECK(bytesOf(std::span(out).subspan(17), 4) == fromHex("01000300"));
  CHECK(bytesOf(std::span(out).subspan(4), 4) == fromHex("C0000201"));
  CHECK(bytesOf(std::span(out).subspan(12), 4) == fromHex("0A0A0A02"));
  CHECK(buildUserOnlineBody(sampleContact(), std::span(out).first(48)) == 0);
}

TEST_CASE("v5 SRV_USER_ONLINE body round-trips and any truncation is rejected", "[codec][v5]") {
  OnlineContact parsed;
  REQUIRE(parseUserOnlineBody(kSampleOnlineBody, parsed));
  const OnlineContact expected = sampleContact();
  CHECK(parsed.uin == expected.uin);
  CHECK(parsed.externalIp == expected.externalIp);
  CHECK(parsed.tcpPort == expected.tcpPort);
  CHECK(parsed.internalIp == expected.internalIp);
  CHECK(parsed.dcType == expected.dcType);
  CHECK(parsed.status == expected.status);
  CHECK(parsed.tcpVersion == expected.tcpVersion);
  CHECK(parsed.dcCookie == expected.dcCookie);
  CHECK(parsed.webPort == expected.webPort);
  CHECK(parsed.features == expected.features);
  CHECK(parsed.infoUpdateTime == expected.infoUpdateTime);
  CHECK(parsed.moreUpdateTime == expected.moreUpdateTime);
  CHECK(parsed.statusUpdateTime == expected.statusUpdateTime);
  for (size_t length = 0; length < kSampleOnlineBody.size(); ++length) {
    INFO("length " << length);
    CHECK_FALSE(parseUserOnlineBody(std::span(kSampleOnlineBody).first(length), parsed));
  }
}

TEST_CASE("v5 SRV_USER_OFFLINE body is the contact's uin", "[codec][v5]") {
  std::array<uint8_t, 4> out{};
  REQUIRE(buildUserOfflineBody(654321, out) == 4);
  CHECK(bytesOf(out, 4) == fromHex("F1FB0900"));
  CHECK(buildUserOfflineBody(654321, std::span(out).first(3)) == 0);
}

TEST_CASE("v5 SRV_STATUS_UPDATE body equals TV7's data and encodes to TV7", "[codec][v5]") {
  std::array<uint8_t, 64> out{};
  const size_t bodyLength = buildStatusUpdateBody(654321, 0x00030001, std::span(out).subspan(kServerHeaderSize));
  REQUIRE(bodyLength == 8);
  CHECK(bytesOf(std::span(out).subspan(kServerHeaderSize), bodyLength) == fromHex("F1FB090001000300"));
  CHECK(buildStatusUpdateBody(654321, 0x00030001, std::span(out).first(7)) == 0);

  const ServerHeader header{0x12345678, SRV_STATUS_UPDATE, 7, 0, 123456};
  const size_t length =
      encodeServerPacket(header, std::span(out).subspan(kServerHeaderSize, bodyLength), out, 0x03, 0xFF);
  CHECK(bytesOf(out, length) == fromHex("05000078563412A4010700000040E20100EDFFD102F1FB090001000300"));
}

TEST_CASE("v5 invisible is a bit test on the state word", "[codec][v5]") {
  CHECK(isInvisible(0x00000100));
  CHECK(isInvisible(0x00000101));  // IServerd's equality test would call this visible (D11)
  CHECK(isInvisible(0x00030100));
  CHECK_FALSE(isInvisible(0x00000000));
  CHECK_FALSE(isInvisible(0x00000013));
  CHECK_FALSE(isInvisible(0x01000000));  // the same bit in the flags word is not invisibility
}

TEST_CASE("v5 presence parsers survive random garbage", "[codec][v5]") {
  std::mt19937 rng(77);
  std::array<uint32_t, kMaxUinsPerListPacket> uins{};
  for (int trial = 0; trial < 20000; ++trial) {
    std::vector<uint8_t> data(rng() % 1100);
    for (auto& byte : data) {
      byte = static_cast<uint8_t>(rng());
    }
    size_t count = 0;
    const ParseError error = parseUinList(data, uins, count);
    CHECK((error == ParseError::none) == (!data.empty() && data.size() >= 1 + 4 * size_t{data[0]}));
    CHECK(count <= kMaxUinsPerListPacket);
    uint32_t value = 0;
    parseAddToList(data, value);
    parseStatusChange(data, value);
    UpdateList update;
    CHECK((parseUpdateList(data, update) == ParseError::none) == (data.size() >= 6));
    OnlineContact contact;
    CHECK(parseUserOnlineBody(data, contact) == (data.size() >= kUserOnlineBodySize));
  }
}

TEST_CASE("v5 SRV_RAND_USER body is the 37 bytes mICQ accepts", "[codec][v5]") {
  OnlineContact c;
  c.uin = 654321;
  c.externalIp = 0x0100007F;
  c.tcpPort = 30096;
  c.internalIp = 0x020A0A0A;
  c.dcType = 4;
  c.status = 0x00030020;
  c.tcpVersion = 6;
  std::array<uint8_t, 64> out{};
  REQUIRE(buildRandomUserBody(c, out) == kRandomUserBodySize);
  CHECK(out[4] == 0x7F);   // IP in wire order
  CHECK(out[16] == 4);     // DC type
  CHECK(out[17] == 0x20);  // status at 17, as in SRV_USER_ONLINE
  CHECK(out[21] == 6);     // TCP version, u16
  for (size_t i = 23; i < kRandomUserBodySize; ++i) CHECK(out[i] == 0);
  std::array<uint8_t, 36> tooSmall{};
  CHECK(buildRandomUserBody(c, tooSmall) == 0);
}
