// Tests for common/codec/v3/login.hpp: TV1 (LOGON), TV3 (HELLO) and TV17 (LOGOFF) of
// protocol-v3.md §12, GET_DEPS, department lists and text bodies; limits, truncation, garbage.
#include "common/codec/v3/login.hpp"

#include <array>
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "common/codec/v3/constants.hpp"
#include "common/codec/v3/packet.hpp"
#include "tests/support/hex.hpp"
#include "tests/unit/common/codec/v3/garbage.hpp"
#include "tests/unit/common/codec/v3/vectors.hpp"

using namespace icq::codec::v3;
using icq::test::fromHex;
using icq::test::v3::requireTruncationsFail;
using icq::test::v3::survivesGarbage;
using icq::test::v3::decoded;
using icq::test::v3::withHeader;
using icq::test::v3::built;

namespace {

constexpr std::string_view kTv1 =
    "03 00 e8 03 01 00 01 00 8f e4 5e 00 00 00 00 00 b6 09 00 00 05 00 70 61 73 73 00 7a 00 02 00 c0"
    "a8 0a 01 04 00 00 00 00 02 00 00 00 00 00 00 00 13 00 7a 00";
constexpr std::string_view kTv3 =
    "03 00 5a 00 00 00 01 00 8f e4 5e 00 00 00 00 00 c0 a8 0a 01 00 00 00 00 00 00 00 00 01 00 00 00"
    "00 00 fa 00 00 00 2d 00 0a 00 0a 00 03 00";
constexpr std::string_view kTv17 =
    "03 00 38 04 00 00 00 00 8f e4 5e 00 00 00 00 00 14 00 42 5f 55 53 45 52 5f 44 49 53 43 4f 4e 4e"
    "45 43 54 45 44 00 05 00";
// The real Mirabilis server's HELLO quoted under TV3.
constexpr std::string_view kMirabilisHello =
    "03 00 5a 00 01 00 10 00 8f e4 5e 00 00 00 00 00 7f 00 00 00 00 00 00 00 19 00 00 00 02 00 00 00"
    "01 00 fa 00 00 00 2d 00 05 00 0a 00 05 00";

}  // namespace

TEST_CASE("v3 TV1: LOGON parses to its fields", "[codec][v3]") {
  const auto tv1 = fromHex(kTv1);
  const Packet packet = decoded(tv1);
  CHECK(packet.header.command == CMD_LOGON);
  CHECK(packet.header.seq1 == 1);
  CHECK(packet.header.seq2 == 1);
  CHECK(packet.header.uin == 6218895);
  Logon logon;
  REQUIRE(parseLogon(packet.body, logon) == ParseError::none);
  CHECK(logon.tcpPort == 2486);
  CHECK(logon.password == "pass");
  CHECK(logon.clientBuild == 0x0002007A);
  CHECK(logon.internalIp == 0x010AA8C0);  // c0 a8 0a 01 kept in network order
  CHECK(logon.dcType == 4);
  CHECK(logon.status == kStatusOnline);
  CHECK(logon.estat == 0);
  CHECK(logon.tcpVersion == 2);
}

TEST_CASE("v3 TV1: LOGON built from its fields is the vector byte for byte", "[codec][v3]") {
  const auto tv1 = fromHex(kTv1);
  Logon logon;
  REQUIRE(parseLogon(decoded(tv1).body, logon) == ParseError::none);
  const auto bytes = built([&](auto out) { return buildLogonBody(logon, out); });
  CHECK(withHeader(Header{.command = CMD_LOGON, .seq1 = 1, .seq2 = 1, .uin = 6218895}, bytes) == tv1);
}

TEST_CASE("v3 LOGON needs every field up to tcp_version, and no more", "[codec][v3]") {
  const auto tv1 = fromHex(kTv1);
  const auto logonBody = decoded(tv1).body;
  constexpr size_t kThroughTcpVersion = 4 + 7 + 4 + 4 + 1 + 2 + 2 + 4;
  Logon logon;
  CHECK(parseLogon(logonBody.first(kThroughTcpVersion), logon) == ParseError::none);
  CHECK(logon.tcpVersion == 2);
  requireTruncationsFail(logonBody, kThroughTcpVersion, [](auto input) {
    Logon out;
    return parseLogon(input, out);
  });
}

