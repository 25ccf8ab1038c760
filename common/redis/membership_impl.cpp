// RedisMembership; see membership_impl.hpp and store/membership.hpp.
//
// The script, run for a beat, a withdrawal or a plain read of the view:
//   1. now = Redis TIME in ms: every lease is measured by one clock, the server's;
//   2. beat: HSET live <id> "<now + ttl> <leaving> <acked> <endpoint> <instance>";
//      withdraw: HDEL live <id> if the entry is still that instance's;
//   3. prune entries whose expiry has passed; the owners are the live entries not leaving,
//      one "<id> <endpoint> <instance>" line each, sorted;
//   4. the epoch grows by one when the owner lines differ from the stored view's (a join,
//      a leave, a death, a restart under the same id); the view is settled at the current
//      epoch once every live entry — owners and leaving ones — has acknowledged it;
//   5. SET the view when it changed, and return it.
// A restarted worker's old acknowledgement belongs to its old instance's entry, which its
// first beat overwrites, so it cannot settle an epoch it has not seen.
#include "common/redis/membership_impl.hpp"

#include <string>

#include "common/redis/keys.hpp"

namespace icq::redis {
namespace {

// KEYS: live, view. ARGV: mode ("beat", "withdraw", "view"), id, endpoint, instance,
// leaving ("0"/"1"), acked epoch, ttl ms. Returns the view's text.
constexpr std::string_view kMembershipLua = R"lua(
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
if ARGV[1] == 'beat' then
  redis.call('HSET', KEYS[1], ARGV[2], string.format('%d %s %s %s %s', now + tonumber(ARGV[7]), ARGV[5], ARGV[6],
    ARGV[3], ARGV[4]))
elseif ARGV[1] == 'withdraw' then
  local entry = redis.call('HGET', KEYS[1], ARGV[2])
  if entry and string.match(entry, ' (%S+)$') == ARGV[4] then redis.call('HDEL', KEYS[1], ARGV[2]) end
end
local entries = redis.call('HGETALL', KEYS[1])
local owners, acks = {}, {}
for i = 1, #entries, 2 do
  local expires, leaving, acked, endpoint, instance =
    string.match(entries[i + 1], '^(%d+) ([01]) (%d+) (%S+) (%S+)$')
  if not expires or tonumber(expires) <= now then
    redis.call('HDEL', KEYS[1], entries[i])
  else
    acks[#acks + 1] = tonumber(acked)
    if leaving == '0' then owners[#owners + 1] = entries[i] .. ' ' .. endpoint .. ' ' .. instance .. '\n' end
  end
end
table.sort(owners)
local body = table.concat(owners)
local old = redis.call('GET', KEYS[2]) or '0 0\n'
local newline = string.find(old, '\n', 1, true) or (#old + 1)
local epoch, settled = string.match(string.sub(old, 1, newline - 1), '^(%d+) (%d+)$')
epoch = tonumber(epoch or '0')
settled = tonumber(settled or '0')
if string.sub(old, newline + 1) ~= body then epoch = epoch + 1 end
local all = true
for _, acked in ipairs(acks) do
  if acked < epoch then all = false end
end
if all then settled = epoch end
local text = string.format('%d %d\n', epoch, settled) .. body
if text ~= old then redis.call('SET', KEYS[2], text) end
return text
)lua";

}  // namespace

RedisMembership::RedisMembership(RedisConnection& redis)
    : redis_(redis), script_(redis.addScript("membership", std::string(kMembershipLua))) {}

bool RedisMembership::run(std::span<const std::string_view> args, store::MembershipView& view) {
  const std::string_view keyArgs[] = {keys::kMembersLive, keys::kMembersView};
  Reply reply;
  if (!redis_.runScript(script_, keyArgs, args, reply)) return false;
  if (!reply.isString()) return unexpectedReply("membership", reply);
  auto decoded = store::decodeView(reply.str());
  if (!decoded) return unexpectedReply("membership", reply);
  view = std::move(*decoded);
  return true;
}

bool RedisMembership::beat(const store::Heartbeat& beat, store::MembershipView& view) {
  const Decimal acked(beat.acked), ttl(beat.ttl.count() > 0 ? beat.ttl.count() : 1);
  const std::string_view args[] = {"beat", beat.self.id, beat.self.endpoint, beat.self.instance,
                                   beat.leaving ? "1" : "0", acked, ttl};
  return run(args, view);
}

bool RedisMembership::withdraw(const store::WorkerRecord& self) {
  const std::string_view args[] = {"withdraw", self.id, self.endpoint, self.instance, "0", "0", "0"};
  store::MembershipView ignored;
  return run(args, ignored);
}

bool RedisMembership::view(store::MembershipView& out) {
  const std::string_view args[] = {"view", "", "", "", "0", "0", "0"};
  return run(args, out);
}

}  // namespace icq::redis
