// Tests for common/codec/v5/packet.hpp: the vectors of protocol-v5.md §13 through the framing
// API, round trips, malformed and random input, and the checkcode RNG.
#include "common/codec/v5/packet.hpp"

#include <algorithm>
#include <array>
#include <catch2/catch.hpp>
#include <cstring>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "common/codec/v5/byte_io.hpp"
#include "common/codec/v5/constants.hpp"
#include "common/codec/v5/crypt.hpp"
#include "common/codec/v5/messages.hpp"
#include "tests/support/hex.hpp"

using namespace icq::codec::v5;

namespace {

using icq::test::fromHex;

constexpr std::string_view kTv1Plain =
    "0500000000008FE45E001F119586E803F72901003874DB354FA75E3A907500000700646464646464003F010B000A0A0A"
    "020400000300060000000000000002003F01500000000300000084890338050EC13700000000000000001F004943512049"
    "6E632E202D2050726F64756374206F66204943512028544D2900";
constexpr std::string_view kTv1Cipher =
    "0500000000008FE45E00585B2215BE4940BA694A3874DB35F834197027E65E4AB0933E2ED3F75A2EB7AC2D41B7994F40"
    "B597624AB493614AB793484AB793664A88926F4AB793404AB793E3C3B4AB494476A4674AB793504AB7935C4AFED0396A"
    "FEFD396497BE621AC5FC063FD4E71025D1B32009E6B3401EFABA5A";
constexpr std::string_view kTv2Plain = "05000000000040E20100785634122E042B1A0000C2B58740EFBEADDE";
constexpr std::string_view kTv2Cipher = "05000000000040E201006F496D91081B7299381FC2B58740B63DBAC1";
constexpr std::string_view kTv3Plain = "05000000000040E20100785634120E012C1A0500B11FC7A7F1FB09000100070048656C6C6F2100";
constexpr std::string_view kTv3Cipher =
    "05000000000040E20100E97A5815AE2D401DB72CB11FC7A79DFC982C6D07AF2C2462C840032688";
constexpr std::string_view kTv4Plain = "05000000000040E20100785634120A0003000000FC61C60504030201";
constexpr std::string_view kTv4Cipher = "05000000000040E201007A8B21941BDD168623DDFC61C605118500DC";
constexpr std::string_view kTv5 = "0500001F1195860A00F72901008FE45E00489E7B05";
constexpr std::string_view kTv6 = "050000785634125A000000010040E20100B310A80B8C0000006E000A000A000500C0A8010A9BC1CD80";
constexpr std::string_view kTv7 = "05000078563412A4010700000040E20100EDFFD102F1FB090001000300";

constexpr uint32_t kTestUin = 123456;
constexpr uint32_t kTestSession = 0x12345678;

// Decrypting the cipher must give the plaintext with a valid checkcode; encrypting the
// plaintext's data with the vector's R1/R2 must give the cipher (§13.8).
void checkClientVector(const ClientHeader& header, std::string_view plainHex, std::string_view cipherHex, uint8_t r1,
                       uint8_t r2, uint32_t checkcode) {
  const auto plain = fromHex(plainHex);
  const auto cipher = fromHex(cipherHex);
  const std::span<const uint8_t> data = std::span(plain).subspan(kClientHeaderSize);

  auto buffer = cipher;
  ClientPacket packet;
  REQUIRE(precheckClientDatagram(buffer) == DecodeError::none);
  REQUIRE(decodeClientPacket(buffer, packet) == DecodeError::none);
  CHECK(buffer == plain);
  CHECK(packet.header.uin == header.uin);
  CHECK(packet.header.sessionId == header.sessionId);
  CHECK(packet.header.command == header.command);
  CHECK(packet.header.seq1 == header.seq1);
  CHECK(packet.header.seq2 == header.seq2);
  CHECK(packet.checkcode == checkcode);
  CHECK(packet.checkcodeValid);
  CHECK(std::equal(packet.data.begin(), packet.data.end(), data.begin(), data.end()));
  CHECK(packet.data.data() == buffer.data() + kClientHeaderSize);

  std::vector<uint8_t> out(kMaxDatagram);
  const size_t length = encodeClientPacket(header, data, out, r1, r2);
  out.resize(length);
  CHECK(out == cipher);
}

std::vector<uint8_t> randomBytes(std::mt19937& rng, size_t size) {
  std::vector<uint8_t> bytes(size);
  for (auto& byte : bytes) {
    byte = static_cast<uint8_t>(rng());
  }
  return bytes;
}

uint32_t random32(std::mt19937& rng) { return static_cast<uint32_t>(rng()); }

uint16_t random16(std::mt19937& rng) { return static_cast<uint16_t>(rng()); }

ClientHeader randomClientHeader(std::mt19937& rng) {
  return {random32(rng), random32(rng), random16(rng), random16(rng), random16(rng)};
}

}  // namespace

