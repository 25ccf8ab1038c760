// RedisSessionLedger; see session_ledger.hpp for what it is for.
//
// Keys per UIN (all tagged {<uin>}, one slot; keys.hpp): the session hash `sess`
// (session_fields.hpp), the unconfirmed packets `rtx` and the duplicate window `dup`.
// Global: the expiry index icq:online and the retransmit schedule icq:rtx:due.
//
// What a packet costs
// -------------------
// Nothing, for a keep-alive, an acknowledged-first command or a duplicate: the owner answers
// from memory and writes "seen" once per refresh interval (saveSeen, one HSET). A reliable
// packet costs one HSET of its entry together with the new next-SEQ1 field, and its
// acknowledgement one HDEL. The retransmit schedule changes only when a session goes from
// no unconfirmed packet to some and back, and then as members of the one ZADD (LT: an
// earlier due time stays) and the one ZREM a flush sends.
//
// Scripts
// -------
//   create   DEL sess rtx dup, HSET the new session, its login reply as "0.<epoch>" with
//            "n.<epoch>" = 1, SET the window to the login's triple. Atomic, so a reader never
//            sees half a login; the index ZADDs go beside it in the same round trip.
//   remove   read st, DEL sess rtx dup; the index entries are removed beside it (ZREM: the
//            owner is the only writer of its UINs' entries but for the scheduler's compare-
//            and-delete, which cannot race a ZREM into a wrong state).
//   unindex  ZREM uin from icq:online only if its score is still the one given.
#include "common/redis/session_ledger.hpp"

#include <algorithm>
#include <charconv>

#include "common/redis/keys.hpp"
#include "common/redis/session_fields.hpp"

namespace icq::redis {
namespace {

// KEYS: sess, rtx, dup. ARGV: reply field, reply entry, next field, triple, then the session
// hash's field/value pairs.
constexpr std::string_view kCreateLua = R"lua(
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3])
redis.call('HSET', KEYS[1], unpack(ARGV, 5))
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2], ARGV[3], '1')
redis.call('SET', KEYS[3], ARGV[4])
return 1
)lua";

// KEYS: sess, rtx, dup. Returns {existed (0/1), status or ''}.
constexpr std::string_view kRemoveLua = R"lua(
local st = redis.call('HGET', KEYS[1], 'st')
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3])
if st then return {1, st} end
return {0, ''}
)lua";

// KEYS: index. ARGV: uin, score. Removes the entry only if it still has that score.
constexpr std::string_view kUnindexLua = R"lua(
local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
if score and tonumber(score) == tonumber(ARGV[2]) then return redis.call('ZREM', KEYS[1], ARGV[1]) end
return 0
)lua";

/// "<seq1>.<epoch>" and "n.<epoch>" on the stack.
class FieldName {
public:
  FieldName(std::string_view prefix, uint64_t epoch) {
    char* out = std::copy(prefix.begin(), prefix.end(), buf_.data());
    *out++ = '.';
    len_ = static_cast<size_t>(std::to_chars(out, buf_.data() + buf_.size(), epoch).ptr - buf_.data());
  }
  /// Epoch 0 names a field written before owners tagged theirs: plain "<seq1>".
  FieldName(uint16_t seq1, uint64_t epoch) {
    char* out = std::to_chars(buf_.data(), buf_.data() + buf_.size(), seq1).ptr;
    if (epoch != 0) {
      *out++ = '.';
      out = std::to_chars(out, buf_.data() + buf_.size(), epoch).ptr;
    }
    len_ = static_cast<size_t>(out - buf_.data());
  }
  operator std::string_view() const { return {buf_.data(), len_}; }

private:
  std::array<char, 32> buf_{};
  size_t len_ = 0;
};

/// The 4-byte head of an unconfirmed entry (the rtx hash, keys.hpp): u16 command | u16 SEQ2.
std::array<char, 4> entryHead(uint16_t command, uint16_t seq2) {
  return {static_cast<char>(command & 0xFF), static_cast<char>(command >> 8), static_cast<char>(seq2 & 0xFF),
          static_cast<char>(seq2 >> 8)};
}

