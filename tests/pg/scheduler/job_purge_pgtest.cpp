// Job "purge" in the scheduler loop against a fresh PostgreSQL database and a manual clock:
// rows past retention go a batch per table per tick until a batch comes back short, recent
// rows stay, 0 days keeps a table's rows forever, and the next pass waits for its interval.
#include <catch2/catch.hpp>

#include <string>

#include "common/events/event_log.hpp"
#include "common/pg/connection.hpp"
#include "common/pg/journal_store_impl.hpp"
#include "common/pg/message_store_impl.hpp"
#include "common/pg/migrations.hpp"
#include "common/pg/user_store_impl.hpp"
#include "common/util/clock.hpp"
#include "scheduler/job_purge.hpp"
#include "scheduler/scheduler.hpp"
#include "tests/support/pg_database.hpp"

namespace icq::test {
namespace {

constexpr int64_t kNowMs = 1'700'000'000'000;
constexpr int64_t kDayMs = 86'400'000;
constexpr std::chrono::milliseconds kTick{1000};
constexpr uint32_t kAlice = 1001, kBob = 1002;

/// Every lease is ours: this file tests the job, not the leases.
struct OwnLeases final : store::LeaseStore {
  bool acquire(const std::string&, const std::string&, std::chrono::milliseconds, bool& held) override {
    return held = true;
  }
  bool release(const std::string&, const std::string&) override { return true; }
};

scheduler::PurgeSettings settings(std::chrono::days messageRetention = std::chrono::days(180)) {
  scheduler::PurgeSettings s;
  s.interval = std::chrono::hours(1);
  s.messageRetention = messageRetention;
  s.auditRetention = std::chrono::days(90);
  s.journalRetention = std::chrono::days(30);
  s.batch = 2;
  return s;
}

struct Fixture {
  PgDatabase database;
  pg::PgConnection connection{database.url()};
  pg::PgUserStore users{connection};
  pg::PgMessageStore messages{connection};
  pg::PgJournalStore journal{connection};
  util::ManualClock clock{kNowMs};
  OwnLeases leases;
  scheduler::PurgeJob job;
  scheduler::Scheduler loop{{"replica-a", kTick, std::chrono::milliseconds(5000)}, leases, clock};

