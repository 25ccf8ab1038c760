// PgUserStore against a fresh, migrated PostgreSQL database: accounts, UIN allocation,
// passwords, logins, the audit trail, and failure as a value when the server is gone.
#include <catch2/catch.hpp>

#include <string>

#include "common/pg/connection.hpp"
#include "common/pg/migrations.hpp"
#include "common/pg/user_store_impl.hpp"
#include "tests/support/pg_database.hpp"

namespace icq {
namespace {

struct Fixture {
  test::PgDatabase database;
  pg::PgConnection connection{database.url()};
  pg::PgUserStore users{connection};

  Fixture() { pg::applyMigrations(connection); }

  uint32_t create(uint32_t uin, const std::string& nick = "nick") {
    store::NewUser user;
    user.uin = uin;
    user.passwordHash = "$argon2id$fake";
    user.nick = nick;
    uint32_t created = 0;
    bool exists = true;
    REQUIRE(users.createUser(user, created, exists));
    REQUIRE_FALSE(exists);
    return created;
  }
  pqxx::row row(const std::string& sql) {
    pqxx::nontransaction tx(connection.connection());
    return tx.exec1(sql);
  }
};

}  // namespace

TEST_CASE("user store: a created user's credentials are found", "[pg][users]") {
  Fixture f;
  std::optional<store::UserCredentials> credentials;
  REQUIRE(f.users.findCredentials(123456, credentials));
  CHECK_FALSE(credentials.has_value());

  CHECK(f.create(123456) == 123456);
  REQUIRE(f.users.findCredentials(123456, credentials));
  REQUIRE(credentials.has_value());
  CHECK(credentials->uin == 123456);
  CHECK(credentials->passwordHash == "$argon2id$fake");
  CHECK_FALSE(credentials->locked);
  CHECK(credentials->lockText.empty());
}

TEST_CASE("user store: a locked account carries its lock text as bytes", "[pg][users]") {
  Fixture f;
  f.create(5000);
  {
    pqxx::work tx(f.connection.connection());
    tx.exec("UPDATE users SET locked = true, lock_text = '\\xe4ff00'::bytea WHERE uin = 5000");
    tx.commit();
  }
  std::optional<store::UserCredentials> credentials;
  REQUIRE(f.users.findCredentials(5000, credentials));
  REQUIRE(credentials.has_value());
  CHECK(credentials->locked);
  CHECK(credentials->lockText == std::string("\xE4\xFF\x00", 3));
}

TEST_CASE("user store: profile text is stored as the client's bytes", "[pg][users]") {
  Fixture f;
  store::NewUser user;
  user.uin = 777;
  user.passwordHash = "h";
  user.nick = std::string("\xC0\xE1\x00z", 4);  // cp1251 bytes and a NUL
  user.firstName.assign(1, '\xFF');
  uint32_t uin = 0;
  bool exists = false;
  REQUIRE(f.users.createUser(user, uin, exists));
  const pqxx::row stored = f.row("SELECT encode(nick, 'hex'), encode(first_name, 'hex'), length(email) FROM users");
  CHECK(stored[0].as<std::string>() == "c0e1007a");
  CHECK(stored[1].as<std::string>() == "ff");
  CHECK(stored[2].as<int>() == 0);
}

TEST_CASE("user store: creating a taken UIN reports that it exists", "[pg][users]") {
  Fixture f;
  f.create(4242, "first");
  store::NewUser user;
  user.uin = 4242;
  user.passwordHash = "other";
  uint32_t uin = 0;
  bool exists = false;
  REQUIRE(f.users.createUser(user, uin, exists));
  CHECK(exists);
  CHECK(uin == 4242);
  CHECK(f.row("SELECT password_hash FROM users WHERE uin = 4242")[0].as<std::string>() == "$argon2id$fake");
}

TEST_CASE("user store: new UINs are allocated from 10000 and skip taken ones", "[pg][users]") {
  Fixture f;
  CHECK(f.create(0) == 10000);
  f.create(10001);
  f.create(10002);
  CHECK(f.create(0) == 10003);
  CHECK(f.create(0) == 10004);
}

TEST_CASE("user store: setPasswordHash replaces the hash and clears must-change", "[pg][users]") {
  Fixture f;
  f.create(100);
  {
    pqxx::work tx(f.connection.connection());
    tx.exec("UPDATE users SET must_change_password = true WHERE uin = 100");
    tx.commit();
  }
  bool found = false;
  REQUIRE(f.users.setPasswordHash(100, "$argon2id$new", found));
  CHECK(found);
  const pqxx::row stored = f.row("SELECT password_hash, must_change_password FROM users WHERE uin = 100");
  CHECK(stored[0].as<std::string>() == "$argon2id$new");
  CHECK_FALSE(stored[1].as<bool>());
  REQUIRE(f.users.setPasswordHash(101, "$argon2id$new", found));
  CHECK_FALSE(found);
}

TEST_CASE("user store: recordLogin stores the time and source IP", "[pg][users]") {
  Fixture f;
  f.create(100);
  const uint32_t ip = 0x0402A8C0;  // 192.168.2.4 in network byte order
  REQUIRE(f.users.recordLogin(100, ip, 1'700'000'000'123));
  const pqxx::row stored = f.row(
      "SELECT host(last_login_ip), (extract(epoch FROM last_login_at) * 1000)::bigint"
      " FROM users WHERE uin = 100");
  CHECK(stored[0].as<std::string>() == "192.168.2.4");
  CHECK(stored[1].as<int64_t>() == 1'700'000'000'123);
}

TEST_CASE("user store: audit events are recorded with their name", "[pg][users]") {
  Fixture f;
  REQUIRE(f.users.audit(100, store::AuditEvent::login, "ip=192.168.2.4"));
  REQUIRE(f.users.audit(100, store::AuditEvent::logoff, ""));
  REQUIRE(f.users.audit(0, store::AuditEvent::user_created, "by icqctl"));
  CHECK(f.row("SELECT count(*) FROM audit_events WHERE uin = 100")[0].as<int>() == 2);
  CHECK(f.row("SELECT event, detail FROM audit_events WHERE uin = 100 ORDER BY id LIMIT 1")[0].as<std::string>() ==
        "login");
  CHECK(f.row("SELECT count(*) FROM audit_events WHERE uin IS NULL AND event = 'user_created'")[0].as<int>() == 1);
}

TEST_CASE("user store: buffered history waits for flushHistory and goes in one piece, any text intact",
          "[pg][users]") {
  Fixture f;
  f.create(100);
  f.create(101);
  f.users.bufferHistory();
  REQUIRE(f.users.recordLogin(100, 0x0402A8C0, 1'700'000'000'123));
  REQUIRE(f.users.recordLogin(101, 0x0100007F, 1'700'000'000'456));
  REQUIRE(f.users.audit(100, store::AuditEvent::login, "from \"quoted\" \\ back,slash {braces}"));
  REQUIRE(f.users.audit(0, store::AuditEvent::user_created, ""));
  // Nothing is written before the flush.
  CHECK(f.row("SELECT count(*) FROM audit_events")[0].as<int>() == 0);
  CHECK(f.row("SELECT last_login_at IS NULL FROM users WHERE uin = 100")[0].as<bool>());
  f.users.flushHistory();
  CHECK(f.row("SELECT count(*) FROM audit_events")[0].as<int>() == 2);
  CHECK(f.row("SELECT detail FROM audit_events WHERE uin = 100")[0].as<std::string>() ==
        "from \"quoted\" \\ back,slash {braces}");
  CHECK(f.row("SELECT count(*) FROM audit_events WHERE uin IS NULL AND event = 'user_created'")[0].as<int>() == 1);
  const pqxx::row alice = f.row(
      "SELECT host(last_login_ip), (extract(epoch FROM last_login_at) * 1000)::bigint FROM users WHERE uin = 100");
  CHECK(alice[0].as<std::string>() == "192.168.2.4");
  CHECK(alice[1].as<int64_t>() == 1'700'000'000'123);
  CHECK(f.row("SELECT host(last_login_ip) FROM users WHERE uin = 101")[0].as<std::string>() == "127.0.0.1");
  f.users.flushHistory();  // nothing left: nothing written twice
  CHECK(f.row("SELECT count(*) FROM audit_events")[0].as<int>() == 2);
}

TEST_CASE("user store: methods return false, not throw, when the server is unreachable", "[pg][users]") {
  pg::PgConnection connection("host=127.0.0.1 port=1 user=nobody dbname=none connect_timeout=2");
  pg::PgUserStore users(connection);
  std::optional<store::UserCredentials> credentials;
  uint32_t uin = 0;
  bool flag = false;
  CHECK_FALSE(users.findCredentials(1, credentials));
  CHECK_FALSE(users.recordLogin(1, 0, 0));
  CHECK_FALSE(users.audit(1, store::AuditEvent::login, ""));
  CHECK_FALSE(users.createUser({}, uin, flag));
  CHECK_FALSE(users.setPasswordHash(1, "h", flag));
  CHECK_FALSE(connection.connected());
}

TEST_CASE("user store: a lost connection fails one call and the next call reconnects", "[pg][users]") {
  Fixture f;
  f.create(100);
  std::optional<store::UserCredentials> credentials;
  REQUIRE(f.users.findCredentials(100, credentials));
  {
    // Kill our own backend, as a server restart or a network cut would.
    pqxx::connection admin(test::PgDatabase::adminUrl());
    pqxx::nontransaction tx(admin);
    tx.exec_params("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1", f.database.name());
  }
  bool ok = f.users.findCredentials(100, credentials);
  if (!ok) ok = f.users.findCredentials(100, credentials);
  REQUIRE(ok);
  CHECK(credentials.has_value());
}

}  // namespace icq
