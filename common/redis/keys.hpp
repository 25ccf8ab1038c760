// Every Redis key icqcluster uses, built here and nowhere else (STYLE.md §3), with its type,
// owner and lifetime. Per-UIN keys carry the hash tag {<uin>} so that the Lua scripts that
// touch several of them run on one Redis Cluster slot (ARCHITECTURE.md "State").
#pragma once

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/util/endpoint.hpp"

namespace icq::redis::keys {

/// A per-UIN key built on the stack: the per-packet path allocates nothing to name a key.
class UinKey {
public:
  UinKey(uint32_t uin, std::string_view suffix) {
    std::string_view prefix = "icq:{";
    char* out = buf_.data();
    out = std::copy(prefix.begin(), prefix.end(), out);
    out = std::to_chars(out, buf_.data() + buf_.size(), uin).ptr;
    *out++ = '}';
    *out++ = ':';
    out = std::copy(suffix.begin(), suffix.end(), out);
    len_ = static_cast<size_t>(out - buf_.data());
  }
  std::string_view view() const { return {buf_.data(), len_}; }
  operator std::string_view() const { return view(); }

private:
  // "icq:{4294967295}:" is 17 bytes; suffixes are a few letters.
  std::array<char, 32> buf_{};
  size_t len_ = 0;
};

/// icq:{<uin>}:sess — HASH, the online session of <uin> (common/store/session.hpp), written
/// by RedisSessionStore (session_store_impl.cpp lists the fields). Created by a login
/// (replace), refreshed by every packet (touch), deleted by logoff (end), by keep-alive
/// expiry (expireStale) or by the next login. No TTL: expiry runs through icq:online.
inline UinKey session(uint32_t uin) { return UinKey(uin, "sess"); }

/// icq:{<uin>}:rtx — HASH, server SEQ1 (decimal) → bytes of an unconfirmed reliable server
/// packet (protocol-v5.md §4.4). Field "0" is the login reply. Written by the login and by
/// whoever sends reliable packets; a matching CMD_ACK deletes a field; deleted together
/// with the session.
inline UinKey retransmit(uint32_t uin) { return UinKey(uin, "rtx"); }

/// icq:{<uin>}:dup — STRING, the session's duplicate window (§4.5): a ring of the last N
/// client (SEQ1, SEQ2, COMMAND) triples, 6 bytes each, big-endian; the session hash's
/// "dpos" field is the next slot to overwrite. Kept out of the session hash because 384
/// bytes would push that hash out of Redis' compact listpack encoding. Owned and deleted
/// with the session.
inline UinKey duplicates(uint32_t uin) { return UinKey(uin, "dup"); }

/// SET: the UINs on the session's normal contact list (whom it watches, §10.1). Lives
/// with the session; dropped at logoff/expiry.
inline UinKey contacts(uint32_t uin) { return UinKey(uin, "contacts"); }

/// SET: the session's visible list (who may see it while it is invisible, §10.2).
inline UinKey visibleList(uint32_t uin) { return UinKey(uin, "visible"); }

/// SET: the session's invisible list (who must never see it online, §10.2).
inline UinKey invisibleList(uint32_t uin) { return UinKey(uin, "invisible"); }

/// SET: the reverse index — the online UINs whose contact list holds this UIN. Outlives
/// the UIN's own sessions: it belongs to the watchers, who remove themselves when they
/// go offline. A status change costs one read of it, not a scan of everyone online.
inline UinKey watchers(uint32_t uin) { return UinKey(uin, "watchers"); }

/// icq:{<uin>}:rl:login — STRING, the password attempts (CMD_LOGIN, CMD_GET_DEPS) for <uin>
/// in the current fixed window, PX = what is left of the window. Created by the first attempt
/// of a window (RedisRateLimiter), gone when the window ends.
inline UinKey loginAttemptsByUin(uint32_t uin) { return UinKey(uin, "rl:login"); }

/// icq:{ip:<a.b.c.d>}:rl:login — STRING, the password attempts (CMD_LOGIN, CMD_REG_NEW_USER,
/// CMD_GET_DEPS) from one source address in the current fixed window, PX = what is left of
/// it; tagged by the address, so each address is its own slot. Like loginAttemptsByUin.
inline std::string loginAttemptsByIp(uint32_t ipNetworkOrder) {
  return "icq:{ip:" + util::formatIp(ipNetworkOrder) + "}:rl:login";
}

/// icq:online — ZSET, uin → the ms time its entry was last written: the keep-alive expiry
/// index (protocol-v5.md §4.6). Written by login (replace) and by the expiry sweep, which
/// re-scores entries of sessions that were active and removes the rest. The packet path
/// never writes it (it lives on another cluster slot). The validation walk removes entries
/// whose session is gone sooner than the sweep would. Lives as long as the cluster.
inline constexpr std::string_view kOnline = "icq:online";

/// ZSET uin → when that session's unconfirmed packets are next due (ms). Written with
/// ZADD LT beside every reliable packet (an earlier due time wins), leased by the
/// retransmit job's claim (score pushed to now + lease), removed when nothing is left.
inline constexpr std::string_view kRetransmitDue = "icq:rtx:due";

/// icq:gw:<id> — STRING "<endpoint> <instance>", PX = the registration TTL: one live gateway
/// (ARCHITECTURE.md "Routing back to the client"). Written by the gateway's heartbeat,
/// deleted when it withdraws or by expiry when it dies.
inline std::string gateway(std::string_view id) {
  std::string key = "icq:gw:";
  key += id;
  return key;
}

/// icq:gateways — SET of gateway ids that may have a live icq:gw:<id>. Added by announce;
/// ids whose key has expired are removed by whoever lists the registry.
inline constexpr std::string_view kGateways = "icq:gateways";

/// icq:events:{ev<shard>} — STREAM, shard <shard> of the event stream
/// (common/redis/event_stream.hpp): appended by whichever process saw an event (a UIN's
/// events always go to the same shard), trimmed to about events.max_length entries by every
/// append, read by the consumer groups "journal" and "actions". Each shard is its own slot.
inline std::string events(size_t shard) { return "icq:events:{ev" + std::to_string(shard) + "}"; }

/// icq:actions:{rule:<name>}:<window> — STRING, how often rule <name> of the event actions
/// fired in fixed window <window> (ms time / the rule's period), PX = two periods. Written by
/// RedisActionStore::take; each rule is its own slot.
inline std::string actionFirings(std::string_view rule, int64_t window) {
  return "icq:actions:{rule:" + std::string(rule) + "}:" + std::to_string(window);
}

/// icq:actions:dead — LIST of JSON records, newest first: the event actions that failed their
/// last try (rule, action, event, error). Written by RedisActionStore::deadLetter, trimmed to
/// actions.dead_letter_max; read by operators (`icqctl actions dead`), never expires.
inline constexpr std::string_view kActionsDead = "icq:actions:dead";

/// icq:{members}:live — HASH, worker id → "<expires_ms> <leaving 0|1> <acked epoch> <peer
/// endpoint> <instance>": the workers' leases (store/membership.hpp). Written by each
/// worker's heartbeat (RedisMembership::beat), pruned by whoever recomputes the view once an
/// entry's expiry (Redis server time) has passed. Shares its slot with the view.
inline constexpr std::string_view kMembersLive = "icq:{members}:live";

/// icq:{members}:view — STRING, the current membership view as store::encodeView writes it
/// ("<epoch> <settled>" and one line per owner). Rewritten by the membership script whenever
/// the owners or the settled epoch change; read by gateways, schedulers and workers. Lives as
/// long as the cluster, so epochs only grow.
inline constexpr std::string_view kMembersView = "icq:{members}:view";

/// SET: UINs that joined random-chat group <n> (CMD_RAND_SET, §6.21). Members are checked
/// against their session ("rg" field) when drawn; stale ones are removed then.
inline std::string randomGroup(uint32_t group) { return "icq:randgroup:" + std::to_string(group); }

/// STRING: a pre-login request seen from ip:port with (SEQ1, SEQ2, COMMAND) → its result
/// ("0" while being processed). EX a few minutes: long enough for every retransmission.
inline std::string preLogin(uint32_t ip, uint16_t port, uint16_t seq1, uint16_t seq2, uint16_t command) {
  return "icq:prelogin:" + std::to_string(ip) + ":" + std::to_string(port) + ":" + std::to_string(seq1) + ":" +
         std::to_string(seq2) + ":" + std::to_string(command);
}

/// icq:lease:<job> — STRING, the holder of a scheduler job's lease, PX = the lease length.
/// Set and extended by the holder, deleted by it on release or by expiry when it dies.
inline std::string lease(std::string_view job) {
  std::string key = "icq:lease:";
  key += job;
  return key;
}

}  // namespace icq::redis::keys