/// "<seq1>.<epoch>" (or a legacy "<seq1>", epoch 0) → its parts; false for other fields.
bool parsePacketField(std::string_view field, uint16_t& seq1, uint64_t& epoch) {
  const size_t dot = field.find('.');
  epoch = 0;
  if (!parseInteger(field.substr(0, dot), seq1)) return false;
  return dot == std::string_view::npos || parseInteger(field.substr(dot + 1), epoch);
}

/// Redis declined the write for a state of its own (out of memory, a failed disk write, a
/// replica, loading, a script running) that passes; any other error is a malformed command,
/// a bug that sending it again cannot cure.
bool refusedForNow(ReplyView reply) {
  static constexpr std::string_view kCodes[] = {"OOM", "MISCONF", "READONLY", "LOADING", "BUSY",
                                                "MASTERDOWN", "NOREPLICAS", "TRYAGAIN", "CLUSTERDOWN"};
  return std::ranges::any_of(kCodes, [&](std::string_view code) { return reply.isError(code); });
}

}  // namespace

// ---- the command arena -----------------------------------------------------------------

void RedisSessionLedger::CommandQueue::begin() {
  first_.push_back(args_.size());
  argc_.push_back(0);
}

void RedisSessionLedger::CommandQueue::arg(std::string_view bytes) {
  args_.emplace_back(bytes_.size(), bytes.size());
  bytes_.append(bytes);
  argc_.back()++;
}

void RedisSessionLedger::CommandQueue::arg(int64_t number) {
  const Decimal text(number);
  arg(text.view());
}

void RedisSessionLedger::CommandQueue::arg(std::string_view head, std::span<const uint8_t> tail) {
  args_.emplace_back(bytes_.size(), head.size() + tail.size());
  bytes_.append(head);
  bytes_.append(reinterpret_cast<const char*>(tail.data()), tail.size());
  argc_.back()++;
}

void RedisSessionLedger::CommandQueue::clear() {
  bytes_.clear();
  args_.clear();
  first_.clear();
  argc_.clear();
}

std::span<const std::string_view> RedisSessionLedger::CommandQueue::command(size_t i) {
  views_.clear();
  for (size_t k = first_[i]; k < first_[i] + argc_[i]; ++k)
    views_.emplace_back(bytes_.data() + args_[k].first, args_[k].second);
  return views_;
}

std::string RedisSessionLedger::nextField(uint64_t epoch) { return std::string(FieldName("n", epoch)); }

// ---- queued writes -----------------------------------------------------------------------

RedisSessionLedger::RedisSessionLedger(RedisConnection& redis)
    : redis_(redis),
      createScript_(redis.addScript("ledger_create", std::string(kCreateLua))),
      removeScript_(redis.addScript("ledger_remove", std::string(kRemoveLua))),
      unindexScript_(redis.addScript("ledger_unindex", std::string(kUnindexLua))) {}

void RedisSessionLedger::saveSeen(uint32_t uin, int64_t seenMs, std::string_view gateway) {
  commands_.begin();
  commands_.arg("HSET");
  commands_.arg(keys::session(uin));
  commands_.arg("seen");
  commands_.arg(seenMs);
  commands_.arg("gw");
  commands_.arg(gateway);
}

void RedisSessionLedger::saveWindow(uint32_t uin, int64_t seenMs, std::string_view gateway, std::string_view window,
                                    uint32_t windowPos) {
  saveSeen(uin, seenMs, gateway);
  commands_.arg("dpos");
  commands_.arg(static_cast<int64_t>(windowPos));
  commands_.begin();
  commands_.arg("SET");
  commands_.arg(keys::duplicates(uin));
  commands_.arg(window);
}

void RedisSessionLedger::saveUnconfirmed(uint32_t uin, uint64_t epoch, uint16_t seq1, uint16_t command, uint16_t seq2,
                                         std::span<const uint8_t> body, uint16_t next) {
  const auto head = entryHead(command, seq2);
  commands_.begin();
  commands_.arg("HSET");
  commands_.arg(keys::retransmit(uin));
  commands_.arg(FieldName(seq1, epoch));
  commands_.arg(std::string_view(head.data(), head.size()), body);
  commands_.arg(FieldName("n", epoch));
  commands_.arg(static_cast<int64_t>(next));
}