TEST_CASE("v5 TV1 captured ICQ 99b login decrypts and encrypts per the spec", "[codec][v5]") {
  checkClientVector({6218895, 0x8695111F, CMD_LOGIN, 0x29F7, 1}, kTv1Plain, kTv1Cipher, 0x34, 0x32, 0x6AFC3217);
}

TEST_CASE("v5 TV2 keep-alive decrypts and encrypts per the spec", "[codec][v5]") {
  checkClientVector({kTestUin, kTestSession, CMD_KEEP_ALIVE, 0x1A2B, 0}, kTv2Plain, kTv2Cipher, 0x19, 0x42, 0x184142FB);
}

TEST_CASE("v5 TV3 odd-length message decrypts and encrypts per the spec", "[codec][v5]") {
  checkClientVector({kTestUin, kTestSession, CMD_SEND_MESSAGE, 0x1A2C, 5}, kTv3Plain, kTv3Cipher, 0x1E, 0xA7,
                    0x1FF8A7D1);
}

TEST_CASE("v5 TV4 client ack decrypts and encrypts per the spec", "[codec][v5]") {
  checkClientVector({kTestUin, kTestSession, CMD_ACK, 3, 0}, kTv4Plain, kTv4Cipher, 0x1B, 0x00, 0x1AFE00E6);
}

TEST_CASE("v5 TV5 captured Mirabilis SRV_ACK parses and its checkcode verifies", "[codec][v5]") {
  const auto tv5 = fromHex(kTv5);
  ServerHeader header;
  std::span<const uint8_t> data;
  bool valid = false;
  REQUIRE(decodeServerPacket(tv5, header, data, valid) == DecodeError::none);
  CHECK(header.sessionId == 0x8695111F);
  CHECK(header.command == SRV_ACK);
  CHECK(header.seq1 == 0x29F7);
  CHECK(header.seq2 == 1);
  CHECK(header.uin == 6218895);
  CHECK(data.empty());
  CHECK(valid);
}

TEST_CASE("v5 TV6 SRV_LOGIN_REPLY is encoded byte for byte", "[codec][v5]") {
  LoginReplyFields fields;
  const std::array<uint8_t, 4> ip{192, 168, 1, 10};
  std::memcpy(&fields.clientIp, ip.data(), 4);
  std::array<uint8_t, 20> body{};
  REQUIRE(buildLoginReplyData(fields, body) == body.size());

  std::vector<uint8_t> out(64);
  const ServerHeader header{kTestSession, SRV_LOGIN_REPLY, 0, 1, kTestUin};
  out.resize(encodeServerPacket(header, body, out, 0x0B, 0x10));
  CHECK(out == fromHex(kTv6));
}

TEST_CASE("v5 TV7 SRV_STATUS_UPDATE is encoded byte for byte", "[codec][v5]") {
  const auto body = fromHex("F1FB090001000300");
  std::vector<uint8_t> out(64);
  const ServerHeader header{kTestSession, SRV_STATUS_UPDATE, 7, 0, kTestUin};
  out.resize(encodeServerPacket(header, body, out, 0x03, 0xFF));
  CHECK(out == fromHex(kTv7));

  ServerHeader parsed;
  std::span<const uint8_t> data;
  bool valid = false;
  REQUIRE(decodeServerPacket(out, parsed, data, valid) == DecodeError::none);
  CHECK(valid);
  CHECK(parsed.seq1 == 7);
  CHECK(std::equal(data.begin(), data.end(), body.begin(), body.end()));
}

