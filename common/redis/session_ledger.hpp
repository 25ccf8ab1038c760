// RedisSessionLedger: what a worker writes to Redis about the sessions it owns, and how a new
// owner reads them back (ARCHITECTURE.md "Ownership"). The owner keeps each session's hot
// state in memory and answers keep-alives, acknowledgements and duplicates from there; the
// ledger holds what other processes read (presence fields, the expiry and retransmit
// indexes) and what a successor needs (the session, its unconfirmed packets, the next SEQ1).
//
// Most writes are queued and sent by flush() in one pipelined round trip per batch, in the
// order they were queued; the two schedule indexes are written as one ZADD and one ZREM per
// flush whatever the number of sessions. A login (create) and the end of a session (remove)
// are immediate: other workers read the session hash (presence) the moment it changes.
//
// Field names carry the owner's epoch (store/membership.hpp): an unconfirmed packet is
// "<seq1>.<epoch>" and the next SEQ1 is "n.<epoch>" in the rtx hash. A former owner that
// wakes up after losing its lease can then add fields but never overwrite a successor's; the
// successor that loads a session takes the highest epoch's "n" and every packet field.
//
// One instance per thread, over that thread's connection.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/redis/connection.hpp"
#include "common/store/session.hpp"

namespace icq::redis {

/// A session as the ledger stores it: what a new owner loads.
struct LedgerSession {
  store::Session session;  // nextSeq1 from the highest-epoch "n" field
  uint64_t nextEpoch = 0;  // that field's epoch (0: none)
  std::string window;      // duplicate window ring, 6 bytes per (SEQ1, SEQ2, COMMAND)
  uint32_t windowPos = 0;  // next slot of the ring to overwrite
  bool offlineClaimed = false;
  int64_t offlineBatch = 0;
  struct Packet {
    uint16_t seq1 = 0, command = 0, seq2 = 0;
    uint64_t epoch = 0;  // of the owner that stored it; with seq1, its field's name
    std::vector<uint8_t> body;
  };
  std::vector<Packet> unconfirmed;  // by SEQ1, then epoch
  std::vector<std::string> staleFields;  // "n" fields of epochs older than nextEpoch's
};

class RedisSessionLedger {
public:
  explicit RedisSessionLedger(RedisConnection& redis);

  /// The name of the next-SEQ1 field of `epoch`: "n.<epoch>".
  static std::string nextField(uint64_t epoch);

  // ---- queued, sent by flush() ------------------------------------------------------

  /// The coarse refresh: last-seen and home gateway, for expiry and the admin's listing.
  void saveSeen(uint32_t uin, int64_t seenMs, std::string_view gateway);
  /// Everything that changes per packet, exactly (the session moves to another owner).
  void saveWindow(uint32_t uin, int64_t seenMs, std::string_view gateway, std::string_view window, uint32_t windowPos);
  /// A reliable packet numbered `seq1` by the owner of epoch `epoch`; `next` is the SEQ1
  /// the session's next reliable packet takes.
  void saveUnconfirmed(uint32_t uin, uint64_t epoch, uint16_t seq1, uint16_t command, uint16_t seq2,
                       std::span<const uint8_t> body, uint16_t next);
  /// A new owner's epoch takes over the session's next SEQ1 (the former owner's "n" goes
  /// with dropFields).
  void saveNext(uint32_t uin, uint64_t epoch, uint16_t next);
  /// The client acknowledged SEQ1 `seq1`, stored by the owner of epoch `epoch` (0: a field
  /// written before owners tagged theirs).
  void dropUnconfirmed(uint32_t uin, uint16_t seq1, uint64_t epoch);
  /// Fields a former owner left that the new one has superseded.
  void dropFields(uint32_t uin, std::span<const std::string> fields);
  /// Offline-message marks of the session (protocol-v5.md §5.2, §6.8).
  void saveOfflineClaim(uint32_t uin);
  void saveOfflineBatch(uint32_t uin, int64_t upToId);
  /// The retransmit schedule (icq:rtx:due): the session has unconfirmed packets due at the
  /// latest at `dueMs` (an earlier entry stays), or has none left.
  void schedule(uint32_t uin, int64_t dueMs);
  void unschedule(uint32_t uin);
  /// The expiry index (icq:online): the session was active; look again at `indexMs`.
  void reindex(uint32_t uin, int64_t indexMs);

  bool pending() const { return !commands_.empty() || !due_.empty() || !undue_.empty() || !reindex_.empty(); }
  /// Sends everything queued in one round trip. False: Redis could not be reached, or
  /// refused a write for now (out of memory, a failed disk write...); the queue is kept and
  /// sent again by the next flush (every write is idempotent).
  bool flush();
  /// Forgets what is queued (a fenced owner must not write).
  void discard();

  // ---- immediate (what is queued is sent first, in the same round trip or before) -------

  /// A login: replaces whatever Redis holds for `fresh.uin` by the new session, its login
  /// reply as unconfirmed SEQ1 0 and a duplicate window holding the login's own triple,
  /// adds it to the expiry index and the retransmit schedule.
  bool create(const store::Session& fresh, uint64_t epoch, std::string_view loginTriple, uint16_t replyCommand,
              uint16_t replySeq2, std::span<const uint8_t> replyBody, int64_t retransmitDueMs);
  /// The end of a session: deletes its keys and its index entries. `status` receives its
  /// last status as the presence store left it (0 when there was no session).
  bool remove(uint32_t uin, bool& existed, uint32_t& status);
  /// Loads the sessions of `uins` (one round trip); `out[i]` is empty when uins[i] has none.
  bool load(std::span<const uint32_t> uins, std::vector<std::optional<LedgerSession>>& out);
  /// One step of a walk over the expiry index (a new owner's takeover): about `count`
  /// UINs from `cursor`, which comes back 0 when the walk is complete.
  bool scanOnline(uint64_t& cursor, size_t count, std::vector<uint32_t>& uins);
  /// Removes the expiry-index entry of `uin` if its score is still `scoreMs` (a session that
  /// no longer exists; a new login rewrites the score and keeps its entry).
  bool unindex(uint32_t uin, int64_t scoreMs);

private:
  /// Queued commands in one reused arena: after warm-up, queueing allocates nothing.
  class CommandQueue {
  public:
    void begin();
    void arg(std::string_view bytes);
    void arg(int64_t number);
    /// One argument made of two pieces (an unconfirmed entry: its header, then its body).
    void arg(std::string_view head, std::span<const uint8_t> tail);
    size_t size() const { return argc_.size(); }
    bool empty() const { return argc_.empty(); }
    void clear();
    /// The arguments of command `i`, as views into the arena (valid until the next add).
    std::span<const std::string_view> command(size_t i);

  private:
    std::string bytes_;
    std::vector<std::pair<size_t, size_t>> args_;  // offset, length into bytes_
    std::vector<size_t> first_, argc_;             // per command: its first arg, how many
    std::vector<std::string_view> views_;
  };

  RedisConnection& redis_;
  const RedisScript& createScript_;
  const RedisScript& removeScript_;
  const RedisScript& unindexScript_;
  CommandQueue commands_;
  std::vector<std::pair<uint32_t, int64_t>> due_;
  std::vector<uint32_t> undue_;
  std::vector<std::pair<uint32_t, int64_t>> reindex_;
  std::vector<std::string> indexArgs_;  // the ZADD/ZREM of the schedules, rebuilt per flush
  std::vector<std::string_view> indexViews_;
  std::vector<Reply> replies_;
};

}  // namespace icq::redis