TEST_CASE("v3 LOGON accepts a 32-character password and refuses 33 (§5.2)", "[codec][v3]") {
  Logon logon;
  logon.tcpVersion = 2;
  const std::string longest(kMaxPasswordLength, 'p');
  logon.password = longest;
  Logon parsed;
  const auto accepted = built([&](auto out) { return buildLogonBody(logon, out); });
  CHECK(parseLogon(accepted, parsed) == ParseError::none);
  CHECK(parsed.password == longest);
  const std::string tooLong(kMaxPasswordLength + 1, 'p');
  logon.password = tooLong;
  CHECK(parseLogon(built([&](auto out) { return buildLogonBody(logon, out); }), parsed) == ParseError::too_long);
}

TEST_CASE("v3 LOGON survives garbage", "[codec][v3]") {
  survivesGarbage(decoded(fromHex(kTv1)).body, [](auto input) {
    Logon out;
    return parseLogon(input, out);
  });
}

TEST_CASE("v3 TV3: HELLO with the recommended values is the vector byte for byte", "[codec][v3]") {
  const auto tv3 = fromHex(kTv3);
  const Header logon{.command = CMD_LOGON, .seq1 = 1, .seq2 = 1, .uin = 6218895};
  Hello hello;
  hello.yourIp = 0x010AA8C0;  // 192.168.10.1 in network order
  const auto bytes = built([&](auto out) { return buildHelloBody(hello, out); });
  CHECK(bytes.size() == kHelloBodySize);
  CHECK(withHeader(replyHeader(logon, SRV_HELLO), bytes) == tv3);
  Hello parsed;
  REQUIRE(parseHello(decoded(tv3).body, parsed) == ParseError::none);
  CHECK(parsed.pingPeriodS == 45);
  CHECK(parsed.retries == 3);
}

TEST_CASE("v3 TV3: the Mirabilis server's HELLO decodes with the same layout", "[codec][v3]") {
  Hello hello;
  REQUIRE(parseHello(decoded(fromHex(kMirabilisHello)).body, hello) == ParseError::none);
  CHECK(hello.yourIp == 0x0000007F);
  CHECK(hello.externalsCount == 25);
  CHECK(hello.deplistVersion == 2);
  CHECK(hello.mustChangePassword == 1);
  CHECK(hello.canBroadcast == 0);
  CHECK(hello.pingPeriodS == 45);
  CHECK(hello.packetTimeoutS == 5);
  CHECK(hello.retryTimeoutS == 10);
  CHECK(hello.retries == 5);
}

TEST_CASE("v3 HELLO parse refuses every truncation and survives garbage", "[codec][v3]") {
  const auto tv3 = fromHex(kTv3);
  const auto helloBody = decoded(tv3).body;
  auto parse = [](auto input) {
    Hello out;
    return parseHello(input, out);
  };
  requireTruncationsFail(helloBody, kHelloBodySize, parse);
  survivesGarbage(helloBody, parse);
}

TEST_CASE("v3 TV17: LOGOFF parses to B_USER_DISCONNECTED and builds back", "[codec][v3]") {
  const auto tv17 = fromHex(kTv17);
  const Packet packet = decoded(tv17);
  CHECK(packet.header.command == CMD_LOGOFF);
  std::string_view reason;
  REQUIRE(parseLogoff(packet.body, reason) == ParseError::none);
  CHECK(reason == kLogoffText);
  const auto bytes = built([](auto out) { return buildLogoffBody(kLogoffText, out); });
  CHECK(withHeader(packet.header, bytes) == tv17);
}

