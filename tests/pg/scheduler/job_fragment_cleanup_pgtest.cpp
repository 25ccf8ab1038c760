// Job "fragment_cleanup" in the scheduler loop against a fresh PostgreSQL database and a
// manual clock: stale V3 fragments go a batch per tick until a batch comes back short, young
// ones stay, and the next pass waits for its interval.
#include <catch2/catch.hpp>

#include <string>

#include "common/pg/connection.hpp"
#include "common/pg/fragment_store_impl.hpp"
#include "common/pg/migrations.hpp"
#include "common/util/clock.hpp"
#include "scheduler/job_fragment_cleanup.hpp"
#include "scheduler/scheduler.hpp"
#include "tests/support/pg_database.hpp"

namespace icq::test {
namespace {

constexpr int64_t kNowMs = 1'700'000'000'000;
constexpr std::chrono::milliseconds kTick{1000};

struct OwnLeases final : store::LeaseStore {
  bool acquire(const std::string&, const std::string&, std::chrono::milliseconds, bool& held) override {
    return held = true;
  }
  bool release(const std::string&, const std::string&) override { return true; }
};

struct Fixture {
  PgDatabase database;
  pg::PgConnection connection{database.url()};
  pg::PgFragmentStore fragments{connection};
  util::ManualClock clock{kNowMs};
  OwnLeases leases;
  scheduler::FragmentCleanupJob job{{std::chrono::minutes(1), std::chrono::seconds(550), 2}, fragments, kTick};
  scheduler::Scheduler loop{{"replica-a", kTick, std::chrono::milliseconds(5000)}, leases, clock};

  Fixture() {
    pg::applyMigrations(connection);
    loop.add(job);
  }
  void fragmentAt(uint16_t seq2, int64_t atMs) {
    const uint8_t payload[] = {3, 0};
    std::vector<store::StoredFragment> group;
    REQUIRE(fragments.add({1001, seq2, 0, 2, payload}, atMs, group));
  }
  int64_t count() {
    pqxx::nontransaction tx(connection.connection());
    return tx.exec1("SELECT count(*) FROM v3_fragments")[0].as<int64_t>();
  }
  void tick() {
    loop.tick();
    clock.advanceMs(kTick.count());
  }
};

}  // namespace

TEST_CASE("fragment_cleanup deletes fragments older than the age a batch per tick", "[scheduler][fragments]") {
  Fixture f;
  for (uint16_t i = 0; i < 5; ++i) f.fragmentAt(i, kNowMs - 600'000 - i);
  f.fragmentAt(10, kNowMs - 100'000);
  f.tick();
  CHECK(f.job.deletedTotal() == 2);
  f.tick();
  f.tick();  // the short batch ends the pass
  CHECK(f.job.deletedTotal() == 5);
  CHECK(f.count() == 1);

  // A stale fragment that turns up after the pass waits for the next one, an interval later.
  f.fragmentAt(20, kNowMs - 700'000);
  f.tick();
  CHECK(f.count() == 2);
  f.clock.advanceMs(60'000);
  f.tick();
  CHECK(f.count() == 1);
}

}  // namespace icq::test
