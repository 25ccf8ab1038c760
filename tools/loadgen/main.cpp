// icq-loadgen: simulates many V5 clients against any V5 server address and reports
// throughput, latency percentiles, errors, retransmits and busy replies (text, and JSON with
// --json). Bounded in time (--duration) and count (--max-ops); loopback sources only. With
// --verify it also checks that every message acknowledged to a sender reached its recipient,
// names any that did not, and exits with status 3 if one was lost.
#include <arpa/inet.h>

#include <CLI/CLI.hpp>
#include <fstream>
#include <iostream>

#include "tools/loadgen/report.hpp"
#include "tools/loadgen/run.hpp"

namespace {

std::optional<icq::util::Endpoint> parseHostPort(const std::string& text) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos) return std::nullopt;
  const auto ip = icq::util::parseIp(text.substr(0, colon));
  const int port = std::atoi(text.c_str() + colon + 1);
  if (!ip || port <= 0 || port > 65535) return std::nullopt;
  return icq::util::Endpoint{*ip, static_cast<uint16_t>(port)};
}

}  // namespace

int main(int argc, char** argv) {
  using namespace icq::loadgen;
  CLI::App app{"icq-loadgen — many simulated ICQ V5 clients from 127/8 addresses"};
  Options o;
  std::string scenario = "keepalive", server = "127.0.0.1:4000", firstSource = "127.1.0.1", jsonPath;
  double rtoS = 2.0;
  unsigned maxTries = o.maxTries;
  bool quiet = false;
  app.add_option("--scenario", scenario, "raw | keepalive | churn | messaging | presence | offline | storm");
  app.add_option("--server", server, "V5 server (or, for raw, echo server) address host:port");
  app.add_option("--first-uin", o.firstUin, "UIN of session 0; sessions use consecutive UINs")->required();
  app.add_option("--sessions", o.sessions, "Simulated clients (storm: the ones online before it)");
  app.add_option("--storm", o.storm, "Storm: clients that log in all at once when the window opens");
  app.add_option("--storm-first-uin", o.stormFirstUin, "Storm: UIN of its first client (default: after the sessions')");
  app.add_option("--password", o.password, "Password of every account");
  app.add_option("--rate", o.rate, "Offered operations per second in total; 0 = flat out");
  app.add_option("--inflight", o.inflight, "Flat out: operations outstanding per thread");
  app.add_option("--duration", o.durationS, "Seconds of measurement (offline: per phase)");
  app.add_option("--max-ops", o.maxOps, "Stop the measurement after this many operations");
  app.add_option("--sessions-per-socket", o.sessionsPerSocket, "Clients sharing one source address and port");
  app.add_option("--threads", o.threads, "Load threads");
  app.add_option("--first-source", firstSource, "First source address; socket k binds this + k");
  app.add_option("--contacts", o.contacts, "Contact-list size uploaded after login (keepalive, churn)");
  app.add_option("--fanout", o.fanout, "Watchers per status-changing user (presence)");
  app.add_option("--offline-messages", o.offlineMessages, "Messages per offline recipient (offline)");
  app.add_option("--rto", rtoS, "Seconds before an unacknowledged request is sent again");
  app.add_option("--max-tries", maxTries, "Sends of a request before it counts as lost (1..255)");
  app.add_option("--login-window", o.loginWindow, "Logins in flight per thread while connecting");
  app.add_option("--connect-timeout", o.connectTimeoutS, "Seconds the login ramp may take");
  app.add_option("--hook", o.hook, "Shell command run as '<hook> online' and '<hook> end' around the measurement");
  app.add_flag(
      "--verify", o.verify,
      "Messaging, offline: check that every acknowledged message arrives; settle after the window until it did");
  app.add_option("--settle-timeout", o.settleTimeoutS, "--verify: seconds the settling after the window may take");
  app.add_option("--timeline", o.timeline, "Write one CSV row of counts per second to this file");
  app.add_option("--json", jsonPath, "Write the JSON report to this file ('-': standard output)");
  app.add_flag("--quiet", quiet, "No progress line");
  CLI11_PARSE(app, argc, argv);

  const auto scenarioValue = scenarioFromName(scenario);
  const auto serverValue = parseHostPort(server);
  const auto sourceValue = icq::util::parseIp(firstSource);
  if (!scenarioValue || !serverValue || !sourceValue || o.sessions == 0) {
    std::cerr << "icq-loadgen: bad --scenario, --server, --first-source or --sessions\n";
    return 2;
  }
  // Loopback only: this tool floods, and the 127/8 source addresses exist only there.
  if ((ntohl(serverValue->ip) >> 24) != 127 || (ntohl(*sourceValue) >> 24) != 127) {
    std::cerr << "icq-loadgen: --server and --first-source must be in 127.0.0.0/8\n";
    return 2;
  }
  if (*scenarioValue == Scenario::storm) {
    // The storm's UINs must not be the sessions' (a UIN names one client).
    const uint64_t stormFirst = o.stormFirstUin ? o.stormFirstUin : uint64_t{o.firstUin} + o.sessions;
    const bool overlap = stormFirst < uint64_t{o.firstUin} + o.sessions && uint64_t{o.firstUin} < stormFirst + o.storm;
    if (o.storm == 0 || o.rate <= 0 || overlap) {
      std::cerr << "icq-loadgen: storm needs --storm > 0, a --rate for the online sessions, and storm UINs apart "
                   "from theirs\n";
      return 2;
    }
  }
  if (o.verify && *scenarioValue != Scenario::messaging && *scenarioValue != Scenario::offline) {
    std::cerr << "icq-loadgen: --verify counts messages: use it with --scenario messaging or offline\n";
    return 2;
  }
  if (maxTries < 1 || maxTries > 255) {
    std::cerr << "icq-loadgen: --max-tries must be 1..255\n";
    return 2;
  }
  o.maxTries = static_cast<uint8_t>(maxTries);
  o.scenario = *scenarioValue;
  o.server = *serverValue;
  o.firstSourceIp = ntohl(*sourceValue);
  o.rtoMs = static_cast<int64_t>(rtoS * 1000);
  o.progress = !quiet;

  RunResult result;
  try {
    result = runLoad(o);
  } catch (const std::exception& e) {
    std::cerr << "icq-loadgen: " << e.what() << "\n";
    return 1;
  }
  std::cout << textReport(result);
  if (!jsonPath.empty()) {
    const std::string json = jsonReport(result).dump(2) + "\n";
    if (jsonPath == "-") {
      std::cout << json;
    } else {
      std::ofstream(jsonPath) << json;
    }
  }
  return result.delivery && result.delivery->lost > 0 ? 3 : 0;
}
