// Tests for common/codec/v5/messages.hpp: the captured login body (protocol-v5.md §13.1),
// tolerant parsing (§6.1, §6.7, D42, D44), and the server reply builders (§4.3–§8.20).
#include "common/codec/v5/messages.hpp"

#include <array>
#include <catch2/catch.hpp>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "common/codec/v5/byte_io.hpp"
#include "common/codec/v5/constants.hpp"
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

// TV1's data part (§13.1), the ICQ 99b CMD_LOGIN body.
const std::vector<uint8_t> kTv1Body = fromHex(
    "4FA75E3A907500000700646464646464003F010B000A0A0A020400000300060000000000000002003F01500000000300"
    "000084890338050EC13700000000000000001F0049435120496E632E202D2050726F64756374206F66204943512028544D"
    "2900");
constexpr size_t kTv1PasswordEnd = 17;  // p = 10 + 7 (§6.1)

const ClientHeader kLogin{6218895, 0x8695111F, CMD_LOGIN, 0x29F7, 1};

LoginRequest tv1Fields() {
  LoginRequest login;
  login.time = 0x3A5EA74F;
  login.tcpPort = 30096;
  login.password = "dddddd";
  login.x1 = 0x000B013F;
  login.internalIp = ipv4(10, 10, 10, 2);
  login.dcType = 0x04;
  login.status = 0x00030000;
  login.tcpVersion = 6;
  login.webPort = 80;
  login.features = 3;
  return login;
}

// Decodes a builder's output as the test client would.
struct Reply {
  ServerHeader header;
  std::vector<uint8_t> data;
  bool checkcodeValid = false;
};

Reply decodeReply(std::span<const uint8_t> datagram) {
  Reply reply;
  std::span<const uint8_t> data;
  REQUIRE(decodeServerPacket(datagram, reply.header, data, reply.checkcodeValid) == DecodeError::none);
  reply.data.assign(data.begin(), data.end());
  return reply;
}

}  // namespace

TEST_CASE("v5 TV1 login body parses to the captured fields", "[codec][v5]") {
  LoginRequest login;
  REQUIRE(parseLogin(kTv1Body, login) == ParseError::none);
  CHECK(login.time == 0x3A5EA74F);
  CHECK(login.tcpPort == 30096);
  CHECK(login.password == "dddddd");
  CHECK(login.x1 == 0x000B013F);
  CHECK(login.internalIp == ipv4(10, 10, 10, 2));
  CHECK(login.dcType == 0x04);
  CHECK(login.status == 0x00030000);
  CHECK(login.tcpVersion == 6);
  CHECK(login.webPort == 80);
  CHECK(login.features == 3);
}

TEST_CASE("v5 login body builder reproduces the captured layout without the trailer", "[codec][v5]") {
  std::array<uint8_t, 128> out{};
  const size_t length = buildLoginData(tv1Fields(), out);
  REQUIRE(length == kTv1PasswordEnd + 33);
  CHECK(std::equal(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(length), kTv1Body.begin()));
  LoginRequest parsed;
  REQUIRE(parseLogin(std::span(out).first(length), parsed) == ParseError::none);
  CHECK(parsed.password == "dddddd");
  CHECK(parsed.features == 3);
  CHECK(buildLoginData(tv1Fields(), std::span(out).first(length - 1)) == 0);
}

TEST_CASE("v5 login parser survives every truncation of the captured body", "[codec][v5]") {
  for (size_t length = 0; length <= kTv1Body.size(); ++length) {
    LoginRequest login;
    const ParseError error = parseLogin(std::span(kTv1Body).first(length), login);
    INFO("length " << length);
    if (length < kTv1PasswordEnd + 13) {
      CHECK(error == ParseError::truncated);
      continue;
    }
    REQUIRE(error == ParseError::none);
    CHECK(login.password == "dddddd");
    CHECK(login.status == 0x00030000);
    // Missing or partial optional fields read as 0 (§1.1).
    CHECK(login.tcpVersion == (length >= kTv1PasswordEnd + 15 ? 6 : 0));
    CHECK(login.webPort == (length >= kTv1PasswordEnd + 29 ? 80 : 0));
    CHECK(login.features == (length >= kTv1PasswordEnd + 33 ? 3 : 0));
  }
}

