// RedisRetransmitQueue: store::RetransmitQueue over the icq:rtx:due schedule and each
// session's icq:{uin}:rtx hash. One instance per thread.
#pragma once

#include <vector>

#include "common/redis/connection.hpp"
#include "common/store/retransmit_queue.hpp"

namespace icq::redis {

class RedisRetransmitQueue final : public store::RetransmitQueue {
public:
  explicit RedisRetransmitQueue(RedisConnection& redis);

  bool claimDue(int64_t nowMs, size_t limit, std::chrono::milliseconds lease, uint32_t retries,
                std::vector<store::DueSession>& out) override;
  bool reschedule(uint32_t uin, int64_t dueMs) override;
  bool release(const store::DueSession& session) override;

private:
  RedisConnection& redis_;
  const RedisScript& claimScript_;
  const RedisScript& planScript_;
  const RedisScript& releaseScript_;
  std::vector<Reply> replies_;
  std::vector<uint32_t> uins_;
};

}  // namespace icq::redis
