// The schema's migrations, oldest first, and the code that applies and checks them; see
// migrations.hpp. A released migration is never edited: changes are a new version.
#include "common/pg/migrations.hpp"

#include <array>
#include <map>

namespace icq::pg {
namespace {

// Argument of pg_advisory_xact_lock: any constant unique within the database. "ICQMIGRT".
constexpr int64_t kMigrationLock = 0x4943514d49475254;

constexpr auto kMigrations = std::to_array<Migration>({
    {1, "users and audit", R"sql(
-- Accounts (protocol-v5.md §11.2). Profile text is the client's 8-bit code page, stored
-- as bytes and never converted. password_hash is argon2id (common/auth/password.hpp).
CREATE TABLE users (
  uin                  bigint PRIMARY KEY CHECK (uin BETWEEN 1 AND 4294967295),
  password_hash        text NOT NULL,
  locked               boolean NOT NULL DEFAULT false,
  lock_text            bytea,
  must_change_password boolean NOT NULL DEFAULT false,
  created_at           timestamptz NOT NULL DEFAULT now(),
  last_login_at        timestamptz,
  last_login_ip        inet,
  nick                 bytea NOT NULL DEFAULT '',
  first_name           bytea NOT NULL DEFAULT '',
  last_name            bytea NOT NULL DEFAULT '',
  email                bytea NOT NULL DEFAULT ''
);

-- New UINs; the allocator skips values already taken by accounts created with an
-- explicit UIN (INSERT ... ON CONFLICT DO NOTHING, then the next value).
CREATE SEQUENCE users_uin_seq AS bigint START WITH 10000 MINVALUE 1 MAXVALUE 4294967295
  OWNED BY users.uin;

CREATE TABLE audit_events (
  id     bigserial PRIMARY KEY,
  at     timestamptz NOT NULL DEFAULT now(),
  uin    bigint,
  event  text NOT NULL,
  detail text
);
CREATE INDEX audit_events_uin_at ON audit_events (uin, at);
)sql"},
});

const Migration* findMigration(int version) {
  for (const Migration& migration : kMigrations)
    if (migration.version == version) return &migration;
  return nullptr;
}

std::string describe(int version, std::string_view name) {
  return "migration " + std::to_string(version) + " \"" + std::string(name) + "\"";
}

void takeLock(pqxx::work& tx) { tx.exec_params("SELECT pg_advisory_xact_lock($1)", kMigrationLock); }

/// Version → name of every applied migration; empty if schema_migrations does not exist.
std::map<int, std::string> readApplied(pqxx::transaction_base& tx) {
  std::map<int, std::string> applied;
  if (tx.exec("SELECT to_regclass('schema_migrations') IS NULL")[0][0].as<bool>()) return applied;
  for (const auto& row : tx.exec("SELECT version, name FROM schema_migrations"))
    applied.emplace(row[0].as<int>(), row[1].as<std::string>());
  return applied;
}

void refuseUnknown(const std::map<int, std::string>& applied) {
  for (const auto& [version, name] : applied)
    if (!findMigration(version))
      throw MigrationError(version, name,
                           "the database has " + describe(version, name) +
                               ", which this binary does not know: it is older than the schema; run a newer one");
}

void applyOne(pqxx::connection& connection, const Migration& migration) {
  try {
    pqxx::work tx(connection);
    takeLock(tx);
    // Another replica may have applied it while we waited for the lock.
    if (!tx.exec_params("SELECT 1 FROM schema_migrations WHERE version = $1", migration.version).empty()) return;
    tx.exec(std::string(migration.sql));
    tx.exec_params("INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, now())",
                   migration.version, std::string(migration.name));
    tx.commit();
  } catch (const std::exception& error) {
    throw MigrationError(migration.version, std::string(migration.name),
                         describe(migration.version, migration.name) + " failed: " + error.what());
  }
}

}  // namespace

std::span<const Migration> migrations() { return kMigrations; }

MigrationError::MigrationError(int version, std::string name, const std::string& message)
    : std::runtime_error(message), version_(version), name_(std::move(name)) {}

void applyMigrations(PgConnection& connection) {
  pqxx::connection* link = nullptr;
  std::map<int, std::string> applied;
  try {
    link = &connection.connection();
    pqxx::work tx(*link);
    takeLock(tx);
    tx.exec(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " version int PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())");
    applied = readApplied(tx);
    tx.commit();
  } catch (const std::exception& error) {
    throw MigrationError(0, "schema_migrations", std::string("cannot read the schema version: ") + error.what());
  }
  refuseUnknown(applied);
  for (const Migration& migration : kMigrations)
    if (!applied.count(migration.version)) applyOne(*link, migration);
}

void checkMigrations(PgConnection& connection) {
  std::map<int, std::string> applied;
  try {
    pqxx::read_transaction tx(connection.connection());
    applied = readApplied(tx);
  } catch (const std::exception& error) {
    throw MigrationError(0, "schema_migrations", std::string("cannot read the schema version: ") + error.what());
  }
  refuseUnknown(applied);
  for (const Migration& migration : kMigrations)
    if (!applied.count(migration.version))
      throw MigrationError(migration.version, std::string(migration.name),
                           describe(migration.version, migration.name) +
                               " is not applied; start with postgres.migrate=auto to apply it");
}

}  // namespace icq::pg
