// Message bodies through the server (protocol-v5.md §6.10, §8.11, §8.12, §9.1, §9.2): the
// client's CMD_SEND_MESSAGE and the online/offline deliveries built from it.
#include "common/codec/v5/message.hpp"

#include <algorithm>
#include <chrono>
#include <initializer_list>

#include "common/codec/v5/byte_io.hpp"

namespace icq::codec::v5 {

namespace {

constexpr size_t kMaxMessageLen = kMaxMessageText + 1;  // LEN counts the NUL (§6.10)
constexpr size_t kMaxLenField = 0xFFFF;                 // LEN is a u16

// The field separator of structured texts, IServerd's CLUE_CHAR (§9.2).
constexpr uint8_t kFieldSeparator = 0xFE;
// The auth-flag that ends a server-filled "you were added" text, as decimal text (§6.10 step 7).
constexpr uint8_t kAddedAuthFlag = '1';

// 1970-01-01 and 9999-12-31 23:59:59 UTC: the year then fits its u16 field and the calendar
// conversion's range.
constexpr int64_t kMinMessageTime = 0;
constexpr int64_t kMaxMessageTime = 253402300799;

std::span<const uint8_t> asBytes(std::string_view text) noexcept {
  return {reinterpret_cast<const uint8_t*>(text.data()), text.size()};
}

// The text as sent, without its final NUL: every source terminates it (§9.2), but a client that
// does not is still accepted (§1.1).
std::span<const uint8_t> withoutFinalNul(std::span<const uint8_t> field) noexcept {
  return !field.empty() && field.back() == 0 ? field.first(field.size() - 1) : field;
}

// u16 LEN (including the NUL) + text + NUL: the tail shared by all three message bodies. The
// builders check kMaxLenField before writing anything.
void writeText(ByteWriter& writer, std::span<const uint8_t> text) noexcept {
  writer.u16(static_cast<uint16_t>(text.size() + 1));
  writer.bytes(text);
  writer.u8(0);
}

// Reads u16 LEN and LEN bytes of text from `reader`; false if they are not all there.
bool readText(ByteReader& reader, std::span<const uint8_t> data, std::span<const uint8_t>& text) noexcept {
  const size_t length = reader.u16();
  if (reader.overrun() || reader.remaining() < length) {
    return false;
  }
  text = withoutFinalNul(data.subspan(reader.position(), length));
  return true;
}

}  // namespace

ParseError parseSendMessage(std::span<const uint8_t> data, MessageRequest& out) noexcept {
  out = MessageRequest{};
  ByteReader reader(data);
  out.to = reader.u32();
  out.type = reader.u16();
  const size_t length = reader.u16();
  if (reader.overrun()) {
    return ParseError::truncated;
  }
  if (length > kMaxMessageLen) {
    return ParseError::too_long;
  }
  if (reader.remaining() < length) {
    return ParseError::truncated;
  }
  out.text = withoutFinalNul(data.subspan(reader.position(), length));
  return ParseError::none;
}

size_t buildSendMessageData(uint32_t to, uint16_t type, std::span<const uint8_t> text,
                            std::span<uint8_t> out) noexcept {
  return buildOnlineMessageBody(to, type, text, out);
}

size_t buildOnlineMessageBody(uint32_t from, uint16_t type, std::span<const uint8_t> text,
                              std::span<uint8_t> out) noexcept {
  if (text.size() + 1 > kMaxLenField) {
    return 0;
  }
  ByteWriter writer(out);
  writer.u32(from);
  writer.u16(type);
  writeText(writer, text);
  return writer.overflow() ? 0 : writer.size();
}

MessageTime messageTimeFromUnix(int64_t unixSeconds) noexcept {
  using namespace std::chrono;
  const sys_seconds time{seconds{std::clamp(unixSeconds, kMinMessageTime, kMaxMessageTime)}};
  const sys_days day = floor<days>(time);
  const year_month_day date{day};
  const hh_mm_ss clock{time - day};
  return {static_cast<uint16_t>(static_cast<int>(date.year())),
          static_cast<uint8_t>(static_cast<unsigned>(date.month())),
          static_cast<uint8_t>(static_cast<unsigned>(date.day())), static_cast<uint8_t>(clock.hours().count()),
          static_cast<uint8_t>(clock.minutes().count())};
}

size_t buildOfflineMessageBody(uint32_t from, const MessageTime& time, uint16_t type, std::span<const uint8_t> text,
                               std::span<uint8_t> out) noexcept {
  if (text.size() + 1 > kMaxLenField) {
    return 0;
  }
  ByteWriter writer(out);
  writer.u32(from);
  writer.u16(time.year);
  writer.u8(time.month);
  writer.u8(time.day);
  writer.u8(time.hour);
  writer.u8(time.minute);
  writer.u16(type);
  writeText(writer, text);
  return writer.overflow() ? 0 : writer.size();
}

bool parseOnlineMessageBody(std::span<const uint8_t> data, ReceivedMessage& out) noexcept {
  out = ReceivedMessage{};
  ByteReader reader(data);
  out.from = reader.u32();
  out.type = reader.u16();
  return readText(reader, data, out.text);
}

bool parseOfflineMessageBody(std::span<const uint8_t> data, ReceivedMessage& out) noexcept {
  out = ReceivedMessage{};
  ByteReader reader(data);
  out.from = reader.u32();
  out.time.year = reader.u16();
  out.time.month = reader.u8();
  out.time.day = reader.u8();
  out.time.hour = reader.u8();
  out.time.minute = reader.u8();
  out.type = reader.u16();
  return readText(reader, data, out.text);
}

size_t buildAddedText(std::string_view nick, std::string_view first, std::string_view last, std::string_view email,
                      std::span<uint8_t> out) noexcept {
  ByteWriter writer(out);
  for (const std::string_view field : {nick, first, last, email}) {
    writer.bytes(asBytes(field));
    writer.u8(kFieldSeparator);
  }
  writer.u8(kAddedAuthFlag);
  return writer.overflow() ? 0 : writer.size();
}

}  // namespace icq::codec::v5
