// A worker's user store through a PostgreSQL outage (PostgresStores::serveWorker,
// common/pg/credentials_memory.hpp): the credentials it read before the server stopped still
// answer — so those users keep logging in — for as long as its verifier cache remembers
// logins, and nobody else's do; a store that is not a worker's answers nothing.
#include <catch2/catch.hpp>

#include <string>

#include "common/config/config.hpp"
#include "common/util/clock.hpp"
#include "common/wiring/postgres_stores.hpp"
#include "tests/support/pg_server.hpp"

namespace icq {
namespace {

constexpr int64_t kTtlS = 60;

config::Config settings(const std::string& url) {
  return config::Config::defaults()
      .with("postgres.url", url)
      .with("auth.verifier_cache_entries", "10")
      .with("auth.verifier_cache_ttl_s", std::to_string(kTtlS));
}

uint32_t createUser(wiring::PostgresStores& stores, const std::string& hash) {
  store::NewUser user;
  user.passwordHash = hash;
  user.nick = "outage";
  uint32_t uin = 0;
  bool exists = false;
  REQUIRE(stores.users->createUser(user, uin, exists));
  return uin;
}

}  // namespace

TEST_CASE("postgres outage: a worker's user store answers the credentials it read before from memory", "[pg][outage]") {
  test::PgServer server;
  const config::Config config = settings(server.url("sslmode=disable"));
  util::ManualClock clock(1'000'000);
  wiring::PostgresStores worker(config);
  worker.serveWorker(config, clock);
  wiring::PostgresStores other(config);  // a store nobody turned memory on for
  const uint32_t seen = createUser(worker, "$argon2id$seen");
  const uint32_t unseen = createUser(worker, "$argon2id$unseen");
  std::optional<store::UserCredentials> found;
  REQUIRE(worker.users->findCredentials(seen, found));
  REQUIRE(found);
  REQUIRE(other.users->findCredentials(seen, found));

  server.stop();
  found.reset();
  REQUIRE(worker.users->findCredentials(seen, found));
  REQUIRE(found);
  CHECK(found->uin == seen);
  CHECK(found->passwordHash == "$argon2id$seen");
  CHECK(worker.users->credentialsRecalled() == 1);
  CHECK_FALSE(worker.users->findCredentials(unseen, found));  // never read: try again later
  CHECK_FALSE(other.users->findCredentials(seen, found));
  clock.advanceMs(kTtlS * 1000 + 1);  // past the verifier cache's TTL it is forgotten too
  CHECK_FALSE(worker.users->findCredentials(seen, found));
}

}  // namespace icq
