// Overload through the whole cluster: password attempts over the per-address and per-UIN
// limits get SRV_TRY_AGAIN without a password check, and a gateway whose only worker stops
// answers SRV_TRY_AGAIN itself until the worker returns (protocol-v5.md §4.7).
#include <signal.h>

#include <array>
#include <chrono>
#include <fstream>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "common/codec/v5/meta.hpp"
#include "tests/e2e/e2e_fixture.hpp"

namespace icq::test {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

std::vector<uint8_t> getDepsData(uint32_t uin, const char* password) {
  std::array<uint8_t, 64> out{};
  const size_t n = v5::buildGetDepsData({uin, password, 3}, out);
  REQUIRE(n > 0);
  return {out.begin(), out.begin() + static_cast<std::ptrdiff_t>(n)};
}

std::vector<uint8_t> regNewUserData(const char* password) {
  std::array<uint8_t, 64> out{};
  const size_t n = v5::buildRegNewUserData({password, 0xA0, 0x2461, ""}, out);
  REQUIRE(n > 0);
  return {out.begin(), out.begin() + static_cast<std::ptrdiff_t>(n)};
}

/// The first answer to a pre-login command that is not a plain SRV_ACK.
ServerPacket answerTo(V5Client& client) {
  for (;;) {
    auto packet = client.receive();
    REQUIRE(packet);
    if (packet->header.command != v5::SRV_ACK || packet->v3Layout || !packet->data.empty()) return *packet;
  }
}

/// SIGSTOPs a process for its lifetime and SIGCONTs it however the scope is left, so that a
/// failed check never leaves a stopped worker behind for the cluster's shutdown.
class Paused {
public:
  explicit Paused(ChildProcess& process) : pid_(process.pid()) {
    REQUIRE(::kill(pid_, SIGSTOP) == 0);
    REQUIRE(waitForState('T'));
  }
  ~Paused() { ::kill(pid_, SIGCONT); }
  Paused(const Paused&) = delete;
  Paused& operator=(const Paused&) = delete;

private:
  /// Until /proc says the process is in `state` (the signal is delivered asynchronously).
  bool waitForState(char state) const {
    const auto deadline = Clock::now() + 2s;
    while (Clock::now() < deadline) {
      std::ifstream stat("/proc/" + std::to_string(pid_) + "/stat");
      std::string line;
      std::getline(stat, line);
      // "pid (comm) S ...": the state follows the last ')'.
      const auto close = line.rfind(')');
      if (close != std::string::npos && close + 2 < line.size() && line[close + 2] == state) return true;
      std::this_thread::sleep_for(5ms);
    }
    return false;
  }

  pid_t pid_;
};

}  // namespace

TEST_CASE("a password guesser gets SRV_BAD_PASS up to the per-address limit, then SRV_TRY_AGAIN", "[e2e][overload]") {
  E2E e2e({.settings = {"v5.login_rate_per_ip=5", "v5.login_rate_per_uin=100"}});
  INFO(e2e.cluster.logs());
  V5Client guesser(e2e.cluster.udpPort(0), kBob, "wrong", "127.0.0.151");
  for (int i = 0; i < 5; ++i) REQUIRE(guesser.login() == LoginOutcome::bad_password);
  for (int i = 0; i < 3; ++i) {
    REQUIRE(guesser.login() == LoginOutcome::try_again);
    const ServerPacket& refusal = guesser.lastRefusal();
    CHECK(refusal.header.sessionId == guesser.sessionId());
    CHECK(refusal.header.seq1 == 0);
    CHECK(refusal.header.seq2 == guesser.lastLoginHeader().seq2);
    CHECK(refusal.header.uin == kBob);
  }
  // Over the limit the password is not looked at: the right one gets the same answer.
  V5Client sameHost(e2e.cluster.udpPort(0), kBob, kBobPassword, "127.0.0.151");
  CHECK(sameHost.login() == LoginOutcome::try_again);

  // Other addresses are untouched, Bob's own included.
  V5Client alice(e2e.cluster.udpPort(0), kAlice, kAlicePassword, "127.0.0.152");
  REQUIRE(alice.login() == LoginOutcome::accepted);
  CHECK(alice.keepAlive());
  V5Client bob(e2e.cluster.udpPort(0), kBob, kBobPassword, "127.0.0.153");
  CHECK(bob.login() == LoginOutcome::accepted);
  CHECK(alice.keepAlive());
}

TEST_CASE("password guesses against one UIN from many addresses hit the per-UIN limit", "[e2e][overload]") {
  E2E e2e({.settings = {"v5.login_rate_per_ip=100", "v5.login_rate_per_uin=3"}});
  INFO(e2e.cluster.logs());
  for (int i = 0; i < 3; ++i) {
    V5Client guesser(e2e.cluster.udpPort(0), kBob, "wrong", "127.0.0." + std::to_string(160 + i));
    REQUIRE(guesser.login() == LoginOutcome::bad_password);
  }
  V5Client fresh(e2e.cluster.udpPort(0), kBob, kBobPassword, "127.0.0.163");
  CHECK(fresh.login() == LoginOutcome::try_again);
  V5Client alice(e2e.cluster.udpPort(0), kAlice, kAlicePassword, "127.0.0.163");
  REQUIRE(alice.login() == LoginOutcome::accepted);
  CHECK(alice.keepAlive());
}

