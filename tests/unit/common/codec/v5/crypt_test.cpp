// Tests for common/codec/v5/crypt.hpp against the table, the scrambling example and the
// vectors of protocol-v5.md §3 and §13.
#include "common/codec/v5/crypt.hpp"

#include <catch2/catch.hpp>
#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "common/codec/v5/constants.hpp"
#include "tests/support/hex.hpp"

using namespace icq::codec::v5;

namespace {

using icq::test::fromHex;

struct ClientVector {
  const char* name;
  std::string_view plain;
  std::string_view cipher;
  uint8_t r1, r2;
  uint32_t checkcode, scrambled;
};

// §13.1–§13.4.
const ClientVector kClientVectors[] = {
    {"TV1",
     "0500000000008FE45E001F119586E803F72901003874DB354FA75E3A907500000700646464646464003F010B000A0A0A02040000030006000"
     "0000000000002003F01500000000300000084890338050EC13700000000000000001F0049435120496E632E202D2050726F64756374206F66"
     "204943512028544D2900",
     "0500000000008FE45E00585B2215BE4940BA694A3874DB35F834197027E65E4AB0933E2ED3F75A2EB7AC2D41B7994F40B597624AB493614AB"
     "793484AB793664A88926F4AB793404AB793E3C3B4AB494476A4674AB793504AB7935C4AFED0396AFEFD396497BE621AC5FC063FD4E71025D1"
     "B32009E6B3401EFABA5A",
     0x34, 0x32, 0x6AFC3217, 0x35DB7438},
    {"TV2", "05000000000040E20100785634122E042B1A0000C2B58740EFBEADDE",
     "05000000000040E201006F496D91081B7299381FC2B58740B63DBAC1", 0x19, 0x42, 0x184142FB, 0x4087B5C2},
    {"TV3", "05000000000040E20100785634120E012C1A0500B11FC7A7F1FB09000100070048656C6C6F2100",
     "05000000000040E20100E97A5815AE2D401DB72CB11FC7A79DFC982C6D07AF2C2462C840032688", 0x1E, 0xA7, 0x1FF8A7D1,
     0xA7C71FB1},
    {"TV4", "05000000000040E20100785634120A0003000000FC61C60504030201",
     "05000000000040E201007A8B21941BDD168623DDFC61C605118500DC", 0x1B, 0x00, 0x1AFE00E6, 0x05C661FC},
};

// The §3.7 pseudocode taken literally: a buffer padded with 3 spare bytes and whole blocks.
std::vector<uint8_t> referenceKeystream(std::vector<uint8_t> packet, uint32_t checkcode) {
  const size_t length = packet.size();
  packet.resize(length + 3);
  const uint32_t key = static_cast<uint32_t>(length) * 0x68656C6Cu + checkcode;
  for (size_t i = 0x0A; i < length; i += 4) {
    const uint32_t k = key + kCryptTable[i & 0xFF];
    if (i != 0x16) {
      packet[i] ^= static_cast<uint8_t>(k);
      packet[i + 1] ^= static_cast<uint8_t>(k >> 8);
    }
    if (i != 0x12) {
      packet[i + 2] ^= static_cast<uint8_t>(k >> 16);
      packet[i + 3] ^= static_cast<uint8_t>(k >> 24);
    }
  }
  packet.resize(length);
  return packet;
}

}  // namespace

TEST_CASE("crypt table matches the spec's sanity values", "[codec][v5]") {
  CHECK(kCryptTable[0x00] == 0x59);
  CHECK(kCryptTable[0x32] == 0x67);
  CHECK(kCryptTable[0x9E] == 0x31);
  CHECK(kCryptTable[0xFE] == 0x00);
  CHECK(kCryptTable[0xFF] == 0x00);
  // Values the vectors of §13 name explicitly (TV2's keystream blocks, TV2/TV3/TV6 R2).
  CHECK(kCryptTable[0x0A] == 0x4C);
  CHECK(kCryptTable[0x0E] == 0x5B);
  CHECK(kCryptTable[0x12] == 0x6D);
  CHECK(kCryptTable[0x16] == 0x6F);
  CHECK(kCryptTable[0x42] == 0x44);
  CHECK(kCryptTable[0xA7] == 0x6E);
  CHECK(kCryptTable[0x10] == 0x5E);
}

TEST_CASE("scramble turns the capture's checkcode into the bytes it carried", "[codec][v5]") {
  CHECK(descramble(0x35DB7438) == 0x6AFC3217);
  CHECK(scramble(0x6AFC3217) == 0x35DB7438);
}

TEST_CASE("scramble and descramble are inverse bijections", "[codec][v5]") {
  std::mt19937 rng(20010111);
  for (int i = 0; i < 100000; ++i) {
    const uint32_t value = rng();
    CHECK(descramble(scramble(value)) == value);
    CHECK(scramble(descramble(value)) == value);
  }
  for (int bit = 0; bit < 32; ++bit) {
    const uint32_t value = 1u << bit;
    CHECK(__builtin_popcount(scramble(value)) == 1);
  }
}

