// The gateway loop (gateway/gateway.hpp) end to end on loopback: a real UdpSocket, a real
// ROUTER from bindPipeline, fake workers (DEALER sockets speaking the envelope protocol)
// and a UDP client, all driven from the test thread through Gateway::runOnce. Tests give the
// gateway its membership views themselves (Harness::own): who owns which UIN.
#include "gateway/gateway.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <zmq.hpp>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include "common/codec/v3/constants.hpp"
#include "common/codec/v3/packet.hpp"
#include "common/codec/v5/constants.hpp"
#include "common/codec/v5/packet.hpp"
#include "common/envelope/envelope.hpp"
#include "common/util/endpoint.hpp"

namespace icq::gateway {
namespace {

using namespace std::chrono_literals;
namespace v5 = codec::v5;
using Clock = std::chrono::steady_clock;

// Every wait in this file is "until a condition, at most this long".
constexpr auto kDeadline = 2s;

const uint32_t kLoopback = *util::parseIp("127.0.0.1");

// A valid V5 client datagram; `uin` and `seq` make each one recognisable.
std::vector<uint8_t> clientPacket(uint32_t uin, uint16_t seq, size_t dataSize = 8) {
  std::vector<uint8_t> data(dataSize, static_cast<uint8_t>('A' + seq % 26));
  std::vector<uint8_t> out(v5::kClientHeaderSize + dataSize);
  v5::ClientHeader header{.uin = uin, .sessionId = 0x12345678, .command = 0x042E, .seq1 = seq, .seq2 = 0};
  REQUIRE(v5::encodeClientPacket(header, data, out, 0x20, 0x07) == out.size());
  return out;
}

// A plain UDP client on `ip` (127.0.0.1 unless told; any 127/8 address works, so clients
// can look like different hosts) with an OS-chosen port.
class UdpClient {
public:
  explicit UdpClient(uint32_t ip = kLoopback) {
    fd_ = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) throw std::system_error(errno, std::generic_category(), "socket");
    sockaddr_in sa{};
    util::fillSockaddr(util::Endpoint{ip, 0}, sa);
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0)
      throw std::system_error(errno, std::generic_category(), "bind");
  }
  ~UdpClient() { ::close(fd_); }
  UdpClient(const UdpClient&) = delete;
  UdpClient& operator=(const UdpClient&) = delete;

  util::Endpoint endpoint() const {
    sockaddr_in sa{};
    socklen_t len = sizeof sa;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&sa), &len);
    return util::endpointFrom(sa);
  }

  void sendTo(uint16_t port, const std::vector<uint8_t>& bytes) {
    sockaddr_in sa{};
    util::fillSockaddr(util::Endpoint{kLoopback, port}, sa);
    auto sent = ::sendto(fd_, bytes.data(), bytes.size(), 0, reinterpret_cast<sockaddr*>(&sa), sizeof sa);
    REQUIRE(sent == static_cast<ssize_t>(bytes.size()));
  }

  struct Received {
    util::Endpoint from;
    std::vector<uint8_t> bytes;
  };
  std::optional<Received> receive(std::chrono::milliseconds timeout) {
    pollfd item{fd_, POLLIN, 0};
    if (::poll(&item, 1, static_cast<int>(timeout.count())) <= 0) return std::nullopt;
    std::vector<uint8_t> buffer(65536);
    sockaddr_in sa{};
    socklen_t len = sizeof sa;
    auto got = ::recvfrom(fd_, buffer.data(), buffer.size(), 0, reinterpret_cast<sockaddr*>(&sa), &len);
    if (got < 0) return std::nullopt;
    buffer.resize(static_cast<size_t>(got));
    return Received{util::endpointFrom(sa), std::move(buffer)};
  }

private:
  int fd_ = -1;
};

struct Record {
  util::Endpoint client;
  int64_t receivedUs = 0;
  std::vector<uint8_t> bytes;
};

// A worker as the gateway sees it: a DEALER with a routing id, speaking the envelope protocol.
class FakeWorker {
public:
  FakeWorker(zmq::context_t& context, const std::string& endpoint, const std::string& id)
      : id_(id), socket_(context, zmq::socket_type::dealer) {
    socket_.set(zmq::sockopt::routing_id, id);
    socket_.set(zmq::sockopt::linger, 0);
    socket_.connect(endpoint);
  }

  void send(std::span<const uint8_t> message) {
    REQUIRE(socket_.send(zmq::buffer(message.data(), message.size()), zmq::send_flags::none));
  }
  void hello(uint32_t credits) { send(envelope::encodeControl({envelope::Kind::Hello, credits})); }
  void credit(uint32_t credits) { send(envelope::encodeControl({envelope::Kind::Credit, credits})); }
  void goodbye() { send(envelope::encodeControl({envelope::Kind::Goodbye, 0})); }
  void close() { socket_.close(); }
  zmq::socket_t& socket() { return socket_; }
  const std::string& id() const { return id_; }

  /// The next message, waiting at most `timeout`.
  std::optional<std::vector<uint8_t>> receive(std::chrono::milliseconds timeout) {
    zmq::pollitem_t item{static_cast<void*>(socket_), 0, ZMQ_POLLIN, 0};
    zmq::poll(&item, 1, timeout);
    zmq::message_t message;
    if (!socket_.recv(message, zmq::recv_flags::dontwait)) return std::nullopt;
    const auto* data = static_cast<const uint8_t*>(message.data());
    return std::vector<uint8_t>(data, data + message.size());
  }

  /// Ingress datagrams from as many batches as it takes to collect `count`, within the deadline.
  std::vector<Record> receiveDatagrams(size_t count) {
    std::vector<Record> records;
    auto deadline = Clock::now() + kDeadline;
    while (records.size() < count && Clock::now() < deadline) {
      auto message = receive(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()));
      if (!message) break;
      auto reader = envelope::BatchReader::open(*message);
      REQUIRE(reader);
      CHECK(reader->kind() == envelope::Kind::Ingress);
      envelope::Datagram d;
      while (reader->next(d)) records.push_back({d.client, d.receivedUs, {d.bytes.begin(), d.bytes.end()}});
      CHECK_FALSE(reader->malformed());
    }
    return records;
  }

private:
  std::string id_;
  zmq::socket_t socket_;
};

// One gateway on loopback. Members are declared in dependency order: the gateway holds
// references to the UDP socket and the ROUTER.
struct Harness {
  explicit Harness(const GatewaySettings& settings = {})
      : pipeline(bindPipeline(context, "tcp://127.0.0.1:*", endpoint)), gateway(settings, udp, pipeline) {}