TEST_CASE("CMD_GET_DEPS and registration count against the same per-address limit", "[e2e][overload]") {
  E2E e2e({.settings = {"v5.login_rate_per_ip=2", "v5.registration=true", "auth.argon2_opslimit=1",
                        "auth.argon2_memlimit_kib=8"}});
  INFO(e2e.cluster.logs());
  V5Client host(e2e.cluster.udpPort(0), 0, "", "127.0.0.170");
  host.send(v5::CMD_GET_DEPS, getDepsData(kAlice, "wrong"));
  CHECK(answerTo(host).header.command == v5::SRV_BAD_PASS);
  host.send(v5::CMD_REG_NEW_USER, regNewUserData("newpw"));
  auto registered = answerTo(host);
  CHECK(registered.header.command == v5::SRV_ACK);  // the extended ACK: an account was made
  REQUIRE(host.expect(v5::SRV_NEW_UIN));

  // The third attempt is over the limit, the right password included.
  const v5::ClientHeader deps = host.send(v5::CMD_GET_DEPS, getDepsData(kAlice, kAlicePassword));
  auto refused = answerTo(host);
  CHECK(refused.header.command == v5::SRV_TRY_AGAIN);
  CHECK(refused.header.seq2 == deps.seq2);
  const v5::ClientHeader registration = host.send(v5::CMD_REG_NEW_USER, regNewUserData("newpw"));
  CHECK(answerTo(host).header.command == v5::SRV_TRY_AGAIN);
  // No account this time: a plain SRV_ACK ends it, no SRV_NEW_UIN.
  auto ack = host.expectAckOf(registration);
  REQUIRE(ack);
  CHECK(ack->data.empty());
  CHECK(host.silentFor(300ms));
}

TEST_CASE("with its only worker stopped the gateway answers SRV_TRY_AGAIN, and clients recover when it returns",
          "[e2e][overload]") {
  E2E e2e({.settings = {"worker.credit_window=1", "gateway.queue_limit=2", "gateway.queue_max_age_ms=500"}});
  INFO(e2e.cluster.logs());
  V5Client steady(e2e.cluster.udpPort(0), kAlice, kAlicePassword, "127.0.0.180");
  REQUIRE(steady.login() == LoginOutcome::accepted);
  REQUIRE(steady.keepAlive());

  constexpr size_t kSenders = 4;
  constexpr uint16_t kRounds = 5;
  std::vector<std::unique_ptr<V5Client>> senders;
  for (size_t i = 0; i < kSenders; ++i)
    senders.push_back(std::make_unique<V5Client>(e2e.cluster.udpPort(0), static_cast<uint32_t>(300001 + i), "x",
                                                 "127.0.0." + std::to_string(181 + i)));
  {
    // Kept well under the pipeline's 3 s heartbeat timeout, so the gateway keeps the link.
    Paused paused(e2e.cluster.worker(0));
    // A bounded flood: a few keep-alives from each sender, far more than one credit and a
    // two-datagram queue hold.
    const std::array<uint8_t, 4> random{1, 2, 3, 4};
    std::vector<std::set<uint16_t>> sentSeq2(kSenders);
    for (uint16_t round = 0; round < kRounds; ++round) {
      for (size_t i = 0; i < kSenders; ++i) {
        const v5::ClientHeader h{senders[i]->uin(), static_cast<uint32_t>(0x5E550000 + i), v5::CMD_KEEP_ALIVE,
                                 static_cast<uint16_t>(100 + round), static_cast<uint16_t>(1 + round)};
        senders[i]->resend(h, random);
        sentSeq2[i].insert(h.seq2);
      }
    }
    for (size_t i = 0; i < kSenders; ++i) {
      auto busy = senders[i]->expect(v5::SRV_TRY_AGAIN, 3s);
      REQUIRE(busy);
      CHECK(busy->fromPort == e2e.cluster.udpPort(0));
      CHECK(busy->header.sessionId == 0x5E550000 + i);
      CHECK(busy->header.uin == senders[i]->uin());
      CHECK(busy->header.seq1 == 0);
      CHECK(sentSeq2[i].contains(busy->header.seq2));
    }
    // A well-behaved client is told too (its keep-alive is held, then expires).
    CHECK_FALSE(steady.keepAlive(100ms));
    CHECK(steady.expect(v5::SRV_TRY_AGAIN, 3s));
  }

  // The worker is back and the flood is over: the well-behaved client's keep-alives are
  // answered again. Bounded: a keep-alive still overtaken by the last of the flood is retried.
  const auto deadline = Clock::now() + 10s;
  bool recovered = false;
  while (!recovered && Clock::now() < deadline) recovered = steady.keepAlive(1000ms);
  CHECK(recovered);
}

}  // namespace icq::test
