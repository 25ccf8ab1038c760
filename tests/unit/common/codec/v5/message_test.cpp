// Tests for common/codec/v5/message.hpp: CMD_SEND_MESSAGE parsing and its limits (protocol-v5.md
// §6.10, TV3), the online and offline delivery bodies (§8.11, §8.12), UTC times, splitting long
// texts (D45) and the server-filled "you were added" text.
#include "common/codec/v5/message.hpp"

#include <array>
#include <catch2/catch.hpp>
#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "tests/support/hex.hpp"

using namespace icq::codec::v5;

namespace {

using icq::test::fromHex;

// TV3's data part (§13.3): to 654321, type 1, "Hello!".
const std::vector<uint8_t> kTv3Body = fromHex("F1FB0900 0100 0700 48656C6C6F2100");

std::span<const uint8_t> bytesOf(std::string_view text) {
  return {reinterpret_cast<const uint8_t*>(text.data()), text.size()};
}

std::string textOf(std::span<const uint8_t> bytes) { return {bytes.begin(), bytes.end()}; }

std::vector<uint8_t> patternText(size_t size) {
  std::vector<uint8_t> text(size);
  for (size_t i = 0; i < size; ++i) {
    text[i] = static_cast<uint8_t>('a' + i % 26);
  }
  return text;
}

// Message body with an explicit LEN and `text` as given (NUL or not).
std::vector<uint8_t> sendMessageBody(uint16_t len, const std::vector<uint8_t>& text) {
  std::vector<uint8_t> body = fromHex("F1FB0900 0100");
  body.push_back(static_cast<uint8_t>(len));
  body.push_back(static_cast<uint8_t>(len >> 8));
  body.insert(body.end(), text.begin(), text.end());
  return body;
}

std::vector<std::vector<uint8_t>> split(std::span<const uint8_t> text, size_t chunk, SplitOrder order) {
  std::vector<std::vector<uint8_t>> pieces;
  forEachMessagePiece(text, chunk, order,
                      [&](std::span<const uint8_t> piece) { pieces.emplace_back(piece.begin(), piece.end()); });
  return pieces;
}

}  // namespace

TEST_CASE("v5 TV3 send-message body parses to its fields", "[codec][v5]") {
  MessageRequest request;
  REQUIRE(parseSendMessage(kTv3Body, request) == ParseError::none);
  CHECK(request.to == 654321);
  CHECK(request.type == kMsgText);
  CHECK(textOf(request.text) == "Hello!");
  CHECK(request.text.data() == kTv3Body.data() + 8);  // points into the datagram

  std::array<uint8_t, 32> out{};
  const size_t length = buildSendMessageData(654321, kMsgText, bytesOf("Hello!"), out);
  CHECK(std::vector<uint8_t>(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(length)) == kTv3Body);
}

TEST_CASE("v5 send-message parser reports every truncation of a valid body", "[codec][v5]") {
  for (size_t length = 0; length < kTv3Body.size(); ++length) {
    INFO("length " << length);
    MessageRequest request;
    CHECK(parseSendMessage(std::span(kTv3Body).first(length), request) == ParseError::truncated);
  }
}

TEST_CASE("v5 send-message with LEN 0 is an empty text", "[codec][v5]") {
  MessageRequest request;
  REQUIRE(parseSendMessage(sendMessageBody(0, {}), request) == ParseError::none);
  CHECK(request.to == 654321);
  CHECK(request.text.empty());
  // LEN 1, just the NUL (licq's authorisation grant, §9.1).
  REQUIRE(parseSendMessage(sendMessageBody(1, {0}), request) == ParseError::none);
  CHECK(request.text.empty());
}

