// The in-memory user store; see fake_user_store.hpp.
#include "tests/support/fake_user_store.hpp"

#include <algorithm>
#include <cctype>

#include "common/auth/password.hpp"

namespace icq::test {
namespace {

// libsodium's crypto_pwhash_OPSLIMIT_MIN and crypto_pwhash_MEMLIMIT_MIN.
constexpr uint64_t kMinOps = 1;
constexpr size_t kMinMemBytes = 8192;

bool containsFolded(const std::string& haystack, const std::string& needle) {
  auto fold = [](std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    return s;
  };
  return fold(haystack).find(fold(needle)) != std::string::npos;
}

}  // namespace

std::string FakeUserStore::cheapHash(std::string_view password) {
  return auth::hashPassword(password, kMinOps, kMinMemBytes);
}

FakeUserStore::Account& FakeUserStore::addUser(uint32_t uin, std::string_view password, std::string nick) {
  Account& a = accounts[uin];
  a.credentials.uin = uin;
  a.credentials.passwordHash = cheapHash(password);
  a.profile.uin = uin;
  a.profile.basic.nick = std::move(nick);
  return a;
}

size_t FakeUserStore::audited(uint32_t uin, store::AuditEvent event) const {
  return static_cast<size_t>(
      std::count_if(audits.begin(), audits.end(), [&](const AuditRecord& r) { return r.uin == uin && r.event == event; }));
}

bool FakeUserStore::findCredentials(uint32_t uin, std::optional<store::UserCredentials>& out) {
  out.reset();
  if (unreachable) return false;
  if (auto it = accounts.find(uin); it != accounts.end()) out = it->second.credentials;
  return true;
}

bool FakeUserStore::recordLogin(uint32_t, uint32_t, int64_t) { return !unreachable; }

bool FakeUserStore::recordHistory(std::span<const store::LoginRecord>, std::span<const store::AuditRecord> events) {
  if (unreachable) return false;
  for (const store::AuditRecord& e : events) audits.push_back({e.uin, e.event, e.detail});
  return true;
}

bool FakeUserStore::audit(uint32_t uin, store::AuditEvent event, std::string_view detail) {
  if (unreachable) return false;
  audits.push_back({uin, event, std::string(detail)});
  return true;
}

bool FakeUserStore::purgeAuditBefore(int64_t, size_t, size_t& deleted) {
  deleted = 0;
  return !unreachable;
}

bool FakeUserStore::createUser(const store::NewUser& user, uint32_t& uin, bool& exists) {
  exists = false;
  if (unreachable) return false;
  uin = user.uin != 0 ? user.uin : nextUin++;
  if (accounts.contains(uin)) {
    exists = true;
    return true;
  }
  Account& a = accounts[uin];
  a.credentials.uin = uin;
  a.credentials.passwordHash = user.passwordHash;
  a.profile.uin = uin;
  a.profile.basic.nick = user.nick;
  a.profile.basic.firstName = user.firstName;
  a.profile.basic.lastName = user.lastName;
  a.profile.basic.email = user.email;
  return true;
}

bool FakeUserStore::setPasswordHash(uint32_t uin, const std::string& hash, bool& found) {
  found = false;
  if (unreachable) return false;
  auto it = accounts.find(uin);
  found = it != accounts.end();
  if (found) it->second.credentials.passwordHash = hash;
  return true;
}

bool FakeUserStore::findProfile(uint32_t uin, std::optional<store::UserProfile>& out) {
  out.reset();
  if (unreachable) return false;
  if (auto it = accounts.find(uin); it != accounts.end()) out = it->second.profile;
  return true;
}

template <class Change>
bool FakeUserStore::edit(uint32_t uin, bool& found, Change&& change) {
  found = false;
  if (unreachable) return false;
  auto it = accounts.find(uin);
  found = it != accounts.end();
  if (found) change(it->second.profile);
  return true;
}

bool FakeUserStore::setBasic(uint32_t uin, const store::BasicUpdate& update, bool& found) {
  return edit(uin, found, [&](store::UserProfile& p) {
    p.basic = update.basic;
    if (update.hideEmail) p.flags.hideEmail = *update.hideEmail;
    if (update.authRequired) p.flags.authRequired = *update.authRequired;
    if (update.webAware) p.flags.webAware = *update.webAware;
  });
}

bool FakeUserStore::setMore(uint32_t uin, const store::MoreInfo& more, bool& found) {
  return edit(uin, found, [&](store::UserProfile& p) { p.more = more; });
}

bool FakeUserStore::setWork(uint32_t uin, const store::WorkInfo& work, bool& found) {
  return edit(uin, found, [&](store::UserProfile& p) { p.work = work; });
}

bool FakeUserStore::setAbout(uint32_t uin, std::string_view about, int64_t atMs, bool& found) {
  return edit(uin, found, [&](store::UserProfile& p) {
    p.about = std::string(about);
    p.aboutChangedMs = atMs;
  });
}

bool FakeUserStore::setInterests(uint32_t uin, const store::Interests& interests, bool& found) {
  return edit(uin, found, [&](store::UserProfile& p) { p.interests = interests; });
}

bool FakeUserStore::setBackground(uint32_t uin, const store::Background& background, bool& found) {
  return edit(uin, found, [&](store::UserProfile& p) { p.background = background; });
}

bool FakeUserStore::setHomepageCategory(uint32_t uin, const store::HomepageCategory& category, bool& found) {
  return edit(uin, found, [&](store::UserProfile& p) { p.homepageCategory = category; });
}

bool FakeUserStore::setSecurity(uint32_t uin, const store::SecurityUpdate& security, bool& found) {
  return edit(uin, found, [&](store::UserProfile& p) {
    p.flags.authRequired = security.authRequired;
    p.flags.webAware = security.webAware;
    p.flags.hideIp = security.hideIp;
  });
}

bool FakeUserStore::setAuthRequired(uint32_t uin, bool authRequired, bool& found) {
  return edit(uin, found, [&](store::UserProfile& p) { p.flags.authRequired = authRequired; });
}

bool FakeUserStore::updateNames(uint32_t uin, const store::NameUpdate& update, bool& found) {
  return edit(uin, found, [&](store::UserProfile& p) {
    p.basic.nick = update.nick;
    p.basic.firstName = update.firstName;
    p.basic.lastName = update.lastName;
    p.basic.email = update.email;
    if (update.authRequired) p.flags.authRequired = *update.authRequired;
  });
}

bool FakeUserStore::updateExtInfo(uint32_t uin, const store::ExtInfoUpdate& update, int64_t atMs, bool& found) {
  return edit(uin, found, [&](store::UserProfile& p) {
    p.basic.homeCity = update.homeCity;
    p.basic.homeState = update.homeState;
    p.basic.homePhone = update.homePhone;
    p.basic.homeZip = update.homeZip;
    p.basic.homeCountry = update.homeCountry;
    p.basic.timezone = update.timezone;
    p.more.homepage = update.homepage;
    p.more.age = update.age;
    p.more.gender = update.gender;
    p.about = update.about;
    p.aboutChangedMs = atMs;
  });
}

store::SearchHit FakeUserStore::hitOf(const Account& a) {
  const store::UserProfile& p = a.profile;
  return {p.uin,       p.basic.nick, p.basic.firstName, p.basic.lastName, p.flags.hideEmail ? "" : p.basic.email,
          p.flags.authRequired, p.flags.webAware};
}

bool FakeUserStore::search(const store::SearchRequest& request, store::SearchResult& out) {
  out = store::SearchResult{};
  if (unreachable) return false;
  const store::SearchCriteria& c = request.criteria;
  if (c.empty()) return true;
  auto text = [](const std::string& value, const std::string& wanted) {
    return wanted.empty() || containsFolded(value, wanted);
  };
  for (const auto& [uin, a] : accounts) {
    const store::BasicInfo& b = a.profile.basic;
    const bool email = c.email.empty() || (!a.profile.flags.hideEmail && containsFolded(b.email, c.email)) ||
                       containsFolded(b.email2, c.email);
    if ((c.uin != 0 && c.uin != uin) || !text(b.nick, c.nick) || !text(b.firstName, c.firstName) ||
        !text(b.lastName, c.lastName) || !email || !text(b.homeCity, c.city))
      continue;
    if (out.hits.size() < request.limit)
      out.hits.push_back(hitOf(a));
    else if (request.countRest && out.notReturned < store::kMaxNotReturned)
      ++out.notReturned;
  }
  return true;
}

bool FakeUserStore::deleteUser(uint32_t uin, const std::string& passwordHash, bool& deleted) {
  deleted = false;
  if (unreachable) return false;
  auto it = accounts.find(uin);
  if (it == accounts.end() || it->second.credentials.passwordHash != passwordHash) return true;
  accounts.erase(it);
  deleted = true;
  return true;
}

bool FakeUserStore::listUsers(uint32_t afterUin, size_t limit, std::vector<store::SearchHit>& out) {
  out.clear();
  if (unreachable) return false;
  for (auto it = accounts.upper_bound(afterUin); it != accounts.end() && out.size() < limit; ++it)
    out.push_back(hitOf(it->second));
  return true;
}

bool FakeUserStore::countUsers(int64_t& out) {
  out = static_cast<int64_t>(accounts.size());
  return !unreachable;
}

bool FakeUserStore::setMayBroadcast(uint32_t uin, bool mayBroadcast, bool& found) {
  found = false;
  if (unreachable) return false;
  auto it = accounts.find(uin);
  found = it != accounts.end();
  if (found) it->second.credentials.mayBroadcast = mayBroadcast;
  return true;
}

bool FakeUserStore::inDepartment(uint32_t code, const std::vector<uint32_t>& uins, std::vector<uint32_t>& out) {
  out.clear();
  if (unreachable) return false;
  const std::string text = std::to_string(code);
  for (uint32_t uin : uins)
    if (auto it = accounts.find(uin); it != accounts.end() && it->second.profile.work.department == text)
      out.push_back(uin);
  return true;
}

}  // namespace icq::test