  explicit Fixture(const scheduler::PurgeSettings& s = settings()) : job(s, messages, users, journal, kTick) {
    pg::applyMigrations(connection);
    for (uint32_t uin : {kAlice, kBob}) {
      store::NewUser user;
      user.uin = uin;
      user.passwordHash = "$argon2id$fake";
      uint32_t created = 0;
      bool exists = true;
      REQUIRE(users.createUser(user, created, exists));
    }
    loop.add(job);
  }
  void storeMessage(int64_t atMs) {
    bool stored = false;
    const uint8_t text[] = {'h', 'i'};
    REQUIRE(messages.storeOffline(kAlice, kBob, 1, text, atMs, stored));
    REQUIRE(stored);
  }
  void auditAt(int64_t atMs) {
    pqxx::nontransaction tx(connection.connection());
    tx.exec_params(
        "INSERT INTO audit_events (at, uin, event) VALUES"
        " ('epoch'::timestamptz + $1::bigint * interval '1 millisecond', $2, 'login')",
        atMs, kAlice);
  }
  /// A session of Alice's from `startMs` to `endMs`: its login and its logoff event.
  void journalSession(uint64_t serial, int64_t startMs, int64_t endMs) {
    std::vector<events::Event> session(2);
    for (size_t i = 0; i < 2; ++i) {
      session[i].id = "p-" + std::to_string(serial) + "-" + std::to_string(i);
      session[i].kind = i == 0 ? events::EventKind::login : events::EventKind::logoff;
      session[i].atMs = i == 0 ? startMs : endMs;
      session[i].uin = kAlice;
      session[i].session = events::sessionUid(kAlice, serial);
    }
    session[0].with("protocol", "5").with("address", "10.0.0.1").with("port", "4000");
    size_t stored = 0;
    REQUIRE(journal.write(session, stored));
    REQUIRE(stored == 2);
  }
  int64_t count(const std::string& table) {
    pqxx::nontransaction tx(connection.connection());
    return tx.exec("SELECT count(*) FROM " + table)[0][0].as<int64_t>();
  }
  void tick() {
    loop.tick();
    clock.advanceMs(kTick.count());
  }
};

}  // namespace

TEST_CASE("purge deletes rows past retention a batch per table per tick, and keeps recent ones", "[scheduler][purge]") {
  Fixture f;
  for (int i = 0; i < 5; ++i) f.storeMessage(kNowMs - 200 * kDayMs - i * 60'000);
  for (int i = 0; i < 2; ++i) f.storeMessage(kNowMs - 10 * kDayMs);
  for (int i = 0; i < 4; ++i) f.auditAt(kNowMs - 100 * kDayMs - i * 60'000);
  f.auditAt(kNowMs - 10 * kDayMs);

  f.tick();
  CHECK(f.job.messagesPurgedTotal() == 2);
  CHECK(f.job.auditPurgedTotal() == 2);
  f.tick();
  CHECK(f.job.messagesPurgedTotal() == 4);
  CHECK(f.job.auditPurgedTotal() == 4);
  f.tick();  // the last short batch of messages, and an empty one of audit entries
  CHECK(f.job.messagesPurgedTotal() == 5);
  CHECK(f.job.auditPurgedTotal() == 4);
  CHECK(f.count("offline_messages") == 2);
  CHECK(f.count("audit_events") == 1);
}

TEST_CASE("purge deletes the journal's events and sessions past retention and keeps recent ones",
          "[scheduler][purge]") {
  Fixture f;
  f.journalSession(1, kNowMs - 40 * kDayMs, kNowMs - 40 * kDayMs + 60'000);
  f.journalSession(2, kNowMs - 35 * kDayMs, kNowMs - 35 * kDayMs + 60'000);
  f.journalSession(3, kNowMs - 31 * kDayMs, kNowMs - 10 * kDayMs);  // began long ago, ended recently
  f.journalSession(4, kNowMs - 1 * kDayMs, kNowMs - 1 * kDayMs + 60'000);
  for (int i = 0; i < 6; ++i) f.tick();
  CHECK(f.count("journal_sessions") == 2);
  CHECK(f.count("journal_events") == 3);  // session 3's logoff and session 4's two events
  CHECK(f.job.journalPurgedTotal() == 2 + 5);
}

TEST_CASE("purge makes its next pass only when the interval has passed", "[scheduler][purge]") {
  Fixture f;
  f.storeMessage(kNowMs - 200 * kDayMs);
  f.tick();  // the first pass, at once: one short batch per table
  REQUIRE(f.job.messagesPurgedTotal() == 1);
  // A message that ages past retention before the next pass.
  f.storeMessage(kNowMs - 180 * kDayMs + 30 * 60'000);
  while (f.clock.nowMs() < kNowMs + std::chrono::milliseconds(std::chrono::hours(1)).count()) f.tick();
  CHECK(f.job.messagesPurgedTotal() == 1);
  CHECK(f.count("offline_messages") == 1);
  f.tick();
  CHECK(f.job.messagesPurgedTotal() == 2);
  CHECK(f.count("offline_messages") == 0);
}

TEST_CASE("purge keeps a table's rows forever when its retention is 0 days", "[scheduler][purge]") {
  Fixture f(settings(std::chrono::days(0)));
  f.storeMessage(kNowMs - 3650 * kDayMs);
  f.auditAt(kNowMs - 3650 * kDayMs);
  for (int i = 0; i < 3; ++i) f.tick();
  CHECK(f.count("offline_messages") == 1);
  CHECK(f.count("audit_events") == 0);  // the other table's retention still applies
  CHECK(f.job.messagesPurgedTotal() == 0);
}

TEST_CASE("purge reports failure when the database is unreachable", "[scheduler][purge]") {
  pg::PgConnection connection("host=127.0.0.1 port=1 user=nobody dbname=none connect_timeout=2");
  pg::PgUserStore users(connection);
  pg::PgMessageStore messages(connection);
  pg::PgJournalStore journal(connection);
  scheduler::PurgeJob job(settings(), messages, users, journal, kTick);
  CHECK_FALSE(job.runSlice(kNowMs));
  CHECK_FALSE(job.runSlice(kNowMs + kTick.count()));  // the pass is still under way: tried again
  CHECK(job.messagesPurgedTotal() == 0);
}

}  // namespace icq::test
