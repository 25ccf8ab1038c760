// RedisPresenceStore: protocol-v5.md §10 over Redis.
//
// Data structures (keys.hpp), all hash-tagged by their owner's UIN:
//   icq:{A}:contacts   SET  whom A watches          } A's session lists: created by
//   icq:{A}:visible    SET  who may see A invisible } its uploads, dropped when the
//   icq:{A}:invisible  SET  who never sees A online } session ends (depart)
//   icq:{C}:watchers   SET  who watches C — the reverse of every online A's contacts.
//
// Every question "is A visible to B" needs A's status (icq:{A}:sess field st) and A's two
// lists: all on A's slot, so each script below answers it atomically for one A and any
// number of viewers. Keeping the watcher index on the watched user's slot is what makes a
// status change one script on one slot, and its cost proportional to the watchers.
//
// The one cross-slot relation is the watcher index itself: A's contacts live on A's slot,
// the reverse entries on each contact's. They are written by separate commands in the
// same pipeline (addContacts) and removed the same way (depart). An entry left behind by
// a failure is harmless: notifications go only to online sessions (the outbox), and a
// watcher that logs in again rewrites its own entries.
//
// Scripts:
//   contact   A's view of one contact C: C's presence data if C is online and visible to A.
//   watchers  C's watchers with C's lists' verdict on each, plus C's presence data.
//   status    set C's status (if the session id matches), return old status, data, watchers.
//   edit      add/remove UINs to/from one of A's lists; for each that watches A: visible
//             before and after.
//   depart    A's watchers with verdicts, A's contacts; drop A's three lists.
//   join      set A's random-chat group (session field rg), return the old one; the group
//             sets (keys.hpp randomGroup) are updated beside it: another slot.
//   draw      C's presence if C is online, still in the group and visible to the viewer.
#include "common/redis/presence_store_impl.hpp"

#include <charconv>
#include <string>

#include "common/log/log.hpp"
#include "common/redis/keys.hpp"

namespace icq::redis {
namespace {

// Lua helpers shared by the scripts (prepended to each): the presence data of a session
// hash, and the visibility rule of §10.2 (bit test on 0x0100, D11).
constexpr std::string_view kLuaCommon = R"lua(
local function presence(sess)
  return redis.call('HMGET', sess, 'st', 'ip', 'tcp', 'iip', 'dct', 'tcv', 'web', 'feat', 'pv')
end
local function visible(status, vis, invis, viewer)
  if bit.band(status, 256) ~= 0 then return redis.call('SISMEMBER', vis, viewer) == 1 end
  return redis.call('SISMEMBER', invis, viewer) == 0
end
local function verdicts(watchersKey, vis, invis)
  local out = {}
  for _, w in ipairs(redis.call('SMEMBERS', watchersKey)) do
    out[#out + 1] = w
    out[#out + 1] = redis.call('SISMEMBER', vis, w)
    out[#out + 1] = redis.call('SISMEMBER', invis, w)
  end
  return out
end
)lua";

// KEYS: C:sess, C:visible, C:invisible. ARGV: viewer. Returns C's presence or {}.
constexpr std::string_view kContactLua = R"lua(
local p = presence(KEYS[1])
if not p[1] then return {} end
if not visible(tonumber(p[1]), KEYS[2], KEYS[3], ARGV[1]) then return {} end
return p
)lua";

// KEYS: C:sess, C:watchers, C:visible, C:invisible. Returns {presence or {}, verdicts}.
constexpr std::string_view kWatchersLua = R"lua(
local p = presence(KEYS[1])
if not p[1] then p = {} end
return {p, verdicts(KEYS[2], KEYS[3], KEYS[4])}
)lua";

// KEYS: C:sess, C:watchers, C:visible, C:invisible. ARGV: sid, status.
// Returns {} when the session is not that one, else {old status, presence, verdicts}.
constexpr std::string_view kStatusLua = R"lua(
local s = redis.call('HMGET', KEYS[1], 'sid', 'st')
if s[1] ~= ARGV[1] then return {} end
redis.call('HSET', KEYS[1], 'st', ARGV[2])
return {s[2], presence(KEYS[1]), verdicts(KEYS[2], KEYS[3], KEYS[4])}
)lua";

// KEYS: A:sess, A:watchers, A:visible, A:invisible. ARGV: list ('v'/'i'), add ('1'/'0'),
// uins... Returns {presence or {}, {uin, before, after, ...}} for the uins that watch A.
constexpr std::string_view kEditLua = R"lua(
local p = presence(KEYS[1])
local status = tonumber(p[1] or '-1')
local target = KEYS[4]
if ARGV[1] == 'v' then target = KEYS[3] end
local function seen(u) return status >= 0 and visible(status, KEYS[3], KEYS[4], u) end
local out = {}
for i = 3, #ARGV do
  local u = ARGV[i]
  local watching = redis.call('SISMEMBER', KEYS[2], u) == 1
  local before = watching and seen(u)
  if ARGV[2] == '1' then redis.call('SADD', target, u) else redis.call('SREM', target, u) end
  if watching then
    out[#out + 1] = u
    out[#out + 1] = before and 1 or 0
    out[#out + 1] = seen(u) and 1 or 0
  end
end
if not p[1] then p = {} end
return {p, out}
)lua";

// KEYS: A:watchers, A:visible, A:invisible, A:contacts. Returns {verdicts, contacts} and
// drops A's three lists.
constexpr std::string_view kDepartLua = R"lua(
local v = verdicts(KEYS[1], KEYS[2], KEYS[3])
local c = redis.call('SMEMBERS', KEYS[4])
redis.call('DEL', KEYS[2], KEYS[3], KEYS[4])
return {v, c}
)lua";

// KEYS: A:sess. ARGV: sid, group. Returns the previous group, or -1 if no such session.
constexpr std::string_view kJoinLua = R"lua(
local s = redis.call('HMGET', KEYS[1], 'sid', 'rg')
if s[1] ~= ARGV[1] then return -1 end
redis.call('HSET', KEYS[1], 'rg', ARGV[2])
return tonumber(s[2] or '0')
)lua";

// KEYS: C:sess, C:visible, C:invisible. ARGV: viewer, group. Returns C's presence or {}.
constexpr std::string_view kDrawLua = R"lua(
if redis.call('HGET', KEYS[1], 'rg') ~= ARGV[2] then return {} end
local p = presence(KEYS[1])
if not visible(tonumber(p[1]), KEYS[2], KEYS[3], ARGV[1]) then return {1} end
return p
)lua";

