// The admin port of every process against a real cluster: /metrics holds the agreed
// families with values that follow a scripted V5 session, /healthz and /readyz answer,
// and SIGTERM flips /readyz to 503 at once while the process drains without losing an
// acknowledged message (docs/METRICS.md, issue 6).
#include <signal.h>

#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <ctime>
#include <set>
#include <sstream>
#include <thread>

#include "common/codec/v5/message.hpp"
#include "tests/e2e/e2e_fixture.hpp"
#include "tests/support/http_client.hpp"

namespace icq::test {
namespace {

constexpr double kAbsent = -1;

/// The value of one exposition line "series value", `series` as prometheus-cpp renders it
/// (labels sorted by name); kAbsent when the series is not there.
double sample(const std::string& metrics, const std::string& series) {
  std::istringstream lines(metrics);
  std::string line;
  while (std::getline(lines, line))
    if (line.size() > series.size() && line.compare(0, series.size(), series) == 0 && line[series.size()] == ' ')
      return std::strtod(line.c_str() + series.size() + 1, nullptr);
  return kAbsent;
}

/// Unix time now, to the nanosecond: time(nullptr) truncates to whole seconds, and a process
/// that started in the current second would look as if it started "after now".
double unixNow() { return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count(); }

bool hasFamily(const std::string& metrics, const std::string& family) {
  return metrics.find("# TYPE " + family + " ") != std::string::npos;
}

std::string scrape(uint16_t port) {
  HttpReply reply = httpGet(port, "/metrics");
  REQUIRE(reply.status == 200);
  REQUIRE(reply.headers.find("text/plain; version=0.0.4") != std::string::npos);
  return reply.body;
}

/// Polls /readyz right after a signal, while the process drains: true once it said 503
/// with "draining" in its body.
bool sawDraining(uint16_t port) {
  for (int i = 0; i < 200; ++i) {
    HttpReply reply = httpGet(port, "/readyz");
    if (reply.status == 503 && reply.body.find("\"draining\":\"draining\"") != std::string::npos) return true;
    if (reply.status == 0) return false;  // gone before we saw it
  }
  return false;
}

const char* const kEveryProcess[] = {"icq_build_info",
                                     "icq_ready",
                                     "process_cpu_seconds_total",
                                     "process_resident_memory_bytes",
                                     "process_virtual_memory_bytes",
                                     "process_open_fds",
                                     "process_max_fds",
                                     "process_start_time_seconds",
                                     "icq_redis_command_duration_seconds",
                                     "icq_redis_errors_total"};

}  // namespace

TEST_CASE("every process exports the agreed families, with values that follow a V5 session", "[e2e][ops]") {
  const double beforeStart = unixNow();
  E2E e(ClusterOptions{.gateways = 1, .workers = 1});
  const uint16_t gateway = e.cluster.adminPort("gateway", 0);
  const uint16_t worker = e.cluster.adminPort("worker", 0);
  const uint16_t scheduler = e.cluster.adminPort("scheduler", 0);
  INFO(e.cluster.logs());
  for (uint16_t port : {gateway, worker, scheduler}) {
    REQUIRE(waitReady(port));
    CHECK(httpGet(port, "/healthz").status == 200);
  }
  // A wrong address is a 404, not a crash; the admin port keeps serving.
  CHECK(httpGet(gateway, "/nope").status == 404);

  const std::string before = scrape(gateway);
  const double receivedBefore = sample(before, "icq_gateway_udp_packets_received_total{version=\"5\"}");
  REQUIRE(receivedBefore >= 1);  // the fixture's probes

  V5Client alice(e.cluster.udpPort(0), kAlice, kAlicePassword);
  REQUIRE(alice.login() == LoginOutcome::accepted);
  REQUIRE(alice.keepAlive());
  REQUIRE(alice.expectAckOf(alice.sendMessage(kBob, v5::kMsgText, "are you there?")));  // bob is offline
  V5Client wrong(e.cluster.udpPort(0), kBob, "not his password");
  REQUIRE(wrong.login() == LoginOutcome::bad_password);
  const uint8_t junk[] = {0x05, 0x00, 0x00};  // a V5 version field and nothing else
  alice.sendRaw(junk);
  const double sentByUs = 5;  // login, keep-alive, message, wrong login, junk (plus ACKs of server packets)

  // The scheduler's cluster gauge sees alice online.
  std::string s = scrape(scheduler);
  CHECK(sample(s, "icq_online_users") == 1);
  CHECK(sample(s, "icq_retransmit_queue_depth") >= 0);
  CHECK(sample(s, "icq_ready") == 1);

  std::string g = scrape(gateway);
  CHECK(sample(g, "icq_gateway_udp_packets_received_total{version=\"5\"}") >= receivedBefore + sentByUs);
  CHECK(sample(g, "icq_gateway_udp_packets_received_total{version=\"3\"}") >= 0);
  CHECK(sample(g, "icq_gateway_udp_packets_sent_total") >= 4);
  CHECK(sample(g, "icq_gateway_udp_bytes_received_total") >= 24 * sentByUs);
  CHECK(sample(g, "icq_gateway_udp_bytes_sent_total") > 0);
  CHECK(sample(g, "icq_gateway_packets_dropped_total{reason=\"too_short\"}") >= 1);  // the junk
  CHECK(sample(g, "icq_gateway_busy_replies_total") == 0);
  CHECK(sample(g, "icq_gateway_workers_connected") == 1);
  CHECK(sample(g, "icq_gateway_worker_credits") > 0);
  CHECK(sample(g, "icq_gateway_hold_queue_depth") == 0);
  CHECK(sample(g, "icq_gateway_queue_wait_seconds_count") >= sentByUs - 1);
  CHECK(sample(g, "icq_redis_command_duration_seconds_count{op=\"set\"}") >= 1);  // registration heartbeats
  CHECK(sample(g, "icq_redis_errors_total{op=\"set\"}") == 0);

  std::string w = scrape(worker);
  CHECK(sample(w, "icq_worker_packets_total{command=\"CMD_LOGIN\",result=\"ok\",version=\"5\"}") == 2);
  CHECK(sample(w, "icq_worker_packets_total{command=\"CMD_KEEP_ALIVE\",result=\"ok\",version=\"5\"}") >= 1);
  CHECK(sample(w, "icq_worker_packets_total{command=\"CMD_SEND_MESSAGE\",result=\"ok\",version=\"5\"}") == 1);
  CHECK(sample(w, "icq_worker_packets_total{command=\"CMD_KEEP_ALIVE\",result=\"not_connected\",version=\"5\"}") >=
        1);  // the fixture's probes
  CHECK(sample(w, "icq_worker_logins_total{result=\"accepted\",version=\"5\"}") == 1);
  CHECK(sample(w, "icq_worker_logins_total{result=\"refused\",version=\"5\"}") == 1);
  CHECK(sample(w, "icq_worker_messages_total{outcome=\"offline\"}") == 1);
  CHECK(sample(w, "icq_worker_messages_total{outcome=\"online\"}") == 0);
  CHECK(sample(w, "icq_worker_busy_replies_total") == 0);
  CHECK(sample(w, "icq_worker_decode_errors_total{reason=\"malformed\",version=\"5\"}") == 0);
  CHECK(sample(w, "icq_worker_batch_duration_seconds_count") >= 4);
  CHECK(sample(w, "icq_worker_stage_duration_seconds_count{stage=\"login\"}") >= 2);
  CHECK(sample(w, "icq_worker_stage_duration_seconds_count{stage=\"session\"}") >= 4);
  CHECK(sample(w, "icq_worker_gateway_links") == 1);
  CHECK(sample(w, "icq_db_query_duration_seconds_count{query=\"find_credentials\"}") >= 2);
  CHECK(sample(w, "icq_db_query_duration_seconds_count{query=\"store_offline\"}") == 1);
  CHECK(sample(w, "icq_db_errors_total{query=\"find_credentials\"}") == 0);
  CHECK(sample(w, "icq_redis_command_duration_seconds_count{op=\"other\"}") == kAbsent);  // labels stay bounded

  for (const std::string* text : {&g, &w, &s})
    for (const char* family : kEveryProcess) {
      INFO(family);
      CHECK(hasFamily(*text, family));
    }
  for (const char* family : {"icq_scheduler_job_duration_seconds", "icq_scheduler_job_runs_total",
                             "icq_scheduler_job_last_success_timestamp_seconds", "icq_scheduler_nudges_total",
                             "icq_db_query_duration_seconds", "icq_db_errors_total"}) {
    INFO(family);
    CHECK(hasFamily(s, family));
  }
  // The sessions' owners resend and expire them: those families come from the workers.
  for (const char* family : {"icq_retransmits_total", "icq_retransmit_giveups_total", "icq_sessions_expired_total",
                             "icq_worker_sessions_held", "icq_worker_membership_epoch", "icq_worker_authoritative"}) {
    INFO(family);
    CHECK(hasFamily(w, family));
  }
  CHECK(sample(w, "icq_worker_sessions_held") == 1);  // alice, logged in
  CHECK(sample(w, "icq_worker_authoritative") == 1);
  CHECK(sample(s, "icq_scheduler_job_runs_total{job=\"expire_sessions\",result=\"ok\"}") >= 1);
  CHECK(sample(s, "icq_scheduler_job_last_success_timestamp_seconds{job=\"expire_sessions\"}") >
        static_cast<double>(std::time(nullptr) - 60));
  // process_start_time_seconds is never later than the true start (so never after now, read
  // after the scrape), and earlier by at most one clock tick plus the moment between two clock
  // reads (common/ops/process_metrics.hpp); the processes started after beforeStart. The
  // half second covers that moment on a machine busy enough to preempt the scrape there.
  const double now = unixNow();
  const double tick = 1.0 / static_cast<double>(::sysconf(_SC_CLK_TCK));
  for (const std::string* text : {&g, &w, &s}) {
    const double started = sample(*text, "process_start_time_seconds");
    CHECK(started <= now);
    CHECK(started >= beforeStart - tick - 0.5);
  }

  REQUIRE(alice.logoff() == v5::SRV_ACK);
  CHECK(sample(scrape(scheduler), "icq_online_users") == 0);
}

TEST_CASE("SIGTERM flips /readyz to 503 at once and the drain loses no acknowledged message", "[e2e][ops][drain]") {
  E2E e(ClusterOptions{.gateways = 1, .workers = 2});
  INFO(e.cluster.logs());
  const uint16_t worker0 = e.cluster.adminPort("worker", 0);
  const uint16_t gateway = e.cluster.adminPort("gateway", 0);
  REQUIRE(waitReady(worker0));
  REQUIRE(waitReady(e.cluster.adminPort("worker", 1)));
  REQUIRE(waitReady(gateway));

  V5Client alice(e.cluster.udpPort(0), kAlice, kAlicePassword);
  V5Client bob(e.cluster.udpPort(0), kBob, kBobPassword);
  REQUIRE(alice.login() == LoginOutcome::accepted);
  REQUIRE(bob.login() == LoginOutcome::accepted);

  // Messages go out while worker 0 drains: each is retransmitted (same sequence numbers)
  // until acknowledged, as a client does, and every acknowledged one must reach bob.
  ::kill(e.cluster.worker(0).pid(), SIGTERM);
  CHECK(sawDraining(worker0));
  constexpr int kMessages = 20;
  int acknowledged = 0;
  for (int i = 0; i < kMessages; ++i) {
    std::string text = "drain " + std::to_string(i);
    auto sent = alice.sendMessage(kBob, v5::kMsgText, text);
    bool acked = static_cast<bool>(alice.expectAckOf(sent, std::chrono::milliseconds(500)));
    for (int retry = 0; retry < 5 && !acked; ++retry) {
      std::vector<uint8_t> body(8 + text.size() + 1);
      body.resize(v5::buildSendMessageData(kBob, v5::kMsgText,
                                           {reinterpret_cast<const uint8_t*>(text.data()), text.size()}, body));
      alice.resend(sent, body);
      acked = static_cast<bool>(alice.expectAckOf(sent, std::chrono::milliseconds(500)));
    }
    acknowledged += acked ? 1 : 0;
  }
  CHECK(acknowledged == kMessages);
  CHECK(e.cluster.worker(0).wait(std::chrono::seconds(10)) == 0);

  std::set<std::string> delivered;
  for (const ServerPacket& p : bob.receiveUntil(0xFFFF, std::chrono::milliseconds(3000))) {
    if (p.header.command != v5::SRV_SYS_DELIVERED_MESS) continue;
    v5::ReceivedMessage m;
    REQUIRE(v5::parseOnlineMessageBody(p.data, m));
    delivered.insert(std::string(m.text.begin(), m.text.end()));
  }
  CHECK(delivered.size() == static_cast<size_t>(acknowledged));

  // The gateway too: 503 at once, then a clean exit after its drain.
  ::kill(e.cluster.gateway(0).pid(), SIGTERM);
  CHECK(sawDraining(gateway));
  CHECK(e.cluster.gateway(0).wait(std::chrono::seconds(10)) == 0);
}

TEST_CASE("an admin port that cannot be bound stops the process, naming admin.listen", "[e2e][ops]") {
  E2E e(ClusterOptions{.gateways = 1, .workers = 1, .scheduler = false});
  const uint16_t taken = e.cluster.adminPort("gateway", 0);
  std::string log = "/tmp/icq-admin-taken-" + std::to_string(::getpid()) + ".log";
  std::vector<std::string> flags = e.redis.configFlags();
  flags.insert(flags.end(), {"--set", "postgres.url=" + e.database.url(), "--set",
                             "admin.listen=127.0.0.1:" + std::to_string(taken)});
  ChildProcess second(ICQ_WORKER_BIN, flags, log);
  CHECK(second.wait(std::chrono::seconds(15)) == 1);
  CHECK_THAT(second.logTail(), Catch::Contains("admin.listen"));
}

}  // namespace icq::test