  /// Turns the loop until `done()` holds or the deadline passes; returns done().
  template <class Done>
  bool runUntil(Done done) {
    auto deadline = Clock::now() + kDeadline;
    while (!done()) {
      if (Clock::now() >= deadline) return false;
      gateway.runOnce(10ms);
    }
    return true;
  }
  /// A few extra turns, so a gateway that would hand out too much has the chance to.
  void turns(int n) {
    for (int i = 0; i < n; ++i) gateway.runOnce(1ms);
  }

  uint16_t port() const { return udp.localPort(); }
  const GatewayStats& stats() const { return gateway.stats(); }
  uint64_t dropped(DropReason reason) const { return stats().dropped[static_cast<size_t>(reason)]; }

  /// Routes by a view in which `owners` own every UIN (the membership's job in production).
  void own(std::initializer_list<std::string> owners) {
    view = store::MembershipView{};
    view.epoch = view.settled = ++epoch;
    for (const std::string& id : owners) view.owners.push_back({id, "inproc://" + id, "1"});
    gateway.adoptView(view);
  }
  /// The owner of `uin` under the last view given, and the first UIN from `from` on that `owner` owns.
  std::string ownerOf(uint32_t uin) const {
    const store::OwnerTable table(view);
    return table.id(table.owner(uin));
  }
  uint32_t uinOwnedBy(const std::string& owner, uint32_t from = 100000) const {
    for (uint32_t uin = from;; ++uin)
      if (ownerOf(uin) == owner) return uin;
  }

  /// Sends Hello from a worker the gateway does not know yet and waits until it is enlisted
  /// (held datagrams may use the new credit in the same turn).
  void enlist(FakeWorker& worker, uint32_t credits) {
    REQUIRE(indexOf(worker.id()) == gateway.router().workerCount());
    worker.hello(credits);
    REQUIRE(runUntil([&] { return indexOf(worker.id()) < gateway.router().workerCount(); }));
  }

  /// Index of worker `id` in the router, or workerCount() when absent.
  size_t indexOf(const std::string& id) const {
    const CreditRouter& router = gateway.router();
    for (size_t k = 0; k < router.workerCount(); ++k)
      if (router.workerId(k) == id) return k;
    return router.workerCount();
  }

  uint64_t epoch = 0;
  store::MembershipView view;
  zmq::context_t context;
  UdpSocket udp{"127.0.0.1", 0};
  std::string endpoint;
  zmq::socket_t pipeline;
  Gateway gateway;
};

// ZeroMQ learns asynchronously (I/O thread, then a command to the socket) that a peer has
// closed. Waits, bounded, until the ROUTER itself refuses to route to `id`, so the gateway's
// next dispatch meets EHOSTUNREACH deterministically. A probe that still goes through is
// completed with an empty frame, which the closed worker never reads.
bool waitUntilUnroutable(Harness& h, const std::string& id) {
  auto deadline = Clock::now() + kDeadline;
  while (Clock::now() < deadline) {
    try {
      if (h.pipeline.send(zmq::buffer(id), zmq::send_flags::sndmore | zmq::send_flags::dontwait))
        (void)h.pipeline.send(zmq::const_buffer{}, zmq::send_flags::dontwait);
    } catch (const zmq::error_t& e) {
      if (e.num() == EHOSTUNREACH) return true;
      throw;
    }
    h.gateway.runOnce(1ms);
  }
  return false;
}

}  // namespace

// ---- (1) ingress and credit ---------------------------------------------------------

TEST_CASE("gateway holds datagrams until a worker has credit, then hands them out in one batch", "[gateway]") {
  Harness h;
  h.own({"worker-a"});
  FakeWorker worker(h.context, h.endpoint, "worker-a");
  UdpClient client;
  std::vector<std::vector<uint8_t>> sent = {clientPacket(111111, 1), clientPacket(222222, 2, 0),
                                            clientPacket(111111, 3, 500)};
  for (const auto& d : sent) client.sendTo(h.port(), d);

  REQUIRE(h.runUntil([&] { return h.stats().datagramsReceived == 3; }));
  h.turns(3);
  CHECK(h.stats().datagramsDispatched == 0);
  CHECK(h.stats().droppedTotal() == 0);

  const int64_t before =
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  h.enlist(worker, 10);
  REQUIRE(h.runUntil([&] { return h.stats().datagramsDispatched == 3; }));
  CHECK(h.stats().batchesDispatched == 1);
  CHECK(h.gateway.router().totalCredits() == 7);

  auto message = worker.receive(kDeadline);
  REQUIRE(message);
  auto reader = envelope::BatchReader::open(*message);
  REQUIRE(reader);
  CHECK(reader->kind() == envelope::Kind::Ingress);
  REQUIRE(reader->count() == 3);
  envelope::Datagram d;
  for (const auto& expected : sent) {
    REQUIRE(reader->next(d));
    CHECK(d.client == client.endpoint());
    CHECK(std::vector<uint8_t>(d.bytes.begin(), d.bytes.end()) == expected);
    // Wall-clock receive time, taken before the Hello that released them (allow clock slack).
    CHECK(d.receivedUs > before - 60'000'000);
    CHECK(d.receivedUs <= before + 1'000'000);
  }
  CHECK_FALSE(reader->next(d));
  CHECK_FALSE(reader->malformed());
}

TEST_CASE("gateway gives a worker no more datagrams than its credit, and Credit lets more through", "[gateway]") {
  Harness h;
  h.own({"worker-a"});
  FakeWorker worker(h.context, h.endpoint, "worker-a");
  UdpClient client;
  h.enlist(worker, 2);

  std::vector<std::vector<uint8_t>> sent;
  for (uint16_t seq = 1; seq <= 5; ++seq) sent.push_back(clientPacket(333333, seq));
  for (const auto& d : sent) client.sendTo(h.port(), d);

  REQUIRE(h.runUntil([&] { return h.stats().datagramsReceived == 5 && h.stats().datagramsDispatched == 2; }));
  h.turns(3);
  CHECK(h.stats().datagramsDispatched == 2);
  CHECK(h.gateway.router().totalCredits() == 0);
  std::vector<Record> first = worker.receiveDatagrams(2);
  REQUIRE(first.size() == 2);

  worker.credit(2);  // its whole window back
  REQUIRE(h.runUntil([&] { return h.stats().datagramsDispatched == 4; }));
  worker.credit(1);
  REQUIRE(h.runUntil([&] { return h.stats().datagramsDispatched == 5; }));
  std::vector<Record> rest = worker.receiveDatagrams(3);
  REQUIRE(rest.size() == 3);
  CHECK_FALSE(worker.receive(0ms));

  // Oldest first, byte for byte.
  first.insert(first.end(), rest.begin(), rest.end());
  for (size_t i = 0; i < sent.size(); ++i) CHECK(first[i].bytes == sent[i]);
  CHECK(h.stats().droppedTotal() == 0);
}

