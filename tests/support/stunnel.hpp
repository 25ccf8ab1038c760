// An stunnel4 client tunnel for tests: plain TCP in on a loopback port, TLS out to a server
// whose certificate it checks against a CA. It is how docs/OPERATIONS.md gets TLS to Redis,
// which hiredis 0.14 cannot speak itself. A real stunnel process in the foreground, its
// config and log in a temporary directory; the destructor kills it.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "tests/support/process.hpp"

namespace icq::test {

class StunnelClient {
public:
  /// Tunnels 127.0.0.1:port() to 127.0.0.1:`serverPort` (client = yes), accepting the
  /// server only if its certificate chains to `caFile` (verifyChain) and names `host`
  /// (checkHost). Returns once the tunnel listens; throws std::runtime_error, failing the
  /// test, if stunnel does not start.
  StunnelClient(int serverPort, std::string caFile, std::string host = "localhost");
  ~StunnelClient();
  StunnelClient(const StunnelClient&) = delete;
  StunnelClient& operator=(const StunnelClient&) = delete;

  int port() const { return port_; }
  /// Waits up to `timeout` for `text` to appear in stunnel's log (its verdict on a
  /// connection is logged as the connection ends, not before the client sees the end).
  bool logShows(const std::string& text, std::chrono::milliseconds timeout) const;
  std::string logTail() const { return process_ ? process_->logTail() : ""; }

private:
  /// Starts on port_; false if stunnel exited before listening (the port was taken).
  bool start();
  void writeConfig() const;

  int serverPort_;
  std::string caFile_;
  std::string host_;
  std::string dir_;
  int port_ = 0;
  std::unique_ptr<ChildProcess> process_;
};

}  // namespace icq::test
