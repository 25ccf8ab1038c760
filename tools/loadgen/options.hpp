// loadgen: what a run is asked to do — the scenario, its size and its bounds. Filled by
// main.cpp from the command line; read-only once the run starts.
#pragma once

#include <cstdint>
#include <limits>
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
  storm,      // `storm` more clients log in all at once while the sessions keep alive at --rate
};

std::optional<Scenario> scenarioFromName(std::string_view name);
const char* scenarioName(Scenario scenario);

struct Options {
  Scenario scenario = Scenario::keepalive;
  util::Endpoint server{0x0100007F, 4000};  // 127.0.0.1:4000
  uint32_t firstUin = 0;
  uint32_t sessions = 1000;
  /// storm: clients beyond `sessions` that log in together when the window opens, with UINs
  /// from `stormFirstUin` (0: right after the sessions'). Their accounts are what the storm
  /// costs the server: at the production argon2id cost, never logged in before (cold caches).
  uint32_t storm = 0;
  uint32_t stormFirstUin = 0;
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
  /// Messaging and offline: keep the delivery ledger (delivery_ledger.hpp) and, after the
  /// window, settle — keep every session alive, logging in again and fetching offline messages
  /// as clients do — until every acknowledged message arrived or `settleTimeoutS` passed.
  bool verify = false;
  double settleTimeoutS = 180;
  std::string timeline;  // a CSV file of per-second counts (run.cpp Progress), or none
  bool progress = true;

  /// The storm's clients, 0 in every other scenario.
  uint32_t stormClients() const { return scenario == Scenario::storm ? storm : 0; }
  /// Every simulated client: sessions 0..sessions-1, then the storm's.
  uint32_t clients() const { return sessions + stormClients(); }
  /// The UIN of client `global` (0..clients()-1).
  uint32_t uinOf(uint32_t global) const {
    return global < sessions ? firstUin + global : stormBase() + (global - sessions);
  }
  /// The client a UIN belongs to; kNoClient for a UIN that is none of ours.
  uint32_t globalOf(uint32_t uin) const {
    if (uin - firstUin < sessions) return uin - firstUin;
    if (uin - stormBase() < stormClients()) return sessions + (uin - stormBase());
    return kNoClient;
  }
  static constexpr uint32_t kNoClient = std::numeric_limits<uint32_t>::max();
  /// The UIN of the storm's first client.
  uint32_t stormBase() const { return stormFirstUin ? stormFirstUin : firstUin + sessions; }
};

}  // namespace icq::loadgen
