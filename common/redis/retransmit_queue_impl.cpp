// RedisRetransmitQueue: which sessions' unconfirmed packets are overdue (protocol-v5.md §4.4).
//
// icq:rtx:due (ZSET uin → ms) holds every session that has unconfirmed packets, scored by the
// time by which its owner should have resent them or heard their acknowledgement: the owner
// adds a session when its first packet is queued (ZADD LT, in its ledger flush) and removes it
// when the last one is acknowledged or the session ends (ZREM). So an entry that comes due was
// left behind — its owner died, or the session moved to an owner that has not loaded it yet —
// and the scheduler claims it and asks the session's current owner to look.
//
// The claim is one script on the one key: the due members, each pushed to the lease's end, so
// a second scheduler replica in the same lease finds them not due.
#include "common/redis/retransmit_queue_impl.hpp"

#include <charconv>
#include <string>

#include "common/redis/keys.hpp"

namespace icq::redis {
namespace {

// KEYS: due. ARGV: now, limit, lease-until. Returns {uin, score, uin, score, ...}.
constexpr std::string_view kClaimLua = R"lua(
local due = redis.call('ZRANGE', KEYS[1], '-inf', ARGV[1], 'BYSCORE', 'LIMIT', 0, tonumber(ARGV[2]), 'WITHSCORES')
for i = 1, #due, 2 do redis.call('ZADD', KEYS[1], 'XX', ARGV[3], due[i]) end
return due
)lua";

}  // namespace

RedisRetransmitQueue::RedisRetransmitQueue(RedisConnection& redis)
    : redis_(redis), claimScript_(redis.addScript("retransmit_claim", std::string(kClaimLua))) {}

bool RedisRetransmitQueue::claimOverdue(int64_t nowMs, size_t limit, int64_t leaseUntilMs,
                                        std::vector<store::IndexEntry>& out) {
  out.clear();
  const std::string_view dueKey[] = {keys::kRetransmitDue};
  const Decimal now(nowMs), count(limit), until(leaseUntilMs);
  const std::string_view args[] = {now, count, until};
  Reply claimed;
  if (!redis_.runScript(claimScript_, dueKey, args, claimed)) return false;
  if (!claimed.isArray()) return unexpectedReply("retransmit_claim", claimed);
  for (size_t i = 0; i + 1 < claimed.size(); i += 2) {
    store::IndexEntry entry;
    double score = 0;
    const std::string_view scoreText = claimed[i + 1].str();
    if (!parseInteger(claimed[i].str(), entry.uin)) continue;
    auto [end, error] = std::from_chars(scoreText.data(), scoreText.data() + scoreText.size(), score);
    if (error != std::errc()) continue;
    entry.scoreMs = static_cast<int64_t>(score);
    out.push_back(entry);
  }
  return true;
}

}  // namespace icq::redis
