// The scripted V5 test client; see v5_client.hpp.
#include "tools/v5client/v5_client.hpp"

#include <arpa/inet.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <random>
#include <stdexcept>

#include "common/codec/v5/constants.hpp"
#include "common/codec/v5/message.hpp"
#include "common/util/endpoint.hpp"

namespace icq::client {
namespace v5 = codec::v5;

V5Client::V5Client(uint16_t serverPort, uint32_t uin, std::string password, std::string localIp)
    : serverPort_(serverPort),
      uin_(uin),
      password_(std::move(password)),
      localIp_(std::move(localIp)),
      rng_(std::random_device{}()) {
  fd_ = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  sockaddr_in sa{};
  util::fillSockaddr(util::Endpoint{*util::parseIp(localIp_), 0}, sa);
  if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0)
    throw std::runtime_error("test client: cannot bind " + localIp_);
  std::mt19937 random(std::random_device{}());
  seq1_ = static_cast<uint16_t>(random() & 0x7FFF);  // licq's choice (§4.1)
}

V5Client::~V5Client() {
  if (fd_ >= 0) ::close(fd_);
}

uint16_t V5Client::localPort() const {
  sockaddr_in sa{};
  socklen_t len = sizeof sa;
  ::getsockname(fd_, reinterpret_cast<sockaddr*>(&sa), &len);
  return ntohs(sa.sin_port);
}

void V5Client::sendRaw(std::span<const uint8_t> datagram) {
  sockaddr_in to{};
  util::fillSockaddr(util::Endpoint{*util::parseIp("127.0.0.1"), serverPort_}, to);
  ::sendto(fd_, datagram.data(), datagram.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to);
}

void V5Client::resend(const v5::ClientHeader& header, std::span<const uint8_t> data) {
  std::array<uint8_t, 4096> out{};
  size_t total = v5::kClientHeaderSize + data.size();
  size_t n = v5::encodeClientPacket(header, data, out, rng_.clientR1(total), rng_.r2());
  sendRaw(std::span(out).first(n));
}

v5::ClientHeader V5Client::send(uint16_t command, std::span<const uint8_t> data, bool request) {
  v5::ClientHeader h{uin_, sessionId_, command, seq1_++, static_cast<uint16_t>(request ? ++seq2_ : 0)};
  resend(h, data);
  return h;
}

std::optional<ServerPacket> V5Client::receive(std::chrono::milliseconds timeout) {
  pollfd p{fd_, POLLIN, 0};
  if (::poll(&p, 1, static_cast<int>(timeout.count())) <= 0) return std::nullopt;
  std::array<uint8_t, 65536> buffer{};
  sockaddr_in from{};
  socklen_t fromLength = sizeof from;
  ssize_t n = ::recvfrom(fd_, buffer.data(), buffer.size(), 0, reinterpret_cast<sockaddr*>(&from), &fromLength);
  if (n <= 0) return std::nullopt;
  ServerPacket packet;
  packet.fromPort = ntohs(from.sin_port);
  packet.raw.assign(buffer.begin(), buffer.begin() + n);
  if (v5::isV3Layout(packet.raw) && n >= 16) {
    // IServerd's V3-layout SRV_BAD_PASS / SRV_NEW_UIN: u16 3, u16 command, seq1, seq2, uin.
    packet.v3Layout = true;
    packet.header.command = static_cast<uint16_t>(buffer[2] | buffer[3] << 8);
    packet.header.seq2 = static_cast<uint16_t>(buffer[6] | buffer[7] << 8);
    packet.header.uin =
        uint32_t{buffer[8]} | uint32_t{buffer[9]} << 8 | uint32_t{buffer[10]} << 16 | uint32_t{buffer[11]} << 24;
    packet.data.assign(packet.raw.begin() + 16, packet.raw.end());
    return packet;
  }
  std::span<const uint8_t> data;
  if (v5::decodeServerPacket(packet.raw, packet.header, data, packet.checkcodeValid) != v5::DecodeError::none)
    return packet;  // garbage: header left zero, raw kept for the test to look at
  packet.data.assign(data.begin(), data.end());
  return packet;
}

void V5Client::acknowledge(const ServerPacket& packet) {
  std::array<uint8_t, 4> random{1, 2, 3, 4};
  v5::ClientHeader h{uin_, sessionId_, v5::CMD_ACK, packet.header.seq1, packet.header.seq2};
  resend(h, random);
}

std::optional<ServerPacket> V5Client::expectAckOf(const v5::ClientHeader& sent, std::chrono::milliseconds timeout) {
  auto echoes = [&](const ServerPacket& p) {
    return p.header.command == v5::SRV_ACK && p.header.seq1 == sent.seq1 && p.header.seq2 == sent.seq2;
  };
  if (auto it = std::find_if(queued_.begin(), queued_.end(), echoes); it != queued_.end()) {
    ServerPacket p = std::move(*it);
    queued_.erase(it);
    return p;
  }
  return awaitPacket(timeout, [&](const ServerPacket& p) {
    if (p.header.command != v5::SRV_ACK && !p.v3Layout) acknowledge(p);
    return echoes(p);
  });
}