TEST_CASE("v5 client packets round-trip at every length from 24 to 300", "[codec][v5]") {
  std::mt19937 rng(7);
  for (size_t length = kClientHeaderSize; length <= 300; ++length) {
    for (int trial = 0; trial < 20; ++trial) {
      const ClientHeader header = randomClientHeader(rng);
      const auto data = randomBytes(rng, length - kClientHeaderSize);
      std::vector<uint8_t> buffer(length);
      REQUIRE(encodeClientPacket(header, data, buffer, static_cast<uint8_t>(rng()), static_cast<uint8_t>(rng())) ==
              length);
      ClientPacket packet;
      REQUIRE(decodeClientPacket(buffer, packet) == DecodeError::none);
      INFO("length " << length);
      REQUIRE(packet.checkcodeValid);
      CHECK(packet.header.uin == header.uin);
      CHECK(packet.header.sessionId == header.sessionId);
      CHECK(packet.header.command == header.command);
      CHECK(packet.header.seq1 == header.seq1);
      CHECK(packet.header.seq2 == header.seq2);
      REQUIRE(std::equal(packet.data.begin(), packet.data.end(), data.begin(), data.end()));
    }
  }
}

TEST_CASE("v5 client packet checkcode position is moved into the data area", "[codec][v5]") {
  const ClientHeader header{kTestUin, kTestSession, CMD_KEEP_ALIVE, 1, 0};
  const std::array<uint8_t, 4> data{1, 2, 3, 4};
  for (int r1 = 0; r1 < 256; ++r1) {
    std::array<uint8_t, 28> buffer{};
    REQUIRE(encodeClientPacket(header, data, buffer, static_cast<uint8_t>(r1), 0x42) == 28);
    const uint32_t checkcode = descramble(ByteReader(std::span(buffer).subspan(0x14)).u32());
    const uint32_t position = (checkcode ^ checkcodeNumber1(buffer) ^ 0x00FF00FF) >> 24;
    CHECK(position >= 0x18);
    CHECK(position < 28);
  }
}

// Not 100%: a one-bit change of CC moves one field of NUMBER2 and the keystream by the same
// amount, so a few percent of corrupted packets still verify (about 5% with this seed).
TEST_CASE("v5 checkcode rejects most packets with a corrupted checkcode field", "[codec][v5]") {
  std::mt19937 rng(99);
  int invalid = 0;
  constexpr int kTrials = 2000;
  for (int trial = 0; trial < kTrials; ++trial) {
    const auto data = randomBytes(rng, 4 + rng() % 200);
    std::vector<uint8_t> buffer(kClientHeaderSize + data.size());
    CheckcodeRng choices(rng());
    encodeClientPacket(randomClientHeader(rng), data, buffer, choices.clientR1(buffer.size()), choices.r2());
    buffer[0x14 + rng() % 4] ^= static_cast<uint8_t>(1u << (rng() % 8));
    ClientPacket packet;
    REQUIRE(decodeClientPacket(buffer, packet) == DecodeError::none);
    invalid += packet.checkcodeValid ? 0 : 1;
  }
  CHECK(invalid >= kTrials * 90 / 100);
}

// The checkcode covers only bytes 2, 4, 6, 8 and R1 (§3.2): it catches a flip at R1 and in the
// UIN, but is no integrity check for the rest of the data.
TEST_CASE("v5 checkcode catches a flipped byte at R1 or in the UIN but not elsewhere", "[codec][v5]") {
  const ClientHeader header{kTestUin, kTestSession, CMD_SEND_MESSAGE, 0x1A2C, 5};
  const auto data = fromHex(std::string(kTv3Plain.substr(2 * kClientHeaderSize)));
  std::vector<uint8_t> encoded(kClientHeaderSize + data.size());
  REQUIRE(encodeClientPacket(header, data, encoded, 0x1E, 0xA7) == encoded.size());

  const auto decodeWithFlip = [&](size_t offset) {
    auto buffer = encoded;
    buffer[offset] ^= 0x01;
    ClientPacket packet;
    REQUIRE(decodeClientPacket(buffer, packet) == DecodeError::none);
    return packet.checkcodeValid;
  };
  CHECK_FALSE(decodeWithFlip(0x1E));
  CHECK_FALSE(decodeWithFlip(0x06));
  CHECK_FALSE(decodeWithFlip(0x08));
  CHECK(decodeWithFlip(0x1F));
  CHECK(decodeWithFlip(encoded.size() - 1));
}