TEST_CASE("v5 login parser reads mICQ's layout without X3 at IServerd's offsets", "[codec][v5]") {
  // mICQ: ... TCP_VERSION, X2, then X4 = 0x822C01EC directly, nothing after (§6.1, D42).
  std::vector<uint8_t> body(kTv1Body.begin(), kTv1Body.begin() + kTv1PasswordEnd + 17);
  const std::vector<uint8_t> x4{0xEC, 0x01, 0x2C, 0x82};
  body.insert(body.end(), x4.begin(), x4.end());
  LoginRequest login;
  REQUIRE(parseLogin(body, login) == ParseError::none);
  CHECK(login.tcpVersion == 6);
  CHECK(login.webPort == 0);
  CHECK(login.features == 0);
}

TEST_CASE("v5 login password stops at the first NUL and tolerates a missing NUL", "[codec][v5]") {
  LoginRequest fields = tv1Fields();
  std::array<uint8_t, 128> out{};
  const size_t length = buildLoginData(fields, out);
  REQUIRE(length > 0);

  // "dddddd\0" → "dd\0ddd\0": compared up to the first NUL (D44).
  auto embedded = std::vector<uint8_t>(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(length));
  embedded[12] = 0x00;
  LoginRequest login;
  REQUIRE(parseLogin(embedded, login) == ParseError::none);
  CHECK(login.password == "dd");

  // "dddddd\0" → "ddddddd": no NUL, the field end terminates it.
  auto unterminated = std::vector<uint8_t>(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(length));
  unterminated[16] = 'd';
  REQUIRE(parseLogin(unterminated, login) == ParseError::none);
  CHECK(login.password == "ddddddd");
  CHECK(login.tcpVersion == 6);

  fields.password = "";
  const size_t emptyLength = buildLoginData(fields, out);
  REQUIRE(parseLogin(std::span(out).first(emptyLength), login) == ParseError::none);
  CHECK(login.password.empty());
  CHECK(login.status == 0x00030000);
}

TEST_CASE("v5 login password field longer than 20 bytes is too_long", "[codec][v5]") {
  LoginRequest fields = tv1Fields();
  const std::string twenty(kMaxPasswordLength, 'p');
  const std::string twentyOne(kMaxPasswordLength + 1, 'p');
  std::array<uint8_t, 128> out{};
  LoginRequest login;

  fields.password = twenty;
  size_t length = buildLoginData(fields, out);
  REQUIRE(parseLogin(std::span(out).first(length), login) == ParseError::none);
  CHECK(login.password == twenty);

  fields.password = twentyOne;
  length = buildLoginData(fields, out);
  CHECK(parseLogin(std::span(out).first(length), login) == ParseError::too_long);
}

TEST_CASE("v5 login parser survives random bodies", "[codec][v5]") {
  uint32_t state = 5;
  for (int trial = 0; trial < 5000; ++trial) {
    std::vector<uint8_t> body(static_cast<size_t>(trial % 80));
    for (auto& byte : body) {
      state = state * 1103515245u + 12345u;
      byte = static_cast<uint8_t>(state >> 16);
    }
    if (body.size() > 9) {
      body[9] = 0;  // keep the password length plausible so later fields get parsed
    }
    LoginRequest login;
    const ParseError error = parseLogin(body, login);
    CHECK((error == ParseError::none || error == ParseError::truncated || error == ParseError::too_long));
  }
}

TEST_CASE("v5 logoff text code parses and builds", "[codec][v5]") {
  std::array<uint8_t, 32> out{};
  const size_t length = buildTextCodeData(kLogoffText, out);
  // lnts of length 20 including the NUL, then u16 5 (§6.7).
  const auto expected = fromHex("1400425F555345525F444953434F4E4E4543544544000500");
  REQUIRE(length == 24);
  CHECK(std::vector<uint8_t>(out.begin(), out.begin() + 24) == expected);
  std::string_view text;
  REQUIRE(parseTextCode(std::span(out).first(length), text) == ParseError::none);
  CHECK(text == kLogoffText);
  CHECK(buildTextCodeData(kLogoffText, std::span(out).first(length - 1)) == 0);

  // The trailing u16 is optional; the text itself is not.
  for (size_t cut = 0; cut <= length; ++cut) {
    const ParseError error = parseTextCode(std::span(out).first(cut), text);
    INFO("length " << cut);
    CHECK(error == (cut >= 22 ? ParseError::none : ParseError::truncated));
  }
}

TEST_CASE("v5 text code longer than 20 bytes is too_long", "[codec][v5]") {
  std::array<uint8_t, 64> out{};
  std::string_view text;
  const size_t length = buildTextCodeData("B_USER_DISCONNECTED_X_LONGER", out);
  CHECK(parseTextCode(std::span(out).first(length), text) == ParseError::too_long);
  CHECK(parseErrorName(ParseError::too_long) == "too_long");
  CHECK(parseErrorName(ParseError::truncated) == "truncated");
  CHECK(parseErrorName(ParseError::none) == "none");
}

