// PgUserStore: one prepared statement per operation. Profile text and the lock text are
// bytea, passed as binary parameters so the client's 8-bit bytes arrive untouched.
#include "common/pg/user_store_impl.hpp"

#include <stdexcept>
#include <string>

#include "common/util/endpoint.hpp"

namespace icq::pg {
namespace {

// Statement names, prefixed so they cannot collide with another store's on a shared connection.
constexpr const char* kFindCredentials = "users_find_credentials";
constexpr const char* kRecordLogin = "users_record_login";
constexpr const char* kAudit = "users_audit";
constexpr const char* kRecordLogins = "users_record_logins";
constexpr const char* kAuditMany = "users_audit_many";
constexpr const char* kPurgeAudit = "users_purge_audit";
constexpr const char* kCreate = "users_create";
constexpr const char* kCreateNext = "users_create_next";
constexpr const char* kSetPassword = "users_set_password";
constexpr const char* kList = "users_list";
constexpr const char* kCount = "users_count";
constexpr const char* kSetMayBroadcast = "users_set_may_broadcast";
constexpr const char* kInDepartment = "users_in_department";

// A UIN taken by an account created with an explicit number makes the allocator try the
// next one. Explicit UINs come from imports and icqctl, so long runs of them are rare;
// the bound turns a pathological run into a reported failure instead of a long loop.
constexpr int kMaxUinProbes = 1000;

}  // namespace

PgUserStore::PgUserStore(PgConnection& connection) : pg_(connection) {
  pg_.prepare(kFindCredentials, "SELECT password_hash, locked, lock_text, may_broadcast FROM users WHERE uin = $1");
  pg_.prepare(kRecordLogin,
              "UPDATE users SET last_login_at = to_timestamp($2::bigint / 1000.0), last_login_ip = $3::inet"
              " WHERE uin = $1");
  pg_.prepare(kAudit, "INSERT INTO audit_events (uin, event, detail) VALUES (NULLIF($1::bigint, 0), $2, $3)");
  // The same for many rows at once, from arrays (one round trip for a worker's turn).
  pg_.prepare(kRecordLogins,
              "UPDATE users SET last_login_at = to_timestamp(t.at / 1000.0), last_login_ip = t.ip::inet"
              " FROM unnest($1::bigint[], $2::bigint[], $3::text[]) AS t(uin, at, ip) WHERE users.uin = t.uin");
  pg_.prepare(kAuditMany,
              "INSERT INTO audit_events (uin, event, detail)"
              " SELECT NULLIF(t.uin, 0), t.event, t.detail FROM unnest($1::bigint[], $2::text[], $3::text[])"
              " AS t(uin, event, detail)");
  // A bounded batch, oldest first, through the index on `at` (migration 4); rows are taken
  // by ctid, as message_store_impl.cpp's purge explains.
  pg_.prepare(kPurgeAudit,
              "DELETE FROM audit_events WHERE ctid = ANY (ARRAY(SELECT ctid FROM audit_events"
              " WHERE at < 'epoch'::timestamptz + $1::bigint * interval '1 millisecond' ORDER BY at LIMIT $2))");
  pg_.prepare(kCreate,
              "INSERT INTO users (uin, password_hash, nick, first_name, last_name, email)"
              " VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (uin) DO NOTHING RETURNING uin");
  pg_.prepare(kCreateNext,
              "INSERT INTO users (uin, password_hash, nick, first_name, last_name, email)"
              " VALUES (nextval('users_uin_seq'), $1, $2, $3, $4, $5) ON CONFLICT (uin) DO NOTHING RETURNING uin");
  pg_.prepare(kSetPassword, "UPDATE users SET password_hash = $2, must_change_password = false WHERE uin = $1");
  // Keyset pagination on the primary key: each page is an index range scan, however deep.
  pg_.prepare(kList,
              "SELECT uin, nick, first_name, last_name, email, auth_required, web_aware FROM users"
              " WHERE uin > $1 ORDER BY uin LIMIT $2");
  pg_.prepare(kCount, "SELECT count(*) FROM users");
  pg_.prepare(kSetMayBroadcast, "UPDATE users SET may_broadcast = $2 WHERE uin = $1");
  pg_.prepare(kInDepartment,
              "SELECT uin FROM users WHERE uin = ANY ($1::bigint[]) AND work_department = convert_to($2::text, 'UTF8')");
  prepareProfileStatements();
}

void PgUserStore::rememberCredentials(size_t entries, int64_t ttlMs, const util::Clock& clock) {
  remembered_.emplace(entries, ttlMs);
  clock_ = &clock;
}

bool PgUserStore::findCredentials(uint32_t uin, std::optional<store::UserCredentials>& out) {
  out.reset();
  const bool read = pg_.run("find_credentials", [&](pqxx::connection& connection) {
    pqxx::nontransaction tx(connection);
    const pqxx::result rows = tx.exec_prepared(kFindCredentials, uin);
    if (rows.empty()) return;
    store::UserCredentials credentials;
    credentials.uin = uin;
    credentials.passwordHash = rows[0][0].as<std::string>();
    credentials.locked = rows[0][1].as<bool>();
    if (!rows[0][2].is_null()) credentials.lockText = pqxx::binarystring(rows[0][2]).str();
    credentials.mayBroadcast = rows[0][3].as<bool>();
    out = std::move(credentials);
  });
  if (!remembered_) return read;
  if (read) {
    remembered_->remember(uin, out, clock_->nowMs());
    return true;
  }
  const store::UserCredentials* last = remembered_->recall(uin, clock_->nowMs());
  if (!last) return false;
  recalled_++;
  out = *last;
  return true;
}

bool PgUserStore::listUsers(uint32_t afterUin, size_t limit, std::vector<store::SearchHit>& out) {
  out.clear();
  return pg_.run("list_users", [&](pqxx::connection& connection) {
    pqxx::nontransaction tx(connection);
    for (const pqxx::row& row : tx.exec_prepared(kList, afterUin, static_cast<int64_t>(limit))) {
      store::SearchHit& hit = out.emplace_back();
      hit.uin = row[0].as<uint32_t>();
      hit.nick = pqxx::binarystring(row[1]).str();
      hit.firstName = pqxx::binarystring(row[2]).str();
      hit.lastName = pqxx::binarystring(row[3]).str();
      hit.email = pqxx::binarystring(row[4]).str();
      hit.authRequired = row[5].as<bool>();
      hit.webAware = row[6].as<bool>();
    }
  });
}

bool PgUserStore::countUsers(int64_t& out) {
  out = 0;
  return pg_.run("count_users", [&](pqxx::connection& connection) {
    pqxx::nontransaction tx(connection);
    out = tx.exec_prepared(kCount)[0][0].as<int64_t>();
  });
}

bool PgUserStore::recordLogin(uint32_t uin, uint32_t ip, int64_t atMs) {
  if (buffered_) {
    logins_.push_back({uin, ip, atMs});
    return true;
  }
  return pg_.run("record_login", [&](pqxx::connection& connection) {
    pqxx::nontransaction tx(connection);
    tx.exec_prepared(kRecordLogin, uin, atMs, util::formatIp(ip));
  });
}

// `detail` is a text column: callers write our own ASCII there, never raw client bytes
// (the database would refuse a byte sequence that is not valid in its encoding).
bool PgUserStore::audit(uint32_t uin, store::AuditEvent event, std::string_view detail) {
  if (buffered_) {
    events_.push_back({uin, event, std::string(detail)});
    return true;
  }
  return pg_.run("audit", [&](pqxx::connection& connection) {
    pqxx::nontransaction tx(connection);
    tx.exec_prepared(kAudit, uin, std::string(store::auditEventName(event)), std::string(detail));
  });
}

namespace {

/// A PostgreSQL array literal of `values` ({"a","b"}): every element quoted, `"` and `\`
/// escaped, so any text goes through as it is.
template <class Range, class Text>
std::string arrayLiteral(const Range& values, Text&& text) {
  std::string out = "{";
  for (const auto& value : values) {
    if (out.size() > 1) out += ',';
    out += '"';
    for (char c : text(value)) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  out += '}';
  return out;
}

}  // namespace

bool PgUserStore::recordHistory(std::span<const store::LoginRecord> logins,
                                std::span<const store::AuditRecord> events) {
  if (logins.empty() && events.empty()) return true;
  return pg_.run("record_history", [&](pqxx::connection& connection) {
    pqxx::work tx(connection);
    if (!logins.empty())
      tx.exec_prepared(kRecordLogins, arrayLiteral(logins, [](const auto& l) { return std::to_string(l.uin); }),
                       arrayLiteral(logins, [](const auto& l) { return std::to_string(l.atMs); }),
                       arrayLiteral(logins, [](const auto& l) { return util::formatIp(l.ip); }));
    if (!events.empty())
      tx.exec_prepared(kAuditMany, arrayLiteral(events, [](const auto& e) { return std::to_string(e.uin); }),
                       arrayLiteral(events, [](const auto& e) { return std::string(store::auditEventName(e.event)); }),
                       arrayLiteral(events, [](const auto& e) { return e.detail; }));
    tx.commit();
  });
}

void PgUserStore::flushHistory() {
  if (logins_.empty() && events_.empty()) return;
  recordHistory(logins_, events_);  // a failure is counted by the call's metrics, and the rows go
  logins_.clear();
  events_.clear();
}

bool PgUserStore::purgeAuditBefore(int64_t cutoffMs, size_t limit, size_t& deleted) {
  deleted = 0;
  return pg_.run("purge_audit", [&](pqxx::connection& connection) {
    pqxx::nontransaction tx(connection);
    deleted = tx.exec_prepared(kPurgeAudit, cutoffMs, static_cast<int64_t>(limit)).affected_rows();
  });
}

bool PgUserStore::createUser(const store::NewUser& user, uint32_t& uin, bool& exists) {
  uin = 0;
  exists = false;
  return pg_.run("create_user", [&](pqxx::connection& connection) {
    pqxx::work tx(connection);
    const pqxx::binarystring nick(user.nick), firstName(user.firstName), lastName(user.lastName), email(user.email);
    if (user.uin != 0) {
      const bool created =
          !tx.exec_prepared(kCreate, user.uin, user.passwordHash, nick, firstName, lastName, email).empty();
      tx.commit();
      uin = user.uin;
      exists = !created;
      return;
    }
    uint32_t allocated = 0;
    for (int probe = 0; allocated == 0; ++probe) {
      if (probe == kMaxUinProbes)
        throw std::runtime_error("no free UIN after " + std::to_string(kMaxUinProbes) + " sequence values");
      const pqxx::result created = tx.exec_prepared(kCreateNext, user.passwordHash, nick, firstName, lastName, email);
      if (!created.empty()) allocated = created[0][0].as<uint32_t>();
    }
    tx.commit();
    uin = allocated;
  });
}

bool PgUserStore::setPasswordHash(uint32_t uin, const std::string& hash, bool& found) {
  found = false;
  if (remembered_) remembered_->forget(uin);  // the next read learns the new one
  return pg_.run("set_password", [&](pqxx::connection& connection) {
    pqxx::nontransaction tx(connection);
    found = tx.exec_prepared(kSetPassword, uin, hash).affected_rows() == 1;
  });
}

bool PgUserStore::setMayBroadcast(uint32_t uin, bool mayBroadcast, bool& found) {
  found = false;
  return pg_.run("set_may_broadcast", [&](pqxx::connection& connection) {
    pqxx::nontransaction tx(connection);
    found = tx.exec_prepared(kSetMayBroadcast, uin, mayBroadcast).affected_rows() == 1;
  });
}

bool PgUserStore::inDepartment(uint32_t code, const std::vector<uint32_t>& uins, std::vector<uint32_t>& out) {
  out.clear();
  return pg_.run("in_department", [&](pqxx::connection& connection) {
    pqxx::nontransaction tx(connection);
    for (const pqxx::row& row : tx.exec_prepared(kInDepartment, bigintArray(uins), std::to_string(code)))
      out.push_back(row[0].as<uint32_t>());
  });
}

}  // namespace icq::pg
