// The PostgreSQL side of a binary's wiring: a connection with the schema migrated (or
// checked, per postgres.migrate) and the stores over it. One bundle per thread.
#pragma once

#include <memory>

#include "common/config/config.hpp"
#include "common/pg/connection.hpp"
#include "common/pg/department_store_impl.hpp"
#include "common/pg/fragment_store_impl.hpp"
#include "common/pg/journal_store_impl.hpp"
#include "common/pg/maintenance_impl.hpp"
#include "common/pg/message_store_impl.hpp"
#include "common/pg/user_store_impl.hpp"
#include "common/util/clock.hpp"

namespace icq::wiring {

struct PostgresStores {
  /// Throws with the failing migration or connection error named.
  explicit PostgresStores(const config::Config& config);
  /// What a worker asks of its user store (icq-worker and icqd's workers alike): login and
  /// audit rows written once per turn, and the credentials it read remembered for logins while
  /// the database is down, as many and as long as its verifier cache remembers logins.
  void serveWorker(const config::Config& config, const util::Clock& clock);
  std::unique_ptr<pg::PgConnection> connection;
  std::unique_ptr<pg::PgUserStore> users;
  std::unique_ptr<pg::PgMessageStore> messages;
  std::unique_ptr<pg::PgFragmentStore> fragments;
  std::unique_ptr<pg::PgDepartmentStore> departments;
  std::unique_ptr<pg::PgJournalStore> journal;
  /// On a connection of its own, opened at the first vacuum: only the scheduler uses it.
  std::unique_ptr<pg::PgMaintenance> maintenance;
};

}  // namespace icq::wiring