TEST_CASE("gateway never reads a message longer than the largest batch and keeps serving", "[gateway][hostile]") {
  Harness h;
  h.own({"worker-a"});
  FakeWorker worker(h.context, h.endpoint, "worker-a");
  FakeWorker liar(h.context, h.endpoint, "liar");
  UdpClient client;
  h.enlist(worker, 1);

  // One byte over the bound, headed like an egress batch so that a gateway that read it would
  // count it. Only the head is written: the rest is never touched, so it costs no memory.
  zmq::message_t huge(envelope::kMaxBatchMessage + 1);
  auto* head = static_cast<uint8_t*>(huge.data());
  head[0] = envelope::kFormat;
  head[1] = static_cast<uint8_t>(envelope::Kind::Egress);
  head[2] = head[3] = 0xFF;
  REQUIRE(liar.socket().send(std::move(huge), zmq::send_flags::none));
  // Queued behind it: ZeroMQ drops the connection at the huge one's header, and the liar's
  // socket brings this one over the next connection.
  liar.hello(1);
  REQUIRE(h.runUntil([&] { return h.indexOf("liar") < h.gateway.router().workerCount(); }));
  CHECK(h.stats().egressMalformed == 0);
  CHECK(h.stats().controlMalformed == 0);

  const std::vector<uint8_t> datagram = clientPacket(h.uinOwnedBy("worker-a"), 1);
  client.sendTo(h.port(), datagram);
  REQUIRE(h.runUntil([&] { return h.stats().datagramsDispatched == 1; }));
  std::vector<Record> got = worker.receiveDatagrams(1);
  REQUIRE(got.size() == 1);
  CHECK(got[0].bytes == datagram);
}

TEST_CASE("gateway cuts off a worker that keeps lying and hands it nothing more", "[gateway][hostile]") {
  Harness h;
  h.own({"worker-a"});
  FakeWorker worker(h.context, h.endpoint, "worker-a");
  FakeWorker liar(h.context, h.endpoint, "liar");
  UdpClient client;
  h.enlist(worker, 10);
  h.enlist(liar, 10);  // UIN 0 goes to either

  const std::vector<uint8_t> garbage = {'x', 'y', 'z'};
  for (uint32_t i = 0; i <= Quarantine::kViolationLimit; ++i) liar.send(garbage);
  REQUIRE(h.runUntil([&] { return h.stats().workersCutOff[size_t(Violation::malformed_control)] == 1; }));
  CHECK(h.indexOf("liar") == h.gateway.router().workerCount());
  CHECK(h.indexOf("worker-a") < h.gateway.router().workerCount());
  CHECK(h.stats().controlMalformed == Quarantine::kViolationLimit + 1);

  // What it says now is not read, not even a Hello; datagrams go to the honest worker only.
  liar.hello(10);
  liar.send(garbage);
  REQUIRE(h.runUntil([&] { return h.stats().pipelineIgnored == 2; }));
  CHECK(h.indexOf("liar") == h.gateway.router().workerCount());
  for (uint16_t seq = 1; seq <= 4; ++seq) client.sendTo(h.port(), clientPacket(0, seq));
  REQUIRE(h.runUntil([&] { return h.stats().datagramsDispatched == 4; }));
  CHECK(worker.receiveDatagrams(4).size() == 4);
  h.turns(3);
  CHECK_FALSE(liar.receive(0ms));
  CHECK(h.stats().controlMalformed == Quarantine::kViolationLimit + 1);
}

TEST_CASE("gateway counts a Credit past the window as inflated and clamps it", "[gateway][hostile]") {
  Harness h;
  h.own({"worker-a"});
  FakeWorker worker(h.context, h.endpoint, "worker-a");
  h.enlist(worker, 3);
  worker.credit(1000);
  REQUIRE(h.runUntil([&] { return h.stats().creditInflated == 1; }));
  CHECK(h.gateway.router().totalCredits() == 3);
}

// ---- (2) egress ---------------------------------------------------------------------

TEST_CASE("gateway sends a worker's egress batch to the client from its UDP port", "[gateway]") {
  Harness h;
  FakeWorker worker(h.context, h.endpoint, "worker-a");
  UdpClient client;
  const std::vector<uint8_t> first = {0x05, 0x00, 0x00, 0x01, 0x02, 0x03};
  const std::vector<uint8_t> second(1200, 0xEE);

  envelope::BatchWriter egress(envelope::Kind::Egress);
  REQUIRE(egress.add(client.endpoint(), 0, first));
  REQUIRE(egress.add(client.endpoint(), 0, second));
  worker.send(egress.message());

  REQUIRE(h.runUntil([&] { return h.stats().datagramsSent == 2; }));
  CHECK(h.stats().datagramsSendFailed == 0);
  CHECK(h.stats().egressMalformed == 0);

  for (const auto& expected : {first, second}) {
    auto got = client.receive(kDeadline);
    REQUIRE(got);
    CHECK(got->bytes == expected);
    CHECK(got->from == util::Endpoint{kLoopback, h.port()});
  }
}

// ---- (3) admission ------------------------------------------------------------------