void RedisSessionLedger::saveNext(uint32_t uin, uint64_t epoch, uint16_t next) {
  commands_.begin();
  commands_.arg("HSET");
  commands_.arg(keys::retransmit(uin));
  commands_.arg(FieldName("n", epoch));
  commands_.arg(static_cast<int64_t>(next));
}

void RedisSessionLedger::dropUnconfirmed(uint32_t uin, uint16_t seq1, uint64_t epoch) {
  commands_.begin();
  commands_.arg("HDEL");
  commands_.arg(keys::retransmit(uin));
  commands_.arg(FieldName(seq1, epoch));
}

void RedisSessionLedger::dropFields(uint32_t uin, std::span<const std::string> fields) {
  if (fields.empty()) return;
  commands_.begin();
  commands_.arg("HDEL");
  commands_.arg(keys::retransmit(uin));
  for (const std::string& field : fields) commands_.arg(field);
}

void RedisSessionLedger::saveOfflineClaim(uint32_t uin) {
  commands_.begin();
  commands_.arg("HSET");
  commands_.arg(keys::session(uin));
  commands_.arg("ofd");
  commands_.arg("1");
}

void RedisSessionLedger::saveOfflineBatch(uint32_t uin, int64_t upToId) {
  commands_.begin();
  commands_.arg("HSET");
  commands_.arg(keys::session(uin));
  commands_.arg("ofb");
  commands_.arg(upToId);
}

void RedisSessionLedger::schedule(uint32_t uin, int64_t dueMs) { due_.emplace_back(uin, dueMs); }
void RedisSessionLedger::unschedule(uint32_t uin) { undue_.push_back(uin); }
void RedisSessionLedger::reindex(uint32_t uin, int64_t indexMs) { reindex_.emplace_back(uin, indexMs); }

void RedisSessionLedger::discard() {
  commands_.clear();
  due_.clear();
  undue_.clear();
  reindex_.clear();
}

bool RedisSessionLedger::flush() {
  if (!pending()) return true;
  // The schedule updates become at most three commands whatever their number: ZADD LT of
  // every newly due session, ZREM of every session with nothing left, ZADD XX GT of the
  // expiry index's re-scored entries. Built as text once per flush.
  indexArgs_.clear();
  std::vector<size_t> starts;  // where each of the three commands starts in indexArgs_
  auto startCommand = [&](std::initializer_list<std::string_view> head) {
    starts.push_back(indexArgs_.size());
    for (std::string_view word : head) indexArgs_.emplace_back(word);
  };
  if (!due_.empty()) {
    startCommand({"ZADD", keys::kRetransmitDue, "LT"});
    for (auto [uin, dueMs] : due_) {
      indexArgs_.push_back(std::to_string(dueMs));
      indexArgs_.push_back(std::to_string(uin));
    }
  }
  if (!undue_.empty()) {
    startCommand({"ZREM", keys::kRetransmitDue});
    for (uint32_t uin : undue_) indexArgs_.push_back(std::to_string(uin));
  }
  if (!reindex_.empty()) {
    startCommand({"ZADD", keys::kOnline, "XX", "GT"});
    for (auto [uin, indexMs] : reindex_) {
      indexArgs_.push_back(std::to_string(indexMs));
      indexArgs_.push_back(std::to_string(uin));
    }
  }
  starts.push_back(indexArgs_.size());
  const size_t perSession = commands_.size();
  auto append = [&](size_t i, bool) {
    if (i < perSession) return redis_.append(commands_.command(i));
    const size_t k = i - perSession;
    indexViews_.assign(indexArgs_.begin() + static_cast<std::ptrdiff_t>(starts[k]),
                       indexArgs_.begin() + static_cast<std::ptrdiff_t>(starts[k + 1]));
    redis_.append(indexViews_);
  };
  if (!redis_.pipeline(perSession + starts.size() - 1, append, replies_)) return false;
  bool refused = false;
  for (const Reply& reply : replies_) {
    if (!reply.isError()) continue;
    unexpectedReply("ledger_flush", reply);
    refused = refused || refusedForNow(reply);
  }
  // A refused write did not happen: reported as flushed, the egress gate would let out a
  // packet whose record a successor never finds (a SEQ1 gap once a later one is recorded).
  if (refused) return false;
  discard();
  return true;
}

