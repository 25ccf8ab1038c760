// StunnelClient: the config file, the process, and readiness read from /proc/net/tcp (a
// probe connection would make the tunnel dial the server and log a verdict of its own);
// see stunnel.hpp.
#include "tests/support/stunnel.hpp"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "tests/support/http_client.hpp"

namespace icq::test {
namespace {

constexpr int kStartAttempts = 5;  // a free port can be taken between probe and bind
constexpr auto kReadyTimeout = std::chrono::seconds(10);
constexpr auto kPollInterval = std::chrono::milliseconds(10);

/// Whether a socket is listening on 127.0.0.1:`port`: a line of /proc/net/tcp with that
/// local address ("0100007F:" and the port in hex) in state 0A (LISTEN).
bool listening(int port) {
  char local[32];
  std::snprintf(local, sizeof local, "0100007F:%04X", port);
  std::ifstream table("/proc/net/tcp");
  for (std::string line; std::getline(table, line);) {
    std::istringstream fields(line);
    std::string slot, address, remote, state;
    fields >> slot >> address >> remote >> state;
    if (address == local && state == "0A") return true;
  }
  return false;
}

}  // namespace

StunnelClient::StunnelClient(int serverPort, std::string caFile, std::string host)
    : serverPort_(serverPort), caFile_(std::move(caFile)), host_(std::move(host)) {
  dir_ = makeTempDir("icq-stunnel-");
  for (int attempt = 0; attempt < kStartAttempts; ++attempt) {
    port_ = freeTcpPort();
    if (port_ != 0 && start()) return;
  }
  const std::string log = logTail();
  std::filesystem::remove_all(dir_);
  throw std::runtime_error("stunnel did not start:\n" + log);
}

StunnelClient::~StunnelClient() {
  process_.reset();
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

// The client side of the tunnel docs/OPERATIONS.md gives, on loopback ports.
void StunnelClient::writeConfig() const {
  std::ofstream(dir_ + "/stunnel.conf") << "foreground = yes\n"
                                        << "pid =\n"
                                        << "debug = notice\n"
                                        << "[redis]\n"
                                        << "client = yes\n"
                                        << "accept = 127.0.0.1:" << port_ << "\n"
                                        << "connect = 127.0.0.1:" << serverPort_ << "\n"
                                        << "CAfile = " << caFile_ << "\n"
                                        << "verifyChain = yes\n"
                                        << "checkHost = " << host_ << "\n";
}

bool StunnelClient::start() {
  writeConfig();
  process_ = std::make_unique<ChildProcess>(findInPath("stunnel4"), std::vector<std::string>{dir_ + "/stunnel.conf"},
                                            dir_ + "/stunnel.log");
  const auto deadline = std::chrono::steady_clock::now() + kReadyTimeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (!process_->alive()) return false;
    if (listening(port_)) return true;
    std::this_thread::sleep_for(kPollInterval);
  }
  return false;
}

bool StunnelClient::logShows(const std::string& text, std::chrono::milliseconds timeout) const {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (logTail().find(text) == std::string::npos) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(kPollInterval);
  }
  return true;
}

}  // namespace icq::test
