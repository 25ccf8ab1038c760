// icq-loadgen against a real cluster: its sessions log in, keep alive, exchange messages and
// churn through login and logoff with no error, every request acknowledged, and log off; a
// login storm brings every one of its clients online while the others keep alive; its
// delivery ledger (--verify) accounts for every acknowledged message, also across a worker
// killed mid-window.
#include <catch2/catch.hpp>

#include <filesystem>
#include <future>
#include <thread>

#include "tests/support/cluster.hpp"
#include "tests/support/pg_database.hpp"
#include "tests/support/redis_server.hpp"
#include "tools/loadgen/report.hpp"
#include "tools/loadgen/run.hpp"

namespace icq::test {
namespace {

using loadgen::Counter;

constexpr uint32_t kFirstUin = 810000;
constexpr uint32_t kSessions = 50;
constexpr const char* kPassword = "loadgen1";

struct LoadgenE2E {
  LoadgenE2E() : cluster(redis, database, ClusterOptions{1, 2, true, {}}) {
    for (uint32_t i = 0; i < kSessions; ++i) cluster.createUser(kFirstUin + i, kPassword);
    INFO(cluster.logs());
    REQUIRE(cluster.waitUntilServing());
  }

  loadgen::Options options(loadgen::Scenario scenario) const {
    loadgen::Options o;
    o.scenario = scenario;
    o.server = util::Endpoint{*util::parseIp("127.0.0.1"), cluster.udpPort(0)};
    o.firstUin = kFirstUin;
    o.sessions = kSessions;
    o.password = kPassword;
    // Ten sources of five clients each: several clients per socket, several sockets, and well
    // inside the default per-source token bucket and login rate.
    o.sessionsPerSocket = 5;
    o.firstSourceIp = 0x7F240001;  // 127.36.0.1
    o.durationS = 3;
    o.rate = 200;  // a paced run: every session acts a dozen times
    o.connectTimeoutS = 30;
    o.progress = false;
    return o;
  }

