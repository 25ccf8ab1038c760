// A private PostgreSQL server for tests that need server settings of their own (ssl=on with
// a test CA's certificate), where the shared server tests/run.sh starts will not do: a fresh
// cluster in a temporary directory on a free loopback port, started and stopped by
// deploy/local/lib.sh's start_postgres and stop_postgres, as the local runner starts its own.
// initdb makes it cost a few seconds; PgDatabase is the cheap choice everywhere else.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "tests/support/test_ca.hpp"

namespace icq::test {

class PgServer {
public:
  /// Starts the server, with ssl=on and `tls`'s certificate and key when given. Role and
  /// database "icq" exist (start_postgres makes them); loopback connections need no
  /// password. Throws std::runtime_error, failing the test, if it does not start.
  explicit PgServer(std::optional<TlsFiles> tls = std::nullopt);
  /// stop_postgres, then the directory goes.
  ~PgServer();
  PgServer(const PgServer&) = delete;
  PgServer& operator=(const PgServer&) = delete;

  int port() const { return port_; }
  /// stop_postgres: from now on connections to it fail, as in an outage.
  void stop();
  /// Starts it again after stop(), on the same port with the same data: the outage is over.
  void start();
  /// A libpq connection string for database icq as user icq: host "localhost" (the name
  /// the certificate carries, for sslmode=verify-full) at hostaddr 127.0.0.1, then `extra`
  /// (e.g. "sslmode=verify-full sslrootcert=/path/ca.crt").
  std::string url(const std::string& extra = "") const;

private:
  /// The server settings that turn TLS on with copies of `tls`'s files the server may read.
  std::vector<std::string> tlsSettings(const TlsFiles& tls) const;
  /// start_postgres's arguments: the data directory, the port, the server settings.
  std::vector<std::string> startArgs() const;
  /// Runs a deploy/local/lib.sh function with `args`; true if it exited 0 within the time.
  bool libFunction(const std::string& function, std::vector<std::string> args) const;

  std::string dir_;
  int port_ = 0;
  std::vector<std::string> settings_;
};

}  // namespace icq::test
