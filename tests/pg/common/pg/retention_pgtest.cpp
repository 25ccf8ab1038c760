// Retention purges against a fresh, migrated PostgreSQL database: PgMessageStore's
// purgeStoredBefore and PgUserStore's purgeAuditBefore delete what is past the cutoff and
// nothing else, a bounded batch at a time, oldest first, through migration 4's indexes.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "common/pg/connection.hpp"
#include "common/pg/message_store_impl.hpp"
#include "common/pg/migrations.hpp"
#include "common/pg/user_store_impl.hpp"
#include "tests/support/pg_database.hpp"

namespace icq {
namespace {

constexpr int64_t kNowMs = 1'700'000'000'000;
constexpr int64_t kDayMs = 86'400'000;
constexpr int64_t kCutoffMs = kNowMs - 30 * kDayMs;
constexpr uint32_t kAlice = 1001, kBob = 1002;

std::span<const uint8_t> bytes(const std::string& text) {
  return {reinterpret_cast<const uint8_t*>(text.data()), text.size()};
}

struct Fixture {
  test::PgDatabase database;
  pg::PgConnection connection{database.url()};
  pg::PgUserStore users{connection};
  pg::PgMessageStore messages{connection};

  Fixture() {
    pg::applyMigrations(connection);
    for (uint32_t uin : {kAlice, kBob}) {
      store::NewUser user;
      user.uin = uin;
      user.passwordHash = "$argon2id$fake";
      uint32_t created = 0;
      bool exists = true;
      REQUIRE(users.createUser(user, created, exists));
    }
  }
  void store(const std::string& text, int64_t atMs) {
    bool stored = false;
    REQUIRE(messages.storeOffline(kAlice, kBob, 1, bytes(text), atMs, stored));
    REQUIRE(stored);
  }
  /// An audit entry recorded at `atMs` (audit() itself stamps the database's now()).
  void auditAt(const std::string& event, int64_t atMs) {
    pqxx::nontransaction tx(connection.connection());
    tx.exec_params(
        "INSERT INTO audit_events (at, uin, event) VALUES"
        " ('epoch'::timestamptz + $1::bigint * interval '1 millisecond', $2, $3)",
        atMs, kAlice, event);
  }
  std::vector<std::string> column(const std::string& sql) {
    std::vector<std::string> out;
    pqxx::nontransaction tx(connection.connection());
    for (const pqxx::row& row : tx.exec(sql)) out.push_back(row[0].as<std::string>());
    return out;
  }
  std::vector<std::string> messageTexts() {
    return column("SELECT encode(text, 'escape') FROM offline_messages ORDER BY id");
  }
  std::vector<std::string> auditEvents() { return column("SELECT event FROM audit_events ORDER BY id"); }
  std::string plan(const std::string& explain) {
    std::string text;
    for (const std::string& line : column(explain)) text += line + "\n";
    return text;
  }
};

using Texts = std::vector<std::string>;

}  // namespace

TEST_CASE("retention: purgeStoredBefore deletes messages stored before the cutoff, keeps the rest", "[pg][retention]") {
  Fixture f;
  f.store("old 1", kCutoffMs - 10 * kDayMs);
  f.store("recent", kNowMs - kDayMs);
  f.store("old 2", kCutoffMs - 1);
  f.store("at the cutoff", kCutoffMs);  // not before it: kept
  size_t deleted = 0;
  REQUIRE(f.messages.purgeStoredBefore(kCutoffMs, 100, deleted));
  CHECK(deleted == 2);
  CHECK(f.messageTexts() == Texts{"recent", "at the cutoff"});
  REQUIRE(f.messages.purgeStoredBefore(kCutoffMs, 100, deleted));
  CHECK(deleted == 0);
}

TEST_CASE("retention: a message purge deletes at most its batch, oldest stored first", "[pg][retention]") {
  Fixture f;
  // Stored out of time order: the order is stored_at's, not the ids'.
  f.store("day -40", kCutoffMs - 10 * kDayMs);
  f.store("day -60", kCutoffMs - 30 * kDayMs);
  f.store("day -35", kCutoffMs - 5 * kDayMs);
  f.store("day -50", kCutoffMs - 20 * kDayMs);
  f.store("day -1", kNowMs - kDayMs);
  size_t deleted = 0;
  REQUIRE(f.messages.purgeStoredBefore(kCutoffMs, 2, deleted));
  CHECK(deleted == 2);
  CHECK(f.messageTexts() == Texts{"day -40", "day -35", "day -1"});
  REQUIRE(f.messages.purgeStoredBefore(kCutoffMs, 2, deleted));
  CHECK(deleted == 2);
  CHECK(f.messageTexts() == Texts{"day -1"});
  REQUIRE(f.messages.purgeStoredBefore(kCutoffMs, 2, deleted));
  CHECK(deleted == 0);
}

TEST_CASE("retention: purgeAuditBefore deletes entries before the cutoff, at most its batch, oldest first",
          "[pg][retention]") {
  Fixture f;
  f.auditAt("day -45", kCutoffMs - 15 * kDayMs);
  f.auditAt("day -90", kCutoffMs - 60 * kDayMs);
  f.auditAt("at the cutoff", kCutoffMs);
  f.auditAt("day -31", kCutoffMs - kDayMs);
  REQUIRE(f.users.audit(kBob, store::AuditEvent::login, "just now"));  // stamped now(): years after kNowMs
  size_t deleted = 0;
  REQUIRE(f.users.purgeAuditBefore(kCutoffMs, 2, deleted));
  CHECK(deleted == 2);
  CHECK(f.auditEvents() == Texts{"at the cutoff", "day -31", "login"});
  REQUIRE(f.users.purgeAuditBefore(kCutoffMs, 2, deleted));
  CHECK(deleted == 1);
  CHECK(f.auditEvents() == Texts{"at the cutoff", "login"});
}

// Each batch must read only the rows it deletes: the sub-select walks migration 4's index
// and stops at the limit, and the DELETE finds its rows by ctid. Without the index the plan
// is a sequential scan and a sort of the whole table, per batch. The statements are the
// stores' own: prepared on the connection by a first call, then EXPLAINed by name.
TEST_CASE("retention: both purges read their rows through the retention indexes", "[pg][retention]") {
  Fixture f;
  {
    pqxx::nontransaction tx(f.connection.connection());
    tx.exec_params(
        "INSERT INTO offline_messages (to_uin, from_uin, stored_at, msg_type, text)"
        " SELECT $1, $2, 'epoch'::timestamptz + ($3::bigint - g * 60000) * interval '1 millisecond', 1, 'x'"
        " FROM generate_series(1, 20000) g",
        kBob, kAlice, kNowMs);
    tx.exec_params(
        "INSERT INTO audit_events (at, uin, event)"
        " SELECT 'epoch'::timestamptz + ($1::bigint - g * 60000) * interval '1 millisecond', $2, 'login'"
        " FROM generate_series(1, 20000) g",
        kNowMs, kAlice);
    tx.exec("ANALYZE offline_messages");
    tx.exec("ANALYZE audit_events");
  }
  size_t deleted = 0;
  REQUIRE(f.messages.purgeStoredBefore(0, 1, deleted));
  REQUIRE(f.users.purgeAuditBefore(0, 1, deleted));
  const std::string cutoff = std::to_string(kNowMs - 5 * kDayMs);

  const std::string messagesPlan = f.plan("EXPLAIN EXECUTE messages_purge(" + cutoff + ", 1000)");
  INFO(messagesPlan);
  CHECK_THAT(messagesPlan, Catch::Contains("offline_messages_stored_at") && Catch::Contains("Tid Scan"));
  CHECK_THAT(messagesPlan, !Catch::Contains("Seq Scan"));

  const std::string auditPlan = f.plan("EXPLAIN EXECUTE users_purge_audit(" + cutoff + ", 1000)");
  INFO(auditPlan);
  CHECK_THAT(auditPlan, Catch::Contains("audit_events_at") && Catch::Contains("Tid Scan"));
  CHECK_THAT(auditPlan, !Catch::Contains("Seq Scan"));
}

TEST_CASE("retention: purges return false, not throw, when the server is unreachable", "[pg][retention]") {
  pg::PgConnection connection("host=127.0.0.1 port=1 user=nobody dbname=none connect_timeout=2");
  pg::PgMessageStore messages(connection);
  pg::PgUserStore users(connection);
  size_t deleted = 7;
  CHECK_FALSE(messages.purgeStoredBefore(kCutoffMs, 10, deleted));
  CHECK(deleted == 0);
  deleted = 7;
  CHECK_FALSE(users.purgeAuditBefore(kCutoffMs, 10, deleted));
  CHECK(deleted == 0);
}

}  // namespace icq
