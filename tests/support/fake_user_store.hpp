// An in-memory store::UserStore for unit tests of the worker: accounts with their
// credentials and profile, the audit trail as a list, and a search over the text criteria
// (uin, names, e-mail, city) — the other criteria of §7.11 are not modelled here; the
// PostgreSQL tests (tests/pg) hold them. Password hashes are real argon2id at libsodium's
// minimum cost, so a login checks them as it would in production, in a millisecond.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "common/store/user_store.hpp"

namespace icq::test {

class FakeUserStore final : public store::UserStore {
public:
  struct Account {
    store::UserCredentials credentials;
    store::UserProfile profile;
  };
  struct AuditRecord {
    uint32_t uin;
    store::AuditEvent event;
    std::string detail;
  };

  bool unreachable = false;  // every operation reports "database unreachable" while set
  std::map<uint32_t, Account> accounts;
  std::vector<AuditRecord> audits;
  uint32_t nextUin = 10000;  // the next UIN createUser allocates

  /// Creates `uin` with `password` (hashed at the minimum cost) and nick `nick`.
  Account& addUser(uint32_t uin, std::string_view password, std::string nick = "");
  /// How many audit records of `event` there are for `uin`.
  size_t audited(uint32_t uin, store::AuditEvent event) const;

  bool findCredentials(uint32_t uin, std::optional<store::UserCredentials>& out) override;
  bool recordLogin(uint32_t uin, uint32_t ip, int64_t atMs) override;
  bool audit(uint32_t uin, store::AuditEvent event, std::string_view detail) override;
  bool recordHistory(std::span<const store::LoginRecord> logins, std::span<const store::AuditRecord> events) override;
  bool purgeAuditBefore(int64_t cutoffMs, size_t limit, size_t& deleted) override;
  bool createUser(const store::NewUser& user, uint32_t& uin, bool& exists) override;
  bool setPasswordHash(uint32_t uin, const std::string& hash, bool& found) override;
  bool findProfile(uint32_t uin, std::optional<store::UserProfile>& out) override;
  bool setBasic(uint32_t uin, const store::BasicUpdate& update, bool& found) override;
  bool setMore(uint32_t uin, const store::MoreInfo& more, bool& found) override;
  bool setWork(uint32_t uin, const store::WorkInfo& work, bool& found) override;
  bool setAbout(uint32_t uin, std::string_view about, int64_t atMs, bool& found) override;
  bool setInterests(uint32_t uin, const store::Interests& interests, bool& found) override;
  bool setBackground(uint32_t uin, const store::Background& background, bool& found) override;
  bool setHomepageCategory(uint32_t uin, const store::HomepageCategory& category, bool& found) override;
  bool setSecurity(uint32_t uin, const store::SecurityUpdate& security, bool& found) override;
  bool setAuthRequired(uint32_t uin, bool authRequired, bool& found) override;
  bool updateNames(uint32_t uin, const store::NameUpdate& update, bool& found) override;
  bool updateExtInfo(uint32_t uin, const store::ExtInfoUpdate& update, int64_t atMs, bool& found) override;
  bool search(const store::SearchRequest& request, store::SearchResult& out) override;
  bool deleteUser(uint32_t uin, const std::string& passwordHash, bool& deleted) override;
  bool listUsers(uint32_t afterUin, size_t limit, std::vector<store::SearchHit>& out) override;
  bool countUsers(int64_t& out) override;
  bool setMayBroadcast(uint32_t uin, bool mayBroadcast, bool& found) override;
  bool inDepartment(uint32_t code, const std::vector<uint32_t>& uins, std::vector<uint32_t>& out) override;

  /// The argon2id hash of `password` at libsodium's minimum cost.
  static std::string cheapHash(std::string_view password);

private:
  /// Applies `change` to `uin`'s profile; false when the store is unreachable.
  template <class Change>
  bool edit(uint32_t uin, bool& found, Change&& change);
  static store::SearchHit hitOf(const Account& account);
};

}  // namespace icq::test
