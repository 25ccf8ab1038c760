// A worker's memory of logins it has already verified, so that a user who logs in again
// with the same password against the same stored argon2id hash is not hashed again.
//
// Why it exists: an argon2id check at production cost takes tens of milliseconds of a
// core and 64 MiB, so a worker can verify a few dozen logins a second, while the login
// churn target (issue 7) is thousands. Most of those logins are the same users with the
// same password over and over (reconnecting clients, retransmitted logins after a lost
// reply, flapping links); the expensive proof only has to be made once per password.
//
// What is kept, per UIN (one entry: a user has one password):
//   - credential: BLAKE2b-256 keyed with a random per-process key (libsodium
//     crypto_generichash) over the UIN and the password. Never the plaintext, never an
//     unkeyed digest of it.
//   - stored: the same keyed BLAKE2b over the argon2id string the check succeeded against.
//   - expiry: verified-at + TTL.
// An entry is written only after crypto_pwhash_str_verify said yes. A check hits when
// the credential and stored-hash digests both match (compared in constant time) and the
// entry has not expired; anything else is a miss, which runs argon2id as before. When the
// stored hash is no longer the one remembered (the password was changed here or on any
// other worker, or the account was re-created) the entry is dropped, so an old password
// stops working at once. Entries are bounded (least recently used goes first) and expire.
//
// Why this keeps the promise "passwords stay memory-hard hashes at rest": what is at rest,
// in PostgreSQL and its backups, is still only the argon2id string. The cache lives in one
// worker's memory, dies with the process, and without that process's random key its digests
// are worthless: they cannot be tested offline against guesses (a dump of the process
// memory that includes the key is already a dump of every password as it arrives).
// A guesser gains nothing either: a wrong password is a miss and pays the full argon2id
// check, behind the same per-IP and per-UIN attempt limits.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <list>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/util/clock.hpp"

namespace icq::auth {

class VerifierCache {
public:
  struct Limits {
    size_t entries = 100000;     // auth.verifier_cache_entries; 0 turns the cache off
    int64_t ttlMs = 3600 * 1000;  // auth.verifier_cache_ttl_s
  };

  VerifierCache(Limits limits, const util::Clock& clock);

  /// Whether `password` matches `storedHash` (argon2id), answered from memory when this
  /// exact (uin, password, stored hash) was verified within the TTL.
  bool verify(uint32_t uin, const std::string& storedHash, std::string_view password);

  /// Whether this exact (uin, password, stored hash) was verified within the TTL: the answer
  /// verify() gives without hashing, or false (then the caller checks it elsewhere, and
  /// tells the cache with proved() when it holds).
  bool known(uint32_t uin, const std::string& storedHash, std::string_view password);
  /// `password` was just proved against `storedHash` for `uin` (by an argon2id check).
  void proved(uint32_t uin, const std::string& storedHash, std::string_view password);

  /// Whether `password` is the one last verified for `uin` within the TTL, whatever the
  /// stored hash is now: for answering a retransmission of the login that created a session.
  bool remembers(uint32_t uin, std::string_view password);

  /// Drops what is remembered of `uin` (its account is gone or its password changed).
  void forget(uint32_t uin);

  size_t size() const { return index_.size(); }
  /// Full argon2id checks run (hits cost none): what tests and counters look at.
  uint64_t argon2Checks() const { return argon2Checks_; }
  uint64_t hits() const { return hits_; }

private:
  using Digest = std::array<uint8_t, 32>;
  struct Entry {
    uint32_t uin;
    Digest credential;
    Digest stored;
    int64_t expiresMs;
  };

  Digest credentialDigest(uint32_t uin, std::string_view password) const;
  Digest storedDigest(const std::string& storedHash) const;
  /// The live entry of `uin` (moved to the front), or nullptr; an expired one is dropped.
  Entry* find(uint32_t uin);
  void remember(uint32_t uin, const Digest& credential, const Digest& stored);

  Limits limits_;
  const util::Clock& clock_;
  std::array<uint8_t, 32> key_{};
  std::list<Entry> lru_;  // most recently used first
  std::unordered_map<uint32_t, std::list<Entry>::iterator> index_;
  uint64_t argon2Checks_ = 0;
  uint64_t hits_ = 0;
};

}  // namespace icq::auth
