// CredentialsMemory: what a worker's user store recalls while PostgreSQL is down — the last
// read of each account within the TTL, the least recently read forgotten first when full, and
// nothing for an account the last read found gone.
#include <catch2/catch.hpp>

#include "common/pg/credentials_memory.hpp"

namespace icq::pg {
namespace {

store::UserCredentials account(uint32_t uin, const std::string& hash, bool locked = false) {
  store::UserCredentials c;
  c.uin = uin;
  c.passwordHash = hash;
  c.locked = locked;
  return c;
}

}  // namespace

TEST_CASE("credentials memory recalls the last read within the TTL", "[pg][credentials]") {
  CredentialsMemory memory(10, 1000);
  memory.remember(7, account(7, "old"), 0);
  memory.remember(7, account(7, "new", true), 500);
  const store::UserCredentials* recalled = memory.recall(7, 1500);
  REQUIRE(recalled);
  CHECK(recalled->passwordHash == "new");
  CHECK(recalled->locked);  // a lock read last is recalled too: the user stays out
  CHECK_FALSE(memory.recall(7, 1501));
  CHECK_FALSE(memory.recall(8, 0));
}

TEST_CASE("credentials memory forgets an account the database no longer has", "[pg][credentials]") {
  CredentialsMemory memory(10, 1000);
  memory.remember(7, account(7, "h"), 0);
  memory.remember(7, std::nullopt, 10);
  CHECK_FALSE(memory.recall(7, 10));
  CHECK(memory.size() == 0);
}

TEST_CASE("credentials memory drops the least recently read account when full", "[pg][credentials]") {
  CredentialsMemory memory(2, 1000);
  memory.remember(1, account(1, "a"), 0);
  memory.remember(2, account(2, "b"), 0);
  memory.remember(1, account(1, "a"), 1);  // read again: now the most recent
  memory.remember(3, account(3, "c"), 2);
  CHECK(memory.size() == 2);
  CHECK(memory.recall(1, 2));
  CHECK_FALSE(memory.recall(2, 2));
  CHECK(memory.recall(3, 2));
}

TEST_CASE("credentials memory of size zero remembers nothing", "[pg][credentials]") {
  CredentialsMemory memory(0, 1000);
  memory.remember(1, account(1, "a"), 0);
  CHECK_FALSE(memory.recall(1, 0));
}

}  // namespace icq::pg