TEST_CASE("v5 login reply body round-trips and rejects truncation", "[codec][v5]") {
  LoginReplyFields fields;
  fields.keepAliveS = 100;
  fields.retransmitTimeoutS = 7;
  fields.retries = 3;
  fields.clientIp = ipv4(203, 0, 113, 9);
  std::array<uint8_t, 20> body{};
  REQUIRE(buildLoginReplyData(fields, body) == 20);
  CHECK(buildLoginReplyData(fields, std::span(body).first(19)) == 0);
  for (size_t length = 0; length <= body.size(); ++length) {
    LoginReplyFields parsed;
    const bool ok = parseLoginReply(std::span(body).first(length), parsed);
    INFO("length " << length);
    CHECK(ok == (length >= 16));
    if (ok) {
      CHECK(parsed.keepAliveS == 100);
      CHECK(parsed.retransmitTimeoutS == 7);
      CHECK(parsed.retries == 3);
      CHECK(parsed.clientIp == fields.clientIp);
    }
  }
}

TEST_CASE("v5 SRV_ACK echoes session, both sequence numbers and UIN", "[codec][v5]") {
  CheckcodeRng rng(17);
  for (int i = 0; i < 100; ++i) {
    const ClientHeader req{1000u + static_cast<uint32_t>(i), 0xCAFE0000u + static_cast<uint32_t>(i), CMD_KEEP_ALIVE,
                           static_cast<uint16_t>(0x1000 + i), static_cast<uint16_t>(i)};
    std::array<uint8_t, 64> out{};
    const size_t length = buildSrvAck(req, out, rng);
    REQUIRE(length == kServerHeaderSize);
    const Reply reply = decodeReply(std::span(out).first(length));
    CHECK(reply.header.command == SRV_ACK);
    CHECK(reply.header.sessionId == req.sessionId);
    CHECK(reply.header.seq1 == req.seq1);
    CHECK(reply.header.seq2 == req.seq2);
    CHECK(reply.header.uin == req.uin);
    CHECK(reply.data.empty());
    CHECK(reply.checkcodeValid);
  }
}

TEST_CASE("v5 SRV_LOGIN_REPLY builder matches TV6 apart from its random checkcode", "[codec][v5]") {
  const auto tv6 = fromHex("050000785634125A000000010040E20100B310A80B8C0000006E000A000A000500C0A8010A9BC1CD80");
  LoginReplyFields fields;
  fields.clientIp = ipv4(192, 168, 1, 10);
  CheckcodeRng rng(99);
  std::array<uint8_t, 64> out{};
  const size_t length = buildSrvLoginReply({123456, 0x12345678, CMD_LOGIN, 0x4242, 1}, fields, out, rng);
  REQUIRE(length == tv6.size());
  for (size_t i = 0; i < length; ++i) {
    if (i < kServerCheckcodeOffset || i >= kServerCheckcodeOffset + 4) {
      INFO("offset " << i);
      CHECK(out[i] == tv6[i]);
    }
  }
  const Reply reply = decodeReply(std::span(out).first(length));
  CHECK(reply.checkcodeValid);
  CHECK(reply.header.seq1 == 0);
  CHECK(reply.header.seq2 == 1);
  LoginReplyFields parsed;
  REQUIRE(parseLoginReply(reply.data, parsed));
  CHECK(parsed.keepAliveS == 110);
  CHECK(parsed.clientIp == fields.clientIp);
}

TEST_CASE("v5 SRV_NOT_CONNECTED and SRV_TRY_AGAIN carry SEQ1 0 and the request's SEQ2", "[codec][v5]") {
  const ClientHeader req{4242, 0x0BADF00D, CMD_STATUS_CHANGE, 0x3333, 0x0021};
  CheckcodeRng rng(5);
  std::array<uint8_t, 64> out{};

  size_t length = buildSrvNotConnected(req, out, rng);
  REQUIRE(length == kServerHeaderSize);
  Reply reply = decodeReply(std::span(out).first(length));
  CHECK(reply.header.command == SRV_NOT_CONNECTED);
  CHECK(reply.header.seq1 == 0);
  CHECK(reply.header.seq2 == 0x0021);
  CHECK(reply.header.sessionId == req.sessionId);
  CHECK(reply.header.uin == req.uin);
  CHECK(reply.checkcodeValid);

  length = buildSrvTryAgain(req, out, rng);
  REQUIRE(length == kServerHeaderSize);
  reply = decodeReply(std::span(out).first(length));
  CHECK(reply.header.command == SRV_TRY_AGAIN);
  CHECK(reply.header.seq1 == 0);
  CHECK(reply.header.seq2 == 0x0021);
  CHECK(reply.checkcodeValid);
}

