// A scripted ICQ V5 client (end-to-end tests, smoke checks, icq-v5-client): real encryption and checkcodes, real
// sequence numbers, over a real UDP socket bound to a loopback address of its own (so
// several clients look like several hosts). It speaks the client side of
// protocol-v5.md §5.2 and lets a test also send whatever bytes it likes.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/codec/v5/constants.hpp"
#include "common/codec/v5/messages.hpp"
#include "common/codec/v5/packet.hpp"

namespace icq::client {

using namespace std::chrono_literals;

struct ServerPacket {
  codec::v5::ServerHeader header;
  std::vector<uint8_t> data;
  bool checkcodeValid = false;
  bool v3Layout = false;  // SRV_BAD_PASS in IServerd's layout (§8.6)
  std::vector<uint8_t> raw;
  uint16_t fromPort = 0;  // the server socket it came from: which gateway sent it
};

enum class LoginOutcome { accepted, bad_password, login_error, try_again, no_answer };

class V5Client {
public:
  /// A client for `uin` talking to 127.0.0.1:`serverPort`, from `localIp` (any 127/8 address).
  V5Client(uint16_t serverPort, uint32_t uin, std::string password, std::string localIp = "127.0.0.1");
  ~V5Client();
  V5Client(const V5Client&) = delete;
  V5Client& operator=(const V5Client&) = delete;

  /// Points the client at another gateway (the same socket: NAT mapping unchanged).
  void setServerPort(uint16_t port) { serverPort_ = port; }
  uint32_t uin() const { return uin_; }
  uint32_t sessionId() const { return sessionId_; }
  uint16_t localPort() const;

  /// Sends a command with the next SEQ1 (and SEQ2 if `request`); returns the header used.
  codec::v5::ClientHeader send(uint16_t command, std::span<const uint8_t> data, bool request = true);
  /// Sends the packet with exactly this header again (a retransmission: fresh checkcode).
  void resend(const codec::v5::ClientHeader& header, std::span<const uint8_t> data);
  void sendRaw(std::span<const uint8_t> datagram);

  /// The next datagram from the server, or nullopt after `timeout`.
  std::optional<ServerPacket> receive(std::chrono::milliseconds timeout = 2000ms);
  /// The next packet with `command`, acknowledging reliable packets on the way; others are kept for later.
  std::optional<ServerPacket> expect(uint16_t command, std::chrono::milliseconds timeout = 2000ms);
  /// True when nothing at all arrives within `window`.
  bool silentFor(std::chrono::milliseconds window);
  /// CMD_ACK for a server packet (§4.3).
  void acknowledge(const ServerPacket& packet);
  /// The SRV_ACK echoing both sequence numbers of `sent` (§4.3), or nullopt after `timeout`.
  std::optional<ServerPacket> expectAckOf(const codec::v5::ClientHeader& sent,
                                          std::chrono::milliseconds timeout = 2000ms);
  /// Every packet but SRV_ACK up to and including the first `command`, in arrival order,
  /// acknowledging reliable ones; fewer (without `command`) if `timeout` passes first.
  std::vector<ServerPacket> receiveUntil(uint16_t command, std::chrono::milliseconds timeout = 2000ms);

  /// CMD_SEND_MESSAGE (§6.10) with `text` and its NUL, whatever its length: the test client
  /// may send what a real client must not.
  codec::v5::ClientHeader sendMessage(uint32_t to, uint16_t type, std::string_view text,
                                      uint16_t command = codec::v5::CMD_SEND_MESSAGE);

  /// CMD_LOGIN with a fresh session id; waits for SRV_ACK and the outcome; acknowledges the reply.
  LoginOutcome login(std::chrono::milliseconds timeout = 3000ms);
  /// The SRV_LOGIN_REPLY fields of the last accepted login.
  const codec::v5::LoginReplyFields& loginReply() const { return loginReply_; }
  /// CMD_KEEP_ALIVE; true when it was acknowledged (SRV_ACK echoing it), false on SRV_NOT_CONNECTED or silence.
  bool keepAlive(std::chrono::milliseconds timeout = 2000ms);
  /// CMD_SEND_TEXT_CODE "B_USER_DISCONNECTED"; returns the reply command (SRV_ACK or SRV_NOT_CONNECTED) or 0.
  uint16_t logoff(std::chrono::milliseconds timeout = 2000ms);

  /// The refusal (SRV_BAD_PASS, SRV_LOGIN_ERR, SRV_TRY_AGAIN) of the last refused login.
  const ServerPacket& lastRefusal() const { return lastRefusal_; }
  /// Last login packet sent (header and body), for retransmission tests.
  const codec::v5::ClientHeader& lastLoginHeader() const { return lastLoginHeader_; }
  const std::vector<uint8_t>& lastLoginBody() const { return lastLoginBody_; }

private:
  std::optional<ServerPacket> takeQueued(uint16_t command);
  /// Receives until `match` accepts a packet or `timeout` passes; the others are queued.
  std::optional<ServerPacket> awaitPacket(std::chrono::milliseconds timeout,
                                          const std::function<bool(const ServerPacket&)>& match);

  int fd_ = -1;
  uint16_t serverPort_;
  uint32_t uin_;
  std::string password_;
  std::string localIp_;
  uint32_t sessionId_ = 0;
  uint16_t seq1_ = 0;
  uint16_t seq2_ = 0;
  codec::v5::CheckcodeRng rng_;
  codec::v5::LoginReplyFields loginReply_;
  codec::v5::ClientHeader lastLoginHeader_;
  std::vector<uint8_t> lastLoginBody_;
  ServerPacket lastRefusal_;
  std::vector<ServerPacket> queued_;
};

}  // namespace icq::client