TEST_CASE("v5 send-message LEN up to 510 is accepted and 511 is too_long", "[codec][v5]") {
  MessageRequest request;
  std::vector<uint8_t> text = patternText(509);
  text.push_back(0);
  REQUIRE(parseSendMessage(sendMessageBody(510, text), request) == ParseError::none);
  CHECK(request.text.size() == kMaxMessageText);

  text.back() = 'x';
  text.push_back(0);
  CHECK(parseSendMessage(sendMessageBody(511, text), request) == ParseError::too_long);
  // The limit is on LEN, so a short datagram claiming 511 bytes is too_long as well.
  CHECK(parseSendMessage(sendMessageBody(511, {}), request) == ParseError::too_long);
  CHECK(parseSendMessage(sendMessageBody(0xFFFF, {}), request) == ParseError::too_long);
}

TEST_CASE("v5 send-message text without its NUL is accepted whole", "[codec][v5]") {
  MessageRequest request;
  const std::vector<uint8_t> body = sendMessageBody(3, {'H', 'i', '!'});
  REQUIRE(parseSendMessage(body, request) == ParseError::none);
  CHECK(textOf(request.text) == "Hi!");
  // LEN 510 without a NUL is still within the limit.
  REQUIRE(parseSendMessage(sendMessageBody(510, patternText(510)), request) == ParseError::none);
  CHECK(request.text.size() == 510);
}

TEST_CASE("v5 send-message with LEN past the data is truncated and trailing bytes are ignored", "[codec][v5]") {
  MessageRequest request;
  CHECK(parseSendMessage(sendMessageBody(8, {'a', 'b', 0}), request) == ParseError::truncated);
  const std::vector<uint8_t> body = sendMessageBody(3, {'a', 'b', 0, 0xEF, 0xBE});
  REQUIRE(parseSendMessage(body, request) == ParseError::none);
  CHECK(textOf(request.text) == "ab");
}

TEST_CASE("v5 structured texts keep their 0xFE separators and type flags pass through", "[codec][v5]") {
  const std::string_view url = "ICQ\xFEhttp://example.org/";
  const uint16_t type = kMsgUrl | kMsgMultipleRecipients;
  std::array<uint8_t, 64> out{};
  const size_t length = buildSendMessageData(7, type, bytesOf(url), out);
  REQUIRE(length == 8 + url.size() + 1);
  MessageRequest request;
  REQUIRE(parseSendMessage(std::span(out).first(length), request) == ParseError::none);
  CHECK(request.type == 0x8004);
  CHECK(textOf(request.text) == url);
}

TEST_CASE("v5 SRV_SYS_DELIVERED_MESS body has the client's layout with the sender", "[codec][v5]") {
  std::array<uint8_t, 32> out{};
  const size_t length = buildOnlineMessageBody(123456, kMsgText, bytesOf("Hello!"), out);
  const std::vector<uint8_t> body(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(length));
  CHECK(body == fromHex("40E20100 0100 0700 48656C6C6F2100"));

  ReceivedMessage message;
  REQUIRE(parseOnlineMessageBody(body, message));
  CHECK(message.from == 123456);
  CHECK(message.type == kMsgText);
  CHECK(textOf(message.text) == "Hello!");
  CHECK(message.time.year == 0);
  for (size_t cut = 0; cut < body.size(); ++cut) {
    INFO("length " << cut);
    CHECK_FALSE(parseOnlineMessageBody(std::span(body).first(cut), message));
  }
}

TEST_CASE("v5 SRV_RECV_MESSAGE body carries the UTC store time", "[codec][v5]") {
  // 2001-01-01 12:34:56 UTC.
  const MessageTime time = messageTimeFromUnix(978352496);
  CHECK(time.year == 2001);
  CHECK(time.month == 1);
  CHECK(time.day == 1);
  CHECK(time.hour == 12);
  CHECK(time.minute == 34);

  std::array<uint8_t, 32> out{};
  const size_t length = buildOfflineMessageBody(654321, time, kMsgText, bytesOf("Hello!"), out);
  const std::vector<uint8_t> body(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(length));
  CHECK(body == fromHex("F1FB0900 D107 01 01 0C 22 0100 0700 48656C6C6F2100"));

  ReceivedMessage message;
  REQUIRE(parseOfflineMessageBody(body, message));
  CHECK(message.from == 654321);
  CHECK(message.type == kMsgText);
  CHECK(textOf(message.text) == "Hello!");
  CHECK(message.time.year == 2001);
  CHECK(message.time.month == 1);
  CHECK(message.time.day == 1);
  CHECK(message.time.hour == 12);
  CHECK(message.time.minute == 34);
  for (size_t cut = 0; cut < body.size(); ++cut) {
    INFO("length " << cut);
    CHECK_FALSE(parseOfflineMessageBody(std::span(body).first(cut), message));
  }
}

