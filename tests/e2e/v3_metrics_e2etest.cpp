// The worker's V3 counters on its admin port (docs/METRICS.md): V3 packets, logins and
// decode errors are the version="3" series of the families the V5 ones use.
#include <sstream>
#include <thread>

#include "tests/e2e/v3_fixture.hpp"
#include "tests/support/http_client.hpp"

namespace icq::test {
namespace {

/// The value of `series` (labels as prometheus-cpp sorts them) in the worker's /metrics; -1
/// when absent.
double workerSeries(E2E& e2e, const std::string& series) {
  const HttpReply reply = httpGet(e2e.cluster.adminPort("worker", 0), "/metrics");
  REQUIRE(reply.status == 200);
  std::istringstream body(reply.body);
  for (std::string line; std::getline(body, line);)
    if (line.starts_with(series + " ")) return std::stod(line.substr(series.size() + 1));
  return -1;
}

/// `series` once it reads `expected` (a packet is counted just after its answer is sent), or
/// what it reads after two seconds.
double settled(E2E& e2e, const std::string& series, double expected) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  double value = workerSeries(e2e, series);
  while (value != expected && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    value = workerSeries(e2e, series);
  }
  return value;
}

TEST_CASE("a worker exports its V3 packets, logins and decode errors with version 3", "[e2e][v3][metrics]") {
  E2E e2e;
  INFO(e2e.cluster.logs());
  V3Client alice(e2e.cluster.udpPort(0), kAlice, kAlicePassword, "127.0.4.9");
  V3Client intruder(e2e.cluster.udpPort(0), kBob, "wrong", "127.0.4.10");
  REQUIRE(alice.login() == V3LoginOutcome::accepted);
  REQUIRE(intruder.login() == V3LoginOutcome::wrong_password);
  REQUIRE(alice.expectAckOf(alice.sendMessage(kBob, v3::kMsgText, "kept offline")));

  const std::string packets = "icq_worker_packets_total{command=\"";
  CHECK(settled(e2e, "icq_worker_logins_total{result=\"accepted\",version=\"3\"}", 1) == 1);
  CHECK(settled(e2e, "icq_worker_logins_total{result=\"refused\",version=\"3\"}", 1) == 1);
  CHECK(settled(e2e, packets + "CMD_LOGON\",result=\"ok\",version=\"3\"}", 2) == 2);
  CHECK(settled(e2e, packets + "CMD_THRU_SERVER\",result=\"ok\",version=\"3\"}", 1) == 1);
  CHECK(settled(e2e, "icq_worker_decode_errors_total{reason=\"malformed\",version=\"3\"}", 0) == 0);
  // The V5 series are still there, apart.
  CHECK(settled(e2e, "icq_worker_logins_total{result=\"accepted\",version=\"5\"}", 0) == 0);
}

}  // namespace
}  // namespace icq::test