// Members drawn per CMD_RAND_SEARCH before giving up: a few stale or hidden ones must
// not make the search fail while real members exist.
constexpr long kRandomDraws = 8;

/// A bulk-string number of a script's reply (HMGET fields, set members); 0 if it is none.
template <std::integral T>
T number(ReplyView reply) {
  T value{};
  parseInteger(reply.str(), value);
  return value;
}

/// Presence data from the HMGET of kLuaCommon's presence(); false if the array is empty.
bool decodePresence(ReplyView fields, uint32_t uin, store::PresenceData& out) {
  if (fields.size() < 8) return false;
  out.uin = uin;
  out.status = number<uint32_t>(fields[0]);
  out.externalIp = number<uint32_t>(fields[1]);
  out.tcpPort = number<uint32_t>(fields[2]);
  out.internalIp = number<uint32_t>(fields[3]);
  out.dcType = number<uint8_t>(fields[4]);
  out.tcpVersion = number<uint16_t>(fields[5]);
  out.webPort = number<uint32_t>(fields[6]);
  out.features = number<uint32_t>(fields[7]);
  out.protocol = fields.size() > 8 && number<uint8_t>(fields[8]) == 3 ? 3 : 5;
  return true;
}

void decodeVerdicts(ReplyView flat, std::vector<store::Watcher>& out) {
  out.clear();
  for (size_t i = 0; i + 2 < flat.size(); i += 3)
    out.push_back({number<uint32_t>(flat[i]), flat[i + 1].integer() == 1, flat[i + 2].integer() == 1});
}

std::string withCommon(std::string_view script) { return std::string(kLuaCommon) + std::string(script); }

}  // namespace

RedisPresenceStore::RedisPresenceStore(RedisConnection& redis)
    : redis_(redis),
      contactScript_(redis.addScript("presence_contact", withCommon(kContactLua))),
      watchersScript_(redis.addScript("presence_watchers", withCommon(kWatchersLua))),
      statusScript_(redis.addScript("presence_status", withCommon(kStatusLua))),
      editScript_(redis.addScript("presence_edit", withCommon(kEditLua))),
      departScript_(redis.addScript("presence_depart", withCommon(kDepartLua))),
      joinScript_(redis.addScript("presence_join", std::string(kJoinLua))),
      drawScript_(redis.addScript("presence_draw", withCommon(kDrawLua))) {}

