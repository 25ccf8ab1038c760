// Worker-owned sessions through the whole cluster (ARCHITECTURE.md "Ownership"): sessions move
// when workers join, drain or die, with nobody logged out and no acknowledged message lost;
// a message acknowledged to its sender survives its recipient logging in again early.
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "common/codec/v5/message.hpp"
#include "common/codec/v5/messages.hpp"
#include "tests/e2e/e2e_fixture.hpp"
#include "tests/support/http_client.hpp"

namespace icq::test {
namespace {

constexpr uint32_t kFirstUser = 200001;
constexpr int kUsers = 12;
constexpr const char* kPassword = "pass1";

/// The value of one series in a /metrics page (kAbsent when it is not there).
constexpr double kAbsent = -1;
double metric(uint16_t port, const std::string& series) {
  const HttpReply reply = httpGet(port, "/metrics");
  std::istringstream lines(reply.body);
  std::string line;
  while (std::getline(lines, line))
    if (line.size() > series.size() && line.compare(0, series.size(), series) == 0 && line[series.size()] == ' ')
      return std::strtod(line.c_str() + series.size() + 1, nullptr);
  return kAbsent;
}

/// Clients that keep alive from a thread of their own and count every sign of having been
/// logged out (SRV_NOT_CONNECTED or SRV_GO_AWAY).
class Crowd {
public:
  Crowd(Cluster& cluster, uint16_t port) {
    for (int i = 0; i < kUsers; ++i) {
      cluster.createUser(kFirstUser + i, kPassword);
      clients_.push_back(std::make_unique<V5Client>(port, kFirstUser + i, kPassword,
                                                    "127.0.11." + std::to_string(i + 1)));
    }
  }
  void start() {
    for (auto& client : clients_) REQUIRE(client->login() == LoginOutcome::accepted);
    thread_ = std::thread([this] { run(); });
  }
  void stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  ~Crowd() { stop(); }
  int loggedOut() const { return loggedOut_; }
  int acknowledged() const { return acknowledged_; }
  /// Every client's keep-alive is acknowledged (after what retransmissions it takes).
  bool allAnswered() {
    stop();
    for (auto& client : clients_) {
      bool answered = false;
      for (int attempt = 0; attempt < 10 && !answered; ++attempt) answered = client->keepAlive(500ms);
      if (!answered) return false;
    }
    return true;
  }

private:
  void run() {
    while (!stop_) {
      for (auto& client : clients_) {
        client->send(v5::CMD_KEEP_ALIVE, std::array<uint8_t, 4>{}, false);
        while (auto packet = client->receive(0ms)) {
          const uint16_t command = packet->header.command;
          if (command == v5::SRV_NOT_CONNECTED || command == v5::SRV_GO_AWAY) loggedOut_++;
          if (command == v5::SRV_ACK) acknowledged_++;
        }
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
  std::vector<std::unique_ptr<V5Client>> clients_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<int> loggedOut_{0};
  std::atomic<int> acknowledged_{0};
};

/// Alice sends numbered messages to Bob one by one, each retransmitted until acknowledged;
/// Bob acknowledges everything. Both count.
class Conversation {
public:
  explicit Conversation(uint16_t port)
      : alice_(port, kAlice, kAlicePassword, "127.0.12.1"), bob_(port, kBob, kBobPassword, "127.0.12.2") {}
  void start() {
    REQUIRE(alice_.login() == LoginOutcome::accepted);
    REQUIRE(bob_.login() == LoginOutcome::accepted);
    sender_ = std::thread([this] { send(); });
    receiver_ = std::thread([this] { receive(); });
  }
  void stop() {
    stop_ = true;
    if (sender_.joinable()) sender_.join();
    receiverStop_ = true;
    if (receiver_.joinable()) receiver_.join();
  }
  ~Conversation() { stop(); }
  std::set<std::string> acknowledged() {
    std::lock_guard lock(mutex_);
    return acknowledged_;
  }
  std::set<std::string> delivered() {
    std::lock_guard lock(mutex_);
    return delivered_;
  }
  /// Lets Bob's side catch up with what is in flight.
  bool caughtUp(std::chrono::milliseconds timeout) {
    return eventually(
        [&] {
          std::lock_guard lock(mutex_);
          for (const std::string& text : acknowledged_)
            if (!delivered_.count(text)) return false;
          return true;
        },
        timeout);
  }

private:
  void send() {
    for (int n = 0; !stop_; ++n) {
      const std::string text = "message " + std::to_string(n);
      const auto header = alice_.sendMessage(kBob, v5::kMsgText, text);
      for (int attempt = 0; attempt < 20 && !stop_; ++attempt) {
        if (alice_.expectAckOf(header, 300ms)) {
          std::lock_guard lock(mutex_);
          acknowledged_.insert(text);
          break;
        }
        // Not acknowledged (its owner was moving): the same packet again, as a client does.
        alice_.resend(header, lastBody(text));
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  static std::vector<uint8_t> lastBody(const std::string& text) {
    std::vector<uint8_t> body(8 + text.size() + 1);
    const std::span<const uint8_t> bytes(reinterpret_cast<const uint8_t*>(text.data()), text.size());
    body.resize(v5::buildSendMessageData(kBob, v5::kMsgText, bytes, body));
    return body;
  }
  void receive() {
    while (!receiverStop_) {
      auto packet = bob_.receive(100ms);
      if (!packet || packet->header.command == v5::SRV_ACK) continue;
      bob_.acknowledge(*packet);
      v5::ReceivedMessage message;
      if (packet->header.command == v5::SRV_SYS_DELIVERED_MESS && v5::parseOnlineMessageBody(packet->data, message)) {
        std::lock_guard lock(mutex_);
        delivered_.emplace(message.text.begin(), message.text.end());
      }
    }
  }

  V5Client alice_, bob_;
  std::thread sender_, receiver_;
  std::atomic<bool> stop_{false}, receiverStop_{false};
  std::mutex mutex_;
  std::set<std::string> acknowledged_, delivered_;
};

}  // namespace

TEST_CASE("sessions move to a worker that joins and away from one that drains, and nobody is logged out",
          "[e2e][ownership]") {
  E2E e2e({.gateways = 1, .workers = 2});
  Cluster& cluster = e2e.cluster;
  Crowd crowd(cluster, cluster.udpPort(0));
  Conversation conversation(cluster.udpPort(0));
  crowd.start();
  conversation.start();

  const size_t joined = cluster.addWorker();
  const uint16_t joinedPort = cluster.adminPort("worker", joined);
  INFO(cluster.logs());
  // The newcomer owns a share of the UINs once the view settled and its takeover walk is done.
  REQUIRE(eventually(
      [&] {
        return metric(joinedPort, "icq_worker_authoritative") == 1 && metric(joinedPort, "icq_worker_sessions_held") > 0;
      },
      std::chrono::seconds(20)));

  // A graceful stop hands worker 0's sessions on before it leaves.
  CHECK(cluster.worker(0).stop(SIGTERM, std::chrono::seconds(20)) == 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // some traffic after the handover

  conversation.stop();
  CHECK(crowd.allAnswered());
  CHECK(crowd.loggedOut() == 0);
  CHECK(crowd.acknowledged() > 0);
  INFO("acknowledged " << conversation.acknowledged().size() << " delivered " << conversation.delivered().size());
  CHECK(conversation.caughtUp(std::chrono::seconds(1)));
  CHECK(conversation.acknowledged().size() > 10);
}

TEST_CASE("a message acknowledged to its sender reaches a recipient that logs in again before its session expired",
          "[e2e][ownership][durability]") {
  E2E e2e({.gateways = 1, .workers = 2});
  const uint16_t port = e2e.cluster.udpPort(0);
  V5Client alice(port, kAlice, kAlicePassword, "127.0.13.1");
  V5Client bob(port, kBob, kBobPassword, "127.0.13.2");
  REQUIRE(alice.login() == LoginOutcome::accepted);
  REQUIRE(bob.login() == LoginOutcome::accepted);

  // Bob's client is silent from now on (it crashed): the message is queued for his session
  // and acknowledged to Alice, but never confirmed by Bob.
  const auto sent = alice.sendMessage(kBob, v5::kMsgText, "are you there?");
  REQUIRE(alice.expectAckOf(sent));

  // Bob's client comes back, as every client does after a crash, well within the TTL.
  V5Client bobAgain(port, kBob, kBobPassword, "127.0.13.3");
  REQUIRE(bobAgain.login() == LoginOutcome::accepted);
  const std::vector<std::string> offline = offlineTextsAtLogin(bobAgain);
  const std::set<std::string> texts(offline.begin(), offline.end());
  CHECK(texts.count("are you there?") == 1);
}

TEST_CASE("a message its recipient never confirmed is kept offline when the recipient logs off",
          "[e2e][ownership][durability]") {
  E2E e2e({.gateways = 1, .workers = 2});
  const uint16_t port = e2e.cluster.udpPort(0);
  V5Client alice(port, kAlice, kAlicePassword, "127.0.14.1");
  V5Client bob(port, kBob, kBobPassword, "127.0.14.2");
  REQUIRE(alice.login() == LoginOutcome::accepted);
  REQUIRE(bob.login() == LoginOutcome::accepted);

  // The message reaches Bob's client, which logs off without confirming it (it quit before
  // its CMD_ACK left): the server cannot know he saw it, so it must keep it.
  const auto sent = alice.sendMessage(kBob, v5::kMsgText, "did you read this?");
  REQUIRE(alice.expectAckOf(sent));
  // receive(), unlike expect(), confirms nothing.
  std::optional<ServerPacket> delivered;
  for (int packets = 0; packets < 20 && !(delivered && delivered->header.command == v5::SRV_SYS_DELIVERED_MESS);
       ++packets)
    delivered = bob.receive();
  REQUIRE(delivered);
  REQUIRE(delivered->header.command == v5::SRV_SYS_DELIVERED_MESS);
  REQUIRE(bob.logoff() == v5::SRV_ACK);

  V5Client bobAgain(port, kBob, kBobPassword, "127.0.14.3");
  REQUIRE(bobAgain.login() == LoginOutcome::accepted);
  const std::vector<std::string> offline = offlineTextsAtLogin(bobAgain);
  CHECK(std::count(offline.begin(), offline.end(), "did you read this?") == 1);
}

// Redis is where a session's owner keeps what a successor needs: a Redis that crashes must come
// back with it (append-only file, DECISIONS.md), or a message acknowledged to its sender dies
// with the next owner change. Without the file this test loses the message.
TEST_CASE("a message acknowledged to its sender survives a Redis crash and then its recipient's owner dying",
          "[e2e][ownership][durability]") {
  E2E e2e({.gateways = 1, .workers = 1});
  const uint16_t port = e2e.cluster.udpPort(0);
  V5Client alice(port, kAlice, kAlicePassword, "127.0.15.1");
  V5Client bob(port, kBob, kBobPassword, "127.0.15.2");
  REQUIRE(alice.login() == LoginOutcome::accepted);
  REQUIRE(bob.login() == LoginOutcome::accepted);
  // Bob's client is silent: the message waits in his session, unconfirmed.
  const auto sent = alice.sendMessage(kBob, v5::kMsgText, "through the outage");
  REQUIRE(alice.expectAckOf(sent));

  e2e.redis.crashAndRecover();
  e2e.cluster.worker(0).kill();  // the only copy outside Redis goes with it
  e2e.cluster.addWorker();       // takes Bob's session over from Redis

  V5Client bobAgain(port, kBob, kBobPassword, "127.0.15.3");
  INFO(e2e.cluster.logs());
  REQUIRE(eventually([&] { return bobAgain.login(std::chrono::milliseconds(1000)) == LoginOutcome::accepted; },
                     std::chrono::seconds(20)));
  const std::vector<std::string> offline = offlineTextsAtLogin(bobAgain);
  CHECK(std::count(offline.begin(), offline.end(), "through the outage") == 1);
}

}  // namespace icq::test
