// PgJournalStore against a fresh, migrated PostgreSQL database: a session's row from its
// login and its end in either order, every event once however often it is written, the
// queries by UIN, network and time, a timeline in order, values that cannot be typed kept
// as text without failing the batch, and retention.
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include "common/pg/connection.hpp"
#include "common/pg/journal_store_impl.hpp"
#include "common/pg/migrations.hpp"
#include "tests/support/pg_database.hpp"

namespace icq {
namespace {

using events::Event;
using events::EventKind;

constexpr int64_t kT0 = 1'700'000'000'000;
constexpr uint32_t kAlice = 1001, kBob = 1002;

Event event(const std::string& id, EventKind kind, uint32_t uin, const std::string& session, int64_t atMs) {
  Event e;
  e.id = id;
  e.kind = kind;
  e.uin = uin;
  e.session = session;
  e.atMs = atMs;
  return e;
}

Event login(const std::string& id, uint32_t uin, const std::string& session, int64_t atMs,
            const std::string& address = "10.1.2.3") {
  Event e = event(id, EventKind::login, uin, session, atMs);
  e.with("protocol", "5").with("client_version", "393217").with("address", address).with("port", "4000");
  e.with("gateway", "gw-0").with("worker", "worker-1");
  return e;
}

Event ending(const std::string& id, uint32_t uin, const std::string& session, int64_t atMs,
             const std::string& reason = "") {
  Event e = event(id, reason.empty() ? EventKind::logoff : EventKind::session_end, uin, session, atMs);
  if (!reason.empty()) e.with("reason", reason);
  e.with("packets", "42");
  return e;
}

struct Fixture {
  test::PgDatabase database;
  pg::PgConnection connection{database.url()};
  pg::PgJournalStore journal{connection};

  Fixture() { pg::applyMigrations(connection); }

