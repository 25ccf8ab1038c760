// Tests for tools/v3client/v3_client.hpp against a scripted server socket on loopback: the
// client's bytes (TV1, TV4, TV11 of protocol-v3.md §12), its acknowledgements (§3.3), its
// reassembly of server fragments (TV19, §4.2) and its own fragments (§4.1). The server's
// replies are sent before the client asks, so each test runs on one thread.
#include "tools/v3client/v3_client.hpp"

#include <arpa/inet.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "common/codec/v3/message.hpp"
#include "common/util/endpoint.hpp"
#include "tests/support/hex.hpp"

using namespace icq::codec::v3;
using icq::client::V3Client;
using icq::test::fromHex;

namespace {

constexpr uint32_t kOwnUin = 6218895;
constexpr uint32_t kPeerUin = 6218894;

// The server side: one UDP socket on 127.0.0.1, talking to one client port.
class ScriptedServer {
public:
  ScriptedServer() {
    fd_ = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_in sa{};
    icq::util::fillSockaddr(icq::util::Endpoint{*icq::util::parseIp("127.0.0.1"), 0}, sa);
    REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0);
    socklen_t len = sizeof sa;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&sa), &len);
    port_ = ntohs(sa.sin_port);
  }
  ~ScriptedServer() { ::close(fd_); }
  ScriptedServer(const ScriptedServer&) = delete;
  ScriptedServer& operator=(const ScriptedServer&) = delete;

  uint16_t port() const { return port_; }

  void sendTo(uint16_t clientPort, const Header& header, std::span<const uint8_t> body = {}) {
    std::vector<uint8_t> out(kHeaderSize + body.size());
    out.resize(encodePacket(header, body, out));
    sendRawTo(clientPort, out);
  }
  void sendRawTo(uint16_t clientPort, std::span<const uint8_t> datagram) {
    sockaddr_in to{};
    icq::util::fillSockaddr(icq::util::Endpoint{*icq::util::parseIp("127.0.0.1"), clientPort}, to);
    REQUIRE(::sendto(fd_, datagram.data(), datagram.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to) ==
            static_cast<ssize_t>(datagram.size()));
  }

  // The next datagram from the client, or an empty vector after 500 ms.
  std::vector<uint8_t> receive(int timeoutMs = 500) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, timeoutMs) <= 0) return {};
    std::vector<uint8_t> buffer(65536);
    const ssize_t n = ::recv(fd_, buffer.data(), buffer.size(), 0);
    buffer.resize(n > 0 ? static_cast<size_t>(n) : 0);
    return buffer;
  }
  Header receiveHeader() {
    const auto datagram = receive();
    Packet packet;
    REQUIRE(decodePacket(datagram, packet) == DecodeError::none);
    return packet.header;
  }

private:
  int fd_ = -1;
  uint16_t port_ = 0;
};

std::vector<uint8_t> built(size_t capacity, const std::function<size_t(std::span<uint8_t>)>& build) {
  std::vector<uint8_t> out(capacity);
  out.resize(build(out));
  return out;
}

}  // namespace

TEST_CASE("v3 client logs in with TV1's layout and acknowledges the HELLO as TV4", "[v3client]") {
  ScriptedServer server;
  V3Client client(server.port(), kOwnUin, "pass");
  const Header logon{.command = CMD_LOGON, .seq1 = 1, .seq2 = 1, .uin = kOwnUin};
  server.sendTo(client.localPort(), ackHeader(logon));
  const auto hello = built(64, [](auto out) { return buildHelloBody(Hello{}, out); });
  server.sendTo(client.localPort(), replyHeader(logon, SRV_HELLO), hello);

  REQUIRE(client.login() == icq::client::V3LoginOutcome::accepted);
  CHECK(client.hello().pingPeriodS == 45);

  const auto sent = server.receive();
  Packet packet;
  REQUIRE(decodePacket(sent, packet) == DecodeError::none);
  CHECK(packet.header.command == CMD_LOGON);
  CHECK(packet.header.seq1 == 1);
  CHECK(packet.header.seq2 == 1);
  Logon parsed;
  REQUIRE(parseLogon(packet.body, parsed) == ParseError::none);
  CHECK(parsed.password == "pass");
  CHECK(parsed.tcpVersion == 2);
  CHECK(sent.size() == fromHex("03 00 e8 03 01 00 01 00 8f e4 5e 00 00 00 00 00 b6 09 00 00 05 00 70 61 73 73 00 7a 00 02"
                               "00 c0 a8 0a 01 04 00 00 00 00 02 00 00 00 00 00 00 00 13 00 7a 00")
                           .size());
  CHECK(server.receive() == fromHex("03 00 0a 00 00 00 00 00 8f e4 5e 00 00 00 00 00"));  // TV4
  CHECK(server.receive().empty());  // the server ACK of the LOGON is not acknowledged
}

