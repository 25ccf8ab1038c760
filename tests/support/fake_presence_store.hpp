// An in-memory store::PresenceStore for unit tests of the worker: the session lists of
// protocol-v5.md §10 (contact, visible and invisible lists), the reverse watcher index and
// the random-chat groups, with the same rules as RedisPresenceStore
// (common/redis/presence_store_impl.cpp). A user's presence data and status are read from,
// and a status change written to, the FakeSessionStore it is given, as the Redis scripts read
// the session hash.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>

#include "common/store/presence_store.hpp"
#include "tests/support/fake_session_store.hpp"

namespace icq::test {

class FakePresenceStore final : public store::PresenceStore {
public:
  struct Lists {
    std::set<uint32_t> contacts, visible, invisible;
  };

  explicit FakePresenceStore(FakeSessionStore& sessions) : sessions_(sessions) {}

  bool unreachable = false;  // every operation reports "store unreachable" while set

  /// `owner`'s lists (empty when it has none).
  Lists lists(uint32_t owner) const;
  /// Who watches `uin`.
  std::set<uint32_t> watchersOf(uint32_t uin) const;

  bool addContacts(uint32_t owner, std::span<const uint32_t> contacts,
                   std::vector<store::PresenceData>& visible) override;
  bool watchers(uint32_t uin, store::PresenceData& self, bool& found, std::vector<store::Watcher>& out) override;
  bool changeStatus(uint32_t uin, uint32_t sessionId, uint32_t status, uint32_t& previous, store::PresenceData& self,
                    bool& found, std::vector<store::Watcher>& watchers) override;
  bool editList(uint32_t owner, store::PrivacyList list, bool add, std::span<const uint32_t> uins,
                store::PresenceData& self, std::vector<store::VisibilityChange>& changes) override;
  bool joinRandomGroup(uint32_t uin, uint32_t sessionId, uint32_t group, bool& found) override;
  bool randomGroupMember(uint32_t group, uint32_t viewer, store::PresenceData& member, bool& found) override;
  bool depart(uint32_t owner, std::vector<store::Watcher>& watchers) override;

private:
  std::optional<store::PresenceData> presenceOf(uint32_t uin) const;
  /// `uin`'s lists' verdict on `viewer`.
  store::Watcher verdict(uint32_t uin, uint32_t viewer) const;
  std::vector<store::Watcher> verdicts(uint32_t uin) const;

  FakeSessionStore& sessions_;
  std::map<uint32_t, Lists> lists_;
  std::map<uint32_t, std::set<uint32_t>> watchers_;
  std::map<uint32_t, uint32_t> groupOf_;  // random-chat group by member (the session's "rg")
};

}  // namespace icq::test
