// PgUserStore: accounts and the audit trail in PostgreSQL (tables of migration 1), every
// query a prepared statement on one PgConnection.
#pragma once

#include "common/pg/connection.hpp"
#include "common/store/user_store.hpp"

namespace icq::pg {

/// Implements store::UserStore; like its connection, one instance per thread. Declares
/// its prepared statements on `connection` at construction.
class PgUserStore final : public store::UserStore {
public:
  explicit PgUserStore(PgConnection& connection);

  // store::UserStore
  bool findCredentials(uint32_t uin, std::optional<store::UserCredentials>& out) override;
  bool recordLogin(uint32_t uin, uint32_t ip, int64_t atMs) override;
  bool audit(uint32_t uin, store::AuditEvent event, std::string_view detail) override;
  bool createUser(const store::NewUser& user, uint32_t& uin, bool& exists) override;
  bool setPasswordHash(uint32_t uin, const std::string& hash, bool& found) override;

private:
  PgConnection& pg_;
};

}  // namespace icq::pg
