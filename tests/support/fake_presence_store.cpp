// The in-memory presence store; see fake_presence_store.hpp.
#include "tests/support/fake_presence_store.hpp"

namespace icq::test {

FakePresenceStore::Lists FakePresenceStore::lists(uint32_t owner) const {
  auto it = lists_.find(owner);
  return it == lists_.end() ? Lists{} : it->second;
}

std::set<uint32_t> FakePresenceStore::watchersOf(uint32_t uin) const {
  auto it = watchers_.find(uin);
  return it == watchers_.end() ? std::set<uint32_t>{} : it->second;
}

std::optional<store::PresenceData> FakePresenceStore::presenceOf(uint32_t uin) const {
  const FakeSessionStore::Entry* e = sessions_.entry(uin);
  if (!e) return std::nullopt;
  const store::Session& s = e->session;
  return store::PresenceData{uin,          s.status,     s.client.ip, s.tcpPort, s.internalIp,
                             s.dcType,     s.tcpVersion, s.webPort,   s.features, s.protocol == 3 ? uint8_t{3} : uint8_t{5}};
}

store::Watcher FakePresenceStore::verdict(uint32_t uin, uint32_t viewer) const {
  const Lists l = lists(uin);
  return {viewer, l.visible.contains(viewer), l.invisible.contains(viewer)};
}

std::vector<store::Watcher> FakePresenceStore::verdicts(uint32_t uin) const {
  std::vector<store::Watcher> out;
  for (uint32_t w : watchersOf(uin)) out.push_back(verdict(uin, w));
  return out;
}

bool FakePresenceStore::addContacts(uint32_t owner, std::span<const uint32_t> contacts,
                                    std::vector<store::PresenceData>& visible) {
  visible.clear();
  if (unreachable) return false;
  for (uint32_t c : contacts) {
    lists_[owner].contacts.insert(c);
    watchers_[c].insert(owner);
    auto data = presenceOf(c);
    if (data && store::visibleTo(data->status, verdict(c, owner))) visible.push_back(*data);
  }
  return true;
}

bool FakePresenceStore::watchers(uint32_t uin, store::PresenceData& self, bool& found,
                                 std::vector<store::Watcher>& out) {
  out.clear();
  found = false;
  if (unreachable) return false;
  if (auto data = presenceOf(uin)) {
    self = *data;
    found = true;
  }
  out = verdicts(uin);
  return true;
}

bool FakePresenceStore::changeStatus(uint32_t uin, uint32_t sessionId, uint32_t status, uint32_t& previous,
                                     store::PresenceData& self, bool& found, std::vector<store::Watcher>& watchers) {
  found = false;
  watchers.clear();
  if (unreachable) return false;
  FakeSessionStore::Entry* e = sessions_.entry(uin);
  if (!e || e->session.sessionId != sessionId) return true;
  found = true;
  previous = e->session.status;
  e->session.status = status;
  self = *presenceOf(uin);
  watchers = verdicts(uin);
  return true;
}

bool FakePresenceStore::editList(uint32_t owner, store::PrivacyList list, bool add, std::span<const uint32_t> uins,
                                 store::PresenceData& self, std::vector<store::VisibilityChange>& changes) {
  changes.clear();
  if (unreachable) return false;
  const auto data = presenceOf(owner);
  auto seen = [&](uint32_t viewer) { return data && store::visibleTo(data->status, verdict(owner, viewer)); };
  const std::set<uint32_t> watching = watchersOf(owner);
  for (uint32_t u : uins) {
    const bool watches = watching.contains(u);
    const bool before = watches && seen(u);
    std::set<uint32_t>& target = list == store::PrivacyList::visible ? lists_[owner].visible : lists_[owner].invisible;
    if (add)
      target.insert(u);
    else
      target.erase(u);
    if (watches) changes.push_back({u, before, seen(u)});
  }
  self = data ? *data : store::PresenceData{};
  return true;
}

bool FakePresenceStore::joinRandomGroup(uint32_t uin, uint32_t sessionId, uint32_t group, bool& found) {
  found = false;
  if (unreachable) return false;
  const FakeSessionStore::Entry* e = sessions_.entry(uin);
  if (!e || e->session.sessionId != sessionId) return true;
  found = true;
  if (group == 0)
    groupOf_.erase(uin);
  else
    groupOf_[uin] = group;
  return true;
}

bool FakePresenceStore::randomGroupMember(uint32_t group, uint32_t viewer, store::PresenceData& member, bool& found) {
  found = false;
  if (unreachable) return false;
  for (const auto& [uin, g] : groupOf_) {
    if (g != group || uin == viewer) continue;
    auto data = presenceOf(uin);
    if (!data || !store::visibleTo(data->status, verdict(uin, viewer))) continue;
    member = *data;
    found = true;
    return true;
  }
  return true;
}

bool FakePresenceStore::depart(uint32_t owner, std::vector<store::Watcher>& watchers) {
  watchers.clear();
  if (unreachable) return false;
  watchers = verdicts(owner);
  for (uint32_t c : lists(owner).contacts) watchers_[c].erase(owner);
  lists_.erase(owner);
  return true;
}

}  // namespace icq::test
