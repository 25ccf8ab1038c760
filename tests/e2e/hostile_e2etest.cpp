// Hostile traffic through a real cluster (issue 14): what a stranger on the internet can make
// the server do. UDP sources are forged at will, so a packet from someone without a session
// must not be a lever: its answer is never larger than it (no amplification), a flood of them
// costs no store round trip, and a packet that names a real session from another address or
// with another session id acts on nothing.
#include <map>
#include <random>
#include <string>
#include <thread>

#include "common/codec/v5/message.hpp"
#include "common/codec/v5/messages.hpp"
#include "common/codec/v5/presence.hpp"
#include "tests/e2e/e2e_fixture.hpp"

namespace icq::test {
namespace {

// Session-bound commands a stranger might aim at the server, with plausible bodies.
std::vector<std::pair<uint16_t, std::vector<uint8_t>>> strangerPackets() {
  std::vector<uint8_t> text(64), status(4), list(16), message(64);
  text.resize(v5::buildTextCodeData(v5::kLogoffText, text));
  status.resize(v5::buildStatusData(0x00010001, status));
  list.resize(v5::buildUinListData(std::vector<uint32_t>{kAlice, kBob}, list));
  const std::string hello = "hello";
  message.resize(
      v5::buildSendMessageData(kBob, v5::kMsgText, {reinterpret_cast<const uint8_t*>(hello.data()), 5}, message));
  const std::vector<uint8_t> four = {1, 2, 3, 4};
  return {{v5::CMD_KEEP_ALIVE, four},      {v5::CMD_KEEP_ALIVE2, four},     {v5::CMD_ACK, four},
          {v5::CMD_SEND_MESSAGE, message}, {v5::CMD_STATUS_CHANGE, status}, {v5::CMD_CONTACT_LIST, list},
          {v5::CMD_SEND_TEXT_CODE, text},  {v5::CMD_LOGIN_1, four},         {v5::CMD_ACK_MESSAGES, four},
          {v5::CMD_INFO_REQ, four},        {v5::CMD_SEARCH_UIN, four},      {v5::CMD_META_USER, four}};
}

/// Every packet that reaches `client` until it has been quiet for `quiet`.
std::vector<ServerPacket> drain(V5Client& client, std::chrono::milliseconds quiet) {
  std::vector<ServerPacket> out;
  while (auto packet = client.receive(quiet)) out.push_back(std::move(*packet));
  return out;
}

int64_t totalCalls(redis::RedisConnection& redis) {
  int64_t total = 0;
  for (const auto& [name, count] : commandCalls(redis)) total += count;
  return total;
}

uint32_t aboutUin(const ServerPacket& p) {
  return p.data.size() < 4
             ? 0
             : uint32_t{p.data[0]} | uint32_t{p.data[1]} << 8 | uint32_t{p.data[2]} << 16 | uint32_t{p.data[3]} << 24;
}

}  // namespace

TEST_CASE("no answer to a packet without a session is larger than it and a flood of them costs no Redis command",
          "[e2e][hostile]") {
  E2E e2e({.gateways = 1, .workers = 2});
  redis::RedisConnection redis(e2e.redis.options());
  // Strangers: UINs with no session (most with no account), each from an address of its own.
  std::vector<std::unique_ptr<V5Client>> strangers;
  for (int i = 0; i < 8; ++i)
    strangers.push_back(std::make_unique<V5Client>(e2e.cluster.udpPort(0), 500000 + i * 7919, "",
                                                   "127.0.16." + std::to_string(10 + i)));
  const auto packets = strangerPackets();
  size_t smallest = SIZE_MAX, sent = 0;
  resetCommandStats(redis);
  const auto floodStart = std::chrono::steady_clock::now();
  for (int round = 0; round < 12; ++round)
    for (auto& stranger : strangers)
      for (const auto& [command, body] : packets) {
        stranger->send(command, body, command != v5::CMD_ACK);
        smallest = std::min(smallest, 0x18 + body.size());
        ++sent;
      }
  size_t answers = 0, largest = 0;
  std::map<uint16_t, size_t> commands;
  for (auto& stranger : strangers)
    for (const ServerPacket& answer : drain(*stranger, std::chrono::milliseconds(300))) {
      ++answers;
      largest = std::max(largest, answer.raw.size());
      commands[answer.header.command]++;
    }
  const int64_t duringFlood = totalCalls(redis);
  // What the cluster asks of Redis anyway (heartbeats, ticks, registry polls) over as long.
  resetCommandStats(redis);
  std::this_thread::sleep_for(std::chrono::steady_clock::now() - floodStart);
  const int64_t atRest = totalCalls(redis);

  INFO("sent " << sent << " (smallest " << smallest << " bytes), answers " << answers << " (largest " << largest
               << " bytes); Redis commands during the flood " << duringFlood << ", at rest as long " << atRest);
  CHECK(answers > 0);           // they are answered (SRV_NOT_CONNECTED), not ignored
  CHECK(answers <= sent);       // never more datagrams than came in
  CHECK(largest <= smallest);   // and never a larger one
  CHECK(commands.size() == 1);  // ...all of them SRV_NOT_CONNECTED
  CHECK(commands.count(v5::SRV_NOT_CONNECTED) == 1);
  // The owners answer a UIN they hold no session for from memory: the flood adds to what
  // Redis sees anyway less than one command per ten packets.
  CHECK(duringFlood - atRest < static_cast<int64_t>(sent / 10));
}

TEST_CASE("a packet naming a real session from another address or with another session id acts on nothing",
          "[e2e][hostile]") {
  E2E e2e({.gateways = 1, .workers = 2});
  const uint16_t port = e2e.cluster.udpPort(0);
  V5Client alice(port, kAlice, kAlicePassword, "127.0.17.1");
  V5Client bob(port, kBob, kBobPassword, "127.0.17.2");
  REQUIRE(alice.login() == LoginOutcome::accepted);
  REQUIRE(bob.login() == LoginOutcome::accepted);
  std::array<uint8_t, 16> list{};
  bob.send(v5::CMD_CONTACT_LIST, std::span(list).first(v5::buildUinListData(std::vector<uint32_t>{kAlice}, list)));
  REQUIRE(bob.expect(v5::SRV_USER_ONLINE));
  REQUIRE(bob.expect(v5::SRV_USER_LIST_DONE));
  drain(bob, std::chrono::milliseconds(200));

  // The forgers know Alice's UIN and session id (they saw her traffic): one on another host, one
  // on Alice's own host with another port, one from Alice's address itself but a wrong session id
  // (it cannot be sent from her very socket, so her own client sends it).
  V5Client otherHost(port, kAlice, "", "127.0.17.3");
  V5Client otherPort(port, kAlice, "", "127.0.17.1");
  const uint32_t session = alice.sessionId();
  uint16_t seq = 200;
  for (const auto& [command, body] : strangerPackets()) {
    otherHost.resend({kAlice, session, command, seq, seq}, body);
    ++seq;
    otherPort.resend({kAlice, session, command, seq, seq}, body);
    ++seq;
    alice.resend({kAlice, session ^ 0x5A5A, command, seq, seq}, body);
    ++seq;
  }
  for (V5Client* forger : {&otherHost, &otherPort})
    for (const ServerPacket& answer : drain(*forger, std::chrono::milliseconds(300)))
      CHECK(answer.header.command == v5::SRV_NOT_CONNECTED);

  // Nothing happened to Alice's session: it is alive, still online to Bob, and said nothing.
  INFO(e2e.cluster.logs());
  for (const ServerPacket& answer : drain(alice, std::chrono::milliseconds(300)))
    CHECK(answer.header.command == v5::SRV_NOT_CONNECTED);  // to the packets with the wrong session id
  CHECK(alice.keepAlive());
  for (const ServerPacket& seen : drain(bob, std::chrono::milliseconds(500))) {
    INFO("Bob got command " << seen.header.command << " about " << aboutUin(seen));
    CHECK_FALSE((seen.header.command == v5::SRV_USER_OFFLINE || seen.header.command == v5::SRV_STATUS_UPDATE ||
                 seen.header.command == v5::SRV_SYS_DELIVERED_MESS));
  }
}

}  // namespace icq::test