bool RedisPresenceStore::addContacts(uint32_t owner, std::span<const uint32_t> contacts,
                                     std::vector<store::PresenceData>& visible) {
  visible.clear();
  if (contacts.empty()) return true;
  const Decimal ownerText(owner);
  const keys::UinKey ownerContacts = keys::contacts(owner);
  // Per contact: its reverse entry, then A's view of it. First command: A's own list.
  auto append = [&](size_t i, bool withSource) {
    if (i == 0) {
      args_.assign({"SADD", std::string(ownerContacts.view())});
      for (uint32_t c : contacts) args_.push_back(std::to_string(c));
      std::vector<std::string_view> argv(args_.begin(), args_.end());
      redis_.append(argv);
      return;
    }
    uint32_t contact = contacts[(i - 1) / 2];
    if ((i - 1) % 2 == 0) {
      redis_.append({"SADD", keys::watchers(contact), ownerText});
      return;
    }
    const keys::UinKey sess = keys::session(contact), vis = keys::visibleList(contact),
                       invis = keys::invisibleList(contact);
    const std::string_view keyArgs[] = {sess, vis, invis};
    const std::string_view args[] = {ownerText};
    redis_.appendScript(contactScript_, keyArgs, args, withSource);
  };
  if (!redis_.pipeline(1 + 2 * contacts.size(), append, replies_)) return false;
  for (size_t k = 0; k < contacts.size(); ++k) {
    const Reply& reply = replies_[2 + 2 * k];
    if (!reply.isArray()) return unexpectedReply("contact", reply);
    store::PresenceData data;
    if (decodePresence(reply, contacts[k], data)) visible.push_back(data);
  }
  return true;
}

bool RedisPresenceStore::watchers(uint32_t uin, store::PresenceData& self, bool& found,
                                  std::vector<store::Watcher>& out) {
  const keys::UinKey sess = keys::session(uin), watchersKey = keys::watchers(uin), vis = keys::visibleList(uin),
                     invis = keys::invisibleList(uin);
  const std::string_view keyArgs[] = {sess, watchersKey, vis, invis};
  Reply reply;
  if (!redis_.runScript(watchersScript_, keyArgs, {}, reply)) return false;
  if (!reply.isArray() || reply.size() != 2) return unexpectedReply("watchers", reply);
  found = decodePresence(reply[0], uin, self);
  decodeVerdicts(reply[1], out);
  return true;
}

bool RedisPresenceStore::changeStatus(uint32_t uin, uint32_t sessionId, uint32_t status, uint32_t& previous,
                                      store::PresenceData& self, bool& found, std::vector<store::Watcher>& watchers) {
  const keys::UinKey sess = keys::session(uin), watchersKey = keys::watchers(uin), vis = keys::visibleList(uin),
                     invis = keys::invisibleList(uin);
  const std::string_view keyArgs[] = {sess, watchersKey, vis, invis};
  const Decimal sid(sessionId), statusText(status);
  const std::string_view args[] = {sid, statusText};
  Reply reply;
  if (!redis_.runScript(statusScript_, keyArgs, args, reply)) return false;
  if (!reply.isArray()) return unexpectedReply("status", reply);
  found = reply.size() == 3;
  if (!found) return true;
  previous = number<uint32_t>(reply[0]);
  decodePresence(reply[1], uin, self);
  decodeVerdicts(reply[2], watchers);
  return true;
}

bool RedisPresenceStore::editList(uint32_t owner, store::PrivacyList list, bool add, std::span<const uint32_t> uins,
                                  store::PresenceData& self, std::vector<store::VisibilityChange>& changes) {
  changes.clear();
  const keys::UinKey sess = keys::session(owner), watchersKey = keys::watchers(owner), vis = keys::visibleList(owner),
                     invis = keys::invisibleList(owner);
  const std::string_view keyArgs[] = {sess, watchersKey, vis, invis};
  args_.assign({list == store::PrivacyList::visible ? "v" : "i", add ? "1" : "0"});
  for (uint32_t u : uins) args_.push_back(std::to_string(u));
  std::vector<std::string_view> args(args_.begin(), args_.end());
  Reply reply;
  if (!redis_.runScript(editScript_, keyArgs, args, reply)) return false;
  if (!reply.isArray() || reply.size() != 2) return unexpectedReply("edit", reply);
  decodePresence(reply[0], owner, self);
  ReplyView flat = reply[1];
  for (size_t i = 0; i + 2 < flat.size(); i += 3)
    changes.push_back({number<uint32_t>(flat[i]), flat[i + 1].integer() == 1, flat[i + 2].integer() == 1});
  return true;
}

