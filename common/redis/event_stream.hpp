// RedisEventStream: the event stream (common/events/event.hpp) on Redis Streams, sharded by
// UIN over events.shards stream keys, each trimmed to about events.max_length entries.
//
// Why Redis Streams: consumer groups give every event to one consumer of a group and keep
// it pending until that consumer acknowledges it, so a consumer that dies with events in
// hand loses none (another claims them once they have been idle long enough), and the same
// stream feeds independent groups (the journal, the event actions) at their own pace. A
// consumer group delivers at least once; the events' own ids make a second delivery harmless.
//
// Why shards: one stream is one key, one Redis Cluster slot and one server's CPU. Events of
// a UIN stay in one shard, so a session's events keep their order.
#pragma once

#include <chrono>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/events/event.hpp"
#include "common/redis/connection.hpp"

namespace icq::redis {

/// The consumer group of the journal writers (scheduler/job_journal.hpp).
inline constexpr std::string_view kJournalGroup = "journal";
/// The consumer group of the event actions (scheduler/event_actions.hpp).
inline constexpr std::string_view kActionsGroup = "actions";

struct EventStreamSettings {
  size_t shards = 1;             // events.shards
  size_t maxLength = 1'000'000;  // events.max_length: per shard, trimmed approximately
};

/// One entry read from a shard.
struct StreamEntry {
  size_t shard = 0;
  std::string entryId;  // the stream's id, for acknowledge()
  /// False: the entry is gone (trimmed while pending) or is not an event this build reads.
  /// It is acknowledged like any other and counted, never retried.
  bool valid = false;
  events::Event event;
};

/// What a group has still to do, summed over the shards.
struct GroupBacklog {
  int64_t length = 0;   // entries in the streams
  int64_t pending = 0;  // delivered and not yet acknowledged
  int64_t lag = 0;      // not yet delivered (Redis 7's XINFO GROUPS lag)
};

/// One instance per thread, on that thread's connection.
class RedisEventStream {
public:
  RedisEventStream(RedisConnection& redis, EventStreamSettings settings);

  size_t shards() const { return settings_.shards; }
  size_t shardOf(uint32_t uin) const { return uin % settings_.shards; }

  /// Appends `events` (one XADD each, one round trip). False: Redis failed and any of them
  /// may or may not be in; appending them again is harmless.
  bool append(std::span<const events::Event> events);

  /// Creates `group` on every shard, reading from the start of each stream, where it does
  /// not exist yet (the stream is created with it).
  bool createGroup(std::string_view group);
  /// Up to `count` entries per shard for `consumer` of `group`: with `pending`, those it was
  /// given before and has not acknowledged (a restarted consumer's unfinished work), else
  /// new ones. Appended to `out`.
  bool read(std::string_view group, std::string_view consumer, size_t count, bool pending,
            std::vector<StreamEntry>& out);
  /// Takes over for `consumer` up to `count` entries per shard that another consumer of
  /// `group` was given and left unacknowledged for `minIdle` (it died). Appended to `out`.
  bool claimStale(std::string_view group, std::string_view consumer, std::chrono::milliseconds minIdle, size_t count,
                  std::vector<StreamEntry>& out);
  /// Resets the idle time of `entries`, still in `consumer`'s hands, so that no other
  /// consumer claims them as abandoned while their work takes long (an action's retries).
  bool keepClaimed(std::string_view group, std::string_view consumer, std::span<const StreamEntry> entries);
  /// Acknowledges `entries` in `group`: they will not be delivered again.
  bool acknowledge(std::string_view group, std::span<const StreamEntry> entries);
  bool backlog(std::string_view group, GroupBacklog& out);

private:
  /// One command per shard: `prefix` (its second word becomes the shard's key), the ids of
  /// that shard's `entries`, then `suffix` unless empty.
  bool perShard(std::span<const std::string_view> prefix, std::span<const StreamEntry> entries, std::string_view suffix,
                const char* op);

  RedisConnection& redis_;
  EventStreamSettings settings_;
  std::vector<std::string> keys_;     // per shard
  std::vector<std::string> cursors_;  // per shard: where the next claimStale scan starts
  std::vector<Reply> replies_;
  std::vector<std::string_view> argv_;
};

}  // namespace icq::redis
