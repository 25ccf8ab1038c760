// RedisSessionStore: online V5 sessions in Redis (ARCHITECTURE.md "State", protocol-v5.md
// §4.3–§4.6, §5.1, §10.1). Every worker and scheduler shares them; any of them may handle
// any packet, so every step that reads and then writes a session is one Lua script.
//
// Data structures
// ---------------
// Per online UIN three keys share the hash tag {<uin>} (keys.hpp), so each script touches
// one Redis Cluster slot:
//
//   icq:{uin}:sess  HASH    the Session, one field per member, integers in decimal, short
//                           field names (table below). All values are short, so Redis keeps
//                           the hash in its compact listpack encoding (~300 bytes).
//   icq:{uin}:rtx   HASH    server SEQ1 → unconfirmed packet, stored without its header as
//                           u16 command | u16 SEQ2 | body (little-endian): the header is
//                           rebuilt from the session when it is resent. "0" = the login reply.
//   icq:{uin}:dup   STRING  the duplicate window: the last N client (SEQ1, SEQ2, COMMAND)
//                           triples, 6 big-endian bytes each, used as a ring; the hash
//                           field "dpos" is the slot to overwrite next. A separate key
//                           because 6 × 64 bytes would push the hash out of listpack.
//
// Plus one global index, on its own slot: icq:online, a ZSET uin → "index time". The
// index time of a session is never later than the moment it falls due, expressed on the
// sweep's later cutoff: its last packet, shifted by how much longer its protocol's TTL is
// than the shortest one (V3's 55 s against V5's 240 s: a V5 entry is scored 185 s after
// its last packet). So the sessions due at a sweep are all among the entries scored at or
// before its later cutoff, and an idle V5 session is not re-read every tick while it sits
// between the two cutoffs.
//
// Why the packet path does not write the index
// --------------------------------------------
// A keep-alive must cost one command, and the index lives on another slot than the
// session. So touch() writes only the session's "seen" field, and the index is corrected
// lazily by the expiry sweep, which is the only reader that cares: an entry that turns
// out to be fresh is re-scored to the session's due time and looked at again once that
// has passed. An active session is therefore re-examined about once per
// TTL, a small fixed cost per session instead of a second command per packet.
//
// The scripts
// -----------
//   touch        sess exists? (no_session) sid/ip/port equal? (mismatch) Then look the
//                triple up in the window: found → duplicate, else record it (unless dedupe
//                is off, or check-only: see TouchRequest::Dedupe) → ok. The session hash is
//                written once per packet, in a single HSET of seen, gw only when another
//                gateway heard the client (re-homing; the common keep-alive comes through
//                the same one) and dpos when a triple was recorded: this script runs for
//                every packet and is Redis's busiest work. Triples are compared at 6-byte
//                boundaries only. A CMD_ACK rides along (§4.3): with dedupe off it HDELs
//                rtx <seq1> → acknowledged if there was such a packet. Each request is one
//                EVALSHA; a batch is one round trip.
//   replace      HGETALL the old session (returned, with its next SEQ1, for SRV_GO_AWAY),
//                DEL sess/rtx/dup, write the new session with seq = 1 (the login reply
//                took SEQ1 0), rtx "0" = the login reply, and a window holding the login's
//                own triple so a retransmitted CMD_LOGIN is recognised (§4.5). The index
//                entry is written by a ZADD sent just before the script in the same round
//                trip: if the link fails between the two, an index entry without a session
//                is harmless, a session without an index entry would never expire.
//   forget       overwrite a triple in the window with zeros (no client sends COMMAND 0)
//                when the packet's effect could not be recorded, so that its
//                retransmission is processed instead of being taken for a duplicate.
//   queue        a reliable server packet (§4.4): read the route (sid, ip, port, gw, pv),
//                take seq, HINCRBY it, HSET rtx <seq> <entry>. Nothing if the session is
//                gone, for a reply is another session now, or speaks another protocol than
//                the packet was built for. A packet that has a V3 form stores that one for
//                a V3 session (presence, V5-originated messages: protocol-v3.md §9). A V5
//                session whose SEQ1 would pass 0xFFFF queues nothing more: licq cannot
//                follow the wrap (§4.2); a V3 session wraps to 0 (protocol-v3.md §3.2).
//   end          delete the three keys only if sid/ip/port still identify the session;
//                return what was removed.
//   expire       for one index candidate: gone → nil; seen after its protocol's cutoff
//                (V3 sessions have their own TTL, protocol-v3.md §3.8) → record the new
//                index time in the hash ("ix") and return it; else DEL the three keys
//                and return the session. The DEL inside the script is what makes each
//                expired session come back to exactly one of several concurrent sweeps.
//   unindex      ZREM uin from the index only if its score is still the one we saw.
//   claim_offline  sid equal? then HSETNX "ofd": the session's one offline-message
//                delivery (§5.2) goes to whoever sets the field first. CMD_LOGIN_1 and a
//                contact list may reach two workers at once; HSETNX settles it.
//   offline_batch  sid equal? then HSET "ofb" = the highest offline-message id of the batch
//                sent, which CMD_ACK_MESSAGES deletes up to (§6.8 decision). Reading it
//                back is one HMGET of sid and ofb, atomic without a script.
// Both marks are fields of the session hash, so a new login (replace) or the end of the
// session drops them with it: each session delivers once, and an acknowledgement can only
// delete what its own session was sent.
//
// Removing index entries safely
// -----------------------------
// An index entry may only go when the session it stands for is gone. A plain ZREM after
// a session was deleted races with a new login of the same UIN that has just added its
// own entry: the new session would lose its entry and never expire. So removals go
// through "unindex", a compare-and-delete on the score: a new login rewrites the score
// (to its login time), and the stale removal then misses. The hash field "ix" remembers
// the score last written for the session, which is what end() compares against; the
// sweep compares against the score it read. Re-scoring uses ZADD XX GT, which never
// resurrects a removed entry nor moves one backwards.
//
// Walking the index
// -----------------
// walkOnline() is the step of the validation job (scheduler/job_validate_sessions.cpp):
// ZSCAN of icq:online from a cursor — one key, so it works unchanged on Redis Cluster, and
// ZSCAN guarantees to visit every entry that stays for the whole walk — then one pipelined
// HGET of "gw" per visited UIN, then "unindex" for the entries whose session is gone. Only
// entries written at or before the caller's cutoff go: a login writes its entry just before
// its session (replace), so a young entry without a session may be a login in progress.
// An entry ZSCAN returns twice is removed once; the second compare-and-delete misses.
//
// Failure
// -------
// A false return means the link failed; Redis may have run part of the batch. For touch
// that is the client's retransmission's problem, as the interface says.
// For end() and the sweep the script's delete is the point of no return: once a session
// came back from it, the index cleanup after it is best effort (a leftover entry is
// cleaned as "gone" by a later sweep) and the call reports success. A link that fails
// between a sweep's delete and its reply loses that one session's offline notification.
//
// Time: "seen" and index times come from the clock given to the constructor, the same
// clock the sweep's cutoff is computed from, so a ManualClock drives expiry in tests.
#include "common/redis/session_store_impl.hpp"