TEST_CASE("v5 message times convert from Unix seconds in UTC and clamp", "[codec][v5]") {
  const auto check = [](int64_t unix, uint16_t year, uint8_t month, uint8_t day, uint8_t hour, uint8_t minute) {
    INFO("unix " << unix);
    const MessageTime time = messageTimeFromUnix(unix);
    CHECK(time.year == year);
    CHECK(time.month == month);
    CHECK(time.day == day);
    CHECK(time.hour == hour);
    CHECK(time.minute == minute);
  };
  check(0, 1970, 1, 1, 0, 0);
  check(951868799, 2000, 2, 29, 23, 59);  // leap day, last second
  check(951868800, 2000, 3, 1, 0, 0);
  check(2147483648, 2038, 1, 19, 3, 14);  // past the 32-bit rollover
  check(-1, 1970, 1, 1, 0, 0);
  check(INT64_MAX, 9999, 12, 31, 23, 59);
  check(INT64_MIN, 1970, 1, 1, 0, 0);
}

TEST_CASE("v5 long texts split into 450-byte pieces forward and backward", "[codec][v5]") {
  struct Case {
    size_t size;
    std::vector<size_t> forwardSizes;
  };
  const std::array cases{Case{451, {450, 1}}, Case{900, {450, 450}}, Case{901, {450, 450, 1}}, Case{0, {0}},
                         Case{450, {450}}};
  for (const Case& c : cases) {
    INFO("size " << c.size);
    const std::vector<uint8_t> text = patternText(c.size);

    const auto forward = split(text, 450, SplitOrder::forward);
    REQUIRE(forward.size() == c.forwardSizes.size());
    std::vector<uint8_t> joined;
    for (size_t i = 0; i < forward.size(); ++i) {
      CHECK(forward[i].size() == c.forwardSizes[i]);
      joined.insert(joined.end(), forward[i].begin(), forward[i].end());
    }
    CHECK(joined == text);

    // Backward sends the same pieces, last first (D45).
    const auto backward = split(text, 450, SplitOrder::backward);
    REQUIRE(backward.size() == forward.size());
    CHECK(std::equal(backward.begin(), backward.end(), forward.rbegin()));
  }
}

TEST_CASE("v5 a chunk of 0 sends the whole text as one piece", "[codec][v5]") {
  const std::vector<uint8_t> text = patternText(1000);
  const auto pieces = split(text, 0, SplitOrder::backward);
  REQUIRE(pieces.size() == 1);
  CHECK(pieces[0] == text);
}

TEST_CASE("v5 server-filled added text is nick FE first FE last FE email FE 1", "[codec][v5]") {
  std::array<uint8_t, 64> out{};
  size_t length = buildAddedText("sam", "Sam", "Smith", "sam@eu.org", out);
  CHECK(textOf(std::span(out).first(length)) ==
        "sam\xFESam\xFESmith\xFEsam@eu.org\xFE"
        "1");
  length = buildAddedText("", "", "", "", out);
  CHECK(textOf(std::span(out).first(length)) ==
        "\xFE\xFE\xFE\xFE"
        "1");
  CHECK(buildAddedText("sam", "Sam", "Smith", "sam@eu.org", std::span(out).first(25)) == 0);
  CHECK(buildAddedText("sam", "Sam", "Smith", "sam@eu.org", std::span(out).first(26)) == 26);
}

