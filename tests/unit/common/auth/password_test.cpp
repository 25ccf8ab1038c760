// argon2id password hashes (common/auth/password.hpp), at test-sized cost.
#include <catch2/catch.hpp>

#include "common/auth/password.hpp"

namespace icq {
namespace {

// libsodium's minimum argon2id cost: the format and checks are the same, the test is fast.
constexpr uint64_t kOps = 1;
constexpr size_t kMemory = 8 * 1024;

}  // namespace

TEST_CASE("password hash is argon2id and verifies the right password only", "[auth]") {
  const std::string hash = auth::hashPassword("secret99", kOps, kMemory);
  CHECK(hash.rfind("$argon2id$", 0) == 0);
  CHECK(auth::verifyPassword(hash, "secret99"));
  CHECK_FALSE(auth::verifyPassword(hash, "secret98"));
  CHECK_FALSE(auth::verifyPassword(hash, "secret9"));
  CHECK_FALSE(auth::verifyPassword(hash, ""));
}

TEST_CASE("password hash never contains the password", "[auth]") {
  const std::string password = "plaintext-password";
  CHECK(auth::hashPassword(password, kOps, kMemory).find(password) == std::string::npos);
}

TEST_CASE("password hashes of one password differ by their salt", "[auth]") {
  const std::string first = auth::hashPassword("same", kOps, kMemory);
  const std::string second = auth::hashPassword("same", kOps, kMemory);
  CHECK(first != second);
  CHECK(auth::verifyPassword(first, "same"));
  CHECK(auth::verifyPassword(second, "same"));
}

TEST_CASE("password verification rejects a malformed hash", "[auth]") {
  CHECK_FALSE(auth::verifyPassword("", "x"));
  CHECK_FALSE(auth::verifyPassword("$argon2id$garbage", "x"));
}

TEST_CASE("password hashing refuses a cost below libsodium's minimum", "[auth]") {
  CHECK_THROWS_AS(auth::hashPassword("x", 0, kMemory), std::runtime_error);
}

}  // namespace icq