#include <algorithm>
#include <array>
#include <cassert>
#include <charconv>
#include <string>
#include <string_view>

#include "common/codec/v5/constants.hpp"
#include "common/log/log.hpp"
#include "common/redis/keys.hpp"
#include "common/redis/unconfirmed.hpp"

namespace icq::redis {
namespace {

using store::Session;
using store::TouchResult;

// ---------------------------------------------------------------------------------------
// Lua
// ---------------------------------------------------------------------------------------

// KEYS: sess, dup, rtx. ARGV: sid, ip, port, triple, dedupe mode ("0" off, "1" check and
// record, "2" check only, "3" record only), now, gw, window, acknowledged SEQ1 ("" for
// none). Returns 0 ok, 1 duplicate, 2 no_session, 3 mismatch, 4 acknowledged.
constexpr std::string_view kDedupeModes[] = {"0", "1", "2", "3"};  // by TouchRequest::Dedupe

constexpr std::string_view kTouchLua = R"lua(
local s = redis.call('HMGET', KEYS[1], 'sid', 'ip', 'port', 'dpos', 'gw')
if not s[1] then return 2 end
if s[1] ~= ARGV[1] or s[2] ~= ARGV[2] or s[3] ~= ARGV[3] then return 3 end
local fields = {'seen', ARGV[6]}
if s[5] ~= ARGV[7] then
  fields[3] = 'gw'
  fields[4] = ARGV[7]
end
local function refresh(result)
  redis.call('HSET', KEYS[1], unpack(fields))
  return result
end
if ARGV[5] == '0' then
  refresh()
  if ARGV[9] ~= '' and redis.call('HDEL', KEYS[3], ARGV[9], 'a:' .. ARGV[9]) >= 1 then return 4 end
  return 0
end
if ARGV[5] ~= '3' then
  local ring = redis.call('GET', KEYS[2]) or ''
  local from = 1
  while true do
    local at = string.find(ring, ARGV[4], from, true)
    if not at then break end
    if at % 6 == 1 then return refresh(1) end
    from = at + 1
  end
  if ARGV[5] == '2' then return refresh(0) end
end
local window = tonumber(ARGV[8])
local pos = tonumber(s[4]) or 0
if pos >= window then pos = 0 end
redis.call('SETRANGE', KEYS[2], pos * 6, ARGV[4])
fields[#fields + 1] = 'dpos'
fields[#fields + 1] = (pos + 1) % window
return refresh(0)
)lua";

// KEYS: sess, rtx, dup. ARGV: login reply, login triple, then field/value pairs.
// Returns the old session as HGETALL does (empty if there was none).
constexpr std::string_view kReplaceLua = R"lua(
local old = redis.call('HGETALL', KEYS[1])
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3])
redis.call('HSET', KEYS[1], unpack(ARGV, 3))
redis.call('HSET', KEYS[2], '0', ARGV[1])
redis.call('SET', KEYS[3], ARGV[2])
return old
)lua";