TEST_CASE("v5 message builders round-trip texts of 0 to 509 bytes", "[codec][v5]") {
  std::vector<uint8_t> out(600);
  const MessageTime time = messageTimeFromUnix(1700000000);
  for (const size_t size : {size_t{0}, size_t{1}, size_t{450}, kMaxMessageText}) {
    INFO("size " << size);
    const std::vector<uint8_t> text = patternText(size);

    size_t length = buildSendMessageData(42, kMsgContacts, text, out);
    REQUIRE(length == 8 + size + 1);
    MessageRequest request;
    REQUIRE(parseSendMessage(std::span(out).first(length), request) == ParseError::none);
    CHECK(request.to == 42);
    CHECK(request.type == kMsgContacts);
    CHECK(std::equal(request.text.begin(), request.text.end(), text.begin(), text.end()));

    length = buildOnlineMessageBody(43, kMsgAuthRequest, text, out);
    REQUIRE(length == 8 + size + 1);
    ReceivedMessage message;
    REQUIRE(parseOnlineMessageBody(std::span(out).first(length), message));
    CHECK(message.from == 43);
    CHECK(message.type == kMsgAuthRequest);
    CHECK(std::equal(message.text.begin(), message.text.end(), text.begin(), text.end()));

    length = buildOfflineMessageBody(44, time, kMsgAdded, text, out);
    REQUIRE(length == 14 + size + 1);
    REQUIRE(parseOfflineMessageBody(std::span(out).first(length), message));
    CHECK(message.from == 44);
    CHECK(message.type == kMsgAdded);
    CHECK(message.time.year == 2023);
    CHECK(std::equal(message.text.begin(), message.text.end(), text.begin(), text.end()));
  }
}

TEST_CASE("v5 message builders return 0 when the output is too small or LEN overflows", "[codec][v5]") {
  std::vector<uint8_t> out(0x10100);
  const auto text = bytesOf("Hello!");
  const MessageTime time = messageTimeFromUnix(0);
  for (size_t size = 0; size < 15; ++size) {
    CHECK(buildSendMessageData(1, kMsgText, text, std::span(out).first(size)) == 0);
    CHECK(buildOnlineMessageBody(1, kMsgText, text, std::span(out).first(size)) == 0);
  }
  for (size_t size = 0; size < 21; ++size) {
    CHECK(buildOfflineMessageBody(1, time, kMsgText, text, std::span(out).first(size)) == 0);
  }
  // LEN is a u16 that counts the NUL: 0xFFFE text bytes fit, 0xFFFF do not.
  const std::vector<uint8_t> longest = patternText(0xFFFE);
  const std::vector<uint8_t> tooLong = patternText(0xFFFF);
  CHECK(buildSendMessageData(1, kMsgText, longest, out) == 8 + 0xFFFF);
  CHECK(buildSendMessageData(1, kMsgText, tooLong, out) == 0);
  CHECK(buildOnlineMessageBody(1, kMsgText, tooLong, out) == 0);
  CHECK(buildOfflineMessageBody(1, time, kMsgText, tooLong, out) == 0);
}

TEST_CASE("v5 message parsers survive random garbage", "[codec][v5]") {
  std::mt19937 rng(4321);
  for (int trial = 0; trial < 20000; ++trial) {
    std::vector<uint8_t> data(rng() % 600);
    for (auto& byte : data) {
      byte = static_cast<uint8_t>(rng());
    }
    // Keep LEN plausible in most trials so the text paths run too.
    if (trial % 2 == 0 && data.size() >= 8) {
      data[7] = static_cast<uint8_t>(rng() % 3);
    }
    MessageRequest request;
    const ParseError error = parseSendMessage(data, request);
    CHECK((error == ParseError::none || error == ParseError::truncated || error == ParseError::too_long));
    CHECK(request.text.size() <= kMaxMessageText + 1);
    ReceivedMessage message;
    if (parseOnlineMessageBody(data, message)) {
      CHECK(message.text.data() >= data.data());
      CHECK(message.text.data() + message.text.size() <= data.data() + data.size());
    }
    if (parseOfflineMessageBody(data, message)) {
      CHECK(message.text.data() + message.text.size() <= data.data() + data.size());
    }
  }
}
