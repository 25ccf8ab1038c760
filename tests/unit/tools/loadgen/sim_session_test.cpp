#include "tools/loadgen/sim_session.hpp"

#include <catch2/catch.hpp>
#include <vector>

#include "common/codec/v5/constants.hpp"
#include "common/codec/v5/message.hpp"
#include "common/codec/v5/messages.hpp"
#include "common/codec/v5/presence.hpp"

using namespace icq::loadgen;
namespace v5 = icq::codec::v5;

namespace {

constexpr int64_t kRto = 1'000'000'000;
constexpr uint32_t kUin = 700001;

struct Harness {
  SimSession session{kUin, kUin + 1, kUin + 1, 3};
  v5::CheckcodeRng rng{42};
  std::array<uint8_t, 2048> buffer{};

  // What the server would see: the datagram decrypted and parsed.
  v5::ClientPacket sent(size_t n) {
    v5::ClientPacket packet;
    REQUIRE(n > 0);
    REQUIRE(v5::decodeClientPacket(std::span(buffer).first(n), packet) == v5::DecodeError::none);
    CHECK(packet.checkcodeValid);
    return packet;
  }
  v5::ClientPacket start(Kind kind, uint64_t param, int64_t now) {
    return sent(session.start(kind, param, buffer, now, kRto, rng, "pw123", 0x1234));
  }
  ServerEvent deliver(uint16_t command, uint16_t seq1, uint16_t seq2, std::span<const uint8_t> data, int64_t now,
                      uint32_t sessionId = 0) {
    std::array<uint8_t, 2048> out{};
    v5::ServerHeader h{sessionId ? sessionId : session.sessionId(), command, seq1, seq2, kUin};
    const size_t n = v5::encodeServerPacket(h, data, out, 3, 7);
    return session.onDatagram(std::span(out).first(n), now);
  }
};

}  // namespace

TEST_CASE("sim session logs in with a fresh session id and real sequence numbers", "[loadgen]") {
  Harness t;
  const auto login = t.start(Kind::login, 0, 100);
  CHECK(login.header.command == v5::CMD_LOGIN);
  CHECK(login.header.uin == kUin);
  CHECK(login.header.seq2 == 1);  // the first request of a session (§4.1)
  CHECK(login.header.sessionId == t.session.sessionId());
  v5::LoginRequest parsed;
  REQUIRE(v5::parseLogin(login.data, parsed) == v5::ParseError::none);
  CHECK(parsed.password == "pw123");
  CHECK(t.session.phase() == Phase::loggingIn);

  const auto ack = t.deliver(v5::SRV_ACK, login.header.seq1, login.header.seq2, {}, 150);
  CHECK(ack.type == ServerEvent::Type::acked);
  CHECK(ack.kind == Kind::login);
  std::array<uint8_t, 32> body{};
  const size_t n = v5::buildLoginReplyData(v5::LoginReplyFields{}, body);
  const auto reply = t.deliver(v5::SRV_LOGIN_REPLY, 0, login.header.seq2, std::span(body).first(n), 400);
  CHECK(reply.type == ServerEvent::Type::loginAccepted);
  CHECK(reply.latencyNs == 300);
  CHECK(reply.needsAck);
  CHECK(t.session.phase() == Phase::online);

  // The acknowledgement echoes the server's sequence numbers and uses none of ours.
  const auto ackPacket = t.sent(t.session.ackFor(reply.header, t.buffer, t.rng));
  CHECK(ackPacket.header.command == v5::CMD_ACK);
  CHECK(ackPacket.header.seq1 == 0);
  CHECK(ackPacket.header.seq2 == login.header.seq2);

  const auto keepAlive = t.start(Kind::keepAlive, 0, 500);
  CHECK(keepAlive.header.seq1 == static_cast<uint16_t>(login.header.seq1 + 1));
  CHECK(keepAlive.header.seq2 == 0);  // not a request
  const auto message = t.start(Kind::message, 777, 600);
  CHECK(message.header.seq2 == 2);
  v5::MessageRequest m;
  REQUIRE(v5::parseSendMessage(message.data, m) == v5::ParseError::none);
  CHECK(m.to == kUin + 1);
}