TEST_CASE("v3 client reports WRONG_PASSWORD and does not acknowledge it", "[v3client]") {
  ScriptedServer server;
  V3Client client(server.port(), kOwnUin, "nope");
  const Header logon{.command = CMD_LOGON, .seq1 = 1, .seq2 = 1, .uin = kOwnUin};
  server.sendTo(client.localPort(), ackHeader(logon));
  server.sendTo(client.localPort(), replyHeader(logon, SRV_WRONG_PASSWORD));
  CHECK(client.login() == icq::client::V3LoginOutcome::wrong_password);
  CHECK(server.receiveHeader().command == CMD_LOGON);
  CHECK(server.receive().empty());
}

TEST_CASE("v3 client pings with seq2 0 and reads NOT_CONNECTED as a lost session", "[v3client]") {
  ScriptedServer server;
  V3Client client(server.port(), kOwnUin, "pass");
  server.sendTo(client.localPort(), Header{.command = SRV_NOT_CONNECTED, .seq1 = 0, .seq2 = 0, .uin = kOwnUin});
  CHECK_FALSE(client.ping());
  const Header ping = server.receiveHeader();
  CHECK(ping.command == CMD_PING);
  CHECK(ping.seq2 == 0);
  CHECK(server.receive().empty());  // NOT_CONNECTED is never acknowledged
}

TEST_CASE("v3 client reassembles TV19's fragments, acknowledging each and then the inner packet", "[v3client]") {
  ScriptedServer server;
  V3Client client(server.port(), kOwnUin, "pass");
  const std::string text(600, 'A');
  const DeliveredMessage message{.from = kPeerUin,
                                 .sentAt = 0,
                                 .type = kMsgText,
                                 .text = {reinterpret_cast<const uint8_t*>(text.data()), text.size()}};
  const auto body = built(700, [&](auto out) { return buildOnlineMessageBody(message, out); });
  std::vector<uint8_t> inner(kHeaderSize + body.size());
  encodePacket(Header{.command = SRV_SYSMSG_ONLINE, .seq1 = 0, .seq2 = 5, .uin = kOwnUin}, body, inner);
  for (uint16_t i : {1, 0}) {  // out of order
    auto fragment = built(kDefaultMtu, [&](auto out) { return buildServerFragment(inner, kDefaultMtu, i, kOwnUin, 5, out); });
    stampSeq1(fragment, static_cast<uint16_t>(20 + i));
    server.sendRawTo(client.localPort(), fragment);
  }

  auto received = client.expectMessage();
  REQUIRE(received);
  CHECK(received->from == kPeerUin);
  CHECK(received->text == text);
  CHECK(received->reassembled);
  CHECK(server.receive() == fromHex("03 00 0a 00 15 00 00 00 8f e4 5e 00 00 00 00 00"));
  CHECK(server.receive() == fromHex("03 00 0a 00 14 00 00 00 8f e4 5e 00 00 00 00 00"));
  CHECK(server.receiveHeader().seq1 == 0);  // the inner packet, as Miranda acknowledges it
}