TEST_CASE("v5 server packets round-trip through decodeServerPacket", "[codec][v5]") {
  std::mt19937 rng(3);
  CheckcodeRng choices(11);
  for (size_t size = 0; size <= 300; ++size) {
    const auto body = randomBytes(rng, size);
    const ServerHeader header{random32(rng), random16(rng), random16(rng), random16(rng), random32(rng)};
    std::vector<uint8_t> out(kServerHeaderSize + size);
    REQUIRE(encodeServerPacket(header, body, out, choices.serverR1(), choices.r2()) == out.size());
    ServerHeader parsed;
    std::span<const uint8_t> data;
    bool valid = false;
    REQUIRE(decodeServerPacket(out, parsed, data, valid) == DecodeError::none);
    CHECK(valid);
    CHECK(parsed.sessionId == header.sessionId);
    CHECK(parsed.command == header.command);
    CHECK(parsed.seq1 == header.seq1);
    CHECK(parsed.seq2 == header.seq2);
    CHECK(parsed.uin == header.uin);
    CHECK(std::equal(data.begin(), data.end(), body.begin(), body.end()));
  }
}

TEST_CASE("v5 server packet checkcode position stays in the header", "[codec][v5]") {
  const ServerHeader header{kTestSession, SRV_ACK, 1, 1, kTestUin};
  for (int r1 = 0; r1 < 256; ++r1) {
    std::array<uint8_t, kServerHeaderSize> out{};
    REQUIRE(encodeServerPacket(header, {}, out, static_cast<uint8_t>(r1), 9) == out.size());
    const uint32_t checkcode = ByteReader(std::span(out).subspan(kServerCheckcodeOffset)).u32();
    CHECK(verifyCheckcode(out, checkcode, kServerCheckcodeOffset));
    CHECK(((checkcode ^ checkcodeNumber1(out) ^ 0x00FF00FF) >> 24) <= 0x10);
  }
}

TEST_CASE("v5 datagrams shorter than the header are too_short", "[codec][v5]") {
  const auto tv2 = fromHex(kTv2Cipher);
  for (size_t length = 0; length < kClientHeaderSize; ++length) {
    auto buffer = std::vector<uint8_t>(tv2.begin(), tv2.begin() + static_cast<std::ptrdiff_t>(length));
    ClientPacket packet;
    INFO("length " << length);
    CHECK(precheckClientDatagram(buffer) == DecodeError::too_short);
    CHECK(decodeClientPacket(buffer, packet) == DecodeError::too_short);
  }
  const auto tv5 = fromHex(kTv5);
  for (size_t length = 0; length < kServerHeaderSize; ++length) {
    ServerHeader header;
    std::span<const uint8_t> data;
    bool valid = false;
    CHECK(decodeServerPacket(std::span(tv5).first(length), header, data, valid) == DecodeError::too_short);
  }
}

TEST_CASE("v5 datagrams longer than kMaxDatagram are too_long", "[codec][v5]") {
  std::vector<uint8_t> buffer(kMaxDatagram, 0);
  buffer[0] = 0x05;
  CHECK(precheckClientDatagram(buffer) == DecodeError::none);
  buffer.push_back(0);
  CHECK(precheckClientDatagram(buffer) == DecodeError::too_long);
  ClientPacket packet;
  CHECK(decodeClientPacket(buffer, packet) == DecodeError::too_long);
  ServerHeader header;
  std::span<const uint8_t> data;
  bool valid = false;
  CHECK(decodeServerPacket(buffer, header, data, valid) == DecodeError::too_long);
}

