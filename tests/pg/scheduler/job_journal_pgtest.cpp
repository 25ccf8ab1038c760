// Job "journal" against a real Redis (the event stream) and a real PostgreSQL (the journal):
// events reach the journal once and leave nothing in the group; PostgreSQL stopped under a
// stream of events, then started: every event written exactly once; a consumer killed with
// events in hand, before or after writing them: none lost, none stored twice; an entry that
// is not an event is acknowledged and counted.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "common/pg/connection.hpp"
#include "common/pg/journal_store_impl.hpp"
#include "common/pg/migrations.hpp"
#include "common/redis/connection.hpp"
#include "common/redis/event_stream.hpp"
#include "common/redis/keys.hpp"
#include "scheduler/job_journal.hpp"
#include "tests/support/pg_database.hpp"
#include "tests/support/pg_server.hpp"
#include "tests/support/redis_server.hpp"

namespace icq::test {
namespace {

using events::Event;
using events::EventKind;

constexpr int64_t kT0 = 1'700'000'000'000;
constexpr std::chrono::milliseconds kTick{200};

/// A session's life as its producers would append it: login, a status change, logoff.
std::vector<Event> sessionEvents(events::EventIds& ids, uint32_t uin, const std::string& session, int64_t atMs) {
  std::vector<Event> out(3);
  const EventKind kinds[] = {EventKind::login, EventKind::status, EventKind::logoff};
  for (size_t i = 0; i < out.size(); ++i) {
    out[i].id = ids.next();
    out[i].kind = kinds[i];
    out[i].uin = uin;
    out[i].session = session;
    out[i].atMs = atMs + static_cast<int64_t>(i) * 1000;
  }
  out[0].with("protocol", "5").with("address", "10.0.0.1").with("port", "4000");
  return out;
}

scheduler::JournalSettings settings(const std::string& consumer) {
  scheduler::JournalSettings s;
  s.consumer = consumer;
  s.batch = 4;  // small: several slices per test
  s.claimIdle = std::chrono::milliseconds(0);
  s.claimEvery = std::chrono::milliseconds(0);
  return s;
}

struct Fixture {
  explicit Fixture(const std::string& pgUrl) : pg(pgUrl), journal(pg) { pg::applyMigrations(pg); }

  /// Slices until the group has nothing pending or undelivered (at most `slices`).
  bool drain(scheduler::JournalJob& job, int slices = 100) {
    for (int i = 0; i < slices; ++i) {
      job.runSlice(nowMs += kTick.count());
      redis::GroupBacklog backlog;
      if (stream.backlog(scheduler::JournalJob::kGroup, backlog) && backlog.pending == 0 && backlog.lag == 0)
        return true;
    }
    return false;
  }
  int64_t count(const std::string& table) {
    int64_t n = -1;
    REQUIRE(pg.run("count", [&](pqxx::connection& c) {
      pqxx::read_transaction tx(c);
      n = tx.exec("SELECT count(*) FROM " + table)[0][0].as<int64_t>();
    }));
    return n;
  }

  RedisServer redisServer;
  redis::RedisConnection redis{redisServer.options()};
  redis::RedisEventStream stream{redis, {3, 100'000}};
  pg::PgConnection pg;
  pg::PgJournalStore journal;
  events::EventIds ids{"test"};
  int64_t nowMs = kT0;
};

}  // namespace

TEST_CASE("journal job: events reach the journal once and leave nothing in the group", "[pg][journal]") {
  PgDatabase database;
  Fixture f(database.url());
  scheduler::JournalJob job(settings("scheduler-0"), f.stream, f.journal, kTick);
  for (uint32_t uin = 1001; uin <= 1005; ++uin)
    REQUIRE(f.stream.append(sessionEvents(f.ids, uin, "s" + std::to_string(uin), kT0)));
  REQUIRE(f.drain(job));
  CHECK(job.writtenTotal() == 15);
  CHECK(job.duplicatesTotal() == 0);
  CHECK(f.count("journal_events") == 15);
  std::vector<store::JournalSession> sessions;
  REQUIRE(f.journal.sessions({}, sessions));
  REQUIRE(sessions.size() == 5);
  for (const auto& s : sessions) {
    CHECK(s.startedMs == kT0);
    CHECK(s.endedMs == kT0 + 2000);
    CHECK(s.endReason == "logoff");
  }
}

TEST_CASE("journal job: PostgreSQL stopped under a stream of events then started - every event written exactly once",
          "[pg][journal]") {
  PgServer server;
  Fixture f(server.url());
  scheduler::JournalJob job(settings("scheduler-0"), f.stream, f.journal, kTick);
  uint32_t uin = 2000;
  auto produce = [&](int sessions) {
    for (int i = 0; i < sessions; ++i, ++uin)
      REQUIRE(f.stream.append(sessionEvents(f.ids, uin, "s" + std::to_string(uin), f.nowMs)));
  };
  produce(4);
  REQUIRE(f.drain(job));

  server.stop();
  produce(6);
  for (int i = 0; i < 5; ++i) CHECK_FALSE(job.runSlice(f.nowMs += kTick.count()));
  redis::GroupBacklog backlog;
  REQUIRE(f.stream.backlog(scheduler::JournalJob::kGroup, backlog));
  CHECK(backlog.pending > 0);  // read, not written, so not acknowledged
  produce(4);

  server.start();
  REQUIRE(f.drain(job));
  CHECK(f.count("journal_events") == 42);
  CHECK(f.count("journal_sessions") == 14);
  CHECK(job.writtenTotal() == 42);
}

TEST_CASE("journal job: a consumer killed with events in hand loses none and stores none twice", "[pg][journal]") {
  PgDatabase database;
  Fixture f(database.url());
  REQUIRE(f.stream.createGroup(scheduler::JournalJob::kGroup));
  for (uint32_t uin = 3001; uin <= 3004; ++uin)
    REQUIRE(f.stream.append(sessionEvents(f.ids, uin, "s" + std::to_string(uin), kT0)));

  // One consumer is given events and dies before writing them; another wrote its share and
  // died before acknowledging it.
  std::vector<redis::StreamEntry> lost, written;
  REQUIRE(f.stream.read(scheduler::JournalJob::kGroup, "died-before-writing", 2, false, lost));
  REQUIRE(f.stream.read(scheduler::JournalJob::kGroup, "died-before-acknowledging", 1, false, written));
  std::vector<Event> events;
  for (auto& entry : written) events.push_back(entry.event);
  size_t stored = 0;
  REQUIRE(f.journal.write(events, stored));
  REQUIRE(stored == written.size());

  scheduler::JournalJob job(settings("scheduler-1"), f.stream, f.journal, kTick);
  REQUIRE(f.drain(job));
  CHECK(f.count("journal_events") == 12);
  CHECK(job.writtenTotal() == 12 - written.size());
  CHECK(job.duplicatesTotal() == written.size());
}

TEST_CASE("journal job: an entry that is not an event is acknowledged and counted", "[pg][journal]") {
  PgDatabase database;
  Fixture f(database.url());
  scheduler::JournalJob job(settings("scheduler-0"), f.stream, f.journal, kTick);
  REQUIRE(job.runSlice(f.nowMs));  // creates the group
  redis::Reply reply;
  REQUIRE(f.redis.command({"XADD", redis::keys::events(0), "*", "garbage", "1"}, reply));
  REQUIRE(f.stream.append(sessionEvents(f.ids, 3, "s3", kT0)));
  REQUIRE(f.drain(job));
  CHECK(job.invalidTotal() == 1);
  CHECK(job.writtenTotal() == 3);
}

}  // namespace icq::test
