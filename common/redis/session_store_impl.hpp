// RedisSessionStore: the SessionStore of the cluster, one hash per online UIN plus the
// expiry index, every per-session step one Lua script. The design essay opens the .cpp.
#pragma once

#include <chrono>
#include <cstddef>
#include <vector>

#include "common/redis/connection.hpp"
#include "common/store/session_store.hpp"
#include "common/util/clock.hpp"

namespace icq::redis {

/// Implements store::SessionStore over one RedisConnection; like the connection, one
/// instance per thread.
class RedisSessionStore final : public store::SessionStore {
public:
  /// `dedupeWindow`: client sequence triples remembered per session (v5.dedupe_window).
  /// `retransmitTimeout`: when a newly queued reliable packet is first due for resending
  /// (v5.retransmit_timeout_s); the packet goes into the retransmit schedule (keys.hpp).
  RedisSessionStore(RedisConnection& redis, const util::Clock& clock, size_t dedupeWindow,
                    std::chrono::milliseconds retransmitTimeout = std::chrono::seconds(10));

  // store::SessionStore
  bool touch(std::span<const store::TouchRequest> requests, std::span<store::TouchResult> results) override;
  bool forgetDuplicate(const store::TouchRequest& request) override;
  bool claimPreLogin(const store::TouchRequest& request, bool& first, uint32_t& result) override;
  bool finishPreLogin(const store::TouchRequest& request, uint32_t result) override;
  bool find(uint32_t uin, std::optional<store::Session>& out) override;
  bool replace(const store::Session& fresh, const store::ReliablePacket& loginReply,
               std::optional<store::Session>& replaced) override;
  bool queueReliable(std::span<const store::ReliablePacket> packets, std::span<store::ReliableRoute> routes) override;
  bool end(uint32_t uin, uint32_t sessionId, const util::Endpoint& client,
           std::optional<store::Session>& ended) override;
  bool expireStale(int64_t cutoffMs, int64_t v3CutoffMs, size_t limit, std::vector<store::Session>& expired) override;
  bool countOnline(int64_t& out) override;
  bool walkOnline(uint64_t& cursor, size_t count, int64_t staleBeforeMs, std::vector<store::SessionHome>& homes,
                  size_t& removed) override;
  bool claimOfflineDelivery(uint32_t uin, uint32_t sessionId, bool& first) override;
  bool setOfflineBatch(uint32_t uin, uint32_t sessionId, int64_t upToId) override;
  bool offlineBatch(uint32_t uin, uint32_t sessionId, int64_t& upToId) override;

private:
  RedisConnection& redis_;
  const util::Clock& clock_;
  size_t dedupeWindow_;
  std::chrono::milliseconds retransmitTimeout_;
  const RedisScript& touchScript_;
  const RedisScript& replaceScript_;
  const RedisScript& queueScript_;
  const RedisScript& forgetScript_;
  const RedisScript& endScript_;
  const RedisScript& expireScript_;
  const RedisScript& unindexScript_;
  const RedisScript& claimOfflineScript_;
  const RedisScript& offlineBatchScript_;
  // Reused by every call: no allocation per batch after warm-up.
  std::vector<Reply> replies_;
  std::vector<std::string> entries_;    // encoded unconfirmed packets of the current call
  std::vector<std::string> v3Entries_;  // their V3 forms, "" where there is none
  std::vector<Reply> indexReplies_;
  std::vector<size_t> fixes_;
  std::vector<size_t> dangling_;  // walkOnline: entries without a session, old enough to go
};

}  // namespace icq::redis
