// RedisConnection: the one owner of synchronous hiredis contexts: one to a single Redis, or
// one per master of a Redis Cluster. A batch of commands costs one round trip (per master it
// touches, all in parallel); an I/O error marks the link broken and the next batch
// reconnects, never blocking longer than the timeout. RedisScript: Lua run by EVALSHA, EVAL
// fallback. Cluster mode routes each command by its key's slot and follows MOVED and ASK,
// so the stores above are the same code for both.
#pragma once

#include <hiredis/hiredis.h>

#include <charconv>
#include <chrono>
#include <concepts>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/log/log.hpp"
#include "common/ops/call_metrics.hpp"
#include "common/redis/cluster_slots.hpp"
#include "common/util/integer.hpp"

namespace icq::redis {

struct RedisOptions {
  std::string host = "127.0.0.1";
  int port = 6379;
  std::string unixSocket;  // when set, used instead of host and port
  std::string username;    // an ACL user; empty: the default user
  std::string password;    // AUTH after every connect when set
  int db = 0;                               // SELECT after every connect
  std::chrono::milliseconds timeout{2000};  // connect, and every read or write
  /// Seed nodes of a Redis Cluster (redis.cluster_nodes); when set, host, port, unixSocket
  /// and db are not used and the connection follows the cluster's slot map.
  std::vector<ClusterNode> cluster;
};

/// A borrowed view of a reply or of one element of an array reply.
class ReplyView {
public:
  ReplyView() = default;
  explicit ReplyView(const redisReply* reply) : reply_(reply) {}

  bool valid() const { return reply_ != nullptr; }
  bool isNil() const { return reply_ && reply_->type == REDIS_REPLY_NIL; }
  bool isError() const { return reply_ && reply_->type == REDIS_REPLY_ERROR; }
  /// An error whose code (its first word) is `code`, such as "NOSCRIPT".
  bool isError(std::string_view code) const;
  /// A bulk string or a status reply.
  bool isString() const { return reply_ && (reply_->type == REDIS_REPLY_STRING || reply_->type == REDIS_REPLY_STATUS); }
  bool isInteger() const { return reply_ && reply_->type == REDIS_REPLY_INTEGER; }
  bool isArray() const { return reply_ && reply_->type == REDIS_REPLY_ARRAY; }
  /// The bytes of a string, status or error reply; empty for other types.
  std::string_view str() const;
  /// The value of an integer reply; 0 for other types.
  long long integer() const { return isInteger() ? reply_->integer : 0; }
  /// Elements of an array reply; 0 for other types.
  size_t size() const { return isArray() ? reply_->elements : 0; }
  ReplyView operator[](size_t i) const { return i < size() ? ReplyView(reply_->element[i]) : ReplyView(); }

protected:
  const redisReply* reply_ = nullptr;
};

/// Owns a top-level reply and frees it (freeReplyObject) when it goes.
class Reply : public ReplyView {
public:
  Reply() = default;
  explicit Reply(redisReply* owned) : ReplyView(owned) {}
  ~Reply() { reset(); }
  Reply(Reply&& other) noexcept : ReplyView(other.reply_) { other.reply_ = nullptr; }
  Reply& operator=(Reply&& other) noexcept;
  Reply(const Reply&) = delete;
  Reply& operator=(const Reply&) = delete;