  RedisServer redis;
  PgDatabase database;
  Cluster cluster;
};

void requireClean(const loadgen::RunResult& r) {
  INFO(loadgen::textReport(r));
  CHECK(r.onlineReached == r.onlineWanted);
  CHECK(r.errors() == 0);
  CHECK(r.totalAt(Counter::busy) == 0);
  CHECK(r.totalAt(Counter::logoffs) >= r.onlineWanted);  // every session logged off at the end
}

}  // namespace

TEST_CASE("loadgen keep-alive sessions are all acknowledged by a real cluster", "[e2e][loadgen]") {
  LoadgenE2E t;
  const auto r = loadgen::runLoad(t.options(loadgen::Scenario::keepalive));
  requireClean(r);
  CHECK(r.totalAt(Counter::logins) == kSessions);
  CHECK(r.at(Counter::keepalives_acked) > 0);
  // Every acknowledged keep-alive has its latency recorded. The window's counters are a
  // snapshot the controller takes while the load thread goes on, so an ack landing at either
  // edge of the window may be in one and not the other: at most one per edge per thread.
  const auto sameUpToEdges = [&](uint64_t latencies) {
    const uint64_t acked = r.at(Counter::keepalives_acked);
    return (latencies > acked ? latencies - acked : acked - latencies) <= 2;
  };
  CHECK(sameUpToEdges(r.latency(loadgen::Latency::keepalive_ack).count()));
  const auto json = loadgen::jsonReport(r);
  CHECK(json["errors"] == 0);
  CHECK(sameUpToEdges(json["latency"]["keepalive_ack"]["count"].get<uint64_t>()));
}

TEST_CASE("loadgen messages between online pairs are delivered and acknowledged", "[e2e][loadgen]") {
  LoadgenE2E t;
  auto o = t.options(loadgen::Scenario::messaging);
  o.verify = true;
  const auto r = loadgen::runLoad(o);
  requireClean(r);
  CHECK(r.at(Counter::messages_sent) > 0);
  // Every message acknowledged by the server reaches its online recipient exactly once
  // (retransmissions are filtered by the server's duplicate window).
  CHECK(r.totalAt(Counter::messages_delivered) == r.totalAt(Counter::messages_acked));
  CHECK(r.totalAt(Counter::messages_acked) == r.totalAt(Counter::messages_sent));
  // The ledger matched each of them by name.
  REQUIRE(r.delivery);
  CHECK(r.delivery->acked == r.totalAt(Counter::messages_acked));
  CHECK(r.delivery->received == r.delivery->acked);
  CHECK(r.delivery->lost == 0);
  CHECK(r.delivery->duplicates == 0);
  CHECK(loadgen::jsonReport(r)["delivery"]["lost"] == 0);
}

TEST_CASE("loadgen verify finds every acknowledged message delivered across a worker killed mid-window",
          "[e2e][loadgen]") {
  LoadgenE2E t;
  const std::string dir = makeTempDir("loadgen-hook");
  auto o = t.options(loadgen::Scenario::messaging);
  o.verify = true;
  o.durationS = 4;
  o.settleTimeoutS = 90;
  o.rtoMs = 500;  // clients retransmit soon after the kill, as the protocol's do within seconds
  o.maxTries = 10;
  o.hook = "sh -c 'touch \"$0/$1\"' " + dir;  // <dir>/online when the window opens
  auto run = std::async(std::launch::async, [&] { return loadgen::runLoad(o); });
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!std::filesystem::exists(dir + "/online") && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  REQUIRE(std::filesystem::exists(dir + "/online"));
  t.cluster.worker(0).kill();
  t.cluster.addWorker();
  const auto r = run.get();
  INFO(loadgen::textReport(r));
  INFO(t.cluster.logs());
  REQUIRE(r.delivery);
  CHECK(r.delivery->acked > 0);
  CHECK(r.delivery->lost == 0);
  CHECK(r.delivery->missing.empty());
  std::filesystem::remove_all(dir);
}

TEST_CASE("loadgen login churn completes cycles of login, contact list and logoff", "[e2e][loadgen]") {
  LoadgenE2E t;
  auto o = t.options(loadgen::Scenario::churn);
  o.contacts = 20;
  o.rate = 0;  // each session runs its own closed loop
  const auto r = loadgen::runLoad(o);
  requireClean(r);
  CHECK(r.at(Counter::cycles) > 0);
  CHECK(r.totalAt(Counter::logins) >= r.totalAt(Counter::cycles));
}

TEST_CASE("loadgen offline messages are stored, then delivered at the recipients' login", "[e2e][loadgen]") {
  LoadgenE2E t;
  auto o = t.options(loadgen::Scenario::offline);
  o.offlineMessages = 3;
  o.rate = 0;
  const auto r = loadgen::runLoad(o);
  requireClean(r);
  const uint64_t recipients = kSessions / 2;
  CHECK(r.totalAt(Counter::messages_acked) == recipients * 3);
  CHECK(r.totalAt(Counter::offline_delivered) == recipients * 3);
  CHECK(r.totalAt(Counter::offline_logins_done) == recipients);
}

TEST_CASE("loadgen login storm brings every storm client online while the others keep alive", "[e2e][loadgen]") {
  LoadgenE2E t;
  auto o = t.options(loadgen::Scenario::storm);
  o.sessions = 20;                   // online first, keeping alive at o.rate
  o.storm = 10;                      // then these log in together (minimum-cost hashes here)
  o.stormFirstUin = kFirstUin + 40;  // a UIN range of their own, as the bench's production-cost pool
  o.durationS = 30;                  // a bound only: the window ends once the storm is online
  const auto r = loadgen::runLoad(o);
  INFO(loadgen::textReport(r));
  CHECK(r.onlineReached == 20);
  CHECK(r.errors() == 0);
  CHECK(r.totalAt(Counter::busy) == 0);
  CHECK(r.totalAt(Counter::storm_logins) == 10);
  CHECK(r.latency(loadgen::Latency::storm_login).count() == 10);
  CHECK(r.totalAt(Counter::logins) >= 30);   // a login retransmitted on a slow machine is answered twice
  CHECK(r.totalAt(Counter::logoffs) >= 30);  // the storm's clients logged off at the end too
  // Only the online sessions' keep-alives are counted, each with its latency (up to the edges
  // of the window, as in the keep-alive test).
  const uint64_t acked = r.at(Counter::keepalives_acked);
  const uint64_t latencies = r.latency(loadgen::Latency::keepalive_ack).count();
  CHECK((latencies > acked ? latencies - acked : acked - latencies) <= 2);
  const auto json = loadgen::jsonReport(r);
  CHECK(json["storm_online"] == 10);
  CHECK(json["storm_first_uin"] == kFirstUin + 40);
  CHECK(!json["storm_all_online_s"].is_null());
}

}  // namespace icq::test
