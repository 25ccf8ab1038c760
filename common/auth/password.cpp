// argon2id hashing through libsodium's crypto_pwhash_str API; see password.hpp.
#include "common/auth/password.hpp"

#include <sodium.h>

#include <stdexcept>
#include <string>

namespace icq::auth {
namespace {

// sodium_init is thread-safe and idempotent, but it probes the RNG; do it once.
void initSodium() {
  static const bool ready = sodium_init() >= 0;
  if (!ready) throw std::runtime_error("libsodium failed to initialise");
}

}  // namespace

std::string hashPassword(std::string_view password, uint64_t opslimit, size_t memlimitBytes) {
  initSodium();
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(), opslimit, memlimitBytes,
                            crypto_pwhash_ALG_ARGON2ID13) != 0)
    throw std::runtime_error("argon2id hashing failed (opslimit " + std::to_string(opslimit) + ", memlimit " +
                             std::to_string(memlimitBytes) + " bytes)");
  return out;
}

bool verifyPassword(const std::string& hash, std::string_view password) {
  initSodium();
  return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

}  // namespace icq::auth