TEST_CASE("v5 SRV_BAD_PASS has the V5 layout by default and IServerd's V3 bytes on request", "[codec][v5]") {
  CheckcodeRng rng(8);
  std::array<uint8_t, 64> out{};

  size_t length = buildSrvBadPass(kLogin, false, out, rng);
  REQUIRE(length == kServerHeaderSize);
  const Reply reply = decodeReply(std::span(out).first(length));
  CHECK(reply.header.command == SRV_BAD_PASS);
  CHECK(reply.header.seq1 == 0);
  CHECK(reply.header.seq2 == kLogin.seq2);
  CHECK(reply.header.sessionId == kLogin.sessionId);
  CHECK(reply.checkcodeValid);

  length = buildSrvBadPass(kLogin, true, out, rng);
  CHECK(std::vector<uint8_t>(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(length)) ==
        fromHex("03006400000001008FE45E00000000000000"));
  CHECK(isV3Layout(std::span(out).first(length)));
}

TEST_CASE("v5 SRV_LOGIN_ERR carries the text and a zero dword", "[codec][v5]") {
  CheckcodeRng rng(3);
  std::array<uint8_t, 128> out{};
  const std::string_view text = "Server users table full...\r\nTry again later";
  const size_t length = buildSrvLoginErr(kLogin, text, out, rng);
  REQUIRE(length == kServerHeaderSize + 2 + text.size() + 1 + 4);
  const Reply reply = decodeReply(std::span(out).first(length));
  CHECK(reply.header.command == SRV_LOGIN_ERR);
  CHECK(reply.header.seq1 == 0);
  CHECK(reply.header.seq2 == kLogin.seq2);
  CHECK(reply.checkcodeValid);
  ByteReader reader(reply.data);
  CHECK(reader.lnts(100) == text);
  CHECK(reader.u32() == 0);
  CHECK(reader.remaining() == 0);
}

TEST_CASE("v5 SRV_GO_AWAY carries the given SEQ1 and SEQ2 0", "[codec][v5]") {
  CheckcodeRng rng(4);
  std::array<uint8_t, 64> out{};
  const size_t length = buildSrvGoAway(0x11112222, 777, 42, out, rng);
  REQUIRE(length == kServerHeaderSize);
  const Reply reply = decodeReply(std::span(out).first(length));
  CHECK(reply.header.command == SRV_GO_AWAY);
  CHECK(reply.header.sessionId == 0x11112222);
  CHECK(reply.header.uin == 777);
  CHECK(reply.header.seq1 == 42);
  CHECK(reply.header.seq2 == 0);
  CHECK(reply.checkcodeValid);
}

TEST_CASE("v5 builders return 0 when the output is too small", "[codec][v5]") {
  CheckcodeRng rng(6);
  std::array<uint8_t, 128> buffer{};
  const auto fits = [&](size_t size) { return std::span(buffer).first(size); };
  for (size_t size = 0; size < kServerHeaderSize; ++size) {
    CHECK(buildSrvAck(kLogin, fits(size), rng) == 0);
    CHECK(buildSrvNotConnected(kLogin, fits(size), rng) == 0);
    CHECK(buildSrvTryAgain(kLogin, fits(size), rng) == 0);
    CHECK(buildSrvBadPass(kLogin, false, fits(size), rng) == 0);
    CHECK(buildSrvGoAway(1, 2, 3, fits(size), rng) == 0);
  }
  for (size_t size = 0; size < kServerHeaderSize + 20; ++size) {
    CHECK(buildSrvLoginReply(kLogin, {}, fits(size), rng) == 0);
  }
  for (size_t size = 0; size < 18; ++size) {
    CHECK(buildSrvBadPass(kLogin, true, fits(size), rng) == 0);
  }
  for (size_t size = 0; size < kServerHeaderSize + 2 + 4 + 4; ++size) {
    CHECK(buildSrvLoginErr(kLogin, "abc", fits(size), rng) == 0);
  }
  CHECK(buildSrvLoginErr(kLogin, "abc", fits(kServerHeaderSize + 10), rng) == kServerHeaderSize + 10);
}