  void reset();
};

/// The whole of `text` as an integer (a script's reply or a hash field); false otherwise.
using util::parseInteger;

/// A reply a script cannot produce: a bug or a key of the wrong type. Logs it (rate-limited)
/// and returns false, so a store method can `return unexpectedReply(...)` as a failed call.
bool unexpectedReply(std::string_view operation, ReplyView reply);

/// An integer as a command argument, formatted on the stack (no allocation per command).
class Decimal {
public:
  template <std::integral T>
  explicit Decimal(T value) : len_(static_cast<size_t>(std::to_chars(buf_, buf_ + sizeof buf_, value).ptr - buf_)) {}
  std::string_view view() const { return {buf_, len_}; }
  operator std::string_view() const { return view(); }

private:
  char buf_[24];
  size_t len_;
};

/// A Lua script registered with a connection (RedisConnection::addScript). Its SHA1 comes
/// from SCRIPT LOAD, which the connection runs at every (re)connect.
class RedisScript {
public:
  RedisScript(std::string name, std::string source) : name_(std::move(name)), source_(std::move(source)) {}
  const std::string& name() const { return name_; }
  const std::string& source() const { return source_; }
  /// Empty until a SCRIPT LOAD has succeeded; calls use EVAL until then.
  const std::string& sha() const { return sha_; }

private:
  friend class RedisConnection;
  std::string name_;
  std::string source_;
  std::string sha_;
};

/// One link to Redis (or to each master of a cluster), for one thread. Move-only; closes
/// its links when destroyed.
///
/// Batches: append() any number of commands, then readReplies() for them: the commands go
/// out in one write per server and their replies come back in one read where the kernel
/// allows. Scratch buffers are reused, so after warm-up a batch allocates only inside hiredis.
///
/// Cluster: a command goes to the master of its key's slot (cluster_slots.hpp); a MOVED
/// reply updates the map and the command is sent again where it now lives, an ASK reply
/// sends it once to the importing node, both within the same readReplies(). Keyless
/// commands go to any master, except SCRIPT, CONFIG, FLUSHALL and FLUSHDB, which go to
/// every master (the first error, else the first reply, is the answer). The map is read
/// again from CLUSTER SLOTS at the start of the batch after a MOVED or a broken link.
///
/// Metrics: every round trip is timed into icq_redis_command_duration_seconds{op}, op being
/// the batch's first command or script (lower case), and a failed one or one with an
/// error reply counts in icq_redis_errors_total{op}.
///
/// Failures: a false return means Redis could not be reached or a link failed mid-batch;
/// every command appended so far is then discarded (it may or may not have run) and the
/// links of the batch are marked broken. The next batch reconnects.
class RedisConnection {
public:
  /// Connects at once; when Redis is down, connected() is false and the next batch retries.
  explicit RedisConnection(RedisOptions options);
  ~RedisConnection();
  RedisConnection(RedisConnection&&) noexcept;
  RedisConnection& operator=(RedisConnection&&) noexcept;
  RedisConnection(const RedisConnection&) = delete;
  RedisConnection& operator=(const RedisConnection&) = delete;

  const RedisOptions& options() const { return options_; }
  bool clusterMode() const { return !options_.cluster.empty(); }
  /// Whether the links are up as far as this side knows (a dead server shows at the next
  /// call); in cluster mode, whether the slot map is known and every master's link is up.
  bool connected() const;
  /// Drops the links and connects again: SELECT, then SCRIPT LOAD of every registered
  /// script (cluster: the slot map first, then every master).
  bool reconnect();

  /// Registers a script; it is loaded now (if connected) and after every reconnect. The
  /// reference stays valid as long as the connection (it survives a move of the connection).
  const RedisScript& addScript(std::string name, std::string source);

  /// Queues one command; argv are binary-safe (explicit lengths).
  void append(std::initializer_list<std::string_view> argv);
  void append(std::span<const std::string_view> argv);
  /// Queues EVALSHA of `script` (EVAL with its source when `withSource` is set or its SHA1
  /// is not known yet).
  void appendScript(const RedisScript& script, std::span<const std::string_view> keys,
                    std::span<const std::string_view> args, bool withSource = false);
  /// Sends what is queued and reads the replies of the next `n` queued commands into
  /// `out` (cleared first, one reply per command, in order).
  bool readReplies(size_t n, std::vector<Reply>& out);

  /// One batch of `count` commands where `appendCommand(i, withSource)` queues command i
  /// (exactly one command per call; `withSource` is for appendScript). Script calls the
  /// server answers NOSCRIPT (its script cache was flushed) are queued once more with their
  /// source and sent in a second round trip; their replies take the first ones' places.
  template <class AppendCommand>
  bool pipeline(size_t count, AppendCommand&& appendCommand, std::vector<Reply>& replies);

