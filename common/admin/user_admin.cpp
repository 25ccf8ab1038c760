// Account operations for operators; see user_admin.hpp.
#include "common/admin/user_admin.hpp"

#include <stdexcept>

#include "common/auth/password.hpp"
#include "common/util/codepage.hpp"

namespace icq::admin {
namespace {

// Longer than any client's own fields, short enough to fit every protocol reply.
constexpr size_t kMaxName = 64;
constexpr size_t kMaxEmail = 128;

}  // namespace

UserAdminSettings UserAdminSettings::from(const config::Config& config) {
  UserAdminSettings s;
  s.codepage = config.string("text.codepage");
  s.argon2OpsLimit = static_cast<uint64_t>(config.integer("auth.argon2_opslimit"));
  s.argon2MemLimitBytes = static_cast<size_t>(config.integer("auth.argon2_memlimit_kib")) * 1024;
  try {
    util::toUtf8("", s.codepage);  // an unknown code page is a configuration error: say so at start
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(std::string("configuration error: text.codepage: ") + e.what());
  }
  return s;
}

std::optional<Outcome> checkPassword(const std::string& password) {
  if (password.empty() || password.size() > kMaxPassword)
    return Outcome::badInput("password", "must be 1 to " + std::to_string(kMaxPassword) +
                                             " characters (ICQ clients send no more)");
  return std::nullopt;
}

UserAdmin::UserAdmin(store::UserStore& users, UserAdminSettings settings, std::string auditSource)
    : users_(users), settings_(std::move(settings)), auditSource_(std::move(auditSource)) {}

std::optional<Outcome> UserAdmin::toClientText(const std::string& field, const std::string& value, size_t maxBytes,
                                               std::string& out) const {
  try {
    out = util::fromUtf8(value, settings_.codepage);
  } catch (const std::invalid_argument& e) {
    return Outcome::badInput(field, e.what());
  }
  if (out.size() > maxBytes) return Outcome::badInput(field, "longer than " + std::to_string(maxBytes) + " bytes");
  if (out.find('\0') != std::string::npos) return Outcome::badInput(field, "contains a NUL character");
  return std::nullopt;
}

std::string UserAdmin::hash(const std::string& password) const {
  return auth::hashPassword(password, settings_.argon2OpsLimit, settings_.argon2MemLimitBytes);
}

Outcome UserAdmin::create(const NewAccount& account) {
  if (auto bad = checkPassword(account.password)) return *bad;
  store::NewUser user;
  user.uin = account.uin;
  for (auto [field, value, limit, out] : {std::tuple{"nick", &account.nick, kMaxName, &user.nick},
                                          std::tuple{"first_name", &account.firstName, kMaxName, &user.firstName},
                                          std::tuple{"last_name", &account.lastName, kMaxName, &user.lastName},
                                          std::tuple{"email", &account.email, kMaxEmail, &user.email}})
    if (auto bad = toClientText(field, *value, limit, *out)) return *bad;
  user.passwordHash = hash(account.password);
  uint32_t created = 0;
  bool exists = false;
  if (!users_.createUser(user, created, exists)) return Outcome::unavailable("database");
  if (exists) return Outcome::error(Status::conflict, "UIN " + std::to_string(account.uin) + " already exists");
  users_.audit(created, store::AuditEvent::user_created, auditSource_);
  return Outcome::created({{"uin", created}});
}

Outcome UserAdmin::setPassword(uint32_t uin, const std::string& password) {
  if (auto bad = checkPassword(password)) return *bad;
  bool found = false;
  if (!users_.setPasswordHash(uin, hash(password), found)) return Outcome::unavailable("database");
  if (!found) return Outcome::error(Status::not_found, "no user with UIN " + std::to_string(uin));
  users_.audit(uin, store::AuditEvent::password_changed, auditSource_);
  return Outcome::ok({{"uin", uin}, {"password_changed", true}});
}

Outcome UserAdmin::setMayBroadcast(uint32_t uin, bool mayBroadcast) {
  bool found = false;
  if (!users_.setMayBroadcast(uin, mayBroadcast, found)) return Outcome::unavailable("database");
  if (!found) return Outcome::error(Status::not_found, "no user with UIN " + std::to_string(uin));
  users_.audit(uin, store::AuditEvent::broadcast_permission,
               auditSource_ + (mayBroadcast ? ": granted" : ": withdrawn"));
  return Outcome::ok({{"uin", uin}, {"may_broadcast", mayBroadcast}});
}

Outcome UserAdmin::show(uint32_t uin) {
  std::optional<store::UserProfile> profile;
  if (!users_.findProfile(uin, profile)) return Outcome::unavailable("database");
  if (!profile) return Outcome::error(Status::not_found, "no user with UIN " + std::to_string(uin));
  const store::BasicInfo& basic = profile->basic;
  const std::string& cp = settings_.codepage;
  return Outcome::ok({{"uin", uin},
                      {"nick", util::toUtf8(basic.nick, cp)},
                      {"first_name", util::toUtf8(basic.firstName, cp)},
                      {"last_name", util::toUtf8(basic.lastName, cp)},
                      {"email", util::toUtf8(basic.email, cp)},
                      {"about", util::toUtf8(profile->about, cp)},
                      {"auth_required", profile->flags.authRequired}});
}

Outcome UserAdmin::remove(uint32_t uin) {
  // deleteUser compares the hash so that it never races a password change; an operator's
  // delete has no password to check, so it reads the current hash and retries if it moved.
  for (int attempt = 0; attempt < 3; ++attempt) {
    std::optional<store::UserCredentials> credentials;
    if (!users_.findCredentials(uin, credentials)) return Outcome::unavailable("database");
    if (!credentials) return Outcome::error(Status::not_found, "no user with UIN " + std::to_string(uin));
    bool deleted = false;
    if (!users_.deleteUser(uin, credentials->passwordHash, deleted)) return Outcome::unavailable("database");
    if (deleted) {
      users_.audit(uin, store::AuditEvent::user_deleted, auditSource_);
      return Outcome::ok({{"uin", uin}, {"deleted", true}});
    }
  }
  return Outcome::error(Status::unavailable, "UIN " + std::to_string(uin) + " kept changing its password; try again");
}

nlohmann::json UserAdmin::accountJson(const store::SearchHit& hit) const {
  const std::string& cp = settings_.codepage;
  return {{"uin", hit.uin},
          {"nick", util::toUtf8(hit.nick, cp)},
          {"first_name", util::toUtf8(hit.firstName, cp)},
          {"last_name", util::toUtf8(hit.lastName, cp)},
          {"email", util::toUtf8(hit.email, cp)},
          {"auth_required", hit.authRequired}};
}

Outcome UserAdmin::list(uint32_t afterUin, size_t limit) {
  if (limit == 0 || limit > kMaxPage)
    return Outcome::badInput("limit", "must be 1 to " + std::to_string(kMaxPage));
  std::vector<store::SearchHit> hits;
  if (!users_.listUsers(afterUin, limit, hits)) return Outcome::unavailable("database");
  nlohmann::json users = nlohmann::json::array();
  for (const store::SearchHit& hit : hits) users.push_back(accountJson(hit));
  nlohmann::json next = hits.size() == limit ? nlohmann::json(hits.back().uin) : nlohmann::json(nullptr);
  return Outcome::ok({{"users", std::move(users)}, {"next_after", std::move(next)}});
}

Outcome UserAdmin::search(const AccountQuery& query, size_t limit) {
  if (limit == 0 || limit > kMaxPage)
    return Outcome::badInput("limit", "must be 1 to " + std::to_string(kMaxPage));
  store::SearchRequest request;
  request.limit = limit;
  store::SearchCriteria& c = request.criteria;
  for (auto [field, value, out] : {std::tuple{"nick", &query.nick, &c.nick},
                                   std::tuple{"first_name", &query.firstName, &c.firstName},
                                   std::tuple{"last_name", &query.lastName, &c.lastName},
                                   std::tuple{"email", &query.email, &c.email}})
    if (auto bad = toClientText(field, *value, kMaxEmail, *out)) return *bad;
  if (c.empty()) return Outcome::badInput("nick", "give at least one of nick, first_name, last_name, email");
  store::SearchResult result;
  if (!users_.search(request, result)) return Outcome::unavailable("database");
  nlohmann::json users = nlohmann::json::array();
  for (const store::SearchHit& hit : result.hits) users.push_back(accountJson(hit));
  return Outcome::ok({{"users", std::move(users)}, {"more", result.notReturned}});
}

}  // namespace icq::admin