// KEYS: sess, dup. ARGV: sid, triple. Returns 1 if the triple was in the window.
constexpr std::string_view kForgetLua = R"lua(
if redis.call('HGET', KEYS[1], 'sid') ~= ARGV[1] then return 0 end
local ring = redis.call('GET', KEYS[2]) or ''
local from = 1
while true do
  local at = string.find(ring, ARGV[2], from, true)
  if not at then return 0 end
  if at % 6 == 1 then
    redis.call('SETRANGE', KEYS[2], at - 1, string.rep('\0', 6))
    return 1
  end
  from = at + 1
end
)lua";

// KEYS: sess, rtx. ARGV: session id filter ("" for any), entry, protocol filter ("" for
// any), the V3 form of the entry ("" for none). Returns {seq1, sid, ip, port, gw,
// protocol}, or an empty array when nothing was queued.
constexpr std::string_view kQueueLua = R"lua(
local s = redis.call('HMGET', KEYS[1], 'sid', 'ip', 'port', 'gw', 'seq', 'pv')
if not s[1] then return {} end
if ARGV[1] ~= '' and s[1] ~= ARGV[1] then return {} end
local pv = s[6] or '5'
if ARGV[3] ~= '' and ARGV[3] ~= pv then return {} end
local entry = ARGV[2]
if pv == '3' and ARGV[4] ~= '' then entry = ARGV[4] end
local seq = tonumber(s[5])
if seq > 65535 then
  if pv ~= '3' then return {} end
  seq = 0
end
redis.call('HSET', KEYS[1], 'seq', seq + 1)
redis.call('HSET', KEYS[2], seq, entry)
return {seq, s[1], s[2], s[3], s[4], pv}
)lua";

// KEYS: sess, rtx, dup. ARGV: sid, ip, port. Returns the removed session, or empty.
constexpr std::string_view kEndLua = R"lua(
local s = redis.call('HMGET', KEYS[1], 'sid', 'ip', 'port')
if s[1] ~= ARGV[1] or s[2] ~= ARGV[2] or s[3] ~= ARGV[3] then return {} end
local old = redis.call('HGETALL', KEYS[1])
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3])
return old
)lua";

// KEYS: sess, rtx, dup. ARGV: V5 cutoff, V3 cutoff, the later of the two. Returns nil
// (gone), the new index time (fresh) or the removed session (expired).
constexpr std::string_view kExpireLua = R"lua(
local s = redis.call('HMGET', KEYS[1], 'seen', 'pv')
if not s[1] then return nil end
local cutoff = tonumber(s[2] == '3' and ARGV[2] or ARGV[1])
local seen = tonumber(s[1])
if seen > cutoff then
  local ix = seen + tonumber(ARGV[3]) - cutoff
  redis.call('HSET', KEYS[1], 'ix', ix)
  return ix
end
local old = redis.call('HGETALL', KEYS[1])
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3])
return old
)lua";