TEST_CASE("v3 LOGOFF: the trailing u16 is optional, a reason above 20 bytes is too_long", "[codec][v3]") {
  const auto tv17 = fromHex(kTv17);
  const auto logoffBody = decoded(tv17).body;
  std::string_view reason;
  CHECK(parseLogoff(logoffBody.first(logoffBody.size() - 2), reason) == ParseError::none);
  CHECK(reason == kLogoffText);
  const auto tooLong = built([](auto out) { return buildLogoffBody("B_USER_DISCONNECTED_X", out); });
  CHECK(parseLogoff(tooLong, reason) == ParseError::too_long);
  CHECK(reason.empty());
  requireTruncationsFail(logoffBody, logoffBody.size() - 2, [](auto input) {
    std::string_view out;
    return parseLogoff(input, out);
  });
  survivesGarbage(logoffBody, [](auto input) {
    std::string_view out;
    return parseLogoff(input, out);
  });
}

TEST_CASE("v3 GET_DEPS round-trips uin and password and refuses truncation", "[codec][v3]") {
  const auto bytes = built([](auto out) { return buildGetDepsBody(GetDeps{6218895, "pass"}, out); });
  CHECK(bytes == fromHex("8f e4 5e 00 05 00 70 61 73 73 00"));
  GetDeps parsed;
  REQUIRE(parseGetDeps(bytes, parsed) == ParseError::none);
  CHECK(parsed.uin == 6218895);
  CHECK(parsed.password == "pass");
  auto parse = [](auto input) {
    GetDeps out;
    return parseGetDeps(input, out);
  };
  requireTruncationsFail(bytes, bytes.size(), parse);
  survivesGarbage(bytes, parse);
}

TEST_CASE("v3 department lists: DEPS_LIST and DEPS_LIST1 layouts with the constant trailer", "[codec][v3]") {
  const std::array<Department, 2> departments{Department{10, "Sales"}, Department{20, "Engineering"}};
  const auto plain = built([&](auto out) { return buildDepsListBody(1, departments, false, out); });
  CHECK(plain == fromHex("01 00 00 00 02 00 00 00 0a 00 00 00 06 00 53 61 6c 65 73 00"
                         "14 00 00 00 09 00 45 6e 67 69 6e 65 65 72 00 02 00 2a 00"));
  const auto prefixed = built([&](auto out) { return buildDepsListBody(1, departments, true, out); });
  CHECK(prefixed.size() == plain.size() + 2);
  CHECK(prefixed[0] == 0x3C);
  std::array<Department, kMaxDepartments> parsed{};
  size_t count = 0;
  uint32_t version = 0;
  REQUIRE(parseDepsList(prefixed, true, version, parsed, count) == ParseError::none);
  CHECK(version == 1);
  REQUIRE(count == 2);
  CHECK(parsed[0].name == "Sales");
  CHECK(parsed[1].code == 20);
  CHECK(parsed[1].name == "Engineer");  // cut to 8 characters (§6.4)
  std::array<Department, 1> small{};
  CHECK(parseDepsList(prefixed, true, version, small, count) == ParseError::too_long);
  CHECK(count == 0);
  survivesGarbage(prefixed, [&](auto input) { return parseDepsList(input, true, version, parsed, count); });
}

TEST_CASE("v3 text bodies round-trip and honour the caller's limit", "[codec][v3]") {
  const auto bytes = built([](auto out) { return buildTextBody("Database error.\r\nTry later", out); });
  std::string_view text;
  REQUIRE(parseTextBody(bytes, text) == ParseError::none);
  CHECK(text == "Database error.\r\nTry later");
  CHECK(parseTextBody(bytes, text, 5) == ParseError::too_long);
  const auto empty = fromHex("01 00 00");
  CHECK(parseTextBody(empty, text) == ParseError::none);
  CHECK(text.empty());
  // A length of 0 and a missing NUL are accepted (§1 says not to rely on the NUL).
  const auto zeroLength = fromHex("00 00");
  CHECK(parseTextBody(zeroLength, text) == ParseError::none);
  const auto unterminated = fromHex("02 00 41 42");
  CHECK(parseTextBody(unterminated, text) == ParseError::none);
  CHECK(text == "AB");
  const auto cut = fromHex("05 00 41 42");
  CHECK(parseTextBody(cut, text) == ParseError::truncated);
  std::array<uint8_t, 4> small{};
  CHECK(buildTextBody("longer", small) == 0);
}
