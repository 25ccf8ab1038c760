// PgMaintenance: VACUUM (ANALYZE) of the busy tables without blocking the scheduler's loop
// (store::Maintenance). The notes on how open the .cpp.
#pragma once

#include <memory>
#include <string>

#include "common/pg/connection.hpp"
#include "common/store/maintenance.hpp"

namespace icq::pg {

/// Implements store::Maintenance on a connection of its own: the connection is busy for as
/// long as a vacuum runs, so it cannot be shared with the other stores. One thread at a time.
class PgMaintenance final : public store::Maintenance {
public:
  /// `url`: as PgConnection's. Does not connect until the first vacuum.
  explicit PgMaintenance(std::string url);
  /// Cancels a vacuum still running.
  ~PgMaintenance() override;
  PgMaintenance(const PgMaintenance&) = delete;
  PgMaintenance& operator=(const PgMaintenance&) = delete;

  // store::Maintenance
  bool startVacuum(store::BusyTable table) override;
  bool vacuumDone(bool& done) override;

private:
  /// Drops the vacuum in flight (cancelling it if it still runs).
  void forget() noexcept;

  PgConnection pg_;
  // The vacuum in flight, if any: a pipeline holding one statement, on a nontransaction
  // (VACUUM refuses to run in a transaction block). The pipeline goes first.
  std::unique_ptr<pqxx::nontransaction> tx_;
  std::unique_ptr<pqxx::pipeline> pipeline_;
  pqxx::pipeline::query_id query_ = 0;
};

}  // namespace icq::pg