TEST_CASE("gateway drops malformed and rate-limited datagrams by reason before any worker sees them", "[gateway]") {
  GatewaySettings settings;
  settings.ratePerS = 1;
  settings.rateBurst = 3;
  Harness h(settings);
  h.own({"worker-a"});
  FakeWorker worker(h.context, h.endpoint, "worker-a");
  UdpClient client;
  h.enlist(worker, 100);

  std::vector<uint8_t> valid = clientPacket(444444, 1);
  std::vector<uint8_t> tooShort(valid.begin(), valid.begin() + 10);
  std::vector<uint8_t> justTooLong = clientPacket(444444, 2, v5::kMaxDatagram + 1 - v5::kClientHeaderSize);
  REQUIRE(justTooLong.size() == v5::kMaxDatagram + 1);              // fills the ring slot exactly: not truncated
  std::vector<uint8_t> wayTooLong = clientPacket(444444, 3, 3000);  // fits a slot (V3's 8192), not V5
  std::vector<uint8_t> version4 = valid;
  version4[0] = 0x04;
  std::vector<uint8_t> nonZero = valid;
  nonZero[2] = 0x01;  // the ZERO field (protocol-v5.md §2.1)

  for (const auto* d : {&tooShort, &justTooLong, &wayTooLong, &version4, &nonZero}) client.sendTo(h.port(), *d);
  // Five valid datagrams against a burst of three; at one token a second, the milliseconds
  // between them refill nothing. The rejects above took no tokens: they fail earlier checks.
  std::vector<std::vector<uint8_t>> valids;
  for (uint16_t seq = 10; seq < 15; ++seq) valids.push_back(clientPacket(444444, seq));
  for (const auto& d : valids) client.sendTo(h.port(), d);

  REQUIRE(h.runUntil([&] { return h.stats().datagramsReceived == 10 && h.stats().datagramsDispatched >= 3; }));
  h.turns(3);
  CHECK(h.dropped(DropReason::too_short) == 1);
  CHECK(h.dropped(DropReason::too_long) == 2);
  CHECK(h.dropped(DropReason::unsupported_version) == 1);
  CHECK(h.dropped(DropReason::malformed) == 1);
  CHECK(h.dropped(DropReason::rate_limited) == 2);
  CHECK(h.stats().droppedTotal() == 7);
  CHECK(h.stats().datagramsDispatched == 3);

  std::vector<Record> got = worker.receiveDatagrams(3);
  REQUIRE(got.size() == 3);
  for (size_t i = 0; i < got.size(); ++i) CHECK(got[i].bytes == valids[i]);
  CHECK_FALSE(worker.receive(0ms));
}

// ---- (4)(5) the hold queue ----------------------------------------------------------

TEST_CASE("gateway drops the oldest held datagrams as queue_full beyond the queue limit", "[gateway]") {
  GatewaySettings settings;
  settings.queueLimit = 2;
  Harness h(settings);
  h.own({"worker-a"});
  FakeWorker worker(h.context, h.endpoint, "worker-a");
  UdpClient client;

  std::vector<std::vector<uint8_t>> sent;
  for (uint16_t seq = 1; seq <= 6; ++seq) sent.push_back(clientPacket(555555, seq));
  for (const auto& d : sent) client.sendTo(h.port(), d);

  REQUIRE(h.runUntil([&] { return h.stats().datagramsReceived == 6; }));
  CHECK(h.dropped(DropReason::queue_full) == 4);
  CHECK(h.stats().droppedTotal() == 4);

  h.enlist(worker, 10);
  REQUIRE(h.runUntil([&] { return h.stats().datagramsDispatched == 2; }));
  std::vector<Record> got = worker.receiveDatagrams(2);
  REQUIRE(got.size() == 2);
  CHECK(got[0].bytes == sent[4]);
  CHECK(got[1].bytes == sent[5]);
}

TEST_CASE("gateway drops held datagrams older than the queue age as queue_expired", "[gateway]") {
  GatewaySettings settings;
  settings.queueMaxAge = 1ms;
  Harness h(settings);
  h.own({"worker-a"});
  FakeWorker worker(h.context, h.endpoint, "worker-a");
  UdpClient client;
  client.sendTo(h.port(), clientPacket(666666, 1));
  client.sendTo(h.port(), clientPacket(666666, 2));

  REQUIRE(h.runUntil([&] { return h.dropped(DropReason::queue_expired) == 2; }));
  CHECK(h.stats().datagramsReceived == 2);
  CHECK(h.stats().droppedTotal() == 2);

  h.enlist(worker, 10);
  h.turns(3);
  CHECK(h.stats().datagramsDispatched == 0);
  CHECK(h.gateway.router().totalCredits() == 10);
}

// ---- (6)(7) workers leaving -----------------------------------------------------------

TEST_CASE("gateway drops a batch for a vanished worker as worker_lost - its UINs wait for a view without it",
          "[gateway]") {
  Harness h;
  h.own({"worker-lost", "worker-survivor"});
  FakeWorker lost(h.context, h.endpoint, "worker-lost");
  FakeWorker survivor(h.context, h.endpoint, "worker-survivor");
  UdpClient client;
  h.enlist(lost, 10);
  h.enlist(survivor, 10);

  lost.close();
  REQUIRE(waitUntilUnroutable(h, "worker-lost"));
  REQUIRE(h.gateway.router().workerCount() == 2);  // the gateway itself has not noticed yet

  const uint32_t lostUin = h.uinOwnedBy("worker-lost"), survivorUin = h.uinOwnedBy("worker-survivor");
  client.sendTo(h.port(), clientPacket(lostUin, 1));
  REQUIRE(h.runUntil([&] { return h.dropped(DropReason::worker_lost) == 1; }));
  CHECK(h.stats().datagramsDispatched == 0);
  REQUIRE(h.gateway.router().workerCount() == 1);
  CHECK(h.gateway.router().workerId(0) == "worker-survivor");
  CHECK(h.gateway.router().totalCredits() == 10);

  // The lost worker's UIN waits (its owner is gone, the survivor does not own it); the
  // survivor's own UIN behind it goes out.
  std::vector<std::vector<uint8_t>> later = {clientPacket(lostUin, 2), clientPacket(survivorUin, 3)};
  for (const auto& d : later) client.sendTo(h.port(), d);
  REQUIRE(h.runUntil([&] { return h.stats().datagramsDispatched == 1; }));
  h.turns(3);
  CHECK(h.stats().datagramsDispatched == 1);
  std::vector<Record> got = survivor.receiveDatagrams(1);
  REQUIRE(got.size() == 1);
  CHECK(got[0].bytes == later[1]);

  // The membership drops the dead worker: the survivor owns everything, and gets the held one.
  h.own({"worker-survivor"});
  REQUIRE(h.runUntil([&] { return h.stats().datagramsDispatched == 2; }));
  got = survivor.receiveDatagrams(1);
  REQUIRE(got.size() == 1);
  CHECK(got[0].bytes == later[0]);
  CHECK(h.dropped(DropReason::worker_lost) == 1);
  CHECK(h.stats().droppedTotal() == 1);
}

