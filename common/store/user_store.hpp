// UserStore: accounts in the system of record (PostgreSQL). Workers read credentials at
// login and record logins/logoffs; icqctl creates accounts. Failures are values: a method
// returning false could not reach the database.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/store/profile.hpp"

namespace icq::store {

struct UserCredentials {
  uint32_t uin = 0;
  std::string passwordHash;  // argon2id, libsodium crypto_pwhash_str format; never plaintext
  bool locked = false;
  std::string lockText;  // shown with SRV_LOGIN_ERR when locked (8-bit client text)
  bool mayBroadcast = false;  // V3 BROADCAST_ALL/ONLINE allowed (protocol-v3.md §5.16)
};

struct NewUser {
  uint32_t uin = 0;  // 0: allocate the next free UIN
  std::string passwordHash;
  std::string nick, firstName, lastName, email;
};

/// Audit trail entries (protocol-v5.md §11.2 "audit").
enum class AuditEvent { login, logoff, expired, replaced, login_refused, user_created, password_changed, user_deleted,
                        broadcast_permission };
std::string_view auditEventName(AuditEvent);

/// A login to record (recordLogin) and an audit entry (audit), for writing many at once.
struct LoginRecord {
  uint32_t uin = 0;
  uint32_t ip = 0;  // network order
  int64_t atMs = 0;
};
struct AuditRecord {
  uint32_t uin = 0;
  AuditEvent event = AuditEvent::login;
  std::string detail;
};

/// A user store that can hold its history rows back (audit entries, last logins) and write
/// them together: the worker flushes it once per loop turn.
class HistoryWriter {
public:
  virtual ~HistoryWriter() = default;
  virtual void flushHistory() = 0;
};

class UserStore {
public:
  virtual ~UserStore() = default;

  /// Credentials of `uin`; an empty optional when no such user exists.
  virtual bool findCredentials(uint32_t uin, std::optional<UserCredentials>& out) = 0;

  /// Stores the last-login time and source IP (network order) of a successful login.
  virtual bool recordLogin(uint32_t uin, uint32_t ip, int64_t atMs) = 0;

  virtual bool audit(uint32_t uin, AuditEvent event, std::string_view detail) = 0;

  /// recordLogin and audit for many at once: one statement each (a worker writes its turn's
  /// history so, not a round trip per login).
  virtual bool recordHistory(std::span<const LoginRecord> logins, std::span<const AuditRecord> events) = 0;

  /// Retention (scheduler job "purge"): deletes at most `limit` audit entries recorded
  /// before `cutoffMs`, oldest first; `deleted` receives how many went. Fewer than `limit`
  /// means none older is left.
  virtual bool purgeAuditBefore(int64_t cutoffMs, size_t limit, size_t& deleted) = 0;

  /// Creates an account; `uin` receives the UIN (allocated when NewUser::uin is 0).
  /// `exists` is set when the UIN is taken.
  virtual bool createUser(const NewUser& user, uint32_t& uin, bool& exists) = 0;

  /// Replaces the password hash; `found` tells whether the user exists.
  virtual bool setPasswordHash(uint32_t uin, const std::string& hash, bool& found) = 0;

  // Profiles and searches (protocol-v5.md §6.4, §6.5, §6.11, §6.12, §6.21, §7). Every setter
  // sets `found` to whether the account exists.

  /// Every profile block of `uin`; an empty optional when no such user exists.
  virtual bool findProfile(uint32_t uin, std::optional<UserProfile>& out) = 0;
  virtual bool setBasic(uint32_t uin, const BasicUpdate& update, bool& found) = 0;
  virtual bool setMore(uint32_t uin, const MoreInfo& more, bool& found) = 0;
  virtual bool setWork(uint32_t uin, const WorkInfo& work, bool& found) = 0;
  /// The about text and its change time.
  virtual bool setAbout(uint32_t uin, std::string_view about, int64_t atMs, bool& found) = 0;
  virtual bool setInterests(uint32_t uin, const Interests& interests, bool& found) = 0;
  virtual bool setBackground(uint32_t uin, const Background& background, bool& found) = 0;
  virtual bool setHomepageCategory(uint32_t uin, const HomepageCategory& category, bool& found) = 0;
  virtual bool setSecurity(uint32_t uin, const SecurityUpdate& security, bool& found) = 0;
  virtual bool setAuthRequired(uint32_t uin, bool authRequired, bool& found) = 0;
  virtual bool updateNames(uint32_t uin, const NameUpdate& update, bool& found) = 0;
  virtual bool updateExtInfo(uint32_t uin, const ExtInfoUpdate& update, int64_t atMs, bool& found) = 0;

  /// The accounts matching every applied criterion, at most `request.limit` of them. An
  /// empty criteria set finds nothing (it never scans every account).
  virtual bool search(const SearchRequest& request, SearchResult& out) = 0;

  /// Deletes `uin` if its password hash is still `passwordHash` (the one the caller checked
  /// the password against), so a concurrent password change wins. `deleted` tells.
  virtual bool deleteUser(uint32_t uin, const std::string& passwordHash, bool& deleted) = 0;

  // Administration (common/admin).

  /// Up to `limit` accounts with a UIN above `afterUin`, by UIN: one page of a listing.
  /// `email` is the primary address even when its owner hides it: this is for operators.
  virtual bool listUsers(uint32_t afterUin, size_t limit, std::vector<SearchHit>& out) = 0;
  /// How many accounts exist.
  virtual bool countUsers(int64_t& out) = 0;
  /// Grants or withdraws the V3 broadcast permission; `found` tells whether the user exists.
  virtual bool setMayBroadcast(uint32_t uin, bool mayBroadcast, bool& found) = 0;
  /// Which of `uins` work in V3 department `code` (protocol-v3.md §5.16; a V3 client stores
  /// the department's code as decimal text in the work department field).
  virtual bool inDepartment(uint32_t code, const std::vector<uint32_t>& uins, std::vector<uint32_t>& out) = 0;
};

}  // namespace icq::store
