// Hostile traffic through a real cluster (issue 14): what a stranger on the internet can make
// the server do. UDP sources are forged at will, so a packet from someone without a session
// must not be a lever: its answer is never larger than it (no amplification), a flood of them
// costs no store round trip, and a packet that names a real session from another address or
// with another session id acts on nothing. A stranger on the pipeline that claims to be a
// worker and lies is cut off while the clients are served; one that registers as a gateway and
// sends the workers what no gateway would is counted and changes nothing.
#include <zmq.hpp>

#include <cstdlib>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <thread>

#include "common/codec/v5/message.hpp"
#include "common/codec/v5/messages.hpp"
#include "common/codec/v5/presence.hpp"
#include "common/envelope/envelope.hpp"
#include "common/redis/gateway_registry_impl.hpp"
#include "tests/e2e/e2e_fixture.hpp"
#include "tests/support/http_client.hpp"

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

int64_t totalCalls(const RedisServer& redis) {
  int64_t total = 0;
  for (const auto& [name, count] : commandCalls(redis)) total += count;
  return total;
}

uint32_t aboutUin(const ServerPacket& p) {
  return p.data.size() < 4
             ? 0
             : uint32_t{p.data[0]} | uint32_t{p.data[1]} << 8 | uint32_t{p.data[2]} << 16 | uint32_t{p.data[3]} << 24;
}

/// The value of one series on a /metrics page, 0 when it is not there.
double metric(uint16_t port, const std::string& series) {
  std::istringstream lines(httpGet(port, "/metrics").body);
  std::string line;
  while (std::getline(lines, line))
    if (line.size() > series.size() && line.compare(0, series.size(), series) == 0 && line[series.size()] == ' ')
      return std::strtod(line.c_str() + series.size() + 1, nullptr);
  return 0;
}

/// Where gateway `id` takes its workers, as workers learn it: from the registry in Redis.
std::string pipelineEndpoint(RedisServer& server, const std::string& id) {
  redis::RedisConnection redis(server.options());
  redis::RedisGatewayRegistry registry(redis);
  std::vector<store::GatewayRecord> records;
  REQUIRE(registry.list(records));
  for (const store::GatewayRecord& record : records)
    if (record.id == id) return record.endpoint;
  FAIL("gateway " << id << " is not registered");
  return "";
}

/// A stranger on the pipeline with a worker's ways: a DEALER named like one.
class Rogue {
public:
  Rogue(const std::string& endpoint, const std::string& id) : socket_(context_, zmq::socket_type::dealer) {
    socket_.set(zmq::sockopt::routing_id, id);
    socket_.set(zmq::sockopt::linger, 0);
    socket_.connect(endpoint);
  }
  void send(std::span<const uint8_t> body) { REQUIRE(socket_.send(zmq::buffer(body.data(), body.size()))); }
  void control(envelope::Kind kind, uint32_t credits) { send(envelope::encodeControl({kind, credits})); }
  /// A message one byte longer than the largest batch; only its head is written (the rest
  /// is never touched, so it costs no memory).
  void sendHuge() {
    zmq::message_t huge(envelope::kMaxBatchMessage + 1);
    auto* head = static_cast<uint8_t*>(huge.data());
    head[0] = envelope::kFormat;
    head[1] = static_cast<uint8_t>(envelope::Kind::Egress);
    head[2] = head[3] = 0xFF;
    REQUIRE(socket_.send(std::move(huge), zmq::send_flags::none));
  }
  void sendThreeFrames() {
    auto credit = envelope::encodeControl({envelope::Kind::Credit, 1});
    REQUIRE(socket_.send(zmq::buffer(credit), zmq::send_flags::sndmore));
    REQUIRE(socket_.send(zmq::buffer(credit), zmq::send_flags::none));
  }
  /// Ingress datagrams handed to it, from every batch waiting now or within `timeout`.
  size_t receiveDatagrams(std::chrono::milliseconds timeout) {
    size_t datagrams = 0;
    zmq::pollitem_t item{static_cast<void*>(socket_), 0, ZMQ_POLLIN, 0};
    while (zmq::poll(&item, 1, timeout) > 0) {
      zmq::message_t message;
      if (!socket_.recv(message, zmq::recv_flags::dontwait)) break;
      if (auto batch = envelope::BatchReader::open({static_cast<const uint8_t*>(message.data()), message.size()}))
        datagrams += batch->count();
      timeout = std::chrono::milliseconds(0);
    }
    return datagrams;
  }

private:
  zmq::context_t context_;
  zmq::socket_t socket_;
};