// KEYS: index. ARGV: uin, score. Removes the entry only if it still has that score.
constexpr std::string_view kUnindexLua = R"lua(
local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
if score and tonumber(score) == tonumber(ARGV[2]) then return redis.call('ZREM', KEYS[1], ARGV[1]) end
return 0
)lua";

// KEYS: sess. ARGV: sid. Returns 1 for the first claim of this session, else 0.
constexpr std::string_view kClaimOfflineLua = R"lua(
if redis.call('HGET', KEYS[1], 'sid') ~= ARGV[1] then return 0 end
return redis.call('HSETNX', KEYS[1], 'ofd', '1')
)lua";

// KEYS: sess. ARGV: sid, highest id. Returns 1 if recorded, 0 if the session is gone.
constexpr std::string_view kOfflineBatchLua = R"lua(
if redis.call('HGET', KEYS[1], 'sid') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'ofb', ARGV[2])
return 1
)lua";

// ---------------------------------------------------------------------------------------
// Encoding
// ---------------------------------------------------------------------------------------

// The session hash fields besides these: "dpos" (duplicate ring position), "ix" (the
// index time last written for the session), "ofd" (offline delivery claimed) and "ofb"
// (offline batch's highest id). The scripts spell sid, ip, port, gw, seen, dpos, ix, ofd
// and ofb literally.
template <class S, class Visit>
void forEachField(S& session, Visit&& visit) {
  visit("sid", session.sessionId);
  visit("ip", session.client.ip);  // network byte order, as a number
  visit("port", session.client.port);
  visit("gw", session.gateway);
  visit("ser", session.serial);
  visit("st", session.status);
  visit("seq", session.nextSeq1);
  visit("ls1", session.loginSeq1);
  visit("ls2", session.loginSeq2);
  visit("lms", session.loginMs);
  visit("seen", session.lastSeenMs);
  visit("tcp", session.tcpPort);
  visit("iip", session.internalIp);
  visit("dct", session.dcType);
  visit("tcv", session.tcpVersion);
  visit("web", session.webPort);
  visit("feat", session.features);
  visit("pv", session.protocol);  // the queue and expire scripts read it as "pv"
}
constexpr size_t kFieldCount = 18;

/// Script arguments on the stack: numbers are formatted into `text_`; views point there or
/// at bytes the caller keeps alive until the command is appended.
class Args {
public:
  void add(std::string_view bytes) {
    assert(count_ < views_.size());
    views_[count_++] = bytes;
  }
  template <std::integral T>
  void addNumber(T value) {
    char* begin = text_.data() + used_;
    char* end = std::to_chars(begin, text_.data() + text_.size(), value).ptr;
    used_ = static_cast<size_t>(end - text_.data());
    add({begin, static_cast<size_t>(end - begin)});
  }
  void addValue(const std::string& value) { add(value); }
  template <std::integral T>
  void addValue(T value) {
    addNumber(value);
  }
  std::span<const std::string_view> view() const { return {views_.data(), count_}; }

private:
  // Sized for the largest call, replace: 2 + 2 × (kFieldCount + 2) arguments, at most 20
  // of them numbers of at most 20 digits.
  std::array<char, 512> text_{};
  size_t used_ = 0;
  std::array<std::string_view, 2 + 2 * (kFieldCount + 2)> views_{};
  size_t count_ = 0;
};

/// A client (SEQ1, SEQ2, COMMAND) triple as stored in the duplicate window.
class Triple {
public:
  Triple(uint16_t seq1, uint16_t seq2, uint16_t command)
      : bytes_{static_cast<char>(seq1 >> 8), static_cast<char>(seq1),         static_cast<char>(seq2 >> 8),
               static_cast<char>(seq2),      static_cast<char>(command >> 8), static_cast<char>(command)} {}
  operator std::string_view() const { return {bytes_.data(), bytes_.size()}; }

private:
  std::array<char, 6> bytes_;
};

bool parseValue(std::string_view text, std::string& out) {
  out = text;
  return true;
}
template <std::integral T>
bool parseValue(std::string_view text, T& out) {
  return parseInteger(text, out);
}