TEST_CASE("gateway stops handing datagrams to a worker that said Goodbye", "[gateway]") {
  Harness h;
  h.own({"worker-leaving", "worker-staying"});
  FakeWorker leaving(h.context, h.endpoint, "worker-leaving");
  FakeWorker staying(h.context, h.endpoint, "worker-staying");
  UdpClient client;
  h.enlist(leaving, 10);
  h.enlist(staying, 10);

  leaving.goodbye();
  REQUIRE(h.runUntil([&] { return h.gateway.router().workerCount() == 1; }));
  CHECK(h.gateway.router().workerId(0) == "worker-staying");
  CHECK(h.gateway.router().totalCredits() == 10);

  // UIN 0 and the staying worker's UINs go to it; the leaving worker's UIN waits for the
  // view without it.
  const uint32_t leavingUin = h.uinOwnedBy("worker-leaving");
  const std::vector<std::vector<uint8_t>> sent = {clientPacket(0, 1), clientPacket(h.uinOwnedBy("worker-staying"), 2),
                                                  clientPacket(leavingUin, 3),
                                                  clientPacket(h.uinOwnedBy("worker-staying", leavingUin + 1), 4)};
  for (const auto& d : sent) client.sendTo(h.port(), d);
  REQUIRE(h.runUntil([&] { return h.stats().datagramsDispatched == 3; }));
  h.turns(3);
  CHECK(h.stats().datagramsDispatched == 3);
  std::vector<Record> got = staying.receiveDatagrams(3);
  REQUIRE(got.size() == 3);
  CHECK(got[0].bytes == sent[0]);
  CHECK(got[1].bytes == sent[1]);
  CHECK(got[2].bytes == sent[3]);

  h.own({"worker-staying"});
  REQUIRE(h.runUntil([&] { return h.stats().datagramsDispatched == 4; }));
  got = staying.receiveDatagrams(1);
  REQUIRE(got.size() == 1);
  CHECK(got[0].bytes == sent[2]);
  CHECK_FALSE(leaving.receive(0ms));
  CHECK(h.stats().droppedTotal() == 0);

  // A Hello after Goodbye enlists the worker again.
  h.enlist(leaving, 1);
  CHECK(h.gateway.router().workerCount() == 2);
}

// ---- owner routing (ARCHITECTURE.md "Ownership") ---------------------------------------

TEST_CASE("gateway hands each datagram to its UIN's owner only", "[gateway][owner]") {
  Harness h;
  h.own({"worker-a", "worker-b"});
  FakeWorker a(h.context, h.endpoint, "worker-a");
  FakeWorker b(h.context, h.endpoint, "worker-b");
  UdpClient client;
  h.enlist(b, 100);  // linked in another order than the view's
  h.enlist(a, 100);

  std::vector<std::vector<uint8_t>> toA, toB;
  for (uint16_t i = 0; i < 20; ++i) {
    const uint32_t uin = 300000u + i * 7919u;
    auto datagram = clientPacket(uin, i);
    client.sendTo(h.port(), datagram);
    (h.ownerOf(uin) == "worker-a" ? toA : toB).push_back(std::move(datagram));
  }
  REQUIRE_FALSE(toA.empty());
  REQUIRE_FALSE(toB.empty());
  REQUIRE(h.runUntil([&] { return h.stats().datagramsDispatched == 20; }));
  for (auto [worker, expected] : {std::pair{&a, &toA}, std::pair{&b, &toB}}) {
    INFO(worker->id());
    std::vector<Record> got = worker->receiveDatagrams(expected->size());
    REQUIRE(got.size() == expected->size());
    for (size_t i = 0; i < got.size(); ++i) CHECK(got[i].bytes == (*expected)[i]);  // in arrival order
    CHECK_FALSE(worker->receive(0ms));
  }
  CHECK(h.gateway.router().totalCredits() == 180);
}

TEST_CASE("gateway keeps a datagram whose owner has no credit while other owners' datagrams behind it go out",
          "[gateway][owner]") {
  GatewaySettings settings;
  settings.queueMaxAge = 60s;  // only credit decides here
  Harness h(settings);
  h.own({"worker-a", "worker-b"});
  FakeWorker a(h.context, h.endpoint, "worker-a");
  FakeWorker b(h.context, h.endpoint, "worker-b");
  UdpClient client;
  h.enlist(a, 2);
  h.enlist(b, 10);

  const uint32_t uinA = h.uinOwnedBy("worker-a"), uinB = h.uinOwnedBy("worker-b");
  // worker-a spends its window first: from here on it has no credit.
  for (uint16_t seq : {100, 101}) client.sendTo(h.port(), clientPacket(uinA, seq));
  REQUIRE(h.runUntil([&] { return h.stats().datagramsDispatched == 2; }));
  REQUIRE(a.receiveDatagrams(2).size() == 2);

  const std::vector<std::vector<uint8_t>> sent = {clientPacket(uinA, 1), clientPacket(uinB, 2),
                                                  clientPacket(uinA, 3), clientPacket(uinB, 4)};
  for (const auto& d : sent) client.sendTo(h.port(), d);
  REQUIRE(h.runUntil([&] { return h.stats().datagramsReceived == 6 && h.stats().datagramsDispatched == 4; }));
  h.turns(3);
  CHECK(h.stats().datagramsDispatched == 4);
  std::vector<Record> got = b.receiveDatagrams(2);
  REQUIRE(got.size() == 2);
  CHECK(got[0].bytes == sent[1]);
  CHECK(got[1].bytes == sent[3]);
  CHECK_FALSE(a.receive(0ms));

  // Its owner's credit releases them, oldest first, one credit each.
  a.credit(1);
  REQUIRE(h.runUntil([&] { return h.stats().datagramsDispatched == 5; }));
  a.credit(1);
  REQUIRE(h.runUntil([&] { return h.stats().datagramsDispatched == 6; }));
  got = a.receiveDatagrams(2);
  REQUIRE(got.size() == 2);
  CHECK(got[0].bytes == sent[0]);
  CHECK(got[1].bytes == sent[2]);
  CHECK(h.stats().droppedTotal() == 0);
  CHECK(h.gateway.router().totalCredits() == 8);
}

TEST_CASE("gateway hands a UIN 0 datagram to any worker with credit", "[gateway][owner]") {
  Harness h;
  h.own({"worker-a"});  // worker-a owns every UIN but is not linked
  FakeWorker b(h.context, h.endpoint, "worker-b");
  UdpClient client;
  h.enlist(b, 10);
  const auto registration = clientPacket(0, 1), owned = clientPacket(123456, 2);
  client.sendTo(h.port(), owned);
  client.sendTo(h.port(), registration);
  REQUIRE(h.runUntil([&] { return h.stats().datagramsReceived == 2 && h.stats().datagramsDispatched == 1; }));
  h.turns(3);
  CHECK(h.stats().datagramsDispatched == 1);
  std::vector<Record> got = b.receiveDatagrams(1);
  REQUIRE(got.size() == 1);
  CHECK(got[0].bytes == registration);
}