  size_t write(const std::vector<Event>& events) {
    size_t stored = 0;
    REQUIRE(journal.write(events, stored));
    return stored;
  }
  std::vector<store::JournalSession> sessions(store::JournalQuery query = {}) {
    std::vector<store::JournalSession> out;
    REQUIRE(journal.sessions(query, out));
    return out;
  }
  std::vector<Event> timeline(const std::string& session) {
    std::vector<Event> out;
    REQUIRE(journal.timeline(session, out));
    return out;
  }
  int64_t count(const std::string& table) {
    int64_t n = 0;
    REQUIRE(connection.run("count", [&](pqxx::connection& c) {
      pqxx::read_transaction tx(c);
      n = tx.exec("SELECT count(*) FROM " + table)[0][0].as<int64_t>();
    }));
    return n;
  }
};

std::vector<std::string> idsOf(const std::vector<Event>& events) {
  std::vector<std::string> ids;
  for (const Event& e : events) ids.push_back(e.id);
  return ids;
}

}  // namespace

TEST_CASE("journal: a session's row comes from its login and its end", "[pg][journal]") {
  Fixture f;
  Event message = event("e2", EventKind::message, kAlice, "s1", kT0 + 1000);
  message.with("to", std::to_string(kBob));
  CHECK(f.write({login("e1", kAlice, "s1", kT0), message, ending("e3", kAlice, "s1", kT0 + 5000)}) == 3);

  const auto sessions = f.sessions();
  REQUIRE(sessions.size() == 1);
  const store::JournalSession& s = sessions[0];
  CHECK(s.id == "s1");
  CHECK(s.uin == kAlice);
  CHECK(s.protocol == 5);
  CHECK(s.clientVersion == 393217);
  CHECK(s.address == "10.1.2.3");
  CHECK(s.port == 4000);
  CHECK(s.gateway == "gw-0");
  CHECK(s.worker == "worker-1");
  CHECK(s.startedMs == kT0);
  CHECK(s.endedMs == kT0 + 5000);
  CHECK(s.endReason == "logoff");
  CHECK(s.packets == 42);
  CHECK(s.messages == 1);
}

TEST_CASE("journal: a session's messages count each message event once however often it is written", "[pg][journal]") {
  Fixture f;
  const Event m1 = event("m1", EventKind::message, kAlice, "s1", kT0 + 1000);
  const Event m2 = event("m2", EventKind::message, kAlice, "s1", kT0 + 2000);
  const Event other = event("m3", EventKind::message, kBob, "s2", kT0 + 3000);
  // Messages before their session's login: the count makes the row, the login fills it in.
  CHECK(f.write({m1, m1, other}) == 2);
  CHECK(f.write({login("e1", kAlice, "s1", kT0), m1, m2}) == 2);
  CHECK(f.write({m2, m1, event("st", EventKind::status, kAlice, "s1", kT0 + 2500)}) == 1);

  const auto alice = f.sessions({.uin = kAlice});
  REQUIRE(alice.size() == 1);
  CHECK(alice[0].messages == 2);
  CHECK(alice[0].startedMs == kT0);
  const auto bob = f.sessions({.uin = kBob});
  REQUIRE(bob.size() == 1);
  CHECK(bob[0].messages == 1);
}

TEST_CASE("journal: an end before its login, and batches written again, give the same rows", "[pg][journal]") {
  Fixture f;
  const std::vector<Event> first = {ending("e9", kAlice, "s1", kT0 + 9000, "expired"),
                                    event("e5", EventKind::status, kAlice, "s1", kT0 + 5000)};
  const std::vector<Event> second = {login("e1", kAlice, "s1", kT0), event("e5", EventKind::status, kAlice, "s1", kT0 + 5000)};
  CHECK(f.write(first) == 2);
  CHECK(f.write(second) == 1);  // e5 was stored already
  CHECK(f.write(first) == 0);
  CHECK(f.write(second) == 0);
  // One event twice in one batch, as a claim and a re-read can hand it over.
  CHECK(f.write({login("e1", kAlice, "s1", kT0), login("e1", kAlice, "s1", kT0)}) == 0);

  CHECK(f.count("journal_events") == 3);
  const auto sessions = f.sessions();
  REQUIRE(sessions.size() == 1);
  CHECK(sessions[0].startedMs == kT0);
  CHECK(sessions[0].endedMs == kT0 + 9000);
  CHECK(sessions[0].endReason == "expired");
  CHECK(sessions[0].address == "10.1.2.3");
}

TEST_CASE("journal: sessions by UIN, by network and by time, latest first", "[pg][journal]") {
  Fixture f;
  f.write({login("a1", kAlice, "sa1", kT0, "10.1.0.1"), ending("a2", kAlice, "sa1", kT0 + 100'000),
           login("a3", kAlice, "sa2", kT0 + 200'000, "192.168.5.5"),
           login("b1", kBob, "sb1", kT0 + 50'000, "10.2.0.7"), ending("b2", kBob, "sb1", kT0 + 60'000, "kicked")});

  auto ids = [](const std::vector<store::JournalSession>& sessions) {
    std::vector<std::string> out;
    for (const auto& s : sessions) out.push_back(s.id);
    return out;
  };
  CHECK(ids(f.sessions()) == std::vector<std::string>{"sa2", "sb1", "sa1"});
  CHECK(ids(f.sessions({.uin = kAlice})) == std::vector<std::string>{"sa2", "sa1"});
  CHECK(ids(f.sessions({.network = "10.0.0.0/8"})) == std::vector<std::string>{"sb1", "sa1"});
  CHECK(ids(f.sessions({.network = "10.2.0.7"})) == std::vector<std::string>{"sb1"});
  // Online at some time in [T0+70 s, T0+150 s): sa1 (until T0+100 s); sb1 had ended, sa2
  // had not begun.
  CHECK(ids(f.sessions({.fromMs = kT0 + 70'000, .untilMs = kT0 + 150'000})) == std::vector<std::string>{"sa1"});
  // A session still open counts as online ever after.
  CHECK(ids(f.sessions({.fromMs = kT0 + 500'000})) == std::vector<std::string>{"sa2"});
  CHECK(f.sessions({.limit = 1}).size() == 1);
}

TEST_CASE("journal: a session's timeline is its events in order, fields and all", "[pg][journal]") {
  Fixture f;
  Event status = event("e3", EventKind::status, kAlice, "s1", kT0 + 3000);
  status.with("status", "away");
  f.write({status, ending("e4", kAlice, "s1", kT0 + 4000), login("e1", kAlice, "s1", kT0),
           event("other", EventKind::login, kBob, "s2", kT0 + 1)});
  const auto timeline = f.timeline("s1");
  CHECK(idsOf(timeline) == std::vector<std::string>{"e1", "e3", "e4"});
  REQUIRE(timeline.size() == 3);
  CHECK(timeline[1].kind == EventKind::status);
  CHECK(timeline[1].atMs == kT0 + 3000);
  CHECK(timeline[1].uin == kAlice);
  CHECK(timeline[1].fields == std::vector<events::Field>{{"status", "away"}});
  CHECK(f.timeline("no-such-session").empty());
}

TEST_CASE("journal: values that are not what their column takes are kept in the event and fail nothing",
          "[pg][journal]") {
  Fixture f;
  Event odd = login("e1", kAlice, "s1", kT0, "not an address");
  odd.fields[0].value = "five";            // protocol
  odd.with("nick", std::string("A\0B\xff", 4));  // NUL and a byte that is not UTF-8
  CHECK(f.write({odd}) == 1);
  const auto sessions = f.sessions();
  REQUIRE(sessions.size() == 1);
  CHECK_FALSE(sessions[0].protocol.has_value());
  CHECK(sessions[0].address.empty());
  const auto timeline = f.timeline("s1");
  REQUIRE(timeline.size() == 1);
  CHECK(*timeline[0].field("address") == "not an address");
  CHECK(*timeline[0].field("nick") == "AB\xEF\xBF\xBD");
}

TEST_CASE("journal: retention deletes what is older than the cutoff, a bounded batch at a time", "[pg][journal]") {
  Fixture f;
  std::vector<Event> old;
  for (int i = 0; i < 5; ++i) old.push_back(event("old" + std::to_string(i), EventKind::status, kAlice, "s1", kT0 + i));
  old.push_back(login("l1", kAlice, "s1", kT0));
  old.push_back(ending("l2", kAlice, "s1", kT0 + 10));
  old.push_back(login("n1", kBob, "s2", kT0 + 1'000'000));
  f.write(old);
  size_t deleted = 0;
  REQUIRE(f.journal.purgeBefore(kT0 + 500'000, 3, deleted));
  CHECK(deleted == 4);  // three events, one session
  REQUIRE(f.journal.purgeBefore(kT0 + 500'000, 100, deleted));
  CHECK(deleted == 4);
  REQUIRE(f.journal.purgeBefore(kT0 + 500'000, 100, deleted));
  CHECK(deleted == 0);
  CHECK(f.count("journal_events") == 1);
  CHECK(f.count("journal_sessions") == 1);
}

}  // namespace icq