TEST_CASE("checkcode number1 takes bytes 8, 4, 2 and 6", "[codec][v5]") {
  const auto tv1 = fromHex(kClientVectors[0].plain);
  CHECK(checkcodeNumber1(tv1) == 0x5E00008F);
  const auto tv5 = fromHex("0500001F1195860A00F72901008FE45E00489E7B05");
  CHECK(checkcodeNumber1(tv5) == 0x00110086);
  CHECK(checkcodeNumber1(std::span<const uint8_t>{}) == 0);
}

TEST_CASE("checkcode of each client vector matches the spec", "[codec][v5]") {
  for (const auto& vector : kClientVectors) {
    INFO(vector.name);
    const auto plain = fromHex(vector.plain);
    const uint32_t checkcode = computeCheckcode(plain, vector.r1, vector.r2);
    CHECK(checkcode == vector.checkcode);
    CHECK(scramble(checkcode) == vector.scrambled);
    CHECK(verifyCheckcode(plain, checkcode, kClientCheckcodeOffset));
  }
}

TEST_CASE("keystream turns each client vector's plaintext into its ciphertext and back", "[codec][v5]") {
  for (const auto& vector : kClientVectors) {
    INFO(vector.name);
    const auto plain = fromHex(vector.plain);
    const auto cipher = fromHex(vector.cipher);
    auto buffer = plain;
    applyClientKeystream(buffer, vector.checkcode);
    CHECK(buffer == cipher);
    applyClientKeystream(buffer, vector.checkcode);
    CHECK(buffer == plain);
  }
}

TEST_CASE("keystream matches the padded reference loop at every length", "[codec][v5]") {
  std::mt19937 rng(42);
  for (size_t length = 0; length <= 300; ++length) {
    std::vector<uint8_t> packet(length);
    for (auto& byte : packet) {
      byte = static_cast<uint8_t>(rng());
    }
    const uint32_t checkcode = rng();
    auto actual = packet;
    applyClientKeystream(actual, checkcode);
    INFO("length " << length);
    REQUIRE(actual == referenceKeystream(packet, checkcode));
  }
}

TEST_CASE("keystream leaves the clear header and the checkcode bytes alone", "[codec][v5]") {
  std::vector<uint8_t> packet(64, 0xA5);
  applyClientKeystream(packet, 0x12345678);
  for (size_t i = 0; i < 0x0A; ++i) {
    CHECK(packet[i] == 0xA5);
  }
  for (size_t i = 0x14; i < 0x18; ++i) {
    CHECK(packet[i] == 0xA5);
  }
}

TEST_CASE("server checkcodes of TV5, TV6 and TV7 verify", "[codec][v5]") {
  const std::string_view packets[] = {
      "0500001F1195860A00F72901008FE45E00489E7B05",
      "050000785634125A000000010040E20100B310A80B8C0000006E000A000A000500C0A8010A9BC1CD80",
      "05000078563412A4010700000040E20100EDFFD102F1FB090001000300",
  };
  const uint32_t checkcodes[] = {0x057B9E48, 0x0BA810B3, 0x02D1FFED};
  for (size_t i = 0; i < 3; ++i) {
    const auto packet = fromHex(packets[i]);
    CHECK(verifyCheckcode(packet, checkcodes[i], kServerCheckcodeOffset));
    CHECK_FALSE(verifyCheckcode(packet, checkcodes[i] ^ 0x00010000, kServerCheckcodeOffset));
  }
  // TV6 and TV7 with their listed R1/R2 (§13.6, §13.7).
  const auto tv6 = fromHex(packets[1]);
  CHECK(computeCheckcode(tv6, 0x0B, 0x10) == 0x0BA810B3);
  const auto tv7 = fromHex(packets[2]);
  CHECK(computeCheckcode(tv7, 0x03, 0xFF) == 0x02D1FFED);
}

TEST_CASE("checkcode verification skips the byte comparison inside the checkcode field", "[codec][v5]") {
  std::vector<uint8_t> packet(40, 0x00);
  packet[6] = 0x40;
  packet[8] = 0x01;
  for (uint8_t r1 = 0x14; r1 < 0x18; ++r1) {
    const uint32_t checkcode = computeCheckcode(packet, r1, 0x77);
    packet[r1] ^= 0xFF;  // the field is overwritten after the checkcode is computed
    CHECK(verifyCheckcode(packet, checkcode, kClientCheckcodeOffset));
    // The same change is caught when the checkcode field is said to be elsewhere.
    CHECK_FALSE(verifyCheckcode(packet, checkcode, 0x20));
    packet[r1] ^= 0xFF;
  }
}

TEST_CASE("checkcode verification rejects positions beyond the packet and short packets", "[codec][v5]") {
  std::vector<uint8_t> packet(30, 0x11);
  const uint32_t checkcode = computeCheckcode(packet, 0x1D, 0x05);
  CHECK(verifyCheckcode(packet, checkcode, kClientCheckcodeOffset));
  packet.resize(0x1D);
  CHECK_FALSE(verifyCheckcode(packet, checkcode, kClientCheckcodeOffset));
  packet.resize(8);
  CHECK_FALSE(verifyCheckcode(packet, computeCheckcode(packet, 1, 5), kClientCheckcodeOffset));
}