TEST_CASE("gateway routes by the newest view", "[gateway][owner]") {
  Harness h;
  FakeWorker a(h.context, h.endpoint, "worker-a");
  FakeWorker b(h.context, h.endpoint, "worker-b");
  UdpClient client;
  h.enlist(a, 10);
  h.enlist(b, 10);
  const uint32_t uin = 424242;

  h.own({"worker-a"});
  CHECK(h.stats().membershipEpoch.value() == 1);
  client.sendTo(h.port(), clientPacket(uin, 1));
  REQUIRE(h.runUntil([&] { return h.stats().datagramsDispatched == 1; }));
  REQUIRE(a.receiveDatagrams(1).size() == 1);

  h.own({"worker-b"});
  CHECK(h.stats().membershipEpoch.value() == 2);
  const auto next = clientPacket(uin, 2);
  client.sendTo(h.port(), next);
  REQUIRE(h.runUntil([&] { return h.stats().datagramsDispatched == 2; }));
  std::vector<Record> got = b.receiveDatagrams(1);
  REQUIRE(got.size() == 1);
  CHECK(got[0].bytes == next);
  CHECK_FALSE(a.receive(0ms));
}

TEST_CASE("gateway without a view holds every datagram with a UIN until a view comes", "[gateway][owner]") {
  GatewaySettings settings;
  settings.queueMaxAge = 60s;
  Harness h(settings);
  FakeWorker worker(h.context, h.endpoint, "worker-a");
  UdpClient client;
  h.enlist(worker, 10);
  const auto datagram = clientPacket(555001, 1);
  client.sendTo(h.port(), datagram);
  REQUIRE(h.runUntil([&] { return h.stats().datagramsReceived == 1; }));
  h.turns(3);
  CHECK(h.stats().datagramsDispatched == 0);
  CHECK(h.stats().droppedTotal() == 0);
  CHECK_FALSE(worker.receive(0ms));

  h.own({"worker-a"});
  REQUIRE(h.runUntil([&] { return h.stats().datagramsDispatched == 1; }));
  std::vector<Record> got = worker.receiveDatagrams(1);
  REQUIRE(got.size() == 1);
  CHECK(got[0].bytes == datagram);
}

// ---- (8) malformed pipeline messages ------------------------------------------------

TEST_CASE("gateway counts malformed pipeline messages and keeps working", "[gateway][malformed]") {
  Harness h;
  h.own({"worker-a"});
  FakeWorker worker(h.context, h.endpoint, "worker-a");
  UdpClient client;

  const std::vector<uint8_t> garbage = {'x', 'y', 'z'};
  auto hello = envelope::encodeControl({envelope::Kind::Hello, 5});
  std::vector<uint8_t> longHello(hello.begin(), hello.end());
  longHello.push_back(0);
  envelope::BatchWriter ingress(envelope::Kind::Ingress);  // wrong direction for a worker
  REQUIRE(ingress.add(client.endpoint(), 1, clientPacket(1, 1)));

  envelope::BatchWriter egress(envelope::Kind::Egress);
  REQUIRE(egress.add(client.endpoint(), 0, std::vector<uint8_t>(40, 0xAB)));
  auto whole = egress.message();
  std::vector<uint8_t> truncatedEgress(whole.begin(), whole.end() - 1);
  std::vector<uint8_t> trailingEgress(whole.begin(), whole.end());
  trailingEgress.push_back(0);

  worker.send(garbage);
  worker.send(longHello);
  worker.send(std::vector<uint8_t>(ingress.message().begin(), ingress.message().end()));
  worker.send(truncatedEgress);
  // Three frames at the ROUTER: identity, then two body frames.
  REQUIRE(worker.socket().send(zmq::buffer(hello.data(), hello.size()), zmq::send_flags::sndmore));
  REQUIRE(worker.socket().send(zmq::buffer(hello.data(), hello.size()), zmq::send_flags::none));
  worker.send(trailingEgress);  // its one whole record is sent, the trailing byte counted

  REQUIRE(h.runUntil([&] { return h.stats().controlMalformed == 4 && h.stats().egressMalformed == 2; }));
  CHECK(h.gateway.router().workerCount() == 0);  // neither the long Hello nor the 3-frame one counted

  // Still working: a well-formed Hello, a datagram in, egress out.
  h.enlist(worker, 1);
  const std::vector<uint8_t> datagram = clientPacket(777777, 1);
  client.sendTo(h.port(), datagram);
  REQUIRE(h.runUntil([&] { return h.stats().datagramsDispatched == 1; }));
  std::vector<Record> got = worker.receiveDatagrams(1);
  REQUIRE(got.size() == 1);
  CHECK(got[0].bytes == datagram);

  // Only the trailing-byte batch had a whole record; the truncated one sent nothing.
  auto out = client.receive(kDeadline);
  REQUIRE(out);
  CHECK(out->bytes == std::vector<uint8_t>(40, 0xAB));
  CHECK(h.stats().datagramsSent == 1);
  CHECK(h.stats().controlMalformed == 4);
  CHECK(h.stats().egressMalformed == 2);
}

// ---- shutdown -----------------------------------------------------------------------

TEST_CASE("gateway drain sends worker egress but takes no new datagrams", "[gateway]") {
  Harness h;
  h.own({"worker-a"});
  FakeWorker worker(h.context, h.endpoint, "worker-a");
  UdpClient client;
  h.enlist(worker, 10);

  client.sendTo(h.port(), clientPacket(888888, 1));
  envelope::BatchWriter egress(envelope::Kind::Egress);
  const std::vector<uint8_t> reply = {0x05, 0x00, 0x00, 0xAA};
  REQUIRE(egress.add(client.endpoint(), 0, reply));
  worker.send(egress.message());
  // Wait until the egress has reached the ROUTER (polling does not consume it).
  zmq::pollitem_t item{static_cast<void*>(h.pipeline), 0, ZMQ_POLLIN, 0};
  REQUIRE(zmq::poll(&item, 1, kDeadline) == 1);

  h.gateway.drain(20ms);
  CHECK(h.stats().datagramsSent == 1);
  CHECK(h.stats().datagramsReceived == 0);
  auto out = client.receive(kDeadline);
  REQUIRE(out);
  CHECK(out->bytes == reply);
}

// ---- (9) overload: busy replies ----------------------------------------------------

