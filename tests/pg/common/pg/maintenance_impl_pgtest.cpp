// PgMaintenance against a fresh, migrated PostgreSQL database: a vacuum is started and
// polled, never waited for; it vacuums and analyzes its table; a vacuum held up by a lock
// keeps the caller free; a broken link ends it as a failure and the next one reconnects.
#include <catch2/catch.hpp>

#include <chrono>
#include <string>
#include <thread>

#include "common/pg/connection.hpp"
#include "common/pg/maintenance_impl.hpp"
#include "common/pg/migrations.hpp"
#include "tests/support/pg_database.hpp"

namespace icq {
namespace {

using std::chrono::steady_clock;

struct Fixture {
  test::PgDatabase database;
  pg::PgConnection connection{database.url()};
  pg::PgMaintenance maintenance{database.url()};

  Fixture() { pg::applyMigrations(connection); }

  /// Polls until the vacuum ends; returns what the last poll returned.
  bool waitForVacuum(std::chrono::seconds timeout = std::chrono::seconds(30)) {
    bool done = false, succeeded = true;
    for (auto deadline = steady_clock::now() + timeout; !done && steady_clock::now() < deadline;) {
      succeeded = maintenance.vacuumDone(done);
      if (!done) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    REQUIRE(done);
    return succeeded;
  }
  int64_t stat(const std::string& column, const std::string& table) {
    pqxx::nontransaction tx(connection.connection());
    return tx.exec_params1("SELECT " + column + " FROM pg_stat_user_tables WHERE relname = $1", table)[0].as<int64_t>();
  }
  /// Waits until some session of this database waits for a lock.
  bool someoneWaitsForALock() {
    pqxx::connection admin(test::PgDatabase::adminUrl());
    for (auto deadline = steady_clock::now() + std::chrono::seconds(10); steady_clock::now() < deadline;) {
      pqxx::nontransaction tx(admin);
      if (tx.exec_params1("SELECT count(*) FROM pg_stat_activity WHERE datname = $1 AND wait_event_type = 'Lock'",
                          database.name())[0]
              .as<int>() > 0)
        return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  }
};

/// How long `call` took, in milliseconds.
template <class Call>
int64_t millisecondsFor(Call&& call) {
  auto start = steady_clock::now();
  call();
  return std::chrono::duration_cast<std::chrono::milliseconds>(steady_clock::now() - start).count();
}

}  // namespace

TEST_CASE("maintenance: a vacuum vacuums and analyzes its table", "[pg][maintenance]") {
  Fixture f;
  for (store::BusyTable table : store::kBusyTables) {
    const std::string name(store::busyTableName(table));
    REQUIRE(f.stat("vacuum_count", name) == 0);
    REQUIRE(f.stat("analyze_count", name) == 0);
    REQUIRE(f.maintenance.startVacuum(table));
    CHECK(f.waitForVacuum());
    CHECK(f.stat("vacuum_count", name) == 1);
    CHECK(f.stat("analyze_count", name) == 1);
  }
  bool done = false;
  CHECK(f.maintenance.vacuumDone(done));  // none running
  CHECK(done);
}

TEST_CASE("maintenance: a vacuum held up by a lock never holds up its caller", "[pg][maintenance]") {
  Fixture f;
  pqxx::connection other(f.database.url());
  pqxx::work locker(other);
  locker.exec("LOCK TABLE audit_events IN SHARE UPDATE EXCLUSIVE MODE");  // what VACUUM needs

  CHECK(millisecondsFor([&] { REQUIRE(f.maintenance.startVacuum(store::BusyTable::audit_events)); }) < 1000);
  REQUIRE(f.someoneWaitsForALock());
  for (int poll = 0; poll < 5; ++poll) {
    bool done = true;
    CHECK(millisecondsFor([&] { REQUIRE(f.maintenance.vacuumDone(done)); }) < 100);
    CHECK_FALSE(done);
  }
  CHECK_FALSE(f.maintenance.startVacuum(store::BusyTable::users));  // one at a time
  CHECK(f.stat("vacuum_count", "audit_events") == 0);

  locker.commit();
  CHECK(f.waitForVacuum());
  CHECK(f.stat("vacuum_count", "audit_events") == 1);
}

TEST_CASE("maintenance: a broken link ends the vacuum as a failure - the next one reconnects", "[pg][maintenance]") {
  Fixture f;
  {
    pqxx::connection other(f.database.url());
    pqxx::work locker(other);
    locker.exec("LOCK TABLE users IN SHARE UPDATE EXCLUSIVE MODE");
    REQUIRE(f.maintenance.startVacuum(store::BusyTable::users));
    REQUIRE(f.someoneWaitsForALock());
    pqxx::connection admin(test::PgDatabase::adminUrl());
    pqxx::nontransaction tx(admin);
    tx.exec_params("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND query LIKE 'VACUUM%'",
                   f.database.name());
    CHECK_FALSE(f.waitForVacuum());
  }
  CHECK(f.stat("vacuum_count", "users") == 0);
  REQUIRE(f.maintenance.startVacuum(store::BusyTable::users));
  CHECK(f.waitForVacuum());
  CHECK(f.stat("vacuum_count", "users") == 1);
}

TEST_CASE("maintenance: methods return false, not throw, when the server is unreachable", "[pg][maintenance]") {
  pg::PgMaintenance maintenance("host=127.0.0.1 port=1 user=nobody dbname=none connect_timeout=2");
  CHECK_FALSE(maintenance.startVacuum(store::BusyTable::offline_messages));
  bool done = false;
  CHECK(maintenance.vacuumDone(done));  // nothing was started
  CHECK(done);
}

}  // namespace icq