// ---- immediate operations ------------------------------------------------------------------

bool RedisSessionLedger::create(const store::Session& fresh, uint64_t epoch, std::string_view loginTriple,
                                uint16_t replyCommand, uint16_t replySeq2, std::span<const uint8_t> replyBody,
                                int64_t retransmitDueMs) {
  if (!flush()) return false;  // a queued write for the old session must not land after the DEL
  const auto head = entryHead(replyCommand, replySeq2);
  std::string entry(head.data(), head.size());
  entry.append(reinterpret_cast<const char*>(replyBody.data()), replyBody.size());
  const FieldName replyField(0, epoch), nextField("n", epoch);
  StackArgs args;
  args.add(replyField);
  args.add(entry);
  args.add(nextField);
  args.add(loginTriple);
  forEachSessionField(fresh, [&](std::string_view name, const auto& member) {
    args.add(name);
    args.addValue(member);
  });
  args.add("dpos");
  args.add("1");  // slot 0 holds the login triple
  args.add("ix");
  args.addNumber(fresh.lastSeenMs);

  const keys::UinKey sessionKey = keys::session(fresh.uin), rtxKey = keys::retransmit(fresh.uin),
                     dupKey = keys::duplicates(fresh.uin);
  const std::string_view keyArgs[] = {sessionKey, rtxKey, dupKey};
  const Decimal indexText(fresh.lastSeenMs), uinText(fresh.uin), due(retransmitDueMs);
  // The index entry goes first: an entry without a session is harmless (the validation job
  // removes it), a session without one would never expire.
  auto append = [&](size_t i, bool withSource) {
    if (i == 0)
      redis_.append({"ZADD", keys::kOnline, indexText, uinText});
    else if (i == 1)
      redis_.appendScript(createScript_, keyArgs, args.view(), withSource);
    else
      redis_.append({"ZADD", keys::kRetransmitDue, "LT", due, uinText});
  };
  if (!redis_.pipeline(3, append, replies_)) return false;
  if (!replies_[1].isInteger()) return unexpectedReply("ledger_create", replies_[1]);
  return true;
}

bool RedisSessionLedger::remove(uint32_t uin, bool& existed, uint32_t& status) {
  existed = false;
  status = 0;
  if (!flush()) return false;  // a queued write must not bring the keys back after the DEL
  const keys::UinKey sessionKey = keys::session(uin), rtxKey = keys::retransmit(uin), dupKey = keys::duplicates(uin);
  const std::string_view keyArgs[] = {sessionKey, rtxKey, dupKey};
  const Decimal uinText(uin);
  auto append = [&](size_t i, bool withSource) {
    if (i == 0)
      redis_.appendScript(removeScript_, keyArgs, {}, withSource);
    else
      redis_.append({"ZREM", i == 1 ? keys::kOnline : keys::kRetransmitDue, uinText});
  };
  if (!redis_.pipeline(3, append, replies_)) return false;
  const ReplyView reply = replies_[0];
  if (!reply.isArray() || reply.size() != 2) return unexpectedReply("ledger_remove", reply);
  existed = reply[0].integer() == 1;
  if (existed) parseInteger(reply[1].str(), status);
  return true;
}