namespace {

// A valid V5 client datagram with exactly this header.
std::vector<uint8_t> packetWith(const v5::ClientHeader& header) {
  const std::vector<uint8_t> data = {1, 2, 3, 4};
  std::vector<uint8_t> out(v5::kClientHeaderSize + data.size());
  REQUIRE(v5::encodeClientPacket(header, data, out, 0x19, 0x42) == out.size());
  return out;
}

v5::ClientHeader keepAlive(uint32_t uin, uint32_t sessionId, uint16_t seq1, uint16_t seq2) {
  return {.uin = uin, .sessionId = sessionId, .command = v5::CMD_KEEP_ALIVE, .seq1 = seq1, .seq2 = seq2};
}

uint32_t loopbackHost(uint8_t host) { return *util::parseIp("127.0.0." + std::to_string(host)); }

// Checks that `client` has been sent SRV_TRY_AGAIN for `request` by the gateway (§4.7:
// header only, SEQ1 0, SEQ2, session id and UIN from the request).
void requireBusyReply(UdpClient& client, const v5::ClientHeader& request, uint16_t gatewayPort) {
  auto got = client.receive(kDeadline);
  REQUIRE(got);
  CHECK(got->from == util::Endpoint{kLoopback, gatewayPort});
  v5::ServerHeader header;
  std::span<const uint8_t> data;
  bool checkcodeValid = false;
  REQUIRE(v5::decodeServerPacket(got->bytes, header, data, checkcodeValid) == v5::DecodeError::none);
  CHECK(header.command == v5::SRV_TRY_AGAIN);
  CHECK(header.sessionId == request.sessionId);
  CHECK(header.uin == request.uin);
  CHECK(header.seq1 == 0);
  CHECK(header.seq2 == request.seq2);
  CHECK(data.empty());
  CHECK(checkcodeValid);
}

}  // namespace

TEST_CASE("gateway answers SRV_TRY_AGAIN to the datagrams it sheds beyond the queue limit", "[gateway][busy]") {
  GatewaySettings settings;
  settings.queueLimit = 2;
  settings.queueMaxAge = 60s;  // only the limit sheds here
  Harness h(settings);
  h.own({"worker-a"});
  std::vector<std::unique_ptr<UdpClient>> clients;
  std::vector<v5::ClientHeader> requests;
  for (uint8_t i = 0; i < 4; ++i) {
    clients.push_back(std::make_unique<UdpClient>(loopbackHost(static_cast<uint8_t>(2 + i))));
    requests.push_back(
        keepAlive(1000u + i, 0xA0000000u + i, static_cast<uint16_t>(100 + i), static_cast<uint16_t>(7 + i)));
    clients[i]->sendTo(h.port(), packetWith(requests[i]));
  }

  REQUIRE(h.runUntil([&] { return h.stats().datagramsReceived == 4; }));
  CHECK(h.dropped(DropReason::queue_full) == 2);
  CHECK(h.stats().busyReplies == 2);
  // The oldest two were shed and told so; the two still held hear nothing yet.
  requireBusyReply(*clients[0], requests[0], h.port());
  requireBusyReply(*clients[1], requests[1], h.port());
  CHECK_FALSE(clients[2]->receive(0ms));
  CHECK_FALSE(clients[3]->receive(0ms));

  FakeWorker worker(h.context, h.endpoint, "worker-a");
  h.enlist(worker, 10);
  REQUIRE(h.runUntil([&] { return h.stats().datagramsDispatched == 2; }));
  CHECK(h.stats().busyReplies == 2);
}

TEST_CASE("gateway answers SRV_TRY_AGAIN to held datagrams that expire", "[gateway][busy]") {
  GatewaySettings settings;
  settings.queueMaxAge = 1ms;
  Harness h(settings);
  UdpClient first(loopbackHost(2));
  UdpClient second(loopbackHost(3));
  const v5::ClientHeader a = keepAlive(2001, 0xB0000001, 10, 3);
  const v5::ClientHeader b = keepAlive(2002, 0xB0000002, 20, 4);
  first.sendTo(h.port(), packetWith(a));
  second.sendTo(h.port(), packetWith(b));

  REQUIRE(h.runUntil([&] { return h.dropped(DropReason::queue_expired) == 2; }));
  CHECK(h.stats().busyReplies == 2);
  requireBusyReply(first, a, h.port());
  requireBusyReply(second, b, h.port());
}

TEST_CASE("gateway answers SRV_TRY_AGAIN to a datagram held without a view once it expires, whatever credit there is",
          "[gateway][busy][owner]") {
  GatewaySettings settings;
  settings.queueMaxAge = 1ms;
  Harness h(settings);
  FakeWorker worker(h.context, h.endpoint, "worker-a");
  h.enlist(worker, 10);
  UdpClient client(loopbackHost(2));
  const v5::ClientHeader request = keepAlive(2003, 0xB0000003, 30, 5);
  client.sendTo(h.port(), packetWith(request));
  REQUIRE(h.runUntil([&] { return h.dropped(DropReason::queue_expired) == 1; }));
  CHECK(h.stats().datagramsDispatched == 0);
  CHECK(h.stats().busyReplies == 1);
  requireBusyReply(client, request, h.port());
  CHECK_FALSE(worker.receive(0ms));
  CHECK(h.gateway.router().totalCredits() == 10);
}

TEST_CASE("gateway sends one busy reply per source a second however many datagrams it sheds", "[gateway][busy]") {
  GatewaySettings settings;
  settings.queueLimit = 0;
  Harness h(settings);
  UdpClient client(loopbackHost(2));
  std::vector<v5::ClientHeader> requests;
  for (uint16_t i = 0; i < 3; ++i) {
    requests.push_back(keepAlive(3001, 0xC0000001, static_cast<uint16_t>(30 + i), static_cast<uint16_t>(1 + i)));
    client.sendTo(h.port(), packetWith(requests.back()));
  }

  REQUIRE(h.runUntil([&] { return h.stats().datagramsReceived == 3; }));
  CHECK(h.dropped(DropReason::queue_full) == 3);
  CHECK(h.stats().busyReplies == 1);
  requireBusyReply(client, requests[0], h.port());
  CHECK_FALSE(client.receive(0ms));
}

TEST_CASE("gateway never answers a shed CMD_ACK with busy", "[gateway][busy]") {
  GatewaySettings settings;
  settings.queueLimit = 0;
  Harness h(settings);
  UdpClient client(loopbackHost(2));
  const v5::ClientHeader ack{.uin = 4001, .sessionId = 0xD0000001, .command = v5::CMD_ACK, .seq1 = 5, .seq2 = 0};
  client.sendTo(h.port(), packetWith(ack));
  REQUIRE(h.runUntil([&] { return h.dropped(DropReason::queue_full) == 1; }));
  CHECK(h.stats().busyReplies == 0);
  CHECK_FALSE(client.receive(0ms));

  // The ACK did not use up the source's busy reply: the next shed datagram gets it.
  const v5::ClientHeader next = keepAlive(4001, 0xD0000001, 6, 0);
  client.sendTo(h.port(), packetWith(next));
  REQUIRE(h.runUntil([&] { return h.dropped(DropReason::queue_full) == 2; }));
  CHECK(h.stats().busyReplies == 1);
  requireBusyReply(client, next, h.port());
}

