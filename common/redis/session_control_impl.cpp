// Ending a session on an administrator's word; see session_control_impl.hpp.
//
// The "take" script is session_store_impl.cpp's "end" plus a read of the rtx hash before
// the keys go, so whatever was unconfirmed at the moment of the end comes back to the
// caller (which keeps the messages among it offline). Its icq:online entry is left
// behind on purpose: an entry without a session is harmless, and the expiry sweep drops
// it as "gone" (session_store_impl.cpp, "Removing index entries safely"); so is its place
// in the retransmit schedule, which the retransmit job drops the same way.
#include "common/redis/session_control_impl.hpp"

#include <algorithm>

#include "common/redis/keys.hpp"
#include "common/redis/unconfirmed.hpp"

namespace icq::redis {
namespace {

// KEYS: sess, rtx, dup. ARGV: sid, ip, port. Returns {} when the session is not that one,
// else {status, protocol, seq1, entry, seq1, entry, ...}. Fields "a:<seq1>" of the rtx hash
// are attempt counters (retransmit_queue_impl.cpp), not packets.
constexpr std::string_view kTakeLua = R"lua(
local s = redis.call('HMGET', KEYS[1], 'sid', 'ip', 'port', 'st', 'pv')
if s[1] ~= ARGV[1] or s[2] ~= ARGV[2] or s[3] ~= ARGV[3] then return {} end
local out = {s[4], s[5] or '5'}
local rtx = redis.call('HGETALL', KEYS[2])
for i = 1, #rtx, 2 do
  if string.sub(rtx[i], 1, 2) ~= 'a:' then
    out[#out + 1] = rtx[i]
    out[#out + 1] = rtx[i + 1]
  end
end
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3])
return out
)lua";

}  // namespace

RedisSessionControl::RedisSessionControl(RedisConnection& redis)
    : redis_(redis), takeScript_(redis.addScript("session_take", std::string(kTakeLua))) {}

bool RedisSessionControl::takeSession(uint32_t uin, uint32_t sessionId, const util::Endpoint& client,
                                      std::optional<store::TakenSession>& taken) {
  taken.reset();
  const keys::UinKey sessionKey = keys::session(uin), rtxKey = keys::retransmit(uin), dupKey = keys::duplicates(uin);
  const std::string_view keyArgs[] = {sessionKey, rtxKey, dupKey};
  const Decimal sid(sessionId), ip(client.ip), port(client.port);
  const std::string_view args[] = {sid, ip, port};
  Reply reply;
  if (!redis_.runScript(takeScript_, keyArgs, args, reply)) return false;
  if (!reply.isArray() || (reply.size() != 0 && reply.size() % 2 != 0)) return unexpectedReply("take", reply);
  if (reply.size() == 0) return true;

  store::TakenSession session;
  bool ok = parseInteger(reply[0].str(), session.status) && parseInteger(reply[1].str(), session.protocol);
  for (size_t i = 2; ok && i < reply.size(); i += 2) {
    store::UnconfirmedPacket& packet = session.unconfirmed.emplace_back();
    ok = parseInteger(reply[i].str(), packet.seq1) &&
         decodeUnconfirmed(reply[i + 1].str(), packet.command, packet.seq2, packet.body);
  }
  // The session is gone either way; a malformed entry is reported, not half-returned.
  if (!ok) return unexpectedReply("take", reply);
  std::sort(session.unconfirmed.begin(), session.unconfirmed.end(),
            [](const store::UnconfirmedPacket& a, const store::UnconfirmedPacket& b) { return a.seq1 < b.seq1; });
  taken = std::move(session);
  return true;
}

}  // namespace icq::redis
