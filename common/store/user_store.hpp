// UserStore: accounts in the system of record (PostgreSQL). Workers read credentials at
// login and record logins/logoffs; icqctl creates accounts. Failures are values: a method
// returning false could not reach the database.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace icq::store {

struct UserCredentials {
  uint32_t uin = 0;
  std::string passwordHash;  // argon2id, libsodium crypto_pwhash_str format; never plaintext
  bool locked = false;
  std::string lockText;  // shown with SRV_LOGIN_ERR when locked (8-bit client text)
};

struct NewUser {
  uint32_t uin = 0;  // 0: allocate the next free UIN
  std::string passwordHash;
  std::string nick, firstName, lastName, email;
};

/// Audit trail entries (protocol-v5.md §11.2 "audit").
enum class AuditEvent { login, logoff, expired, replaced, login_refused, user_created, password_changed };
std::string_view auditEventName(AuditEvent);

class UserStore {
public:
  virtual ~UserStore() = default;

  /// Credentials of `uin`; an empty optional when no such user exists.
  virtual bool findCredentials(uint32_t uin, std::optional<UserCredentials>& out) = 0;

  /// Stores the last-login time and source IP (network order) of a successful login.
  virtual bool recordLogin(uint32_t uin, uint32_t ip, int64_t atMs) = 0;

  virtual bool audit(uint32_t uin, AuditEvent event, std::string_view detail) = 0;

  /// Creates an account; `uin` receives the UIN (allocated when NewUser::uin is 0).
  /// `exists` is set when the UIN is taken.
  virtual bool createUser(const NewUser& user, uint32_t& uin, bool& exists) = 0;

  /// Replaces the password hash; `found` tells whether the user exists.
  virtual bool setPasswordHash(uint32_t uin, const std::string& hash, bool& found) = 0;
};

}  // namespace icq::store
