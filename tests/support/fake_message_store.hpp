// A store::MessageStore in memory, for tests of what becomes of messages (the rescue of a
// session's unconfirmed messages, worker/sessions/rescue.hpp) without PostgreSQL: it keeps
// every stored message in order, knows every UIN unless told otherwise, and can be made to
// fail like an unreachable database.
#pragma once

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "common/store/message_store.hpp"

namespace icq::test {

class FakeMessageStore final : public store::MessageStore {
public:
  std::vector<store::OfflineMessage> stored;  // every message, oldest first
  std::set<uint32_t> unknownUsers;            // recipients that do not exist (stored = false)
  bool failing = false;                       // every call reports the store unreachable
  int calls = 0;                              // storeOffline calls, failed ones too

  bool storeOffline(uint32_t from, uint32_t to, uint16_t type, std::span<const uint8_t> text, int64_t atMs,
                    bool& ok) override {
    ++calls;
    ok = false;
    if (failing) return false;
    if (unknownUsers.count(to) != 0) return true;
    stored.push_back({nextId_++, from, to, atMs, type, std::string(text.begin(), text.end())});
    ok = true;
    return true;
  }
  bool pendingFor(uint32_t uin, size_t limit, std::vector<store::OfflineMessage>& out) override {
    out.clear();
    if (failing) return false;
    for (const auto& message : stored)
      if (message.to == uin && out.size() < limit) out.push_back(message);
    return true;
  }
  bool deleteDelivered(uint32_t uin, int64_t upToId) override {
    if (failing) return false;
    std::erase_if(stored, [&](const auto& m) { return m.to == uin && m.id <= upToId; });
    return true;
  }
  bool deleteDeliveredBefore(uint32_t uin, int64_t upToId, int64_t beforeMs) override {
    if (failing) return false;
    std::erase_if(stored, [&](const auto& m) { return m.to == uin && m.id <= upToId && m.storedAtMs < beforeMs; });
    return true;
  }
  bool purgeStoredBefore(int64_t cutoffMs, size_t limit, size_t& deleted) override {
    deleted = 0;
    if (failing) return false;
    std::erase_if(stored, [&](const auto& m) { return m.storedAtMs < cutoffMs && deleted < limit && ++deleted; });
    return true;
  }
  bool storeForAll(uint32_t, uint16_t, std::span<const uint8_t>, int64_t, uint32_t, const std::vector<uint32_t>&,
                   uint32_t, size_t, uint32_t& lastUin, size_t& count) override {
    lastUin = 0;
    count = 0;
    return !failing;  // this fake has no accounts to broadcast to
  }
  bool countStored(int64_t& out) override {
    out = static_cast<int64_t>(stored.size());
    return !failing;
  }

  /// The messages stored for `uin`, oldest first.
  std::vector<store::OfflineMessage> storedFor(uint32_t uin) const {
    std::vector<store::OfflineMessage> out;
    std::copy_if(stored.begin(), stored.end(), std::back_inserter(out), [&](const auto& m) { return m.to == uin; });
    return out;
  }

private:
  int64_t nextId_ = 1;
};

}  // namespace icq::test
