// Versioned schema migrations: binaries apply the missing ones at start (postgres.migrate=
// auto) or refuse to start unless the schema is current (check). PostgreSQL is the system
// of record, so its schema only moves forward, one numbered step at a time.
#pragma once

#include <span>
#include <stdexcept>
#include <string>
#include <string_view>

#include "common/pg/connection.hpp"

namespace icq::pg {

struct Migration {
  int version;  // 1, 2, ...: applied in this order, never renumbered
  std::string_view name;
  std::string_view sql;  // may hold several statements; runs in one transaction
};

/// Every migration this binary knows, in version order.
std::span<const Migration> migrations();

/// A migration failed, is missing, or is unknown to this binary. `version` and `name`
/// identify the migration (version 0: the bookkeeping around migrations, such as
/// connecting or reading schema_migrations).
class MigrationError : public std::runtime_error {
public:
  MigrationError(int version, std::string name, const std::string& message);
  int version() const { return version_; }
  const std::string& name() const { return name_; }

private:
  int version_;
  std::string name_;
};

/// Applies every missing migration, each in its own transaction. Concurrent appliers (the
/// replicas of a rollout) serialise on a transaction-level advisory lock, so each
/// migration runs once. Throws MigrationError, also when the database holds a migration
/// newer than this binary knows.
void applyMigrations(PgConnection& connection);

/// Throws MigrationError unless every known migration is applied and no unknown one is.
void checkMigrations(PgConnection& connection);

}  // namespace icq::pg
