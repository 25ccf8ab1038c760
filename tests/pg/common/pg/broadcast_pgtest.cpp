// The stores' part of V3 broadcasts (protocol-v3.md §5.16) against a fresh, migrated
// PostgreSQL database: the may_broadcast permission, department membership, and the
// BROADCAST_ALL copies stored a page of accounts at a time.
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
const std::vector<uint32_t> kUins{1001, 1002, 1003, 1004, 1005};

struct Accounts {
  test::PgDatabase database;
  pg::PgConnection connection{database.url()};
  pg::PgUserStore users{connection};
  pg::PgMessageStore messages{connection};

  Accounts() {
    pg::applyMigrations(connection);
    for (uint32_t uin : kUins) {
      store::NewUser user{uin, "$argon2id$fake", "", "", "", ""};
      uint32_t created = 0;
      bool exists = true;
      REQUIRE(users.createUser(user, created, exists));
    }
  }
  /// What a V3 client's SET_WORK stores for department `code`: its decimal text.
  void joinDepartment(uint32_t uin, const std::string& code) {
    REQUIRE(connection.run("test", [&](pqxx::connection& c) {
      pqxx::work tx(c);
      tx.exec_params("UPDATE users SET work_department = convert_to($2, 'UTF8') WHERE uin = $1", uin, code);
      tx.commit();
    }));
  }
  /// Every page of a broadcast from 1001 skipping `skip`; the copies stored per page.
  std::vector<size_t> storeAll(uint32_t department, const std::vector<uint32_t>& skip, size_t pageSize) {
    const std::string text = "all hands";
    std::vector<size_t> pages;
    uint32_t after = 0;
    for (;;) {
      uint32_t last = 0;
      size_t stored = 0;
      REQUIRE(messages.storeForAll(1001, 0x14, {reinterpret_cast<const uint8_t*>(text.data()), text.size()}, kNowMs,
                                   department, skip, after, pageSize, last, stored));
      if (last == 0) return pages;
      pages.push_back(stored);
      after = last;
    }
  }
  size_t pendingCount(uint32_t uin) {
    std::vector<store::OfflineMessage> out;
    REQUIRE(messages.pendingFor(uin, 10, out));
    for (const store::OfflineMessage& m : out) {
      CHECK(m.from == 1001);
      CHECK(m.type == 0x14);
      CHECK(m.text == "all hands");
    }
    return out.size();
  }
};

TEST_CASE("the broadcast permission is off for new accounts and set by the administrator", "[pg][broadcast]") {
  Accounts a;
  std::optional<store::UserCredentials> credentials;
  REQUIRE(a.users.findCredentials(1002, credentials));
  REQUIRE(credentials);
  CHECK_FALSE(credentials->mayBroadcast);
  bool found = false;
  REQUIRE(a.users.setMayBroadcast(1002, true, found));
  CHECK(found);
  REQUIRE(a.users.findCredentials(1002, credentials));
  CHECK(credentials->mayBroadcast);
  REQUIRE(a.users.findCredentials(1003, credentials));
  CHECK_FALSE(credentials->mayBroadcast);
  REQUIRE(a.users.setMayBroadcast(1002, false, found));
  REQUIRE(a.users.findCredentials(1002, credentials));
  CHECK_FALSE(credentials->mayBroadcast);
  REQUIRE(a.users.setMayBroadcast(4242, true, found));
  CHECK_FALSE(found);
}

TEST_CASE("BROADCAST_ALL copies go to every account but the skipped ones, a page at a time", "[pg][broadcast]") {
  Accounts a;
  // Pages of two accounts: {1001, 1002}, {1003, 1004}, {1005}; the sender and 1003 skipped.
  CHECK(a.storeAll(0, {1001, 1003}, 2) == std::vector<size_t>{1, 1, 1});
  CHECK(a.pendingCount(1001) == 0);
  CHECK(a.pendingCount(1002) == 1);
  CHECK(a.pendingCount(1003) == 0);
  CHECK(a.pendingCount(1004) == 1);
  CHECK(a.pendingCount(1005) == 1);
}

TEST_CASE("a department broadcast reaches only that department's accounts", "[pg][broadcast]") {
  Accounts a;
  a.joinDepartment(1002, "7");
  a.joinDepartment(1004, "7");
  a.joinDepartment(1005, "70");  // another department, not a prefix match
  std::vector<uint32_t> members;
  REQUIRE(a.users.inDepartment(7, {1002, 1003, 1005}, members));
  CHECK(members == std::vector<uint32_t>{1002});
  REQUIRE(a.users.inDepartment(7, {}, members));
  CHECK(members.empty());
  CHECK(a.storeAll(7, {1001, 1004}, 100) == std::vector<size_t>{1});
  CHECK(a.pendingCount(1002) == 1);
  CHECK(a.pendingCount(1003) == 0);
  CHECK(a.pendingCount(1004) == 0);
  CHECK(a.pendingCount(1005) == 0);
}

}  // namespace
}  // namespace icq