std::vector<ServerPacket> V5Client::receiveUntil(uint16_t command, std::chrono::milliseconds timeout) {
  std::vector<ServerPacket> got;
  // Earlier arrivals first; SRV_ACKs stay queued for expect().
  for (auto it = queued_.begin(); it != queued_.end();) {
    if (it->header.command == v5::SRV_ACK) {
      ++it;
      continue;
    }
    const bool last = it->header.command == command;
    got.push_back(std::move(*it));
    it = queued_.erase(it);
    if (last) return got;
  }
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return got;
    auto packet = receive(left);
    if (!packet) return got;
    if (packet->header.command == v5::SRV_ACK) {
      queued_.push_back(std::move(*packet));
      continue;
    }
    if (!packet->v3Layout) acknowledge(*packet);
    const bool last = packet->header.command == command;
    got.push_back(std::move(*packet));
    if (last) return got;
  }
}

v5::ClientHeader V5Client::sendMessage(uint32_t to, uint16_t type, std::string_view text, uint16_t command) {
  std::vector<uint8_t> body(8 + text.size() + 1);
  const std::span<const uint8_t> bytes(reinterpret_cast<const uint8_t*>(text.data()), text.size());
  body.resize(v5::buildSendMessageData(to, type, bytes, body));
  return send(command, body);
}

std::optional<ServerPacket> V5Client::takeQueued(uint16_t command) {
  for (auto it = queued_.begin(); it != queued_.end(); ++it) {
    if (it->header.command == command) {
      ServerPacket p = std::move(*it);
      queued_.erase(it);
      return p;
    }
  }
  return std::nullopt;
}

std::optional<ServerPacket> V5Client::awaitPacket(std::chrono::milliseconds timeout,
                                                  const std::function<bool(const ServerPacket&)>& match) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return std::nullopt;
    auto packet = receive(left);
    if (!packet) return std::nullopt;
    if (match(*packet)) return packet;
    queued_.push_back(std::move(*packet));
  }
}

std::optional<ServerPacket> V5Client::expect(uint16_t command, std::chrono::milliseconds timeout) {
  if (auto queued = takeQueued(command)) return queued;
  return awaitPacket(timeout, [&](const ServerPacket& p) {
    // Like mICQ: acknowledge every server packet but SRV_ACK (§4.3).
    if (p.header.command != v5::SRV_ACK && !p.v3Layout) acknowledge(p);
    return p.header.command == command;
  });
}

bool V5Client::silentFor(std::chrono::milliseconds window) { return !receive(window).has_value(); }

LoginOutcome V5Client::login(std::chrono::milliseconds timeout) {
  sessionId_ = static_cast<uint32_t>(std::random_device{}() & 0x3FFFFFFF);
  queued_.clear();
  seq2_ = 0;
  v5::LoginRequest request;
  request.time = static_cast<uint32_t>(::time(nullptr));
  request.tcpPort = 30096;
  request.password = password_;
  request.internalIp = *util::parseIp("10.10.10.2");
  request.dcType = 4;
  request.status = 0x00030000;  // online, web-aware, show IP (the Capture's)
  request.tcpVersion = 6;
  lastLoginBody_.assign(256, 0);
  lastLoginBody_.resize(v5::buildLoginData(request, lastLoginBody_));
  lastLoginHeader_ = send(v5::CMD_LOGIN, lastLoginBody_);
  auto outcome = awaitPacket(timeout, [](const ServerPacket& p) {
    uint16_t c = p.header.command;
    return c == v5::SRV_LOGIN_REPLY || c == v5::SRV_BAD_PASS || c == v5::SRV_LOGIN_ERR || c == v5::SRV_TRY_AGAIN;
  });
  std::erase_if(queued_, [](const ServerPacket& p) { return p.header.command == v5::SRV_ACK; });
  if (!outcome) return LoginOutcome::no_answer;
  if (outcome->header.command != v5::SRV_LOGIN_REPLY) lastRefusal_ = *outcome;
  switch (outcome->header.command) {
    case v5::SRV_LOGIN_REPLY:
      acknowledge(*outcome);
      v5::parseLoginReply(outcome->data, loginReply_);
      return LoginOutcome::accepted;
    case v5::SRV_BAD_PASS:
      return LoginOutcome::bad_password;
    case v5::SRV_LOGIN_ERR:
      return LoginOutcome::login_error;
    default:
      return LoginOutcome::try_again;
  }
}

bool V5Client::keepAlive(std::chrono::milliseconds timeout) {
  std::array<uint8_t, 4> random{0xEF, 0xBE, 0xAD, 0xDE};
  v5::ClientHeader h = send(v5::CMD_KEEP_ALIVE, random, false);
  auto answer = awaitPacket(timeout, [&](const ServerPacket& p) {
    return (p.header.command == v5::SRV_ACK && p.header.seq1 == h.seq1) || p.header.command == v5::SRV_NOT_CONNECTED;
  });
  return answer && answer->header.command == v5::SRV_ACK;
}

uint16_t V5Client::logoff(std::chrono::milliseconds timeout) {
  std::array<uint8_t, 64> body{};
  size_t n = v5::buildTextCodeData(v5::kLogoffText, body);
  v5::ClientHeader h = send(v5::CMD_SEND_TEXT_CODE, std::span(body).first(n), false);
  auto answer = awaitPacket(timeout, [&](const ServerPacket& p) {
    return (p.header.command == v5::SRV_ACK && p.header.seq1 == h.seq1) || p.header.command == v5::SRV_NOT_CONNECTED;
  });
  return answer ? answer->header.command : 0;
}

}  // namespace icq::client