bool RedisPresenceStore::joinRandomGroup(uint32_t uin, uint32_t sessionId, uint32_t group, bool& found) {
  const keys::UinKey sess = keys::session(uin);
  const std::string_view keyArgs[] = {sess};
  const Decimal sid(sessionId), groupText(group), uinText(uin);
  const std::string_view args[] = {sid, groupText};
  Reply reply;
  if (!redis_.runScript(joinScript_, keyArgs, args, reply)) return false;
  if (!reply.isInteger()) return unexpectedReply("join", reply);
  found = reply.integer() >= 0;
  if (!found) return true;
  const std::string oldSet = keys::randomGroup(static_cast<uint32_t>(reply.integer())),
                    newSet = keys::randomGroup(group);
  auto append = [&](size_t i, bool) {
    if (i == 0)
      redis_.append({"SREM", oldSet, uinText});
    else
      redis_.append({"SADD", newSet, uinText});
  };
  return redis_.pipeline(group == 0 ? 1 : 2, append, replies_);
}

bool RedisPresenceStore::randomGroupMember(uint32_t group, uint32_t viewer, store::PresenceData& member, bool& found) {
  found = false;
  const std::string set = keys::randomGroup(group);
  Reply candidates;
  if (!redis_.command({"SRANDMEMBER", set, Decimal(kRandomDraws)}, candidates)) return false;
  if (!candidates.isArray()) return unexpectedReply("draw", candidates);
  std::vector<uint32_t> uins;
  for (size_t i = 0; i < candidates.size(); ++i)
    if (uint32_t uin = number<uint32_t>(candidates[i]); uin != viewer) uins.push_back(uin);
  if (uins.empty()) return true;
  const Decimal viewerText(viewer), groupText(group);
  auto append = [&](size_t i, bool withSource) {
    const keys::UinKey sess = keys::session(uins[i]), vis = keys::visibleList(uins[i]),
                       invis = keys::invisibleList(uins[i]);
    const std::string_view keyArgs[] = {sess, vis, invis};
    const std::string_view args[] = {viewerText, groupText};
    redis_.appendScript(drawScript_, keyArgs, args, withSource);
  };
  if (!redis_.pipeline(uins.size(), append, replies_)) return false;
  std::vector<uint32_t> stale;
  for (size_t i = 0; i < uins.size(); ++i) {
    if (!replies_[i].isArray()) return unexpectedReply("draw", replies_[i]);
    if (replies_[i].size() == 0) stale.push_back(uins[i]);  // offline or left the group
    if (!found && decodePresence(replies_[i], uins[i], member)) found = true;
  }
  if (stale.empty()) return true;
  auto remove = [&](size_t i, bool) { redis_.append({"SREM", set, Decimal(stale[i])}); };
  redis_.pipeline(stale.size(), remove, replies_);  // best effort: a later draw retries
  return true;
}

bool RedisPresenceStore::depart(uint32_t owner, std::vector<store::Watcher>& watchers) {
  const keys::UinKey watchersKey = keys::watchers(owner), vis = keys::visibleList(owner),
                     invis = keys::invisibleList(owner), contactsKey = keys::contacts(owner);
  const std::string_view keyArgs[] = {watchersKey, vis, invis, contactsKey};
  Reply reply;
  if (!redis_.runScript(departScript_, keyArgs, {}, reply)) return false;
  if (!reply.isArray() || reply.size() != 2) return unexpectedReply("depart", reply);
  decodeVerdicts(reply[0], watchers);
  // The owner leaves the watcher sets of everyone it watched (other slots: plain commands).
  ReplyView contacts = reply[1];
  if (contacts.size() == 0) return true;
  const Decimal ownerText(owner);
  std::vector<uint32_t> uins;
  for (size_t i = 0; i < contacts.size(); ++i) uins.push_back(number<uint32_t>(contacts[i]));
  auto append = [&](size_t i, bool) { redis_.append({"SREM", keys::watchers(uins[i]), ownerText}); };
  return redis_.pipeline(uins.size(), append, replies_);
}

}  // namespace icq::redis
