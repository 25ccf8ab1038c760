// A private redis-server for tests that need a real Redis (STYLE.md §7 "_redistest"): a
// free loopback port and a Unix socket in its own directory, with an append-only file as the
// local runner and the chart run it; it can be restarted on the same port empty (reconnection
// after a loss) or from its append-only file (a crash it recovers from), and it dies with the
// test process.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "common/redis/connection.hpp"
#include "tests/support/test_ca.hpp"

namespace icq::test {

/// An ACL user for a server that turns its default user off, so that only a client that
/// authenticates as this user gets in (redis.username, redis.password). The rules are the
/// ones deploy/local/lib.sh gives the cluster's user: its keys, every command but the
/// dangerous ones.
struct RedisUser {
  std::string name = "icq";
  std::string password;
  std::string rules = "~icq:* &* +@all -@dangerous";
};

/// Create it on a thread that outlives it: the server is killed when the thread that
/// started it exits (PR_SET_PDEATHSIG), which is what cleans up after a crashed test.
class RedisServer {
public:
  /// Starts redis-server (from PATH) and waits until it answers PING. With `tls` it listens
  /// on TLS alone (port 0, tls-port): port() is the TLS port, where a plain client gets
  /// nothing. Throws std::runtime_error, failing the test, if it cannot be started.
  explicit RedisServer(std::optional<RedisUser> user = std::nullopt, std::optional<TlsFiles> tls = std::nullopt);
  ~RedisServer();
  RedisServer(const RedisServer&) = delete;
  RedisServer& operator=(const RedisServer&) = delete;

  int port() const { return port_; }
  bool running() const { return pid_ > 0; }
  /// Connection options for this server, with a short timeout so failure tests stay quick;
  /// with the ACL user's name and password when the server has one.
  redis::RedisOptions options(std::chrono::milliseconds timeout = std::chrono::milliseconds(1000)) const;
  /// The same server by its Unix socket (redis.unix_socket).
  redis::RedisOptions unixSocketOptions(std::chrono::milliseconds timeout = std::chrono::milliseconds(1000)) const;

  /// SIGTERM and wait: a clean shutdown.
  void stop();
  /// SIGKILL and wait: a crash.
  void kill();
  /// Kills the server if it runs and starts a fresh, empty one on the same port.
  void restart();
  /// SIGKILL, then a new server on the same port that loads the append-only file: a crash
  /// Redis comes back from with everything it had answered.
  void crashAndRecover();

private:
  /// Starts on port_; false if the server exited before answering (the port was taken).
  bool start();
  void signalAndWait(int signal);

  std::optional<RedisUser> user_;
  std::optional<TlsFiles> tls_;
  std::string dir_;
  std::string binary_;
  int port_ = 0;
  pid_t pid_ = -1;
};

/// Calls per command since the last resetCommandStats(), from INFO commandstats; the INFO and
/// CONFIG calls of the test itself left out. Throws, failing the test, if Redis does not answer.
std::map<std::string, int64_t> commandCalls(redis::RedisConnection& redis);
/// CONFIG RESETSTAT: what commandCalls() counts starts here.
void resetCommandStats(redis::RedisConnection& redis);

}  // namespace icq::test
