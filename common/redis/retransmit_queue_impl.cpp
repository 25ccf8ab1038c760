// RedisRetransmitQueue: when unconfirmed server packets are resent (protocol-v5.md §4.4).
//
// Data: icq:rtx:due (ZSET uin → next due ms) says which sessions have packets waiting;
// icq:{uin}:rtx (HASH) holds them: "<seq1>" → u16 command | u16 SEQ2 | body, and
// "a:<seq1>" → resends so far. An ACK deletes both fields (session store, touch).
//
// A tick of the retransmit job is three steps:
//   claim    one script on the schedule: the sessions due now, each pushed to now + lease.
//            A second replica's claim in the same lease finds them not due: no packet is
//            resent twice per interval. A replica that dies holding claims loses them when
//            the lease ends, and another resends.
//   plan     one script per claimed session (pipelined), on its own slot: its route and
//            every unconfirmed packet in SEQ1 order, each with one more attempt counted —
//            or give_up when a packet has used all its retries, idle when none is left,
//            gone when the session ended.
//   after    the caller resends and reschedules (ZADD XX), or releases: a compare-and-
//            delete on the claim's score, so a packet queued meanwhile (whose ZADD LT moved
//            the score earlier) keeps the session scheduled.
//
// The schedule is per session, not per packet: when a session is due, all its unconfirmed
// packets go out again in SEQ1 order, as licq's strict ordering needs (§4.2) — a packet
// queued shortly before may go out again a little before its own timeout, which costs a
// duplicate the client drops, never a gap.
#include "common/redis/retransmit_queue_impl.hpp"

#include <charconv>
#include <string>

#include "common/log/log.hpp"
#include "common/redis/keys.hpp"
#include "common/redis/unconfirmed.hpp"

