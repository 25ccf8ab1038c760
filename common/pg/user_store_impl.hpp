// PgUserStore: accounts and the audit trail in PostgreSQL (tables of migration 1), every
// query a prepared statement on one PgConnection. Profiles and searches (migration 2) live
// in user_profile_impl.cpp.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/pg/connection.hpp"
#include "common/pg/credentials_memory.hpp"
#include "common/store/user_store.hpp"
#include "common/util/clock.hpp"

namespace icq::pg {

/// A search as SQL: the statement returning at most `limit` hits, the one counting matches
/// up to a cap, and their shared parameters (text; bytea travels hex-encoded). Search
/// criteria combine freely, so the WHERE clause holds only the applied ones and each can use
/// its index. Exposed so the plan test EXPLAINs exactly what PgUserStore::search runs.
struct SearchSql {
  std::string rows, count;
  std::vector<std::string> params;
};
SearchSql buildSearchSql(const store::SearchCriteria& criteria, size_t limit);

/// Implements store::UserStore; like its connection, one instance per thread. Declares
/// its prepared statements on `connection` at construction.
class PgUserStore final : public store::UserStore, public store::HistoryWriter {
public:
  explicit PgUserStore(PgConnection& connection);

  // store::UserStore
  bool findCredentials(uint32_t uin, std::optional<store::UserCredentials>& out) override;
  bool recordLogin(uint32_t uin, uint32_t ip, int64_t atMs) override;
  bool audit(uint32_t uin, store::AuditEvent event, std::string_view detail) override;
  bool recordHistory(std::span<const store::LoginRecord> logins, std::span<const store::AuditRecord> events) override;

  /// From now on recordLogin and audit only queue their rows, and flushHistory() writes what
  /// is queued in one round trip (a worker calls it once per turn: a login costs no
  /// statement of its own). History is a record, not a guarantee: a failed flush is counted
  /// and dropped.
  void bufferHistory() { buffered_ = true; }
  /// From now on findCredentials remembers what it reads (at most `entries` accounts, each
  /// for `ttlMs`) and answers from that memory when the database cannot be reached: a worker
  /// keeps letting in the users it has seen while PostgreSQL is down (credentials_memory.hpp).
  void rememberCredentials(size_t entries, int64_t ttlMs, const util::Clock& clock);
  /// Credentials answered from memory because the database could not be reached.
  uint64_t credentialsRecalled() const { return recalled_; }
  void flushHistory() override;
  bool purgeAuditBefore(int64_t cutoffMs, size_t limit, size_t& deleted) override;
  bool createUser(const store::NewUser& user, uint32_t& uin, bool& exists) override;
  bool setPasswordHash(uint32_t uin, const std::string& hash, bool& found) override;
  // user_profile_impl.cpp
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

private:
  bool buffered_ = false;
  std::optional<CredentialsMemory> remembered_;
  const util::Clock* clock_ = nullptr;
  uint64_t recalled_ = 0;
  std::vector<store::LoginRecord> logins_;
  std::vector<store::AuditRecord> events_;
  void prepareProfileStatements();
  /// Runs `exec(tx)`, a statement changing at most one row; `found` = it changed one.
  template <class Exec>
  bool changeRow(std::string_view operation, bool& found, Exec&& exec);

  PgConnection& pg_;
};

}  // namespace icq::pg
