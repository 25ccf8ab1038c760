// UserAdmin: the account operations of the admin front ends (the HTTP admin API in the
// scheduler, icqctl's bootstrap commands straight against PostgreSQL): create, delete, set
// a password, show, list and search. It needs only the system of record, so icqctl can use
// it before any cluster runs. Text arrives and leaves as UTF-8 and is stored in the
// clients' code page (text.codepage), as clients send it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/admin/outcome.hpp"
#include "common/config/config.hpp"
#include "common/store/user_store.hpp"

namespace icq::admin {

/// ICQ 99 and mICQ send at most 8 password characters (protocol-v5.md §6.1).
inline constexpr size_t kMaxPassword = 8;
/// Most accounts one listing or search page returns.
inline constexpr size_t kMaxPage = 500;

struct UserAdminSettings {
  std::string codepage = "CP1252";          // text.codepage
  uint64_t argon2OpsLimit = 2;              // auth.argon2_opslimit
  size_t argon2MemLimitBytes = 64u << 20;   // auth.argon2_memlimit_kib
  static UserAdminSettings from(const config::Config& config);
};

/// An account to create; text in UTF-8.
struct NewAccount {
  uint32_t uin = 0;  // 0: the next free UIN
  std::string password, nick, firstName, lastName, email;
};

/// What a search matches (UTF-8, case-insensitive substrings, all applied ones at once).
struct AccountQuery {
  std::string nick, firstName, lastName, email;
  bool empty() const { return nick.empty() && firstName.empty() && lastName.empty() && email.empty(); }
};

class UserAdmin {
public:
  /// `auditSource` names the front end in the audit trail ("icqctl", "admin-api").
  UserAdmin(store::UserStore& users, UserAdminSettings settings, std::string auditSource);

  /// created {"uin"} | bad_input | conflict | unavailable
  Outcome create(const NewAccount& account);
  /// ok {"uin", "password_changed"} | bad_input | not_found | unavailable
  Outcome setPassword(uint32_t uin, const std::string& password);
  /// ok {"uin", "may_broadcast"} | not_found | unavailable: whether the account may send V3
  /// BROADCAST_ALL/BROADCAST_ONLINE (protocol-v3.md §5.16); it sees the change at its next login's HELLO.
  Outcome setMayBroadcast(uint32_t uin, bool mayBroadcast);
  /// ok {"uin", "nick", "first_name", "last_name", "email", "about", "auth_required"} | not_found | unavailable
  Outcome show(uint32_t uin);
  /// ok {"uin", "deleted"} | not_found | unavailable. The caller ends a live session first.
  Outcome remove(uint32_t uin);
  /// ok {"users": [...], "next_after"} — accounts above `afterUin`, by UIN; next_after is
  /// null on the last page | bad_input | unavailable
  Outcome list(uint32_t afterUin, size_t limit);
  /// ok {"users": [...], "more"} | bad_input | unavailable
  Outcome search(const AccountQuery& query, size_t limit);

  const UserAdminSettings& settings() const { return settings_; }

private:
  /// UTF-8 `value` in the code page into `out`; a bad_input outcome naming `field` if not.
  std::optional<Outcome> toClientText(const std::string& field, const std::string& value, size_t maxBytes,
                                      std::string& out) const;
  nlohmann::json accountJson(const store::SearchHit& hit) const;
  std::string hash(const std::string& password) const;

  store::UserStore& users_;
  UserAdminSettings settings_;
  std::string auditSource_;
};

/// A bad_input outcome when `password` is not one ICQ clients can send; nothing when fine.
std::optional<Outcome> checkPassword(const std::string& password);

}  // namespace icq::admin