  /// One command, one round trip.
  bool command(std::initializer_list<std::string_view> argv, Reply& out);
  /// One script call, with the NOSCRIPT fallback.
  bool runScript(const RedisScript& script, std::span<const std::string_view> keys,
                 std::span<const std::string_view> args, Reply& out);

private:
  struct ContextFree {
    void operator()(redisContext* context) const { redisFree(context); }
  };
  /// One hiredis context to one server.
  struct Link {
    std::unique_ptr<redisContext, ContextFree> context;
    bool broken = true;
    bool inBatch = false;  // has commands of the exchange in flight
  };
  /// Where a queued command goes: its bytes in wire_, and its slot in cluster mode.
  struct Queued {
    uint32_t offset = 0;
    uint32_t length = 0;
    uint16_t slot = kAnyNode;
    uint16_t node = 0;  // the link it went to last
    bool ask = false;   // precede with ASKING (an ASK redirection)
  };
  static constexpr uint16_t kAnyNode = 0xffff;    // a keyless command: any master
  static constexpr uint16_t kEveryNode = 0xfffe;  // a keyless command that changes a server

  bool connectLink(size_t node);
  bool loadScript(size_t node, RedisScript& script);
  void markBroken(size_t node, std::string_view during);
  std::string nodeName(size_t node) const;
  bool refreshMap();
  void queueFormatted(std::span<const std::string_view> argv, std::optional<size_t> keyIndex, std::string_view op);
  bool exchange(size_t from, size_t to);
  bool sendAndRead(std::span<const size_t> commands);
  bool followRedirections(size_t from, size_t to);
  void failExchange();
  void clearBatch();
  /// Commands queued whose replies the caller has not all read yet (a batch is cleared
  /// lazily, at the first command of the next).
  bool batchInFlight() const { return handedOut_ < queued_.size(); }
  void finishBatch(bool ok);

  RedisOptions options_;
  std::vector<Link> links_;         // single: one; cluster: by SlotMap node index
  std::unique_ptr<SlotMap> slots_;  // cluster mode only (32 KiB: on the heap)
  bool mapStale_ = true;
  std::string wire_;              // the batch's commands in the RESP wire format
  std::vector<Queued> queued_;    // the batch's commands, in order
  std::vector<Reply> collected_;  // their replies, in order, as far as exchanged
  size_t handedOut_ = 0;          // replies given to readReplies() callers so far
  std::vector<std::string_view> args_;
  std::vector<size_t> sendList_;
  std::vector<uint16_t> fanout_;
  std::vector<std::unique_ptr<RedisScript>> scripts_;
  std::vector<size_t> retry_;
  std::vector<Reply> retryReplies_;
  std::vector<Reply> single_;                   // replies of command() and runScript()
  std::unique_ptr<log::RateLimited> warnings_;  // on the heap: it holds atomics, the connection moves
  ops::CallMetrics calls_{ops::redisCallFamilies()};
  size_t batchOp_ = 0;  // calls_ operation of the batch in flight
  std::chrono::steady_clock::time_point batchStart_;
};

template <class AppendCommand>
bool RedisConnection::pipeline(size_t count, AppendCommand&& appendCommand, std::vector<Reply>& replies) {
  for (size_t i = 0; i < count; ++i) appendCommand(i, false);
  if (!readReplies(count, replies)) return false;
  retry_.clear();
  for (size_t i = 0; i < count; ++i)
    if (replies[i].isError("NOSCRIPT")) retry_.push_back(i);
  if (retry_.empty()) return true;
  // Only script calls can be answered NOSCRIPT, and they did not run: sending them again
  // with their source runs them and puts them back into the server's cache.
  for (size_t i : retry_) appendCommand(i, true);
  if (!readReplies(retry_.size(), retryReplies_)) return false;
  for (size_t k = 0; k < retry_.size(); ++k) replies[retry_[k]] = std::move(retryReplies_[k]);
  return true;
}

}  // namespace icq::redis
