// PgMessageStore: offline messages in PostgreSQL (table offline_messages, migration 3;
// protocol-v5.md §6.8, §6.10, §11.2). The design notes open the .cpp.
#pragma once

#include "common/pg/connection.hpp"
#include "common/store/message_store.hpp"

namespace icq::pg {

/// Implements store::MessageStore; like its connection, one instance per thread. Declares
/// its prepared statements on `connection` at construction.
class PgMessageStore final : public store::MessageStore {
public:
  explicit PgMessageStore(PgConnection& connection);

  // store::MessageStore
  bool storeOffline(uint32_t from, uint32_t to, uint16_t type, std::span<const uint8_t> text, int64_t atMs,
                    bool& stored) override;
  bool pendingFor(uint32_t uin, size_t limit, std::vector<store::OfflineMessage>& out) override;
  bool storeForAll(uint32_t from, uint16_t type, std::span<const uint8_t> text, int64_t atMs, uint32_t department,
                   const std::vector<uint32_t>& skip, uint32_t afterUin, size_t limit, uint32_t& lastUin,
                   size_t& stored) override;
  bool deleteDelivered(uint32_t uin, int64_t upToId) override;
  bool deleteDeliveredBefore(uint32_t uin, int64_t upToId, int64_t beforeMs) override;
  bool purgeStoredBefore(int64_t cutoffMs, size_t limit, size_t& deleted) override;
  bool countStored(int64_t& out) override;

private:
  PgConnection& pg_;
};

}  // namespace icq::pg