namespace icq::redis {
namespace {

// KEYS: due. ARGV: now, limit, lease-until. Returns the claimed uins.
constexpr std::string_view kClaimLua = R"lua(
local due = redis.call('ZRANGE', KEYS[1], '-inf', ARGV[1], 'BYSCORE', 'LIMIT', 0, tonumber(ARGV[2]))
for _, member in ipairs(due) do redis.call('ZADD', KEYS[1], 'XX', ARGV[3], member) end
return due
)lua";

// KEYS: sess, rtx. ARGV: retries. Returns {'gone'} | {'idle'} |
// {'resend'|'give_up', sid, ip, port, gw, protocol, seq1, attempts, entry, ...}.
constexpr std::string_view kPlanLua = R"lua(
local s = redis.call('HMGET', KEYS[1], 'sid', 'ip', 'port', 'gw', 'pv')
if not s[1] then return {'gone'} end
local seqs = {}
for _, field in ipairs(redis.call('HKEYS', KEYS[2])) do
  if string.sub(field, 1, 2) ~= 'a:' then seqs[#seqs + 1] = tonumber(field) end
end
if #seqs == 0 then return {'idle'} end
table.sort(seqs)
local out = {'resend', s[1], s[2], s[3], s[4], s[5] or '5'}
for _, seq in ipairs(seqs) do
  local attempts = redis.call('HINCRBY', KEYS[2], 'a:' .. seq, 1)
  if attempts > tonumber(ARGV[1]) then out[1] = 'give_up' end
  out[#out + 1] = seq
  out[#out + 1] = attempts
  out[#out + 1] = redis.call('HGET', KEYS[2], tostring(seq))
end
return out
)lua";

// KEYS: due. ARGV: uin, claimed score. Removes the entry only if its score is unchanged.
constexpr std::string_view kReleaseLua = R"lua(
local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
if score and tonumber(score) == tonumber(ARGV[2]) then return redis.call('ZREM', KEYS[1], ARGV[1]) end
return 0
)lua";

bool decodePlan(ReplyView plan, store::DueSession& out) {
  std::string_view action = plan.size() > 0 ? plan[0].str() : "";
  if (action == "gone") return out.action = store::DueSession::Action::gone, true;
  if (action == "idle") return out.action = store::DueSession::Action::idle, true;
  if (action != "resend" && action != "give_up") return false;
  out.action = action == "resend" ? store::DueSession::Action::resend : store::DueSession::Action::give_up;
  if (plan.size() < 6 || (plan.size() - 6) % 3 != 0) return false;
  bool ok = parseInteger(plan[1].str(), out.sessionId) && parseInteger(plan[2].str(), out.client.ip) &&
            parseInteger(plan[3].str(), out.client.port) && parseInteger(plan[5].str(), out.protocol);
  out.gateway.assign(plan[4].str());
  for (size_t i = 6; ok && i < plan.size(); i += 3) {
    store::UnconfirmedPacket& packet = out.packets.emplace_back();
    packet.seq1 = static_cast<uint16_t>(plan[i].integer());
    packet.attempts = static_cast<uint32_t>(plan[i + 1].integer());
    ok = decodeUnconfirmed(plan[i + 2].str(), packet.command, packet.seq2, packet.body);
  }
  return ok;
}

}  // namespace

RedisRetransmitQueue::RedisRetransmitQueue(RedisConnection& redis)
    : redis_(redis),
      claimScript_(redis.addScript("retransmit_claim", std::string(kClaimLua))),
      planScript_(redis.addScript("retransmit_plan", std::string(kPlanLua))),
      releaseScript_(redis.addScript("retransmit_release", std::string(kReleaseLua))) {}

bool RedisRetransmitQueue::claimDue(int64_t nowMs, size_t limit, std::chrono::milliseconds lease, uint32_t retries,
                                    std::vector<store::DueSession>& out) {
  out.clear();
  const int64_t claimMs = nowMs + lease.count();
  const std::string_view dueKey[] = {keys::kRetransmitDue};
  const Decimal now(nowMs), count(limit), until(claimMs);
  const std::string_view claimArgs[] = {now, count, until};
  Reply claimed;
  if (!redis_.runScript(claimScript_, dueKey, claimArgs, claimed)) return false;
  if (!claimed.isArray()) return unexpectedReply("retransmit_claim", claimed);
  uins_.clear();
  for (size_t i = 0; i < claimed.size(); ++i) {
    uint32_t uin = 0;
    if (parseInteger(claimed[i].str(), uin)) uins_.push_back(uin);
  }
  if (uins_.empty()) return true;
  const Decimal retriesText(retries);
  auto appendPlan = [&](size_t i, bool withSource) {
    const keys::UinKey sess = keys::session(uins_[i]), rtx = keys::retransmit(uins_[i]);
    const std::string_view keyArgs[] = {sess, rtx};
    const std::string_view args[] = {retriesText};
    redis_.appendScript(planScript_, keyArgs, args, withSource);
  };
  if (!redis_.pipeline(uins_.size(), appendPlan, replies_)) return false;
  for (size_t i = 0; i < uins_.size(); ++i) {
    store::DueSession& session = out.emplace_back();
    session.uin = uins_[i];
    session.claimMs = claimMs;
    if (!replies_[i].isArray() || !decodePlan(replies_[i], session))
      return unexpectedReply("retransmit_plan", replies_[i]);
  }
  return true;
}

bool RedisRetransmitQueue::reschedule(uint32_t uin, int64_t dueMs) {
  Reply reply;
  return redis_.command({"ZADD", keys::kRetransmitDue, "XX", Decimal(dueMs), Decimal(uin)}, reply);
}

bool RedisRetransmitQueue::release(const store::DueSession& session) {
  const std::string_view dueKey[] = {keys::kRetransmitDue};
  const Decimal uin(session.uin), claimed(session.claimMs);
  const std::string_view args[] = {uin, claimed};
  Reply reply;
  return redis_.runScript(releaseScript_, dueKey, args, reply);
}

}  // namespace icq::redis