TEST_CASE("sim session matches acknowledgements to requests and measures them", "[loadgen]") {
  Harness t;
  t.start(Kind::login, 0, 0);
  const auto keepAlive = t.start(Kind::keepAlive, 0, 1'000);
  const auto stale = t.deliver(v5::SRV_ACK, static_cast<uint16_t>(keepAlive.header.seq1 + 5), 0, {}, 2'000);
  CHECK(stale.type == ServerEvent::Type::staleAck);
  const auto acked = t.deliver(v5::SRV_ACK, keepAlive.header.seq1, 0, {}, 3'500);
  CHECK(acked.type == ServerEvent::Type::acked);
  CHECK(acked.kind == Kind::keepAlive);
  CHECK(acked.latencyNs == 2'500);
  CHECK_FALSE(acked.retransmitted);
  CHECK_FALSE(t.session.hasOutstanding(Kind::keepAlive));
  // A second copy (the server acknowledged a retransmission too) matches nothing.
  CHECK(t.deliver(v5::SRV_ACK, keepAlive.header.seq1, 0, {}, 3'600).type == ServerEvent::Type::staleAck);
}

TEST_CASE("sim session retransmits with the same header, then gives up", "[loadgen]") {
  Harness t;
  t.start(Kind::login, 0, 0);
  const auto keepAlive = t.start(Kind::keepAlive, 0, 0);
  std::vector<v5::ClientHeader> resent;
  std::vector<Kind> lost;
  auto resend = [&](const Outstanding& o) { resent.push_back(t.sent(t.session.rebuild(o, t.buffer, t.rng, "pw123")).header); };
  auto gaveUp = [&](Kind k) { lost.push_back(k); };
  CHECK(t.session.expire(kRto - 1, kRto, 3, resend, gaveUp) == 0);
  CHECK(t.session.expire(kRto, kRto, 3, resend, gaveUp) == 2);  // the login and the keep-alive
  REQUIRE(resent.size() == 2);
  CHECK(resent[1].seq1 == keepAlive.header.seq1);
  CHECK(resent[1].sessionId == keepAlive.header.sessionId);
  CHECK(t.session.nextDeadline() == kRto + 2 * kRto);  // linear back-off
  const auto acked = t.deliver(v5::SRV_ACK, keepAlive.header.seq1, 0, {}, kRto + 5);
  CHECK(acked.retransmitted);
  CHECK(acked.latencyNs == kRto + 5);  // from the first send: what the user waited
  t.session.expire(10 * kRto, kRto, 3, resend, gaveUp);
  t.session.expire(20 * kRto, kRto, 3, resend, gaveUp);
  CHECK(lost == std::vector<Kind>{Kind::login});
  CHECK(t.session.nextDeadline() == INT64_MAX);
}

TEST_CASE("sim session reads delivered messages, status updates and refusals", "[loadgen]") {
  Harness t;
  t.start(Kind::login, 0, 0);
  t.deliver(v5::SRV_LOGIN_REPLY, 0, 1, {}, 10);
  Harness sender;
  sender.session = SimSession(kUin + 1, kUin, 0, 0);
  sender.start(Kind::login, 0, 0);
  const auto sent = sender.start(Kind::message, 123456789, 0);
  v5::MessageRequest m;
  REQUIRE(v5::parseSendMessage(sent.data, m) == v5::ParseError::none);
  std::array<uint8_t, 256> body{};
  size_t n = v5::buildOnlineMessageBody(kUin + 1, m.type, m.text, body);
  const auto message = t.deliver(v5::SRV_SYS_DELIVERED_MESS, 4, 0, std::span(body).first(n), 20);
  CHECK(message.type == ServerEvent::Type::message);
  CHECK(message.from == kUin + 1);
  CHECK(message.stamp == 123456789);
  CHECK(message.needsAck);

  n = v5::buildStatusUpdateBody(kUin + 2, 0x0001, body);
  const auto status = t.deliver(v5::SRV_STATUS_UPDATE, 5, 0, std::span(body).first(n), 30);
  CHECK(status.type == ServerEvent::Type::statusUpdate);
  CHECK(status.from == kUin + 2);
  CHECK(status.status == 0x0001);

  // A packet for another session id is late (an ended session's); SRV_NOT_CONNECTED ends this one.
  CHECK(t.deliver(v5::SRV_USER_LIST_DONE, 6, 0, {}, 40, t.session.sessionId() ^ 0x55).type ==
        ServerEvent::Type::late);
  CHECK(t.deliver(v5::SRV_TRY_AGAIN, 0, 3, {}, 45).type == ServerEvent::Type::tryAgain);
  CHECK(t.deliver(v5::SRV_NOT_CONNECTED, 0, 3, {}, 50).type == ServerEvent::Type::notConnected);
  CHECK(t.session.phase() == Phase::offline);

  std::array<uint8_t, 8> garbage{1, 2, 3, 4, 5, 6, 7, 8};
  CHECK(t.session.onDatagram(garbage, 60).type == ServerEvent::Type::malformed);
}