TEST_CASE("v5 datagrams of another version are unsupported_version", "[codec][v5]") {
  for (const uint16_t version : {0x0003, 0x0004, 0xFFFF, 0x0000, 0x0500}) {
    auto buffer = fromHex(kTv2Cipher);
    buffer[0] = static_cast<uint8_t>(version);
    buffer[1] = static_cast<uint8_t>(version >> 8);
    INFO("version " << version);
    CHECK(precheckClientDatagram(buffer) == DecodeError::unsupported_version);
    ClientPacket packet;
    CHECK(decodeClientPacket(buffer, packet) == DecodeError::unsupported_version);
    ServerHeader header;
    std::span<const uint8_t> data;
    bool valid = false;
    CHECK(decodeServerPacket(buffer, header, data, valid) == DecodeError::unsupported_version);
  }
  // A short V3 datagram is labelled by its version, not its size (§2.4).
  const std::vector<uint8_t> v3{0x03, 0x00, 0x64, 0x00};
  CHECK(precheckClientDatagram(v3) == DecodeError::unsupported_version);
}

TEST_CASE("v5 datagrams with a non-zero ZERO field are malformed", "[codec][v5]") {
  for (size_t offset = 2; offset < 6; ++offset) {
    auto buffer = fromHex(kTv2Cipher);
    buffer[offset] = 0x01;
    CHECK(precheckClientDatagram(buffer) == DecodeError::malformed);
    ClientPacket packet;
    CHECK(decodeClientPacket(buffer, packet) == DecodeError::malformed);
  }
  auto server = fromHex(kTv5);
  server[2] = 0x01;
  ServerHeader header;
  std::span<const uint8_t> data;
  bool valid = false;
  CHECK(decodeServerPacket(server, header, data, valid) == DecodeError::malformed);
}

TEST_CASE("v5 decode leaves the buffer untouched when it fails", "[codec][v5]") {
  auto buffer = fromHex(kTv2Cipher);
  buffer[3] = 0x01;
  const auto before = buffer;
  ClientPacket packet;
  CHECK(decodeClientPacket(buffer, packet) == DecodeError::malformed);
  CHECK(buffer == before);
}

TEST_CASE("v5 random garbage never crashes the decoders", "[codec][v5]") {
  std::mt19937 rng(1234);
  for (int trial = 0; trial < 20000; ++trial) {
    auto buffer = randomBytes(rng, rng() % (kMaxDatagram + 64));
    // Make most inputs pass the cheap checks so decryption and parsing run too.
    if (trial % 4 != 0 && buffer.size() >= 6) {
      buffer[0] = 0x05;
      buffer[1] = 0x00;
      std::fill(buffer.begin() + 2, buffer.begin() + 6, 0);
    }
    const DecodeError expected = precheckClientDatagram(buffer);
    ClientPacket packet;
    auto copy = buffer;
    REQUIRE(decodeClientPacket(copy, packet) == expected);
    if (expected == DecodeError::none) {
      REQUIRE(packet.data.size() == buffer.size() - kClientHeaderSize);
    }
    ServerHeader header;
    std::span<const uint8_t> data;
    bool valid = false;
    decodeServerPacket(buffer, header, data, valid);
    isV3Layout(buffer);
  }
}

TEST_CASE("v5 encoders return 0 when the output is too small", "[codec][v5]") {
  const std::array<uint8_t, 10> data{};
  std::array<uint8_t, 64> out{};
  for (size_t size = 0; size < kClientHeaderSize + data.size(); ++size) {
    CHECK(encodeClientPacket({}, data, std::span(out).first(size), 0x18, 0) == 0);
  }
  for (size_t size = 0; size < kServerHeaderSize + data.size(); ++size) {
    CHECK(encodeServerPacket({}, data, std::span(out).first(size), 0, 0) == 0);
  }
  CHECK(encodeClientPacket({}, data, out, 0x18, 0) == kClientHeaderSize + data.size());
  CHECK(encodeServerPacket({}, data, out, 0, 0) == kServerHeaderSize + data.size());
}

