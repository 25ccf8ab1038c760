// loadgen: one simulated V5 client; see sim_session.hpp.
#include "tools/loadgen/sim_session.hpp"

#include <algorithm>
#include <climits>
#include <cstring>

#include "common/codec/v5/byte_io.hpp"
#include "common/codec/v5/constants.hpp"
#include "common/codec/v5/message.hpp"
#include "common/codec/v5/messages.hpp"
#include "common/codec/v5/presence.hpp"

namespace icq::loadgen {
namespace v5 = codec::v5;
namespace {

// Message texts carry the sender's send time, so that the receiver (in the same process, on
// the same monotonic clock) measures send→delivery without any shared table.
constexpr size_t kStampDigits = 16;

void writeStamp(int64_t stamp, std::span<uint8_t, kStampDigits> out) {
  static constexpr char kHex[] = "0123456789abcdef";
  auto v = static_cast<uint64_t>(stamp);
  for (size_t i = 0; i < kStampDigits; ++i) out[kStampDigits - 1 - i] = static_cast<uint8_t>(kHex[(v >> (4 * i)) & 15]);
}

bool readStamp(std::span<const uint8_t> text, int64_t& stamp) {
  if (text.size() != kStampDigits) return false;
  uint64_t v = 0;
  for (uint8_t c : text) {
    int digit = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
    if (digit < 0) return false;
    v = v << 4 | static_cast<uint64_t>(digit);
  }
  stamp = static_cast<int64_t>(v);
  return true;
}

bool isRequest(Kind kind) { return kind != Kind::keepAlive && kind != Kind::logoff; }

uint16_t commandOf(Kind kind) {
  switch (kind) {
    case Kind::login: return v5::CMD_LOGIN;
    case Kind::keepAlive: return v5::CMD_KEEP_ALIVE;
    case Kind::message: return v5::CMD_SEND_MESSAGE;
    case Kind::contactList: return v5::CMD_CONTACT_LIST;
    case Kind::status: return v5::CMD_STATUS_CHANGE;
    case Kind::login1: return v5::CMD_LOGIN_1;
    case Kind::ackMessages: return v5::CMD_ACK_MESSAGES;
    case Kind::logoff:
    case Kind::kCount:
      break;
  }
  return v5::CMD_SEND_TEXT_CODE;
}

}  // namespace

const char* kindName(Kind kind) noexcept {
  static constexpr const char* kNames[] = {"login",  "keep_alive", "message",      "contact_list",
                                           "status", "login_1",    "ack_messages", "logoff"};
  return kind < Kind::kCount ? kNames[static_cast<size_t>(kind)] : "?";
}

SimSession::SimSession(uint32_t uin, uint32_t partner, uint32_t contactFirst, uint8_t contactCount)
    : uin_(uin), partner_(partner), contactFirst_(contactFirst), contactCount_(contactCount), seq1_(uin & 0x7FFF) {}

bool SimSession::hasRoomFor() const {
  return std::any_of(outstanding_.begin(), outstanding_.end(), [](const Outstanding& o) { return !o.used; });
}

bool SimSession::hasOutstanding(Kind kind) const {
  return std::any_of(outstanding_.begin(), outstanding_.end(),
                     [kind](const Outstanding& o) { return o.used && o.kind == kind; });
}

size_t SimSession::encode(const v5::ClientHeader& header, Kind kind, uint64_t param, std::span<uint8_t> out,
                          v5::CheckcodeRng& rng, const char* password) const {
  std::array<uint8_t, 1100> body{};
  size_t n = 0;
  switch (kind) {
    case Kind::login: {
      v5::LoginRequest request;
      request.time = 0;
      request.tcpPort = 30096;
      request.password = password;
      request.internalIp = 0x0202000A;  // 10.0.2.2
      request.dcType = 4;
      request.status = static_cast<uint32_t>(param);
      request.tcpVersion = 6;
      n = v5::buildLoginData(request, body);
      break;
    }
    case Kind::message: {
      std::array<uint8_t, kStampDigits> text{};
      writeStamp(static_cast<int64_t>(param), text);
      n = v5::buildSendMessageData(partner_, v5::kMsgText, text, body);
      break;
    }
    case Kind::contactList: {
      std::array<uint32_t, v5::kMaxUinsPerListPacket> uins{};
      for (size_t i = 0; i < contactCount_; ++i) uins[i] = contactFirst_ + static_cast<uint32_t>(i);
      n = v5::buildUinListData(std::span(uins).first(contactCount_), body);
      break;
    }
    case Kind::status:
      n = v5::buildStatusData(static_cast<uint32_t>(param), body);
      break;
    case Kind::logoff:
      n = v5::buildTextCodeData(v5::kLogoffText, body);
      break;
    case Kind::keepAlive:
    case Kind::login1:
    case Kind::ackMessages:
    case Kind::kCount: {
      // These bodies are a random u32 the server ignores (§6.6, §6.8, §6.9).
      const uint32_t random = header.seq1 * 2654435761u;
      std::memcpy(body.data(), &random, 4);
      n = 4;
      break;
    }
  }
  const size_t total = v5::kClientHeaderSize + n;
  return v5::encodeClientPacket(header, std::span(body).first(n), out, rng.clientR1(total), rng.r2());
}

size_t SimSession::start(Kind kind, uint64_t param, std::span<uint8_t> out, int64_t nowNs, int64_t rtoNs,
                         v5::CheckcodeRng& rng, const char* password, uint64_t nonce) {
  auto slot = std::find_if(outstanding_.begin(), outstanding_.end(), [](const Outstanding& o) { return !o.used; });
  if (slot == outstanding_.end()) return 0;
  if (kind == Kind::login) {
    reset();
    sessionId_ = static_cast<uint32_t>(nonce & 0x3FFFFFFF) | 1;
    phase_ = Phase::loggingIn;
    loginSentNs = nowNs;
  }
  v5::ClientHeader header{uin_, sessionId_, commandOf(kind), seq1_++,
                          static_cast<uint16_t>(isRequest(kind) ? ++seq2_ : 0)};
  *slot = Outstanding{header, kind, 1, true, param, nowNs, nowNs + rtoNs};
  return encode(header, kind, param, out, rng, password);
}

size_t SimSession::rebuild(const Outstanding& o, std::span<uint8_t> out, v5::CheckcodeRng& rng,
                           const char* password) const {
  return encode(o.header, o.kind, o.param, out, rng, password);
}

size_t SimSession::ackFor(const v5::ServerHeader& header, std::span<uint8_t> out, v5::CheckcodeRng& rng) const {
  const v5::ClientHeader ack{uin_, sessionId_, v5::CMD_ACK, header.seq1, header.seq2};
  const std::array<uint8_t, 4> random{0x5E, 0x1F, 0x00, 0x0D};
  return v5::encodeClientPacket(ack, random, out, rng.clientR1(v5::kClientHeaderSize + 4), rng.r2());
}

Outstanding* SimSession::findSlot(uint16_t seq1, uint16_t seq2) {
  for (auto& o : outstanding_)
    if (o.used && o.header.seq1 == seq1 && o.header.seq2 == seq2) return &o;
  return nullptr;
}

int64_t SimSession::nextDeadline() const {
  int64_t next = reloginAtNs;
  for (const auto& o : outstanding_)
    if (o.used) next = std::min(next, o.deadlineNs);
  return next;
}

void SimSession::reset() {
  for (auto& o : outstanding_) o.used = false;
  phase_ = Phase::offline;
  sessionId_ = 0;
  seq2_ = 0;
}

ServerEvent SimSession::onDatagram(std::span<const uint8_t> datagram, int64_t nowNs) {
  ServerEvent event;
  std::span<const uint8_t> data;
  bool checkcodeValid = false;
  if (v5::isV3Layout(datagram)) {
    // IServerd's V3-layout SRV_BAD_PASS (§8.6) is the only V3 datagram a login can get.
    event.type = datagram.size() >= 4 && (datagram[2] | datagram[3] << 8) == v5::SRV_BAD_PASS
                     ? ServerEvent::Type::loginRefused
                     : ServerEvent::Type::malformed;
    if (event.type == ServerEvent::Type::loginRefused) reset();
    return event;
  }
  if (v5::decodeServerPacket(datagram, event.header, data, checkcodeValid) != v5::DecodeError::none ||
      !checkcodeValid || event.header.uin != uin_) {
    event.type = ServerEvent::Type::malformed;
    return event;
  }
  const v5::ServerHeader& h = event.header;
  // Replies to a login carry its session id; anything else belongs to a session that ended here
  // (a logoff the server had not seen yet when it sent, or its retransmission), as with any real
  // client that logs off and on again: ignored, not acknowledged.
  if (h.sessionId != sessionId_) {
    event.type = h.command == v5::SRV_ACK ? ServerEvent::Type::staleAck : ServerEvent::Type::late;
    return event;
  }
  switch (h.command) {
    case v5::SRV_ACK: {
      Outstanding* o = findSlot(h.seq1, h.seq2);
      if (!o) {
        event.type = ServerEvent::Type::staleAck;
        return event;
      }
      event.type = ServerEvent::Type::acked;
      event.kind = o->kind;
      event.retransmitted = o->tries > 1;
      event.latencyNs = nowNs - o->firstSentNs;
      event.stamp = static_cast<int64_t>(o->param);
      o->used = false;
      if (event.kind == Kind::logoff) reset();
      return event;
    }
    case v5::SRV_LOGIN_REPLY:
      event.type = ServerEvent::Type::loginAccepted;
      event.latencyNs = nowNs - loginSentNs;
      phase_ = Phase::online;
      event.needsAck = true;
      for (auto& o : outstanding_)  // the reply answers the login even if its SRV_ACK was lost
        if (o.used && o.kind == Kind::login) o.used = false;
      return event;
    case v5::SRV_BAD_PASS:
    case v5::SRV_LOGIN_ERR:
      event.type = ServerEvent::Type::loginRefused;
      reset();
      return event;
    case v5::SRV_TRY_AGAIN:
      event.type = ServerEvent::Type::tryAgain;
      return event;
    case v5::SRV_NOT_CONNECTED:
      event.type = ServerEvent::Type::notConnected;
      reset();
      return event;
    case v5::SRV_GO_AWAY:
      event.type = ServerEvent::Type::goAway;
      reset();
      return event;
    default:
      break;
  }
  event.needsAck = true;
  v5::ReceivedMessage message;
  switch (h.command) {
    case v5::SRV_SYS_DELIVERED_MESS:
      event.type = v5::parseOnlineMessageBody(data, message) && readStamp(message.text, event.stamp)
                       ? ServerEvent::Type::message
                       : ServerEvent::Type::other;
      event.from = message.from;
      break;
    case v5::SRV_RECV_MESSAGE:
      event.type = v5::parseOfflineMessageBody(data, message) && readStamp(message.text, event.stamp)
                       ? ServerEvent::Type::offlineMessage
                       : ServerEvent::Type::other;
      event.from = message.from;
      break;
    case v5::SRV_END_OFFLINE_MESSAGES:
      event.type = ServerEvent::Type::endOffline;
      break;
    case v5::SRV_STATUS_UPDATE:
    case v5::SRV_USER_ONLINE: {
      v5::ByteReader reader(data);
      event.from = reader.u32();
      if (h.command == v5::SRV_USER_ONLINE) {
        event.type = ServerEvent::Type::userOnline;
      } else {
        event.status = reader.u32();
        event.type = reader.overrun() ? ServerEvent::Type::other : ServerEvent::Type::statusUpdate;
      }
      break;
    }
    case v5::SRV_USER_OFFLINE:
      event.type = ServerEvent::Type::userOffline;
      break;
    case v5::SRV_USER_LIST_DONE:
      event.type = ServerEvent::Type::listDone;
      break;
    default:
      event.type = ServerEvent::Type::other;
      break;
  }
  return event;
}

}  // namespace icq::loadgen
