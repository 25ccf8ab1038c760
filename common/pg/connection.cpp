// PgConnection: connect, re-declare prepared statements, drop a broken link; see connection.hpp.
#include "common/pg/connection.hpp"

#include "common/ops/metrics.hpp"

namespace icq::pg {

PgConnection::PgConnection(std::string url) : url_(std::move(url)), warnings_(std::make_unique<log::RateLimited>()) {}

PgConnection::~PgConnection() = default;
PgConnection::PgConnection(PgConnection&&) noexcept = default;
PgConnection& PgConnection::operator=(PgConnection&&) noexcept = default;

void PgConnection::prepare(std::string name, std::string sql) {
  if (connection_) connection_->prepare(name, sql);
  statements_.emplace_back(std::move(name), std::move(sql));
}

pqxx::connection& PgConnection::connection() {
  if (connection_ && connection_->is_open()) return *connection_;
  connection_.reset();
  auto fresh = std::make_unique<pqxx::connection>(url_);
  // libpqxx 6 prepares a declared statement on the server at its first use.
  for (const auto& [name, sql] : statements_) fresh->prepare(name, sql);
  connection_ = std::move(fresh);
  return *connection_;
}

bool PgConnection::connected() const { return connection_ && connection_->is_open(); }

namespace {

/// An error after which the server has ended the session although libpq may not have seen
/// the socket close yet: class 08 (connection exception) and 57P01-57P03 (the backend was
/// terminated by an administrator, a crash or a shutdown). Keeping such a link would fail
/// the next call too.
bool endsSession(const std::exception& error) {
  const auto* sql = dynamic_cast<const pqxx::sql_error*>(&error);
  if (!sql) return false;
  const std::string& state = sql->sqlstate();
  return state.starts_with("08") || state.starts_with("57P");
}

}  // namespace

void PgConnection::failed(std::string_view operation, const std::exception& error, bool broken) noexcept {
  try {
    broken = broken || endsSession(error);
    if (broken || (connection_ && !connection_->is_open())) connection_.reset();
    warnings_->warn("postgres_failed",
                    {{"operation", std::string(operation)}, {"error", error.what()}, {"connection_lost", broken}});
  } catch (...) {
    // Logging itself failed (out of memory); the false return still reports the failure.
  }
}

void PgConnection::record(std::string_view operation, std::chrono::steady_clock::time_point started, bool ok) noexcept {
  try {
    calls_.record(calls_.operation(operation), ops::secondsBetween(started, std::chrono::steady_clock::now()), ok);
  } catch (...) {
    // Out of memory for a new series: the call's own result still stands.
  }
}

}  // namespace icq::pg
