// An in-memory store::MessageStore for unit tests of the worker: offline messages with
// increasing ids, stored only for accounts the FakeUserStore it is given knows (D40: a
// message to no one is dropped), delivered oldest first, deleted up to a batch's id.
#pragma once

#include <cstdint>
#include <vector>

#include "common/store/message_store.hpp"
#include "tests/support/fake_user_store.hpp"

namespace icq::test {

class FakeMessageStore final : public store::MessageStore {
public:
  explicit FakeMessageStore(FakeUserStore& users) : users_(users) {}

  bool unreachable = false;  // every operation reports "database unreachable" while set
  std::vector<store::OfflineMessage> messages;  // oldest first

  /// The messages waiting for `uin`.
  std::vector<store::OfflineMessage> storedFor(uint32_t uin) const;

  bool storeOffline(uint32_t from, uint32_t to, uint16_t type, std::span<const uint8_t> text, int64_t atMs,
                    bool& stored) override;
  bool pendingFor(uint32_t uin, size_t limit, std::vector<store::OfflineMessage>& out) override;
  bool deleteDelivered(uint32_t uin, int64_t upToId) override;
  bool deleteDeliveredBefore(uint32_t uin, int64_t upToId, int64_t beforeMs) override;
  bool purgeStoredBefore(int64_t cutoffMs, size_t limit, size_t& deleted) override;
  bool storeForAll(uint32_t from, uint16_t type, std::span<const uint8_t> text, int64_t atMs, uint32_t department,
                   const std::vector<uint32_t>& skip, uint32_t afterUin, size_t limit, uint32_t& lastUin,
                   size_t& stored) override;
  bool countStored(int64_t& out) override;

private:
  FakeUserStore& users_;
  int64_t nextId_ = 1;
};

}  // namespace icq::test
