// RedisSessionDirectory: the online sessions as every process reads them (store/
// session_directory.hpp). Their owners write them (session_ledger.hpp: the key layout, what
// each packet costs); this side reads.
//
// The expiry index
// ----------------
// icq:online is a ZSET uin → "index time": a time at or before which the session cannot be
// due for expiry, on the sweep's later cutoff (a V5 entry is scored its last packet shifted by
// how much longer V5's TTL is than V3's). The scheduler's sweep reads the entries scored at or
// before its cutoff (staleCandidates) and asks each session's owner to look: the owner knows
// the exact last packet and either ends the session or re-scores its entry. Reading changes
// nothing here, so several schedulers may sweep at once.
//
// Removing index entries safely
// -----------------------------
// An entry may only go when the session it stands for is gone. A plain ZREM after a session
// was deleted races with a new login of the same UIN that has just added its own entry, so the
// walk's removals are a compare-and-delete on the score ("unindex"): a new login rewrites the
// score (to its login time), and the stale removal then misses.
//
// Walking the index
// -----------------
// walkOnline() is the step of the validation job (scheduler/job_validate_sessions.cpp) and of
// the admin's listing: ZSCAN of icq:online from a cursor — one key, so it works unchanged on
// Redis Cluster, and ZSCAN guarantees to visit every entry that stays for the whole walk — then
// one pipelined HGET of "gw" per visited UIN, then "unindex" for the entries whose session is
// gone. Only entries written at or before the caller's cutoff go: a login writes its entry just
// before its session, so a young entry without a session may be a login in progress. An entry
// ZSCAN returns twice is removed once; the second compare-and-delete misses.
#include "common/redis/session_directory_impl.hpp"

#include <string>
#include <string_view>

#include "common/redis/keys.hpp"
#include "common/redis/session_fields.hpp"

namespace icq::redis {
namespace {

// KEYS: index. ARGV: uin, score. Removes the entry only if it still has that score.
constexpr std::string_view kUnindexLua = R"lua(
local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
if score and tonumber(score) == tonumber(ARGV[2]) then return redis.call('ZREM', KEYS[1], ARGV[1]) end
return 0
)lua";

}  // namespace

RedisSessionDirectory::RedisSessionDirectory(RedisConnection& redis)
    : redis_(redis), unindexScript_(redis.addScript("directory_unindex", std::string(kUnindexLua))) {}

// Pre-login requests (keys.hpp preLogin): a retransmitted registration whose reply was
// lost must get the same UIN again, not a second account. SET NX claims; the claimant
// records the result, or deletes the claim if it created nothing.
namespace {
constexpr std::string_view kPreLoginSeconds = "300";
}

bool RedisSessionDirectory::claimPreLogin(const store::TouchRequest& request, bool& first, uint32_t& result) {
  const std::string key =
      keys::preLogin(request.client.ip, request.client.port, request.seq1, request.seq2, request.command);
  Reply reply;
  if (!redis_.command({"SET", key, "0", "NX", "EX", kPreLoginSeconds, "GET"}, reply)) return false;
  first = reply.isNil();  // SET … GET returns the previous value: nil when we set it
  result = 0;
  if (!first && !parseInteger(reply.str(), result)) return unexpectedReply("prelogin", reply);
  return true;
}

bool RedisSessionDirectory::finishPreLogin(const store::TouchRequest& request, uint32_t result) {
  const std::string key =
      keys::preLogin(request.client.ip, request.client.port, request.seq1, request.seq2, request.command);
  Reply reply;
  if (result == 0) return redis_.command({"DEL", key}, reply);
  return redis_.command({"SET", key, Decimal(result), "XX", "EX", kPreLoginSeconds}, reply);
}

bool RedisSessionDirectory::find(uint32_t uin, std::optional<store::Session>& out) {
  out.reset();
  Reply reply;
  if (!redis_.command({"HGETALL", keys::session(uin)}, reply)) return false;
  if (!reply.isArray()) return unexpectedReply("find", reply);
  if (reply.size() > 0) out = decodeSessionFields(reply, uin);
  return true;
}