TEST_CASE("v5 server encoder accepts a body already placed behind the header", "[codec][v5]") {
  std::array<uint8_t, 40> out{};
  const auto body = fromHex("F1FB090001000300");
  std::copy(body.begin(), body.end(), out.begin() + kServerHeaderSize);
  const ServerHeader header{kTestSession, SRV_STATUS_UPDATE, 7, 0, kTestUin};
  const size_t length =
      encodeServerPacket(header, std::span(out).subspan(kServerHeaderSize, body.size()), out, 0x03, 0xFF);
  CHECK(std::vector<uint8_t>(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(length)) == fromHex(kTv7));
}

TEST_CASE("v5 V3-layout datagrams are recognised by their version", "[codec][v5]") {
  CHECK(isV3Layout(std::vector<uint8_t>{0x03, 0x00, 0x64, 0x00}));
  CHECK_FALSE(isV3Layout(fromHex(kTv5)));
  CHECK_FALSE(isV3Layout(std::vector<uint8_t>{0x03}));
  CHECK_FALSE(isV3Layout({}));
}

TEST_CASE("v5 checkcode rng choices stay in range and depend on the seed", "[codec][v5]") {
  CheckcodeRng rng(1);
  std::array<bool, 256> seenR2{};
  std::array<bool, 0x11> seenServerR1{};
  for (int i = 0; i < 20000; ++i) {
    const uint8_t serverR1 = rng.serverR1();
    REQUIRE(serverR1 <= 0x10);
    seenServerR1[serverR1] = true;
    seenR2[rng.r2()] = true;
    const size_t length = kClientHeaderSize + static_cast<size_t>(i % 2100);
    const uint8_t clientR1 = rng.clientR1(length);
    if (length == kClientHeaderSize) {
      REQUIRE(clientR1 < 0x14);
    } else {
      REQUIRE(clientR1 >= 0x18);
      REQUIRE(clientR1 < length);
    }
  }
  CHECK(std::all_of(seenR2.begin(), seenR2.end(), [](bool seen) { return seen; }));
  CHECK(std::all_of(seenServerR1.begin(), seenServerR1.end(), [](bool seen) { return seen; }));

  CheckcodeRng same(1), other(2);
  CheckcodeRng again(1);
  CHECK(same.r2() == again.r2());
  std::array<uint8_t, 8> a{}, b{};
  for (size_t i = 0; i < a.size(); ++i) {
    a[i] = same.r2();
    b[i] = other.r2();
  }
  CHECK(a != b);
}

TEST_CASE("v5 decode error names are the bounded metric labels", "[codec][v5]") {
  CHECK(decodeErrorName(DecodeError::none) == "none");
  CHECK(decodeErrorName(DecodeError::too_short) == "too_short");
  CHECK(decodeErrorName(DecodeError::too_long) == "too_long");
  CHECK(decodeErrorName(DecodeError::unsupported_version) == "unsupported_version");
  CHECK(decodeErrorName(DecodeError::malformed) == "malformed");
  CHECK(decodeErrorName(DecodeError::checksum) == "checksum");
}

TEST_CASE("v5 command names are the spec's and unknown codes are other", "[codec][v5]") {
  CHECK(clientCommandName(CMD_LOGIN) == "CMD_LOGIN");
  CHECK(clientCommandName(CMD_KEEP_ALIVE2) == "CMD_KEEP_ALIVE2");
  CHECK(clientCommandName(0x0515) == "other");
  CHECK(serverCommandName(SRV_LOGIN_REPLY) == "SRV_LOGIN_REPLY");
  CHECK(serverCommandName(SRV_X1) == "SRV_USER_LIST_DONE");
  CHECK(serverCommandName(0x0001) == "other");
  // Every V5 command number is a multiple of ten in decimal (§6.0); 34 of each are named.
  int clientNamed = 0;
  int serverNamed = 0;
  for (uint32_t code = 0; code <= 0xFFFF; ++code) {
    const auto command = static_cast<uint16_t>(code);
    if (clientCommandName(command) != "other") {
      ++clientNamed;
      CHECK(code % 10 == 0);
    }
    if (serverCommandName(command) != "other") {
      ++serverNamed;
      CHECK(code % 10 == 0);
    }
  }
  CHECK(clientNamed == 34);
  CHECK(serverNamed == 34);
}
