// icqd, every role in one process, and what every binary does with bad configuration.
#include <signal.h>
#include <unistd.h>

#include "tests/e2e/e2e_fixture.hpp"
#include "tests/support/http_client.hpp"

namespace icq::test {

TEST_CASE("icqd serves logins, keep-alives and logoffs with every role in one process", "[e2e][icqd]") {
  RedisServer redis;
  PgDatabase database;
  uint16_t port = freeUdpPort();
  uint16_t admin = freeTcpPort();
  std::vector<std::string> flags = redis.configFlags();
  flags.insert(flags.end(), {"--set", "postgres.url=" + database.url(), "--set", "gateway.udp_bind=127.0.0.1", "--set",
                             "gateway.udp_port=" + std::to_string(port), "--set", "icqd.workers=2", "--set",
                             "admin.listen=127.0.0.1:" + std::to_string(admin)});
  ChildProcess icqd(ICQD_BIN, flags, "/tmp/icqd-e2e-" + std::to_string(::getpid()) + ".log");
  createTestUser(database, kAlice, kAlicePassword);
  INFO(icqd.logTail());
  V5Client alice(port, kAlice, kAlicePassword);
  LoginOutcome outcome = LoginOutcome::no_answer;
  for (int attempt = 0; attempt < 20 && outcome == LoginOutcome::no_answer; ++attempt) outcome = alice.login(500ms);
  REQUIRE(outcome == LoginOutcome::accepted);
  CHECK(alice.keepAlive());
  // One admin port for every role: the gateway's, both workers' and the scheduler's families.
  HttpReply metrics = httpGet(admin, "/metrics");
  REQUIRE(metrics.status == 200);
  for (const char* series : {"icq_gateway_udp_packets_received_total{version=\"5\"}", "icq_online_users 1",
                             "icq_worker_logins_total{result=\"accepted\",version=\"5\"} ",
                             "icq_scheduler_job_runs_total{job=\"expire_sessions\"", "process_open_fds"})
    CHECK_THAT(metrics.body, Catch::Contains(series));
  CHECK(httpGet(admin, "/healthz").status == 200);
  CHECK(waitReady(admin));
  CHECK(alice.logoff() == v5::SRV_ACK);
  CHECK_FALSE(alice.keepAlive());
  V5Client wrong(port, kAlice, "nope");
  CHECK(wrong.login() == LoginOutcome::bad_password);
  CHECK(icqd.stop(SIGTERM) == 0);  // a clean stop of every role
}

TEST_CASE("binaries refuse bad configuration with exit code 2, naming the key", "[e2e][config]") {
  for (const char* binary : {ICQ_GATEWAY_BIN, ICQ_WORKER_BIN, ICQ_SCHEDULER_BIN, ICQD_BIN}) {
    std::string log = "/tmp/icq-badconfig-" + std::to_string(::getpid()) + ".log";
    ::unlink(log.c_str());
    ChildProcess process(binary, {"--set", "gateway.udp_port=70000"}, log);
    CHECK(process.wait(std::chrono::seconds(5)) == 2);
    CHECK_THAT(process.logTail(), Catch::Contains("gateway.udp_port") && Catch::Contains("0..65535"));
  }
}

}  // namespace icq::test
