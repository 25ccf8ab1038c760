// RedisPresenceStore: the session lists and the watcher index of store::PresenceStore in
// Redis (keys.hpp: contacts, visible, invisible, watchers). One instance per thread.
#pragma once

#include <vector>

#include "common/redis/connection.hpp"
#include "common/store/presence_store.hpp"

namespace icq::redis {

class RedisPresenceStore final : public store::PresenceStore {
public:
  explicit RedisPresenceStore(RedisConnection& redis);

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
  RedisConnection& redis_;
  const RedisScript& contactScript_;
  const RedisScript& watchersScript_;
  const RedisScript& statusScript_;
  const RedisScript& editScript_;
  const RedisScript& departScript_;
  const RedisScript& joinScript_;
  const RedisScript& drawScript_;
  std::vector<Reply> replies_;
  std::vector<std::string> args_;
};

}  // namespace icq::redis
