// Password hashes for accounts: argon2id in libsodium's self-describing string format
// ("$argon2id$v=19$m=...,t=...,p=1$salt$hash"), so each hash carries its own cost and a
// cost change applies to new hashes without invalidating old ones.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace icq::auth {

/// Hashes `password` with a fresh random salt. `opslimit` is argon2 passes,
/// `memlimitBytes` its memory (config: auth.argon2_opslimit, auth.argon2_memlimit_kib).
/// Throws std::runtime_error if libsodium cannot start or refuses the limits (a config
/// error) or runs out of memory.
std::string hashPassword(std::string_view password, uint64_t opslimit, size_t memlimitBytes);

/// Whether `password` matches `hash`; false as well for a malformed hash.
bool verifyPassword(const std::string& hash, std::string_view password);

}  // namespace icq::auth