/// A session as HGETALL returns it (flat field/value array). `indexMs`, if given, receives
/// the "ix" field.
Session decodeSession(ReplyView fields, uint32_t uin, int64_t* indexMs = nullptr) {
  Session session;
  session.uin = uin;
  for (size_t i = 0; i + 1 < fields.size(); i += 2) {
    const std::string_view name = fields[i].str();
    const std::string_view value = fields[i + 1].str();
    if (name == "ix" && indexMs) parseInteger(value, *indexMs);
    forEachField(session, [&](std::string_view field, auto& member) {
      if (field == name) parseValue(value, member);
    });
  }
  return session;
}

}  // namespace

RedisSessionStore::RedisSessionStore(RedisConnection& redis, const util::Clock& clock, size_t dedupeWindow,
                                     std::chrono::milliseconds retransmitTimeout)
    : redis_(redis),
      clock_(clock),
      dedupeWindow_(dedupeWindow == 0 ? 1 : dedupeWindow),
      retransmitTimeout_(retransmitTimeout),
      touchScript_(redis.addScript("session_touch", std::string(kTouchLua))),
      replaceScript_(redis.addScript("session_replace", std::string(kReplaceLua))),
      queueScript_(redis.addScript("session_queue", std::string(kQueueLua))),
      forgetScript_(redis.addScript("session_forget", std::string(kForgetLua))),
      endScript_(redis.addScript("session_end", std::string(kEndLua))),
      expireScript_(redis.addScript("session_expire", std::string(kExpireLua))),
      unindexScript_(redis.addScript("session_unindex", std::string(kUnindexLua))),
      claimOfflineScript_(redis.addScript("session_claim_offline", std::string(kClaimOfflineLua))),
      offlineBatchScript_(redis.addScript("session_offline_batch", std::string(kOfflineBatchLua))) {}

bool RedisSessionStore::touch(std::span<const store::TouchRequest> requests, std::span<TouchResult> results) {
  if (results.size() < requests.size()) return false;
  if (requests.empty()) return true;
  const Decimal now(clock_.nowMs());
  const Decimal window(dedupeWindow_);
  auto appendTouch = [&](size_t i, bool withSource) {
    const store::TouchRequest& request = requests[i];
    const keys::UinKey sessionKey = keys::session(request.uin), dupKey = keys::duplicates(request.uin),
                       rtxKey = keys::retransmit(request.uin);
    const std::string_view keyArgs[] = {sessionKey, dupKey, rtxKey};
    const Decimal sessionId(request.sessionId), ip(request.client.ip), port(request.client.port);
    const Decimal acknowledged(request.acknowledges.value_or(0));
    const Triple triple(request.seq1, request.seq2, request.command);
    const std::string_view args[] = {sessionId,
                                     ip,
                                     port,
                                     triple,
                                     kDedupeModes[static_cast<size_t>(request.dedupe)],
                                     now,
                                     request.gateway,
                                     window,
                                     request.acknowledges ? acknowledged.view() : ""};
    redis_.appendScript(touchScript_, keyArgs, args, withSource);
  };
  if (!redis_.pipeline(requests.size(), appendTouch, replies_)) return false;
  for (size_t i = 0; i < requests.size(); ++i) {
    switch (replies_[i].isInteger() ? replies_[i].integer() : -1) {
      case 0:
        results[i] = TouchResult::ok;
        break;
      case 1:
        results[i] = TouchResult::duplicate;
        break;
      case 2:
        results[i] = TouchResult::no_session;
        break;
      case 3:
        results[i] = TouchResult::mismatch;
        break;
      case 4:
        results[i] = TouchResult::acknowledged;
        break;
      default:
        return unexpectedReply("touch", replies_[i]);
    }
  }
  return true;
}

// Pre-login requests (keys.hpp preLogin): a retransmitted registration whose reply was
// lost must get the same UIN again, not a second account. SET NX claims; the claimant
// records the result, or deletes the claim if it created nothing.
namespace {
constexpr std::string_view kPreLoginSeconds = "300";
}

bool RedisSessionStore::claimPreLogin(const store::TouchRequest& request, bool& first, uint32_t& result) {
  const std::string key =
      keys::preLogin(request.client.ip, request.client.port, request.seq1, request.seq2, request.command);
  Reply reply;
  if (!redis_.command({"SET", key, "0", "NX", "EX", kPreLoginSeconds, "GET"}, reply)) return false;
  first = reply.isNil();  // SET … GET returns the previous value: nil when we set it
  result = 0;
  if (!first && !parseInteger(reply.str(), result)) return unexpectedReply("prelogin", reply);
  return true;
}

