// Job "vacuum" in the scheduler loop against a fresh PostgreSQL database and a manual clock:
// every busy table is vacuumed and analyzed once per pass, a vacuum held up by a lock never
// holds up the loop (the other jobs keep their ticks), and the next pass waits its interval.
#include <catch2/catch.hpp>

#include <chrono>
#include <string>
#include <thread>

#include "common/pg/connection.hpp"
#include "common/pg/maintenance_impl.hpp"
#include "common/pg/migrations.hpp"
#include "common/util/clock.hpp"
#include "scheduler/job_vacuum.hpp"
#include "scheduler/scheduler.hpp"
#include "tests/support/pg_database.hpp"

namespace icq::test {
namespace {

constexpr int64_t kNowMs = 1'700'000'000'000;
constexpr std::chrono::milliseconds kTick{1000};
constexpr std::chrono::milliseconds kInterval{std::chrono::hours(1)};

/// Every lease is ours: this file tests the job, not the leases.
struct OwnLeases final : store::LeaseStore {
  bool acquire(const std::string&, const std::string&, std::chrono::milliseconds, bool& held) override {
    return held = true;
  }
  bool release(const std::string&, const std::string&) override { return true; }
};

/// Another job of the same loop: it must get every tick, whatever the vacuum is doing.
struct CountingJob final : scheduler::Job {
  const std::string& name() const override { return name_; }
  std::chrono::milliseconds period() const override { return kTick; }
  bool runSlice(int64_t) override { return ++runs, true; }
  std::string name_ = "counting";
  int runs = 0;
};

struct Fixture {
  PgDatabase database;
  pg::PgConnection connection{database.url()};
  pg::PgMaintenance maintenance{database.url()};
  util::ManualClock clock{kNowMs};
  OwnLeases leases;
  scheduler::VacuumJob job{maintenance, kInterval, kTick};
  CountingJob other;
  scheduler::Scheduler loop{{"replica-a", kTick, std::chrono::milliseconds(5000)}, leases, clock};

  Fixture() {
    pg::applyMigrations(connection);
    loop.add(job);
    loop.add(other);
  }
  /// One tick, a moment for PostgreSQL to get on with it, then the clock moves on.
  void tick() {
    loop.tick();
    clock.advanceMs(kTick.count());
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  void tickUntilVacuumed(uint64_t tables) {
    for (auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
         job.vacuumedTotal() < tables && std::chrono::steady_clock::now() < deadline;)
      tick();
    REQUIRE(job.vacuumedTotal() == tables);
  }
  int64_t vacuums(const std::string& table) {
    pqxx::nontransaction tx(connection.connection());
    return tx.exec_params1("SELECT vacuum_count + analyze_count FROM pg_stat_user_tables WHERE relname = $1", table)[0]
        .as<int64_t>();
  }
};

}  // namespace

TEST_CASE("vacuum vacuums and analyzes every busy table once per pass", "[scheduler][vacuum]") {
  Fixture f;
  f.tickUntilVacuumed(store::kBusyTables.size());
  for (store::BusyTable table : store::kBusyTables)
    CHECK(f.vacuums(std::string(store::busyTableName(table))) == 2);  // one VACUUM, one ANALYZE
  CHECK(f.other.runs > 0);
}

TEST_CASE("vacuum makes its next pass only when the interval has passed", "[scheduler][vacuum]") {
  Fixture f;
  f.tickUntilVacuumed(store::kBusyTables.size());
  // The first pass started at the first tick; ticks until its interval is over start nothing.
  while (f.clock.nowMs() < kNowMs + kInterval.count()) {
    f.loop.tick();
    f.clock.advanceMs(kTick.count());
  }
  CHECK(f.job.vacuumedTotal() == store::kBusyTables.size());
  CHECK(f.vacuums("users") == 2);
  f.tickUntilVacuumed(2 * store::kBusyTables.size());
  CHECK(f.vacuums("users") == 4);
}

TEST_CASE("vacuum held up by a lock never holds up the scheduler loop", "[scheduler][vacuum]") {
  Fixture f;
  pqxx::connection other(f.database.url());
  pqxx::work locker(other);
  locker.exec("LOCK TABLE offline_messages IN SHARE UPDATE EXCLUSIVE MODE");  // the first table's vacuum waits

  const auto started = std::chrono::steady_clock::now();
  for (int i = 0; i < 20; ++i) f.tick();
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(5));
  CHECK(f.other.runs == 20);  // every tick, beside a vacuum that cannot go on
  CHECK(f.job.vacuumedTotal() == 0);

  locker.commit();
  f.tickUntilVacuumed(store::kBusyTables.size());
}

}  // namespace icq::test