bool RedisSessionLedger::load(std::span<const uint32_t> uins, std::vector<std::optional<LedgerSession>>& out) {
  out.assign(uins.size(), std::nullopt);
  if (uins.empty()) return true;
  auto append = [&](size_t i, bool) {
    const uint32_t uin = uins[i / 3];
    switch (i % 3) {
      case 0: return redis_.append({"HGETALL", keys::session(uin)});
      case 1: return redis_.append({"HGETALL", keys::retransmit(uin)});
      default: return redis_.append({"GET", keys::duplicates(uin)});
    }
  };
  if (!redis_.pipeline(3 * uins.size(), append, replies_)) return false;
  for (size_t k = 0; k < uins.size(); ++k) {
    const ReplyView sess = replies_[3 * k], rtx = replies_[3 * k + 1], dup = replies_[3 * k + 2];
    if (!sess.isArray() || !rtx.isArray()) return unexpectedReply("ledger_load", sess.isArray() ? rtx : sess);
    if (sess.size() == 0) continue;
    LedgerSession loaded;
    uint16_t legacyNext = 0;
    loaded.session = decodeSessionFields(sess, uins[k], [&](std::string_view name, std::string_view value) {
      if (name == "dpos") parseInteger(value, loaded.windowPos);
      if (name == "ofd") loaded.offlineClaimed = value == "1";
      if (name == "ofb") parseInteger(value, loaded.offlineBatch);
      if (name == "seq") parseInteger(value, legacyNext);
    });
    if (dup.isString()) loaded.window = dup.str();
    uint64_t nextEpoch = 0;
    bool haveNext = false;
    std::vector<std::string> nextFields;
    for (size_t i = 0; i + 1 < rtx.size(); i += 2) {
      const std::string_view field = rtx[i].str(), value = rtx[i + 1].str();
      uint64_t epoch = 0;
      if (field.starts_with("n.")) {
        uint16_t next = 0;
        if (!parseInteger(field.substr(2), epoch) || !parseInteger(value, next)) continue;
        nextFields.emplace_back(field);
        if (!haveNext || epoch > nextEpoch) {
          haveNext = true;
          nextEpoch = epoch;
          loaded.session.nextSeq1 = next;
        }
        continue;
      }
      LedgerSession::Packet packet;
      if (!parsePacketField(field, packet.seq1, packet.epoch) || value.size() < 4) continue;
      auto byte = [&](size_t at) { return static_cast<uint16_t>(static_cast<uint8_t>(value[at])); };
      packet.command = static_cast<uint16_t>(byte(0) | byte(1) << 8);
      packet.seq2 = static_cast<uint16_t>(byte(2) | byte(3) << 8);
      packet.body.assign(value.begin() + 4, value.end());
      loaded.unconfirmed.push_back(std::move(packet));
    }
    loaded.nextEpoch = haveNext ? nextEpoch : 0;
    for (std::string& field : nextFields)
      if (field != nextField(nextEpoch)) loaded.staleFields.push_back(std::move(field));
    if (!haveNext) {
      // No "n" field: a session written before the ledger, or one whose every packet was
      // acknowledged under a legacy layout. Continue after the highest packet seen.
      loaded.session.nextSeq1 = legacyNext;
      for (const auto& packet : loaded.unconfirmed)
        loaded.session.nextSeq1 = std::max<uint16_t>(loaded.session.nextSeq1, static_cast<uint16_t>(packet.seq1 + 1));
      if (loaded.session.nextSeq1 == 0) loaded.session.nextSeq1 = 1;
    }
    std::sort(loaded.unconfirmed.begin(), loaded.unconfirmed.end(), [](const auto& a, const auto& b) {
      return a.seq1 != b.seq1 ? a.seq1 < b.seq1 : a.epoch < b.epoch;
    });
    out[k] = std::move(loaded);
  }
  return true;
}

bool RedisSessionLedger::scanOnline(uint64_t& cursor, size_t count, std::vector<uint32_t>& uins) {
  uins.clear();
  Reply page;  // [next cursor, [uin, score, ...]]
  if (!redis_.command({"ZSCAN", keys::kOnline, Decimal(cursor), "COUNT", Decimal(count)}, page)) return false;
  uint64_t next = 0;
  if (!page.isArray() || page.size() != 2 || !page[1].isArray() || !parseInteger(page[0].str(), next))
    return unexpectedReply("ledger_scan", page);
  for (size_t i = 0; i + 1 < page[1].size(); i += 2) {
    uint32_t uin = 0;
    if (parseInteger(page[1][i].str(), uin)) uins.push_back(uin);
  }
  cursor = next;
  return true;
}

bool RedisSessionLedger::unindex(uint32_t uin, int64_t scoreMs) {
  const Decimal uinText(uin), score(scoreMs);
  const std::string_view indexKey[] = {keys::kOnline};
  const std::string_view args[] = {uinText, score};
  Reply reply;
  return redis_.runScript(unindexScript_, indexKey, args, reply) && reply.isInteger();
}

}  // namespace icq::redis