TEST_CASE("gateway does not answer a shed datagram whose checkcode does not verify", "[gateway][busy]") {
  GatewaySettings settings;
  settings.queueLimit = 0;
  Harness h(settings);
  UdpClient client(loopbackHost(2));
  // Passes the pre-checks (version 5, ZERO 0, a plausible size) but is no client's packet.
  std::vector<uint8_t> garbage = {0x05, 0x00, 0x00, 0x00, 0x00, 0x00, 0x39, 0x30, 0x00, 0x00};
  for (uint8_t i = 0; i < 30; ++i) garbage.push_back(static_cast<uint8_t>(i * 37 + 11));
  REQUIRE(v5::precheckClientDatagram(garbage) == v5::DecodeError::none);
  std::vector<uint8_t> copy = garbage;
  v5::ClientPacket decoded;
  REQUIRE(v5::decodeClientPacket(copy, decoded) == v5::DecodeError::none);
  REQUIRE_FALSE(decoded.checkcodeValid);

  client.sendTo(h.port(), garbage);
  REQUIRE(h.runUntil([&] { return h.dropped(DropReason::queue_full) == 1; }));
  CHECK(h.stats().busyReplies == 0);
  CHECK_FALSE(client.receive(0ms));

  const v5::ClientHeader valid = keepAlive(12345, 0xE0000001, 1, 0);
  client.sendTo(h.port(), packetWith(valid));
  REQUIRE(h.runUntil([&] { return h.dropped(DropReason::queue_full) == 2; }));
  CHECK(h.stats().busyReplies == 1);
  requireBusyReply(client, valid, h.port());
}

TEST_CASE("gateway counts a datagram rejected at admission once, even when it is shed from the queue",
          "[gateway][busy]") {
  GatewaySettings settings;
  settings.queueLimit = 1;
  settings.queueMaxAge = 60s;
  Harness h(settings);
  UdpClient client(loopbackHost(2));
  const v5::ClientHeader held = keepAlive(5001, 0xF0000001, 1, 0);
  std::vector<uint8_t> tooShort = packetWith(held);
  tooShort.resize(10);
  // One held datagram, then two rejects behind it in the ring: shedding down to the limit
  // takes the held one (busy) and a reject, which is not counted a second time.
  client.sendTo(h.port(), packetWith(held));
  client.sendTo(h.port(), tooShort);
  client.sendTo(h.port(), tooShort);

  REQUIRE(h.runUntil([&] { return h.stats().datagramsReceived == 3; }));
  CHECK(h.dropped(DropReason::too_short) == 2);
  CHECK(h.dropped(DropReason::queue_full) == 1);
  CHECK(h.stats().droppedTotal() == 3);
  CHECK(h.stats().busyReplies == 1);
  requireBusyReply(client, held, h.port());
}


// ---- (10) V3 datagrams (protocol-v3.md §2.4, §6.8) ------------------------------------

namespace {

namespace v3 = codec::v3;

// A V3 client datagram: no encryption, no checkcode; `bodySize` filler bytes after the header.
std::vector<uint8_t> v3Packet(const v3::Header& header, size_t bodySize = 0) {
  const std::vector<uint8_t> body(bodySize, 0x41);
  std::vector<uint8_t> out(v3::kHeaderSize + bodySize);
  REQUIRE(v3::encodePacket(header, body, out) == out.size());
  return out;
}

v3::Header v3Ping(uint32_t uin, uint16_t seq1, uint16_t seq2) {
  return {.command = v3::CMD_PING, .seq1 = seq1, .seq2 = seq2, .uin = uin};
}

}  // namespace

TEST_CASE("gateway admits V3 datagrams by V3's own size rules", "[gateway][v3]") {
  Harness h;
  h.own({"worker-a"});
  FakeWorker worker(h.context, h.endpoint, "worker-a");
  UdpClient client;
  h.enlist(worker, 100);

  const auto ping = v3Packet(v3Ping(6218895, 7, 0));
  const auto largest = v3Packet(v3Ping(6218895, 8, 0), v3::kMaxDatagram - v3::kHeaderSize);
  const std::vector<uint8_t> tooShort(ping.begin(), ping.end() - 1);
  const auto tooLong = v3Packet(v3Ping(6218895, 9, 0), v3::kMaxDatagram + 1 - v3::kHeaderSize);
  for (const auto* d : {&ping, &tooShort, &largest, &tooLong}) client.sendTo(h.port(), *d);

  REQUIRE(h.runUntil([&] { return h.stats().datagramsReceived == 4 && h.stats().datagramsDispatched == 2; }));
  CHECK(h.dropped(DropReason::too_short) == 1);
  CHECK(h.dropped(DropReason::too_long) == 1);
  CHECK(h.dropped(DropReason::unsupported_version) == 0);
  std::vector<Record> got = worker.receiveDatagrams(2);
  REQUIRE(got.size() == 2);
  CHECK(got[0].bytes == ping);
  CHECK(got[1].bytes == largest);
}

TEST_CASE("gateway answers a shed V3 datagram with a V3 BUSY, never a V3 ACK or LOGOFF", "[gateway][busy][v3]") {
  GatewaySettings settings;
  settings.queueLimit = 0;
  Harness h(settings);
  UdpClient client(loopbackHost(2));
  client.sendTo(h.port(), v3Packet({.command = v3::CMD_ACK, .seq1 = 3, .seq2 = 0, .uin = 6218895}));
  client.sendTo(h.port(), v3Packet({.command = v3::CMD_LOGOFF, .seq1 = 0, .seq2 = 0, .uin = 6218895}, 24));
  REQUIRE(h.runUntil([&] { return h.dropped(DropReason::queue_full) == 2; }));
  CHECK(h.stats().busyReplies == 0);
  CHECK_FALSE(client.receive(0ms));

  client.sendTo(h.port(), v3Packet(v3Ping(6218895, 7, 0x0102)));
  REQUIRE(h.runUntil([&] { return h.dropped(DropReason::queue_full) == 3; }));
  CHECK(h.stats().busyReplies == 1);
  auto reply = client.receive(kDeadline);
  REQUIRE(reply);
  v3::Packet busy;
  REQUIRE(v3::decodePacket(reply->bytes, busy) == v3::DecodeError::none);
  CHECK(busy.header.command == v3::SRV_BUSY);
  CHECK(busy.header.seq1 == 0);
  CHECK(busy.header.seq2 == 0x0102);
  CHECK(busy.header.uin == 6218895);
  CHECK(busy.body.empty());
}

}  // namespace icq::gateway
