// Schema migrations against a fresh PostgreSQL database: apply, idempotence, concurrent
// appliers, and refusal of a schema newer than the binary.
#include <catch2/catch.hpp>

#include <atomic>
#include <string>
#include <thread>

#include "common/pg/connection.hpp"
#include "common/pg/migrations.hpp"
#include "tests/support/pg_database.hpp"

namespace icq {
namespace {

int64_t count(pg::PgConnection& connection, const std::string& sql) {
  pqxx::nontransaction tx(connection.connection());
  return tx.exec(sql)[0][0].as<int64_t>();
}

}  // namespace

TEST_CASE("migrations: apply on an empty database and create the schema", "[pg][migrations]") {
  test::PgDatabase database;
  pg::PgConnection connection(database.url());
  pg::applyMigrations(connection);
  CHECK(count(connection, "SELECT count(*) FROM schema_migrations") == static_cast<int64_t>(pg::migrations().size()));
  CHECK(count(connection, "SELECT count(*) FROM schema_migrations WHERE version = 1 AND name = 'users and audit'") ==
        1);
  for (const char* table : {"users", "audit_events"})
    CHECK(count(connection, std::string("SELECT count(*) FROM pg_tables WHERE tablename = '") + table + "'") == 1);
  CHECK(count(connection, "SELECT count(*) FROM pg_indexes WHERE indexname = 'audit_events_uin_at'") == 1);
  CHECK_NOTHROW(pg::checkMigrations(connection));
}

TEST_CASE("migrations: a second run changes nothing", "[pg][migrations]") {
  test::PgDatabase database;
  pg::PgConnection connection(database.url());
  pg::applyMigrations(connection);
  {
    pqxx::work tx(connection.connection());
    tx.exec("INSERT INTO users (uin, password_hash) VALUES (42, 'h')");
    tx.commit();
  }
  std::string appliedAt;
  {
    pqxx::nontransaction tx(connection.connection());
    appliedAt = tx.exec("SELECT applied_at::text FROM schema_migrations WHERE version = 1")[0][0].as<std::string>();
  }
  pg::applyMigrations(connection);
  pqxx::nontransaction tx(connection.connection());
  CHECK(tx.exec("SELECT applied_at::text FROM schema_migrations WHERE version = 1")[0][0].as<std::string>() ==
        appliedAt);
  CHECK(tx.exec("SELECT count(*) FROM users")[0][0].as<int>() == 1);
}

TEST_CASE("migrations: concurrent appliers do not conflict", "[pg][migrations]") {
  test::PgDatabase database;
  constexpr int kAppliers = 4;
  std::atomic<int> failures{0};
  std::vector<std::thread> appliers;
  for (int i = 0; i < kAppliers; ++i)
    appliers.emplace_back([&] {
      try {
        pg::PgConnection connection(database.url());
        pg::applyMigrations(connection);
      } catch (const std::exception&) {
        ++failures;
      }
    });
  for (auto& applier : appliers) applier.join();
  CHECK(failures == 0);
  pg::PgConnection connection(database.url());
  CHECK(count(connection, "SELECT count(*) FROM schema_migrations") == static_cast<int64_t>(pg::migrations().size()));
}

TEST_CASE("migrations: check refuses a database that is behind", "[pg][migrations]") {
  test::PgDatabase database;
  pg::PgConnection connection(database.url());
  try {
    pg::checkMigrations(connection);
    FAIL("checkMigrations accepted an empty database");
  } catch (const pg::MigrationError& error) {
    CHECK(error.version() == 1);
    CHECK(error.name() == "users and audit");
    CHECK_THAT(error.what(), Catch::Contains("users and audit"));
  }
}

TEST_CASE("migrations: a database newer than the binary is refused, naming the migration", "[pg][migrations]") {
  test::PgDatabase database;
  pg::PgConnection connection(database.url());
  pg::applyMigrations(connection);
  {
    pqxx::work tx(connection.connection());
    tx.exec("INSERT INTO schema_migrations (version, name) VALUES (9999, 'from the future')");
    tx.commit();
  }
  for (bool apply : {true, false}) {
    try {
      if (apply)
        pg::applyMigrations(connection);
      else
        pg::checkMigrations(connection);
      FAIL("a schema with an unknown migration was accepted");
    } catch (const pg::MigrationError& error) {
      CHECK(error.version() == 9999);
      CHECK(error.name() == "from the future");
      CHECK_THAT(error.what(), Catch::Contains("9999") && Catch::Contains("from the future"));
    }
  }
}

TEST_CASE("migrations: an unreachable server is a MigrationError", "[pg][migrations]") {
  pg::PgConnection connection("host=127.0.0.1 port=1 user=nobody dbname=none connect_timeout=2");
  CHECK_THROWS_AS(pg::applyMigrations(connection), pg::MigrationError);
  CHECK_THROWS_AS(pg::checkMigrations(connection), pg::MigrationError);
}

}  // namespace icq
