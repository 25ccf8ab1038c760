// PgConnection: the one owner of a libpqxx connection for one thread. It connects on first
// use, declares the registered prepared statements on every new connection, and turns
// libpqxx exceptions into `false` plus a rate-limited warning at the store boundary.
#pragma once

// Debian's libpqxx 6.4 was configured without it, which hides field::get<T>() and the
// std::optional conversions (TOOLING.md §1.3); every pqxx include goes through here.
#ifndef PQXX_HAVE_OPTIONAL
#define PQXX_HAVE_OPTIONAL 1
#endif
#include <pqxx/pqxx>

#include <chrono>
#include <exception>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/log/log.hpp"
#include "common/ops/call_metrics.hpp"

namespace icq::pg {

class PgConnection {
public:
  /// `url`: a libpq connection string or URI (postgres.url). Does not connect yet.
  explicit PgConnection(std::string url);
  ~PgConnection();
  PgConnection(PgConnection&&) noexcept;
  PgConnection& operator=(PgConnection&&) noexcept;
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;

  /// Declares a prepared statement; it is declared again on every new connection.
  void prepare(std::string name, std::string sql);

  /// The open connection, connecting first if there is none (or it broke). Throws
  /// pqxx::broken_connection when the server cannot be reached: for startup paths such as
  /// migrations, and for run().
  pqxx::connection& connection();
  bool connected() const;

  /// Runs `work(pqxx::connection&)`. Any exception (a pqxx::sql_error, a lost connection, a
  /// failure the work throws itself) becomes false and a rate-limited warning naming
  /// `operation`; a connection that broke is dropped, so the next call reconnects. Timed
  /// into icq_db_query_duration_seconds{query=operation}; failures count in icq_db_errors_total.
  template <class Work>
  bool run(std::string_view operation, Work&& work) noexcept;

private:
  void failed(std::string_view operation, const std::exception& error, bool broken) noexcept;
  void record(std::string_view operation, std::chrono::steady_clock::time_point started, bool ok) noexcept;

  std::string url_;
  std::vector<std::pair<std::string, std::string>> statements_;
  std::unique_ptr<pqxx::connection> connection_;
  std::unique_ptr<log::RateLimited> warnings_;  // on the heap: it holds atomics, the connection moves
  ops::CallMetrics calls_{ops::dbCallFamilies()};
};

template <class Work>
bool PgConnection::run(std::string_view operation, Work&& work) noexcept {
  auto started = std::chrono::steady_clock::now();
  bool ok = false;
  try {
    work(connection());
    ok = true;
  } catch (const pqxx::broken_connection& error) {
    failed(operation, error, true);
  } catch (const std::exception& error) {
    failed(operation, error, false);
  }
  record(operation, started, ok);
  return ok;
}

/// A bigint[] parameter's text form ("{1,2,3}"): libpqxx 6 binds no containers.
inline std::string bigintArray(const std::vector<uint32_t>& values) {
  std::string text = "{";
  for (uint32_t value : values) text += (text.size() > 1 ? "," : "") + std::to_string(value);
  return text + "}";
}

}  // namespace icq::pg