bool RedisSessionStore::finishPreLogin(const store::TouchRequest& request, uint32_t result) {
  const std::string key =
      keys::preLogin(request.client.ip, request.client.port, request.seq1, request.seq2, request.command);
  Reply reply;
  if (result == 0) return redis_.command({"DEL", key}, reply);
  return redis_.command({"SET", key, Decimal(result), "XX", "EX", kPreLoginSeconds}, reply);
}

bool RedisSessionStore::forgetDuplicate(const store::TouchRequest& request) {
  const keys::UinKey sessionKey = keys::session(request.uin), dupKey = keys::duplicates(request.uin);
  const std::string_view keyArgs[] = {sessionKey, dupKey};
  const Decimal sessionId(request.sessionId);
  const Triple triple(request.seq1, request.seq2, request.command);
  const std::string_view args[] = {sessionId, triple};
  Reply reply;
  if (!redis_.runScript(forgetScript_, keyArgs, args, reply)) return false;
  if (!reply.isInteger()) return unexpectedReply("forget", reply);
  return true;
}

bool RedisSessionStore::find(uint32_t uin, std::optional<Session>& out) {
  out.reset();
  Reply reply;
  if (!redis_.command({"HGETALL", keys::session(uin)}, reply)) return false;
  if (!reply.isArray()) return unexpectedReply("find", reply);
  if (reply.size() > 0) out = decodeSession(reply, uin);
  return true;
}

bool RedisSessionStore::replace(const Session& fresh, const store::ReliablePacket& loginReply,
                                std::optional<Session>& replaced) {
  replaced.reset();
  const int64_t now = clock_.nowMs();
  Session session = fresh;
  session.nextSeq1 = 1;  // the login reply took SEQ1 0 (§4.2)
  session.lastSeenMs = now;

  // V3 LOGON (0x03E8, like V5's CMD_LOGIN) is remembered by SEQ1 and command alone, as
  // every V3 packet is (protocol-v3.md §3.7).
  const Triple loginTriple(fresh.loginSeq1, fresh.protocol == 3 ? 0 : fresh.loginSeq2, codec::v5::CMD_LOGIN);
  const std::string entry = encodeUnconfirmed(loginReply.command, loginReply.seq2, loginReply.body);
  Args args;
  args.add(entry);
  args.add(loginTriple);
  forEachField(session, [&](std::string_view name, const auto& member) {
    args.add(name);
    args.addValue(member);
  });
  args.add("dpos");
  args.add("1");  // slot 0 holds the login triple
  args.add("ix");
  args.addNumber(now);

  const keys::UinKey sessionKey = keys::session(fresh.uin), rtxKey = keys::retransmit(fresh.uin),
                     dupKey = keys::duplicates(fresh.uin);
  const std::string_view keyArgs[] = {sessionKey, rtxKey, dupKey};
  const Decimal nowText(now), uinText(fresh.uin), due(now + retransmitTimeout_.count());
  auto appendCommand = [&](size_t i, bool withSource) {
    if (i == 0)
      redis_.append({"ZADD", keys::kOnline, nowText, uinText});
    else if (i == 1)
      redis_.appendScript(replaceScript_, keyArgs, args.view(), withSource);
    else  // the login reply is the session's first unconfirmed packet
      redis_.append({"ZADD", keys::kRetransmitDue, "LT", due, uinText});
  };
  if (!redis_.pipeline(3, appendCommand, replies_)) return false;
  if (!replies_[0].isInteger()) return unexpectedReply("replace", replies_[0]);
  if (!replies_[1].isArray()) return unexpectedReply("replace", replies_[1]);
  if (replies_[1].size() > 0) replaced = decodeSession(replies_[1], fresh.uin);
  return true;
}