TEST_CASE("v3 client sends a 2025-byte message as five fragments of one group", "[v3client]") {
  ScriptedServer server;
  V3Client client(server.port(), kOwnUin, "pass");
  const std::string text(kMaxMessageLength, 'x');
  const Header inner = client.sendLongMessage(kPeerUin, kMsgText, text);
  std::vector<std::vector<uint8_t>> datagrams;
  std::vector<FragmentPiece> pieces;
  for (int i = 0; i < 5; ++i) datagrams.push_back(server.receive());
  CHECK(server.receive().empty());
  for (const auto& datagram : datagrams) {
    REQUIRE(datagram.size() <= kDefaultMtu);
    Packet packet;
    REQUIRE(decodePacket(datagram, packet) == DecodeError::none);
    CHECK(packet.header.command == CMD_FRAGMENT);
    CHECK(packet.header.seq2 == inner.seq2);
    CHECK(packet.header.seq1 != inner.seq1);
    FragmentPiece piece;
    REQUIRE(parseFragment(packet.body, piece) == ParseError::none);
    pieces.push_back(piece);
  }
  std::vector<uint8_t> out(kMaxReassembled);
  const Assembly assembly = assembleFragments(pieces, kOwnUin, out);
  REQUIRE(assembly.status == AssemblyStatus::complete);
  Packet packet;
  REQUIRE(decodePacket(std::span(out).first(assembly.length), packet) == DecodeError::none);
  CHECK(packet.header.command == CMD_THRU_SERVER);
  ThruServer parsed;
  REQUIRE(parseThruServer(packet.body, parsed) == ParseError::none);
  CHECK(parsed.to == kPeerUin);
  CHECK(parsed.text.size() == kMaxMessageLength);
}

TEST_CASE("v3 client uploads 150 contacts as two USER_LIST packets and waits for both LIST_DONEs", "[v3client]") {
  ScriptedServer server;
  V3Client client(server.port(), kOwnUin, "pass");
  std::vector<uint32_t> uins;
  for (uint32_t i = 0; i < 150; ++i) uins.push_back(1000 + i);
  const OnlineContact contact{.uin = 1007, .ip = 0, .tcpPort = 0, .realIp = 0, .dcType = 0, .status = kStatusAway,
                              .estat = 0, .tcpVersion = 2};
  const auto online = built(64, [&](auto out) { return buildUserOnlineBody(contact, out); });
  server.sendTo(client.localPort(), Header{.command = SRV_USER_ONLINE, .seq1 = 1, .seq2 = 0, .uin = kOwnUin}, online);
  server.sendTo(client.localPort(), Header{.command = SRV_LIST_DONE, .seq1 = 2, .seq2 = 0, .uin = kOwnUin});
  server.sendTo(client.localPort(), Header{.command = SRV_LIST_DONE, .seq1 = 3, .seq2 = 0, .uin = kOwnUin});

  auto contacts = client.uploadContacts(uins);
  REQUIRE(contacts);
  REQUIRE(contacts->size() == 1);
  CHECK((*contacts)[0].uin == 1007);
  std::vector<size_t> counts;
  for (int i = 0; i < 5; ++i) {
    Packet packet;
    const auto datagram = server.receive();
    REQUIRE(decodePacket(datagram, packet) == DecodeError::none);
    if (packet.header.command == CMD_USER_LIST) counts.push_back(packet.body[0]);
  }
  CHECK(counts == std::vector<size_t>{100, 50});
}

TEST_CASE("v3 client fetches offline messages and confirms the newest time as TV11", "[v3client]") {
  ScriptedServer server;
  V3Client client(server.port(), kOwnUin, "pass");
  // The client's first request takes seq 1 (SYSMSG_REQ), its confirmation seq 2 (TV11's body).
  server.sendRawTo(client.localPort(), fromHex("03 00 dc 00 03 00 00 00 8f e4 5e 00 00 00 00 00 8e e4 5e 00 00 ca 9a 3b"
                                               "01 00 03 00 48 69 00"));  // TV10
  server.sendTo(client.localPort(), Header{.command = SRV_SYSMSG_DONE, .seq1 = 4, .seq2 = 1, .uin = kOwnUin});
  server.sendTo(client.localPort(), Header{.command = SRV_ACK, .seq1 = 2, .seq2 = 2, .uin = kOwnUin});

  auto messages = client.fetchOfflineMessages();
  REQUIRE(messages);
  REQUIRE(messages->size() == 1);
  CHECK((*messages)[0].text == "Hi");
  CHECK((*messages)[0].sentAt == 1000000000);
  CHECK((*messages)[0].offline);
  CHECK(server.receiveHeader().command == CMD_SYSMSG_REQ);
  CHECK(server.receiveHeader().command == CMD_ACK);  // of TV10
  CHECK(server.receiveHeader().command == CMD_ACK);  // of SYSMSG_DONE
  CHECK(server.receive() == fromHex("03 00 42 04 02 00 02 00 8f e4 5e 00 00 00 00 00 00 ca 9a 3b"));
}
