// Tests for common/codec/v5/byte_io.hpp: little-endian access, IServerd's zero-past-the-end
// tolerance and the lnts rules of protocol-v5.md §1.1.
#include "common/codec/v5/byte_io.hpp"

#include <array>
#include <catch2/catch.hpp>
#include <cstring>
#include <vector>

using namespace icq::codec::v5;

namespace {

uint32_t ipv4(uint8_t a, uint8_t b, uint8_t c, uint8_t d) {
  const std::array<uint8_t, 4> octets{a, b, c, d};
  uint32_t address = 0;
  std::memcpy(&address, octets.data(), 4);
  return address;
}

}  // namespace

TEST_CASE("byte reader reads little-endian integers in sequence", "[codec][v5]") {
  const std::vector<uint8_t> bytes{0x01, 0x34, 0x12, 0x78, 0x56, 0x34, 0x12};
  ByteReader reader(bytes);
  CHECK(reader.u8() == 0x01);
  CHECK(reader.u16() == 0x1234);
  CHECK(reader.position() == 3);
  CHECK(reader.u32() == 0x12345678);
  CHECK(reader.remaining() == 0);
  CHECK_FALSE(reader.overrun());
}

TEST_CASE("byte reader past the end returns 0 and sets a sticky overrun", "[codec][v5]") {
  const std::vector<uint8_t> bytes{0xAA, 0xBB, 0xCC};
  ByteReader reader(bytes);
  CHECK(reader.u32() == 0);
  CHECK(reader.overrun());
  CHECK(reader.remaining() == 0);
  CHECK(reader.u8() == 0);
  CHECK(reader.u16() == 0);
  CHECK(reader.ip() == 0);
  CHECK(reader.lnts(100).empty());
  CHECK(reader.overrun());
}

TEST_CASE("byte reader on an empty span reads zeros", "[codec][v5]") {
  ByteReader reader(std::span<const uint8_t>{});
  CHECK(reader.u8() == 0);
  CHECK(reader.overrun());
  CHECK(reader.position() == 0);
}

TEST_CASE("byte reader keeps an ip address in wire (network) order", "[codec][v5]") {
  const std::vector<uint8_t> bytes{0x0A, 0x0A, 0x0A, 0x02};
  ByteReader reader(bytes);
  CHECK(reader.ip() == ipv4(10, 10, 10, 2));
}

TEST_CASE("byte reader lnts strips the NUL and accepts length 0 and a missing NUL", "[codec][v5]") {
  const std::vector<uint8_t> bytes{0x04, 0x00, 'a',  'b', 'c', 0x00,  // normal
                                   0x00, 0x00,                        // length 0
                                   0x01, 0x00, 0x00,                  // empty string
                                   0x02, 0x00, 'x',  'y'};            // no NUL
  ByteReader reader(bytes);
  CHECK(reader.lnts(10) == "abc");
  CHECK(reader.lnts(10).empty());
  CHECK(reader.lnts(10).empty());
  CHECK(reader.lnts(10) == "xy");
  CHECK(reader.remaining() == 0);
  CHECK_FALSE(reader.overrun());
  CHECK_FALSE(reader.tooLong());
}

TEST_CASE("byte reader lnts stops at the first NUL but consumes the whole field", "[codec][v5]") {
  const std::vector<uint8_t> bytes{0x05, 0x00, 'a', 0x00, 'b', 'c', 0x00, 0x7F};
  ByteReader reader(bytes);
  CHECK(reader.lnts(10) == "a");
  CHECK(reader.u8() == 0x7F);
}

TEST_CASE("byte reader lnts over the maximum sets a sticky tooLong", "[codec][v5]") {
  const std::vector<uint8_t> bytes{0x04, 0x00, 'a', 'b', 'c', 0x00, 0x03, 0x00, 'd', 'e', 0x00};
  ByteReader atLimit(bytes);
  CHECK(atLimit.lnts(3) == "abc");
  CHECK_FALSE(atLimit.tooLong());

  ByteReader overLimit(bytes);
  CHECK(overLimit.lnts(2).empty());
  CHECK(overLimit.tooLong());
  CHECK(overLimit.lnts(2) == "de");
  CHECK(overLimit.tooLong());
  CHECK_FALSE(overLimit.overrun());
}

TEST_CASE("byte reader lnts without its NUL counts every byte against the maximum", "[codec][v5]") {
  const std::vector<uint8_t> bytes{0x03, 0x00, 'a', 'b', 'c'};
  ByteReader reader(bytes);
  CHECK(reader.lnts(2).empty());
  CHECK(reader.tooLong());
}

TEST_CASE("byte reader lnts longer than the data overruns", "[codec][v5]") {
  const std::vector<uint8_t> bytes{0x10, 0x00, 'a', 'b'};
  ByteReader reader(bytes);
  CHECK(reader.lnts(100).empty());
  CHECK(reader.overrun());
  CHECK_FALSE(reader.tooLong());
}

TEST_CASE("byte reader skip past the end overruns", "[codec][v5]") {
  const std::vector<uint8_t> bytes{1, 2, 3};
  ByteReader reader(bytes);
  reader.skip(2);
  CHECK(reader.u8() == 3);
  reader.skip(1);
  CHECK(reader.overrun());
}

TEST_CASE("byte writer writes little-endian integers, ip and lnts", "[codec][v5]") {
  std::array<uint8_t, 32> buffer{};
  ByteWriter writer(buffer);
  writer.u8(0x01);
  writer.u16(0x1234);
  writer.u32(0x12345678);
  writer.ip(ipv4(192, 168, 1, 10));
  writer.lnts("hi");
  writer.lnts("");
  const std::array<uint8_t, 3> raw{0xDE, 0xAD, 0xBE};
  writer.bytes(raw);
  const std::vector<uint8_t> expected{0x01, 0x34, 0x12, 0x78, 0x56, 0x34, 0x12, 0xC0, 0xA8, 0x01, 0x0A,
                                      0x03, 0x00, 'h',  'i',  0x00, 0x01, 0x00, 0x00, 0xDE, 0xAD, 0xBE};
  REQUIRE(writer.size() == expected.size());
  CHECK_FALSE(writer.overflow());
  CHECK(std::vector<uint8_t>(buffer.begin(), buffer.begin() + 22) == expected);
}

TEST_CASE("byte writer never writes past its span and sets a sticky overflow", "[codec][v5]") {
  std::array<uint8_t, 8> buffer{};
  buffer.fill(0xEE);
  ByteWriter writer(std::span<uint8_t>(buffer).first(5));
  writer.u32(0x11223344);
  writer.u16(0x5566);  // does not fit: nothing written
  CHECK(writer.overflow());
  writer.u8(0x77);  // would fit, but nothing follows an overflow
  writer.lnts("");
  writer.ip(0);
  CHECK(writer.size() == 4);
  CHECK(writer.overflow());
  CHECK(buffer[3] == 0x11);
  CHECK(buffer[4] == 0xEE);
  CHECK(buffer[5] == 0xEE);
}

TEST_CASE("byte writer lnts that cannot fit writes nothing", "[codec][v5]") {
  std::array<uint8_t, 4> buffer{};
  ByteWriter writer(buffer);
  writer.lnts("abc");  // needs 6 bytes
  CHECK(writer.overflow());
  CHECK(writer.size() == 0);
}