bool RedisSessionStore::queueReliable(std::span<const store::ReliablePacket> packets,
                                      std::span<store::ReliableRoute> routes) {
  if (routes.size() < packets.size()) return false;
  if (packets.empty()) return true;
  entries_.clear();
  v3Entries_.clear();
  for (const store::ReliablePacket& packet : packets) {
    entries_.push_back(encodeUnconfirmed(packet.command, packet.seq2, packet.body));
    v3Entries_.push_back(packet.v3Form ? encodeUnconfirmed(packet.v3Form->command, packet.seq2, packet.v3Form->body)
                                       : std::string());
  }
  // Per packet: the queue script, then its recipient's place in the retransmit schedule
  // (another slot, so a separate command in the same round trip; LT keeps an earlier due
  // time and adds the session if it is not scheduled). An entry for a recipient that
  // turned out to be offline is dropped by the retransmit job as "gone".
  const Decimal due(clock_.nowMs() + retransmitTimeout_.count());
  auto appendQueue = [&](size_t i, bool withSource) {
    const store::ReliablePacket& packet = packets[i / 2];
    if (i % 2 == 1) {
      redis_.append({"ZADD", keys::kRetransmitDue, "LT", due, Decimal(packet.uin)});
      return;
    }
    const keys::UinKey sessionKey = keys::session(packet.uin), rtxKey = keys::retransmit(packet.uin);
    const std::string_view keyArgs[] = {sessionKey, rtxKey};
    const Decimal sessionId(packet.sessionId), protocol(packet.protocol);
    const std::string_view args[] = {packet.sessionId ? sessionId.view() : "", entries_[i / 2],
                                     packet.protocol ? protocol.view() : "", v3Entries_[i / 2]};
    redis_.appendScript(queueScript_, keyArgs, args, withSource);
  };
  if (!redis_.pipeline(2 * packets.size(), appendQueue, replies_)) return false;
  for (size_t i = 0; i < packets.size(); ++i) {
    const Reply& reply = replies_[2 * i];
    if (!reply.isArray()) return unexpectedReply("queue", reply);
    store::ReliableRoute& route = routes[i];
    route.queued = reply.size() == 6;
    if (!route.queued) continue;
    route.seq1 = static_cast<uint16_t>(reply[0].integer());
    route.queued = parseInteger(reply[1].str(), route.sessionId) && parseInteger(reply[2].str(), route.client.ip) &&
                   parseInteger(reply[3].str(), route.client.port) && parseInteger(reply[5].str(), route.protocol);
    if (!route.queued) return unexpectedReply("queue", reply);
    route.gateway.assign(reply[4].str());
  }
  return true;
}

bool RedisSessionStore::end(uint32_t uin, uint32_t sessionId, const util::Endpoint& client,
                            std::optional<Session>& ended) {
  ended.reset();
  const keys::UinKey sessionKey = keys::session(uin), rtxKey = keys::retransmit(uin), dupKey = keys::duplicates(uin);
  const std::string_view keyArgs[] = {sessionKey, rtxKey, dupKey};
  const Decimal sid(sessionId), ip(client.ip), port(client.port);
  const std::string_view args[] = {sid, ip, port};
  Reply reply;
  if (!redis_.runScript(endScript_, keyArgs, args, reply)) return false;
  if (!reply.isArray()) return unexpectedReply("end", reply);
  if (reply.size() == 0) return true;

  int64_t indexMs = -1;
  ended = decodeSession(reply, uin, &indexMs);
  // The session is gone whatever happens next; a failed unindex leaves an entry that the
  // sweep removes as "gone".
  const Decimal uinText(uin), indexText(indexMs);
  const std::string_view indexKey[] = {keys::kOnline};
  const std::string_view indexArgs[] = {uinText, indexText};
  Reply removed;
  redis_.runScript(unindexScript_, indexKey, indexArgs, removed);
  return true;
}