bool RedisSessionDirectory::countOnline(int64_t& out) {
  out = 0;
  Reply reply;
  if (!redis_.command({"ZCARD", keys::kOnline}, reply)) return false;
  if (!reply.isInteger()) return unexpectedReply("count", reply);
  out = reply.integer();
  return true;
}

bool RedisSessionDirectory::staleCandidates(int64_t cutoffMs, size_t limit, std::vector<store::IndexEntry>& out) {
  out.clear();
  if (limit == 0) return true;
  Reply candidates;  // flat [uin, score, uin, score, ...]
  if (!redis_.command({"ZRANGE", keys::kOnline, "-inf", Decimal(cutoffMs), "BYSCORE", "LIMIT", "0", Decimal(limit),
                       "WITHSCORES"},
                      candidates))
    return false;
  if (!candidates.isArray()) return unexpectedReply("stale_candidates", candidates);
  for (size_t i = 0; i + 1 < candidates.size(); i += 2) {
    store::IndexEntry entry;
    double score = 0;
    const std::string_view scoreText = candidates[i + 1].str();
    if (!parseInteger(candidates[i].str(), entry.uin)) continue;
    if (!parseInteger(scoreText, entry.scoreMs)) {  // a score Redis prints as a float
      auto [end, error] = std::from_chars(scoreText.data(), scoreText.data() + scoreText.size(), score);
      if (error != std::errc()) continue;
      entry.scoreMs = static_cast<int64_t>(score);
    }
    out.push_back(entry);
  }
  return true;
}

// Two or three round trips per step: a page of the index, the pages' sessions, and the
// removal of entries that stand for nothing. A failure leaves the cursor where it was, so
// the caller repeats the step; every part of it may run twice.
bool RedisSessionDirectory::walkOnline(uint64_t& cursor, size_t count, int64_t staleBeforeMs,
                                   std::vector<store::SessionHome>& homes, size_t& removed) {
  homes.clear();
  removed = 0;
  Reply page;  // [next cursor, [uin, score, uin, score, ...]]
  if (!redis_.command({"ZSCAN", keys::kOnline, Decimal(cursor), "COUNT", Decimal(count)}, page)) return false;
  uint64_t next = 0;
  if (!page.isArray() || page.size() != 2 || !page[1].isArray() || !parseInteger(page[0].str(), next))
    return unexpectedReply("walk_online", page);
  const ReplyView entries = page[1];
  const size_t n = entries.size() / 2;
  auto uinAt = [&](size_t k) {
    uint32_t uin = 0;
    parseInteger(entries[2 * k].str(), uin);
    return uin;
  };

  auto appendGet = [&](size_t k, bool) { redis_.append({"HGET", keys::session(uinAt(k)), "gw"}); };
  if (n > 0 && !redis_.pipeline(n, appendGet, replies_)) return false;
  dangling_.clear();
  for (size_t k = 0; k < n; ++k) {
    const ReplyView gateway = replies_[k];
    int64_t writtenMs = 0;
    if (gateway.isString())
      homes.push_back({uinAt(k), std::string(gateway.str())});
    else if (!gateway.isNil())  // left as it is
      unexpectedReply("walk_online", gateway);
    else if (parseInteger(entries[2 * k + 1].str(), writtenMs) && writtenMs <= staleBeforeMs)
      dangling_.push_back(k);
  }

  auto appendUnindex = [&](size_t j, bool withSource) {
    const size_t k = dangling_[j];
    const std::string_view indexKey[] = {keys::kOnline};
    const std::string_view args[] = {entries[2 * k].str(), entries[2 * k + 1].str()};
    redis_.appendScript(unindexScript_, indexKey, args, withSource);
  };
  if (!dangling_.empty() && !redis_.pipeline(dangling_.size(), appendUnindex, indexReplies_)) return false;
  for (size_t j = 0; j < dangling_.size(); ++j) removed += indexReplies_[j].integer() == 1 ? 1 : 0;
  cursor = next;
  return true;
}

}  // namespace icq::redis