/// UIN 0 keep-alives from `stranger`, which any worker with credit may be handed; true when
/// each was answered SRV_NOT_CONNECTED (so a real worker had it).
bool allAnsweredByWorkers(V5Client& stranger, int count) {
  const std::array<uint8_t, 4> four = {1, 2, 3, 4};
  for (int i = 0; i < count; ++i) stranger.send(v5::CMD_KEEP_ALIVE, four, false);
  for (int i = 0; i < count; ++i) {
    auto answer = stranger.receive(std::chrono::seconds(3));
    if (!answer || answer->header.command != v5::SRV_NOT_CONNECTED) return false;
  }
  return true;
}

}  // namespace

TEST_CASE("no answer to a packet without a session is larger than it and a flood of them costs no Redis command",
          "[e2e][hostile]") {
  E2E e2e({.gateways = 1, .workers = 2});
  // Strangers: UINs with no session (most with no account), each from an address of its own.
  std::vector<std::unique_ptr<V5Client>> strangers;
  for (int i = 0; i < 8; ++i)
    strangers.push_back(std::make_unique<V5Client>(e2e.cluster.udpPort(0), 500000 + i * 7919, "",
                                                   "127.0.16." + std::to_string(10 + i)));
  const auto packets = strangerPackets();
  size_t smallest = SIZE_MAX, sent = 0;
  resetCommandStats(e2e.redis);
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
  const int64_t duringFlood = totalCalls(e2e.redis);
  // What the cluster asks of Redis anyway (heartbeats, ticks, registry polls) over as long.
  resetCommandStats(e2e.redis);
  std::this_thread::sleep_for(std::chrono::steady_clock::now() - floodStart);
  const int64_t atRest = totalCalls(e2e.redis);

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

TEST_CASE("a rogue on the pipeline that keeps lying is cut off while clients are served", "[e2e][hostile]") {
  E2E e2e({.gateways = 1, .workers = 2});
  const uint16_t port = e2e.cluster.udpPort(0), admin = e2e.cluster.adminPort("gateway", 0);
  const std::string cutOff = "icq_gateway_workers_cut_off_total{reason=\"malformed_egress\"}";
  Rogue rogue(pipelineEndpoint(e2e.redis, e2e.cluster.gatewayId(0)), "worker-rogue");
  V5Client stranger(port, 0, "", "127.0.18.9");

  // Trusted at first: a Hello enlists it, and UIN 0 datagrams, which any worker may take, reach it.
  rogue.control(envelope::Kind::Hello, 64);
  size_t handedToRogue = 0;
  REQUIRE(eventually([&] {
    const std::array<uint8_t, 4> four = {1, 2, 3, 4};
    stranger.send(v5::CMD_KEEP_ALIVE, four, false);
    handedToRogue += rogue.receiveDatagrams(std::chrono::milliseconds(50));
    return handedToRogue > 0;
  }));

  // Its lies: a message longer than any batch (ZeroMQ drops the connection at its header, and
  // the rogue's socket connects again), credit past its window, messages of three frames, and
  // egress batches that do not read to their end — more of them than the gateway forgives.
  rogue.sendHuge();
  for (int i = 0; i < 20; ++i) rogue.control(envelope::Kind::Credit, 1'000'000);
  for (int i = 0; i < 10; ++i) rogue.sendThreeFrames();
  envelope::BatchWriter egress(envelope::Kind::Egress);
  REQUIRE(egress.add(util::Endpoint{*util::parseIp("127.0.18.9"), stranger.localPort()}, 0, std::vector<uint8_t>(8)));
  const std::vector<uint8_t> truncated(egress.message().begin(), egress.message().end() - 1);
  for (uint32_t i = 0; i < 100; ++i) rogue.send(truncated);

  INFO(e2e.cluster.logs());
  REQUIRE(eventually([&] { return metric(admin, cutOff) == 1; }));
  CHECK(metric(admin, "icq_gateway_credit_inflated_total") >= 1);
  CHECK(metric(admin, "icq_gateway_pipeline_malformed_total{kind=\"control\"}") >= 10);

  // Cut off: what it sends is ignored (its Hello too), it is handed nothing, and the clients
  // log in and message through the gateway as before.
  rogue.control(envelope::Kind::Hello, 64);
  REQUIRE(eventually([&] { return metric(admin, "icq_gateway_pipeline_ignored_total") >= 1; }));
  rogue.receiveDatagrams(std::chrono::milliseconds(0));  // what it was handed before the cut
  V5Client alice(port, kAlice, kAlicePassword, "127.0.18.1");
  V5Client bob(port, kBob, kBobPassword, "127.0.18.2");
  REQUIRE(alice.login() == LoginOutcome::accepted);
  REQUIRE(bob.login() == LoginOutcome::accepted);
  const auto sent = alice.sendMessage(kBob, v5::kMsgText, "still here");
  CHECK(alice.expectAckOf(sent));
  CHECK(bob.expect(v5::SRV_SYS_DELIVERED_MESS));
  drain(stranger, std::chrono::milliseconds(300));  // the answers to its keep-alives before the cut
  CHECK(allAnsweredByWorkers(stranger, 20));
  CHECK(rogue.receiveDatagrams(std::chrono::milliseconds(0)) == 0);
  CHECK(metric(admin, cutOff) == 1);
}

TEST_CASE("a rogue gateway's messages that are no ingress batch are counted by the workers and act on nothing",
          "[e2e][hostile]") {
  E2E e2e({.gateways = 1, .workers = 1});
  const uint16_t port = e2e.cluster.udpPort(0), admin = e2e.cluster.adminPort("worker", 0);
  const std::string malformed = "icq_worker_envelope_malformed_total";
  // It registers like a gateway; the worker links to it at its next registry read and says Hello.
  zmq::context_t context;
  zmq::socket_t router(context, zmq::socket_type::router);
  router.set(zmq::sockopt::linger, 0);
  router.bind("tcp://127.0.0.1:*");
  redis::RedisConnection redis(e2e.redis.options());
  redis::RedisGatewayRegistry registry(redis);
  REQUIRE(
      registry.announce({"gw-rogue", router.get(zmq::sockopt::last_endpoint), "rogue-1"}, std::chrono::seconds(60)));
  std::string worker;
  REQUIRE(eventually([&] {
    zmq::pollitem_t item{static_cast<void*>(router), 0, ZMQ_POLLIN, 0};
    if (zmq::poll(&item, 1, std::chrono::milliseconds(100)) <= 0) return false;
    zmq::message_t identity, hello;
    if (!router.recv(identity) || !router.recv(hello, zmq::recv_flags::dontwait)) return false;
    worker = identity.to_string();
    return true;
  }));
  const double before = metric(admin, malformed);

  // A Credit, an Egress batch and an Ingress batch cut short: none is a batch for a worker to run.
  auto sendTo = [&](std::span<const uint8_t> body) {
    REQUIRE(router.send(zmq::buffer(worker), zmq::send_flags::sndmore));
    REQUIRE(router.send(zmq::buffer(body.data(), body.size()), zmq::send_flags::none));
  };
  sendTo(envelope::encodeControl({envelope::Kind::Credit, 5}));
  envelope::BatchWriter egress(envelope::Kind::Egress);
  REQUIRE(egress.add(util::Endpoint{*util::parseIp("127.0.19.9"), 4000}, 0, std::vector<uint8_t>(8)));
  sendTo(egress.message());
  envelope::BatchWriter ingress(envelope::Kind::Ingress);
  REQUIRE(ingress.add(util::Endpoint{*util::parseIp("127.0.19.9"), 4000}, 0, std::vector<uint8_t>(30)));
  const std::vector<uint8_t> truncated(ingress.message().begin(), ingress.message().end() - 1);
  sendTo(truncated);

  INFO(e2e.cluster.logs());
  REQUIRE(eventually([&] { return metric(admin, malformed) >= before + 3; }));
  // The worker serves the real gateway as before.
  V5Client alice(port, kAlice, kAlicePassword, "127.0.19.1");
  V5Client bob(port, kBob, kBobPassword, "127.0.19.2");
  REQUIRE(alice.login() == LoginOutcome::accepted);
  REQUIRE(bob.login() == LoginOutcome::accepted);
  CHECK(alice.expectAckOf(alice.sendMessage(kBob, v5::kMsgText, "through the real gateway")));
  CHECK(bob.expect(v5::SRV_SYS_DELIVERED_MESS));
}

}  // namespace icq::test
