// The presence store as a session's owner uses it: the presence store in Redis, whose session
// hash holds the status every watcher's view is computed from (presence_store_impl.cpp), with
// the owner's in-memory copy of the status kept in step — the status an ended session reports
// to its watchers, and a search reports for it, is the one its client last set.
#pragma once

#include "common/store/presence_store.hpp"
#include "worker/sessions/owned_sessions.hpp"

namespace icq::worker {

class OwnedPresence final : public store::PresenceStore {
public:
  OwnedPresence(store::PresenceStore& presence, OwnedSessions& sessions) : presence_(presence), sessions_(sessions) {}

  bool addContacts(uint32_t owner, std::span<const uint32_t> contacts,
                   std::vector<store::PresenceData>& visible) override {
    return presence_.addContacts(owner, contacts, visible);
  }
  bool watchers(uint32_t uin, store::PresenceData& self, bool& found, std::vector<store::Watcher>& out) override {
    return presence_.watchers(uin, self, found, out);
  }
  bool changeStatus(uint32_t uin, uint32_t sessionId, uint32_t status, uint32_t& previous, store::PresenceData& self,
                    bool& found, std::vector<store::Watcher>& watchers) override {
    if (!presence_.changeStatus(uin, sessionId, status, previous, self, found, watchers)) return false;
    if (found) sessions_.noteStatus(uin, status);
    return true;
  }
  bool editList(uint32_t owner, store::PrivacyList list, bool add, std::span<const uint32_t> uins,
                store::PresenceData& self, std::vector<store::VisibilityChange>& changes) override {
    return presence_.editList(owner, list, add, uins, self, changes);
  }
  bool joinRandomGroup(uint32_t uin, uint32_t sessionId, uint32_t group, bool& found) override {
    return presence_.joinRandomGroup(uin, sessionId, group, found);
  }
  bool randomGroupMember(uint32_t group, uint32_t viewer, store::PresenceData& member, bool& found) override {
    return presence_.randomGroupMember(group, viewer, member, found);
  }
  bool depart(uint32_t owner, std::vector<store::Watcher>& watchers) override {
    return presence_.depart(owner, watchers);
  }

private:
  store::PresenceStore& presence_;
  OwnedSessions& sessions_;
};

}  // namespace icq::worker
