// A worker's memory of the credentials it last read from PostgreSQL, so that users it has
// seen keep logging in while the database is down (issue 14: "logins of remembered users
// continue"). PgUserStore fills it on every successful read once a worker turns it on
// (PgUserStore::rememberCredentials) and answers from it only when the read fails.
//
// What a login does with the answer is unchanged: the password is checked against the
// remembered argon2id string (usually a verifier-cache hit), a remembered lock refuses, a
// remembered broadcast right is used. What it cannot see is a change made in the database
// after the worker's last read and before the outage — a new password or a lock set in that
// gap is not known until the database is back; the bound on that is the TTL. The strings kept
// are the same argon2id hashes PostgreSQL stores, in this process's memory only.
//
// Bounded (least recently read goes first) and expiring; one thread, like its store.
#pragma once

#include <cstddef>
#include <cstdint>
#include <list>
#include <optional>
#include <unordered_map>

#include "common/store/user_store.hpp"

namespace icq::pg {

class CredentialsMemory {
public:
  CredentialsMemory(size_t entries, int64_t ttlMs) : entries_(entries), ttlMs_(ttlMs) {}

  /// A successful read: `credentials` as the database has them now (nullopt: no account).
  void remember(uint32_t uin, const std::optional<store::UserCredentials>& credentials, int64_t nowMs);
  /// The database could not be asked: what it said last within the TTL, or nothing.
  const store::UserCredentials* recall(uint32_t uin, int64_t nowMs) const;
  void forget(uint32_t uin);

  size_t size() const { return index_.size(); }

private:
  struct Entry {
    store::UserCredentials credentials;
    int64_t readAtMs = 0;
    std::list<uint32_t>::iterator age;
  };
  const size_t entries_;
  const int64_t ttlMs_;
  std::unordered_map<uint32_t, Entry> index_;
  std::list<uint32_t> byAge_;  // most recently read first
};

}  // namespace icq::pg
