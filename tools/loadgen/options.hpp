// loadgen: what a run is asked to do — the scenario, its size and its bounds. Filled by
// main.cpp from the command line; read-only once the run starts.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/util/endpoint.hpp"

namespace icq::loadgen {

enum class Scenario : uint8_t {
  raw,        // the baseline: datagrams to an echo server, no protocol
  keepalive,  // N sessions online, each keeping alive
  churn,      // log in, upload a contact list, log off, repeat
  messaging,  // pairs of online users exchanging messages
  presence,   // status changes of users watched by `fanout` others
  offline,    // messages to offline users, then their login
};

std::optional<Scenario> scenarioFromName(std::string_view name);
const char* scenarioName(Scenario scenario);

struct Options {
  Scenario scenario = Scenario::keepalive;
  util::Endpoint server{0x0100007F, 4000};  // 127.0.0.1:4000
  uint32_t firstUin = 0;
  uint32_t sessions = 1000;
  std::string password;
  /// Offered operations per second during the measurement, all sessions together; 0 is
  /// "flat out": a closed loop with `inflight` operations outstanding per thread.
  double rate = 0;
  uint32_t inflight = 512;
  double durationS = 10;
  uint64_t maxOps = 0;  // stop the measurement after this many operations (0: only the time bound)
  uint32_t sessionsPerSocket = 100;
  uint32_t threads = 1;
  uint32_t firstSourceIp = 0x7F010001;  // 127.1.0.1, host order; socket k uses this + k
  uint32_t contacts = 0;                // uploaded after each login (keepalive, churn)
  uint32_t fanout = 10;                 // watchers per status-changing user (presence)
  uint32_t offlineMessages = 10;        // per offline recipient (offline)
  int64_t rtoMs = 2000;                 // retransmission timeout of our own requests
  uint8_t maxTries = 5;                 // sends of a request before it counts as lost
  uint32_t loginWindow = 256;           // logins (and logoffs) in flight per thread while ramping
  double connectTimeoutS = 300;         // the whole login ramp
  std::string hook;                     // shell command run as `hook online` and `hook end`
  bool progress = true;
};

}  // namespace icq::loadgen
