// PgMaintenance: VACUUM (ANALYZE) started now, finished whenever PostgreSQL is done.
//
// Why not simply run it
// ---------------------
// VACUUM takes as long as the table needs — seconds to minutes on a large one — and waits
// for any lock that conflicts with it. The scheduler has one loop, which also expires
// sessions and resends unconfirmed packets every tick; a blocking VACUUM would stall both.
// So the statement is sent and left running, and each later call only looks whether its
// result has arrived.
//
// How
// ---
// A libpqxx pipeline holding that one statement sends it at once, alone (a single query
// gets no dummy companion, so it is not a multi-statement string); pipeline::resume() reads
// what the server has sent without waiting, and is_finished() then tells. The pipeline
// lives on a nontransaction: VACUUM cannot run inside a transaction block. The connection
// is this object's own, because it stays busy until the vacuum ends.
//
// Failure: an error of the vacuum (or a broken link) surfaces when its result is retrieved
// or read; the pipeline and its transaction are dropped first, while the connection they
// refer to still exists, then PgConnection logs the error and, if the link broke, drops it.
#include "common/pg/maintenance_impl.hpp"

#include <utility>

namespace icq::pg {

PgMaintenance::PgMaintenance(std::string url) : pg_(std::move(url)) {}

PgMaintenance::~PgMaintenance() { forget(); }

void PgMaintenance::forget() noexcept {
  pipeline_.reset();  // its destructor cancels a statement still running, errors ignored
  tx_.reset();
}

bool PgMaintenance::startVacuum(store::BusyTable table) {
  if (pipeline_) return false;
  return pg_.run("vacuum_start", [&](pqxx::connection& connection) {
    try {
      tx_ = std::make_unique<pqxx::nontransaction>(connection);
      pipeline_ = std::make_unique<pqxx::pipeline>(*tx_);
      // The name comes from a fixed list (store::kBusyTables), never from input.
      query_ = pipeline_->insert("VACUUM (ANALYZE) " + std::string(store::busyTableName(table)));
    } catch (...) {
      forget();
      throw;
    }
  });
}

bool PgMaintenance::vacuumDone(bool& done) {
  done = true;
  if (!pipeline_) return true;
  // run() would replace a closed connection before the pipeline that refers to it is gone.
  if (!pg_.connected()) return forget(), false;
  done = false;
  return pg_.run("vacuum", [&](pqxx::connection&) {
    try {
      pipeline_->resume();
      if (!pipeline_->is_finished(query_)) return;
      done = true;
      pipeline_->retrieve(query_);  // throws the vacuum's error, if it had one
      forget();
    } catch (...) {
      done = true;
      forget();
      throw;
    }
  });
}

}  // namespace icq::pg
