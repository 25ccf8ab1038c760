// Messages through the server (protocol-v5.md §6.10, §8.11, §8.12, §9): CMD_SEND_MESSAGE /
// CMD_MSG_TO_NEW_USER in, SRV_SYS_DELIVERED_MESS (online) and SRV_RECV_MESSAGE (offline) out.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "common/codec/v5/messages.hpp"

namespace icq::codec::v5 {

// Message types (§9.1). The server passes every type through unchanged, unknown ones included.
inline constexpr uint16_t kMsgText = 0x0001;
inline constexpr uint16_t kMsgUrl = 0x0004;
inline constexpr uint16_t kMsgAuthRequest = 0x0006;
inline constexpr uint16_t kMsgAuthDenied = 0x0007;
inline constexpr uint16_t kMsgAuthGranted = 0x0008;
inline constexpr uint16_t kMsgSystem = 0x0009;
inline constexpr uint16_t kMsgAdded = 0x000C;
inline constexpr uint16_t kMsgWebPager = 0x000D;
inline constexpr uint16_t kMsgEmailExpress = 0x000E;
inline constexpr uint16_t kMsgContacts = 0x0013;
// A flag ORed into the type, not a type of its own (§9.1).
inline constexpr uint16_t kMsgMultipleRecipients = 0x8000;

// §6.10 step 3, decision: LEN (which counts the NUL) up to 510, the protocol's upper bound (§9.2).
inline constexpr size_t kMaxMessageText = 510 - 1;

struct MessageRequest {
  uint32_t to = 0;
  uint16_t type = 0;
  std::span<const uint8_t> text;  // without the NUL; points into the datagram
};

// CMD_SEND_MESSAGE and CMD_MSG_TO_NEW_USER share this body (§6.10). LEN 0 gives an empty text; a
// LEN above 510 is too_long (checked before the data, as IServerd checks LEN first); a LEN past
// the data is truncated. A text whose last byte is not a NUL is accepted whole (§1.1); only a
// final NUL is removed, so the text's bytes are forwarded verbatim. Bytes after the text are ignored.
ParseError parseSendMessage(std::span<const uint8_t> data, MessageRequest& out) noexcept;

// Builders write `text` plus a NUL (LEN = size + 1) and return the body's length, 0 if `out` is too
// small or LEN would not fit its u16. They do not enforce kMaxMessageText or the 450-byte chunk:
// the server splits before building (forEachMessagePiece), and the test client must be able to
// send over-long texts.
size_t buildSendMessageData(uint32_t to, uint16_t type, std::span<const uint8_t> text, std::span<uint8_t> out) noexcept;
// SRV_SYS_DELIVERED_MESS (§8.11): the client's layout with the sender in place of the recipient.
size_t buildOnlineMessageBody(uint32_t from, uint16_t type, std::span<const uint8_t> text,
                              std::span<uint8_t> out) noexcept;

struct MessageTime {
  uint16_t year;
  uint8_t month, day, hour, minute;
};

// UTC, as ICQ 99a expects (§8.12). Times before 1970 or after 9999 are clamped to those bounds.
MessageTime messageTimeFromUnix(int64_t unixSeconds) noexcept;

// SRV_RECV_MESSAGE (§8.12): sender, the time the server stored the message, type, LEN, text.
size_t buildOfflineMessageBody(uint32_t from, const MessageTime& time, uint16_t type, std::span<const uint8_t> text,
                               std::span<uint8_t> out) noexcept;

// Test client side. `text` is without the final NUL and points into `data`; `time` is zero for
// online messages. False if the fixed fields or the LEN bytes of text are missing.
struct ReceivedMessage {
  uint32_t from = 0;
  uint16_t type = 0;
  std::span<const uint8_t> text;
  MessageTime time{};
};

bool parseOnlineMessageBody(std::span<const uint8_t> data, ReceivedMessage& out) noexcept;
bool parseOfflineMessageBody(std::span<const uint8_t> data, ReceivedMessage& out) noexcept;

enum class SplitOrder : uint8_t { forward, backward };

// Texts too long for one V5 packet go out as pieces of at most `chunk` bytes (§6.10 step 5, D45);
// `backward` sends the last piece first, because ICQ 99 shows the newest message on top. Calls
// visit(std::span<const uint8_t> piece) for each piece in sending order. An empty text yields one
// empty piece; a `chunk` of 0 (no limit) yields the whole text as one piece.
template <class Visit>
void forEachMessagePiece(std::span<const uint8_t> text, size_t chunk, SplitOrder order, Visit&& visit) {
  if (chunk == 0 || text.size() <= chunk) {
    visit(text);
    return;
  }
  const size_t pieces = (text.size() + chunk - 1) / chunk;
  for (size_t i = 0; i < pieces; ++i) {
    const size_t offset = (order == SplitOrder::forward ? i : pieces - 1 - i) * chunk;
    visit(text.subspan(offset, std::min(chunk, text.size() - offset)));
  }
}

// §6.10 step 7: the text the server puts into an empty "you were added" message (kMsgAdded), from
// the sender's data: nick FE first FE last FE email FE 1 (no NUL). Returns its length, 0 if `out`
// is too small.
size_t buildAddedText(std::string_view nick, std::string_view first, std::string_view last, std::string_view email,
                      std::span<uint8_t> out) noexcept;

}  // namespace icq::codec::v5
