// The in-memory offline-message store; see fake_message_store.hpp.
#include "tests/support/fake_message_store.hpp"

#include <algorithm>
#include <string>

namespace icq::test {

std::vector<store::OfflineMessage> FakeMessageStore::storedFor(uint32_t uin) const {
  std::vector<store::OfflineMessage> out;
  for (const store::OfflineMessage& m : messages)
    if (m.to == uin) out.push_back(m);
  return out;
}

bool FakeMessageStore::storeOffline(uint32_t from, uint32_t to, uint16_t type, std::span<const uint8_t> text,
                                    int64_t atMs, bool& stored) {
  stored = false;
  if (unreachable) return false;
  if (!users_.accounts.contains(to)) return true;
  messages.push_back({nextId_++, from, to, atMs, type, std::string(text.begin(), text.end())});
  stored = true;
  return true;
}

bool FakeMessageStore::pendingFor(uint32_t uin, size_t limit, std::vector<store::OfflineMessage>& out) {
  out.clear();
  if (unreachable) return false;
  for (const store::OfflineMessage& m : messages)
    if (m.to == uin && out.size() < limit) out.push_back(m);
  return true;
}

bool FakeMessageStore::deleteDelivered(uint32_t uin, int64_t upToId) {
  if (unreachable) return false;
  std::erase_if(messages, [&](const store::OfflineMessage& m) { return m.to == uin && m.id <= upToId; });
  return true;
}

bool FakeMessageStore::deleteDeliveredBefore(uint32_t uin, int64_t upToId, int64_t beforeMs) {
  if (unreachable) return false;
  std::erase_if(messages, [&](const store::OfflineMessage& m) {
    return m.to == uin && m.id <= upToId && m.storedAtMs < beforeMs;
  });
  return true;
}

bool FakeMessageStore::purgeStoredBefore(int64_t cutoffMs, size_t limit, size_t& deleted) {
  deleted = 0;
  if (unreachable) return false;
  std::erase_if(messages, [&](const store::OfflineMessage& m) {
    if (deleted >= limit || m.storedAtMs >= cutoffMs) return false;
    ++deleted;
    return true;
  });
  return true;
}

bool FakeMessageStore::storeForAll(uint32_t from, uint16_t type, std::span<const uint8_t> text, int64_t atMs,
                                   uint32_t department, const std::vector<uint32_t>& skip, uint32_t afterUin,
                                   size_t limit, uint32_t& lastUin, size_t& stored) {
  lastUin = 0;
  stored = 0;
  if (unreachable) return false;
  const std::string code = std::to_string(department);
  size_t looked = 0;
  for (auto it = users_.accounts.upper_bound(afterUin); it != users_.accounts.end() && looked < limit; ++it, ++looked) {
    lastUin = it->first;
    if (std::find(skip.begin(), skip.end(), it->first) != skip.end()) continue;
    if (department != 0 && it->second.profile.work.department != code) continue;
    messages.push_back({nextId_++, from, it->first, atMs, type, std::string(text.begin(), text.end())});
    ++stored;
  }
  return true;
}

bool FakeMessageStore::countStored(int64_t& out) {
  out = static_cast<int64_t>(messages.size());
  return !unreachable;
}

}  // namespace icq::test