// Three round trips per slice: read candidates from the index, run the expire script on
// each, then fix the index entries according to what the scripts found.
bool RedisSessionStore::expireStale(int64_t cutoffMs, int64_t v3CutoffMs, size_t limit,
                                    std::vector<Session>& expired) {
  expired.clear();
  if (limit == 0) return true;
  const Decimal v5Cutoff(cutoffMs), v3Cutoff(v3CutoffMs), cutoff(std::max(cutoffMs, v3CutoffMs)), count(limit);
  Reply candidates;  // flat [uin, score, uin, score, ...]; read until the end
  if (!redis_.command({"ZRANGE", keys::kOnline, "-inf", cutoff, "BYSCORE", "LIMIT", "0", count, "WITHSCORES"},
                      candidates))
    return false;
  if (!candidates.isArray()) return unexpectedReply("expire", candidates);
  const size_t n = candidates.size() / 2;
  if (n == 0) return true;
  auto uinAt = [&](size_t k) {
    uint32_t uin = 0;
    parseInteger(candidates[2 * k].str(), uin);
    return uin;
  };

  auto appendExpire = [&](size_t k, bool withSource) {
    const uint32_t uin = uinAt(k);
    const keys::UinKey sessionKey = keys::session(uin), rtxKey = keys::retransmit(uin), dupKey = keys::duplicates(uin);
    const std::string_view keyArgs[] = {sessionKey, rtxKey, dupKey};
    const std::string_view args[] = {v5Cutoff, v3Cutoff, cutoff};
    redis_.appendScript(expireScript_, keyArgs, args, withSource);
  };
  if (!redis_.pipeline(n, appendExpire, replies_)) return false;

  fixes_.clear();
  for (size_t k = 0; k < n; ++k) {
    const ReplyView found = replies_[k];
    if (found.isArray()) expired.push_back(decodeSession(found, uinAt(k)));
    if (found.isArray() || found.isNil() || found.isInteger())
      fixes_.push_back(k);
    else  // left in the index as it is; the next sweep meets it again
      unexpectedReply("expire", found);
  }

  // Gone or expired: remove the entry if nobody re-added it since we read it. Fresh:
  // re-score it to the session's last packet so it comes up again when that is stale.
  auto appendIndexFix = [&](size_t j, bool withSource) {
    const size_t k = fixes_[j];
    const std::string_view uin = candidates[2 * k].str();
    const std::string_view score = candidates[2 * k + 1].str();
    if (replies_[k].isInteger()) {
      const Decimal seen(replies_[k].integer());
      redis_.append({"ZADD", keys::kOnline, "XX", "GT", seen, uin});
    } else {
      const std::string_view indexKey[] = {keys::kOnline};
      const std::string_view args[] = {uin, score};
      redis_.appendScript(unindexScript_, indexKey, args, withSource);
    }
  };
  // Best effort, like end(): the sessions above are already removed and must be reported.
  redis_.pipeline(fixes_.size(), appendIndexFix, indexReplies_);
  return true;
}

bool RedisSessionStore::countOnline(int64_t& out) {
  out = 0;
  Reply reply;
  if (!redis_.command({"ZCARD", keys::kOnline}, reply)) return false;
  if (!reply.isInteger()) return unexpectedReply("count", reply);
  out = reply.integer();
  return true;
}

// Two or three round trips per step: a page of the index, the pages' sessions, and the
// removal of entries that stand for nothing. A failure leaves the cursor where it was, so
// the caller repeats the step; every part of it may run twice.
bool RedisSessionStore::walkOnline(uint64_t& cursor, size_t count, int64_t staleBeforeMs,
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

bool RedisSessionStore::claimOfflineDelivery(uint32_t uin, uint32_t sessionId, bool& first) {
  first = false;
  const keys::UinKey sessionKey = keys::session(uin);
  const std::string_view keyArgs[] = {sessionKey};
  const Decimal sid(sessionId);
  const std::string_view args[] = {sid};
  Reply reply;
  if (!redis_.runScript(claimOfflineScript_, keyArgs, args, reply)) return false;
  if (!reply.isInteger()) return unexpectedReply("claim_offline", reply);
  first = reply.integer() == 1;
  return true;
}

bool RedisSessionStore::setOfflineBatch(uint32_t uin, uint32_t sessionId, int64_t upToId) {
  const keys::UinKey sessionKey = keys::session(uin);
  const std::string_view keyArgs[] = {sessionKey};
  const Decimal sid(sessionId), upTo(upToId);
  const std::string_view args[] = {sid, upTo};
  Reply reply;
  if (!redis_.runScript(offlineBatchScript_, keyArgs, args, reply)) return false;
  if (!reply.isInteger()) return unexpectedReply("offline_batch", reply);
  return true;
}

bool RedisSessionStore::offlineBatch(uint32_t uin, uint32_t sessionId, int64_t& upToId) {
  upToId = 0;
  Reply reply;
  if (!redis_.command({"HMGET", keys::session(uin), "sid", "ofb"}, reply)) return false;
  if (!reply.isArray() || reply.size() != 2) return unexpectedReply("offline_batch", reply);
  uint32_t current = 0;
  if (reply[0].isNil() || !parseInteger(reply[0].str(), current) || current != sessionId) return true;
  if (!reply[1].isNil() && !parseInteger(reply[1].str(), upToId)) return unexpectedReply("offline_batch", reply);
  return true;
}

}  // namespace icq::redis
