// RedisSessionDirectory: the read side of the online sessions in Redis (store/
// session_directory.hpp) — the session hashes their owners write through the ledger
// (session_ledger.hpp), the expiry index, and the pre-login claims. The essay opens the .cpp.
#pragma once

#include <cstddef>
#include <vector>

#include "common/redis/connection.hpp"
#include "common/store/session_directory.hpp"

namespace icq::redis {

/// Implements store::SessionDirectory over one RedisConnection; like the connection, one
/// instance per thread.
class RedisSessionDirectory final : public store::SessionDirectory {
public:
  explicit RedisSessionDirectory(RedisConnection& redis);

  // store::SessionDirectory
  bool find(uint32_t uin, std::optional<store::Session>& out) override;
  bool countOnline(int64_t& out) override;
  bool walkOnline(uint64_t& cursor, size_t count, int64_t staleBeforeMs, std::vector<store::SessionHome>& homes,
                  size_t& removed) override;
  bool staleCandidates(int64_t cutoffMs, size_t limit, std::vector<store::IndexEntry>& out) override;
  bool claimPreLogin(const store::TouchRequest& request, bool& first, uint32_t& result) override;
  bool finishPreLogin(const store::TouchRequest& request, uint32_t result) override;

private:
  RedisConnection& redis_;
  const RedisScript& unindexScript_;
  std::vector<Reply> replies_;
  std::vector<Reply> indexReplies_;
  std::vector<size_t> dangling_;  // walkOnline: entries without a session, old enough to go
};

}  // namespace icq::redis
