// The verifier cache (common/auth/verifier_cache.hpp) over real argon2id hashes at test cost:
// a remembered password costs no argon2id check, anything else does, and the bounds hold.
#include <catch2/catch.hpp>

#include "common/auth/password.hpp"
#include "common/auth/verifier_cache.hpp"

namespace icq {
namespace {

std::string hashOf(std::string_view password) { return auth::hashPassword(password, 1, 8 * 1024); }

}  // namespace

TEST_CASE("a verified password is answered from memory the second time", "[auth][verifier_cache]") {
  util::ManualClock clock(1000);
  auth::VerifierCache cache({10, 60000}, clock);
  const std::string hash = hashOf("secret99");
  CHECK(cache.verify(100000, hash, "secret99"));
  CHECK(cache.argon2Checks() == 1);
  CHECK(cache.verify(100000, hash, "secret99"));
  CHECK(cache.argon2Checks() == 1);
  CHECK(cache.hits() == 1);
  CHECK(cache.remembers(100000, "secret99"));
}

TEST_CASE("a wrong password is a miss that runs argon2id and fails", "[auth][verifier_cache]") {
  util::ManualClock clock(1000);
  auth::VerifierCache cache({10, 60000}, clock);
  const std::string hash = hashOf("secret99");
  REQUIRE(cache.verify(100000, hash, "secret99"));
  CHECK_FALSE(cache.verify(100000, hash, "secret98"));
  CHECK_FALSE(cache.verify(100000, hash, ""));
  CHECK(cache.argon2Checks() == 3);
  CHECK_FALSE(cache.remembers(100000, "secret98"));
  // The same password under another UIN is another credential.
  CHECK_FALSE(cache.remembers(100001, "secret99"));
  CHECK_FALSE(cache.verify(100001, hashOf("other"), "secret99"));
  // A failure does not evict what was proved.
  CHECK(cache.verify(100000, hash, "secret99"));
  CHECK(cache.hits() == 1);
}

TEST_CASE("a changed stored hash drops the entry: the old password stops working", "[auth][verifier_cache]") {
  util::ManualClock clock(1000);
  auth::VerifierCache cache({10, 60000}, clock);
  REQUIRE(cache.verify(100000, hashOf("old"), "old"));
  const std::string changed = hashOf("new");
  CHECK_FALSE(cache.verify(100000, changed, "old"));
  CHECK_FALSE(cache.remembers(100000, "old"));
  CHECK(cache.size() == 0);
  CHECK(cache.argon2Checks() == 2);  // the old password was checked against the new hash
  CHECK(cache.verify(100000, changed, "new"));
  CHECK(cache.argon2Checks() == 3);
  // Re-hashing the same password (a new salt) is a new stored hash too.
  CHECK(cache.verify(100000, hashOf("new"), "new"));
  CHECK(cache.argon2Checks() == 4);
  cache.forget(100000);
  CHECK_FALSE(cache.remembers(100000, "new"));
}

TEST_CASE("the cache holds at most its bound, least recently used first out, and entries expire",
          "[auth][verifier_cache]") {
  util::ManualClock clock(1000);
  auth::VerifierCache cache({2, 60000}, clock);
  const std::string hash = hashOf("pw");
  REQUIRE(cache.verify(1, hash, "pw"));
  REQUIRE(cache.verify(2, hash, "pw"));
  REQUIRE(cache.verify(1, hash, "pw"));  // 1 is now the most recent
  REQUIRE(cache.verify(3, hash, "pw"));  // evicts 2
  CHECK(cache.size() == 2);
  CHECK(cache.remembers(1, "pw"));
  CHECK_FALSE(cache.remembers(2, "pw"));
  CHECK(cache.remembers(3, "pw"));
  clock.advanceMs(60000);
  CHECK_FALSE(cache.remembers(1, "pw"));
  const uint64_t before = cache.argon2Checks();
  CHECK(cache.verify(3, hash, "pw"));
  CHECK(cache.argon2Checks() == before + 1);
}

TEST_CASE("a cache of size 0 remembers nothing and still verifies", "[auth][verifier_cache]") {
  util::ManualClock clock(1000);
  auth::VerifierCache cache({0, 60000}, clock);
  const std::string hash = hashOf("pw");
  CHECK(cache.verify(1, hash, "pw"));
  CHECK(cache.verify(1, hash, "pw"));
  CHECK_FALSE(cache.verify(1, hash, "wrong"));
  CHECK(cache.argon2Checks() == 3);
  CHECK(cache.size() == 0);
  CHECK_FALSE(cache.remembers(1, "pw"));
}

}  // namespace icq
