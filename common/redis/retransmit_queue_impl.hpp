// RedisRetransmitQueue: store::RetransmitQueue over the icq:rtx:due schedule. One instance
// per thread.
#pragma once

#include <vector>

#include "common/redis/connection.hpp"
#include "common/store/retransmit_queue.hpp"

namespace icq::redis {

class RedisRetransmitQueue final : public store::RetransmitQueue {
public:
  explicit RedisRetransmitQueue(RedisConnection& redis);

  bool claimOverdue(int64_t nowMs, size_t limit, int64_t leaseUntilMs, std::vector<store::IndexEntry>& out) override;

private:
  RedisConnection& redis_;
  const RedisScript& claimScript_;
};

}  // namespace icq::redis
