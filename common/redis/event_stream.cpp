// RedisEventStream; see event_stream.hpp.
//
// An entry's fields: "id", "kind", "at" (ms), "uin", "session", in that order, then the
// event's own fields. Decoding reads the five by position, so an event field can never be
// taken for one of them, and anything else is the event's.
//
// Every operation is one pipelined round trip over the shards: XADD per event, and
// XREADGROUP, XAUTOCLAIM or XACK per shard. XAUTOCLAIM walks a shard's pending entries with a
// cursor kept here, so successive calls cover them all without rescanning the first ones;
// entries trimmed away while pending are dropped from the pending list by XAUTOCLAIM itself.
#include "common/redis/event_stream.hpp"

#include "common/redis/keys.hpp"

namespace icq::redis {
namespace {

constexpr std::string_view kFixed[] = {"id", "kind", "at", "uin", "session"};
constexpr size_t kFixedCount = std::size(kFixed);

/// One [id, [field, value, ...]] element of XREADGROUP's or XAUTOCLAIM's reply.
StreamEntry decodeEntry(size_t shard, ReplyView element) {
  StreamEntry entry;
  entry.shard = shard;
  entry.entryId = element[0].str();
  const ReplyView fields = element[1];
  if (!fields.isArray() || fields.size() < 2 * kFixedCount || fields.size() % 2 != 0) return entry;
  for (size_t i = 0; i < kFixedCount; ++i)
    if (fields[2 * i].str() != kFixed[i]) return entry;
  const auto kind = events::kindNamed(fields[3].str());
  events::Event& event = entry.event;
  if (!kind || !parseInteger(fields[5].str(), event.atMs) || !parseInteger(fields[7].str(), event.uin)) return entry;
  event.id = fields[1].str();
  event.kind = *kind;
  event.session = fields[9].str();
  for (size_t i = 2 * kFixedCount; i < fields.size(); i += 2)
    event.fields.push_back({std::string(fields[i].str()), std::string(fields[i + 1].str())});
  entry.valid = !event.id.empty();
  return entry;
}

void decodeEntries(size_t shard, ReplyView list, std::vector<StreamEntry>& out) {
  for (size_t i = 0; i < list.size(); ++i)
    if (list[i].isArray() && list[i].size() == 2) out.push_back(decodeEntry(shard, list[i]));
}

}  // namespace

RedisEventStream::RedisEventStream(RedisConnection& redis, EventStreamSettings settings)
    : redis_(redis), settings_(settings) {
  if (settings_.shards == 0) settings_.shards = 1;
  for (size_t shard = 0; shard < settings_.shards; ++shard) {
    keys_.push_back(keys::events(shard));
    cursors_.emplace_back("0-0");
  }
}

bool RedisEventStream::append(std::span<const events::Event> events) {
  if (events.empty()) return true;
  const Decimal maxLength(settings_.maxLength);
  auto appendCommand = [&](size_t i, bool) {
    const events::Event& event = events[i];
    const Decimal at(event.atMs), uin(event.uin);
    argv_ = {"XADD", keys_[shardOf(event.uin)], "MAXLEN", "~", maxLength, "*",
             "id", event.id, "kind", events::kindName(event.kind), "at", at, "uin", uin, "session", event.session};
    for (const events::Field& field : event.fields) {
      argv_.push_back(field.name);
      argv_.push_back(field.value);
    }
    redis_.append(argv_);
  };
  if (!redis_.pipeline(events.size(), appendCommand, replies_)) return false;
  for (const Reply& reply : replies_)
    if (reply.isError()) return unexpectedReply("events_append", reply);
  return true;
}

bool RedisEventStream::createGroup(std::string_view group) {
  auto appendCommand = [&](size_t shard, bool) {
    redis_.append({"XGROUP", "CREATE", keys_[shard], group, "0", "MKSTREAM"});
  };
  if (!redis_.pipeline(keys_.size(), appendCommand, replies_)) return false;
  for (const Reply& reply : replies_)
    if (reply.isError() && !reply.isError("BUSYGROUP")) return unexpectedReply("events_create_group", reply);
  return true;
}

bool RedisEventStream::read(std::string_view group, std::string_view consumer, size_t count, bool pending,
                            std::vector<StreamEntry>& out) {
  const Decimal n(count);
  auto appendCommand = [&](size_t shard, bool) {
    redis_.append({"XREADGROUP", "GROUP", group, consumer, "COUNT", n, "STREAMS", keys_[shard], pending ? "0" : ">"});
  };
  if (!redis_.pipeline(keys_.size(), appendCommand, replies_)) return false;
  for (size_t shard = 0; shard < keys_.size(); ++shard) {
    const ReplyView reply = replies_[shard];
    if (reply.isNil()) continue;  // nothing new
    if (!reply.isArray()) return unexpectedReply("events_read", reply);
    for (size_t s = 0; s < reply.size(); ++s) decodeEntries(shard, reply[s][1], out);
  }
  return true;
}

bool RedisEventStream::claimStale(std::string_view group, std::string_view consumer, std::chrono::milliseconds minIdle,
                                  size_t count, std::vector<StreamEntry>& out) {
  const Decimal idle(minIdle.count()), n(count);
  auto appendCommand = [&](size_t shard, bool) {
    redis_.append({"XAUTOCLAIM", keys_[shard], group, consumer, idle, cursors_[shard], "COUNT", n});
  };
  if (!redis_.pipeline(keys_.size(), appendCommand, replies_)) return false;
  for (size_t shard = 0; shard < keys_.size(); ++shard) {
    const ReplyView reply = replies_[shard];
    if (!reply.isArray() || reply.size() < 2) return unexpectedReply("events_claim", reply);
    cursors_[shard] = reply[0].str();
    decodeEntries(shard, reply[1], out);
  }
  return true;
}

bool RedisEventStream::perShard(std::span<const std::string_view> prefix, std::span<const StreamEntry> entries,
                                std::string_view suffix, const char* op) {
  if (entries.empty()) return true;
  auto appendCommand = [&](size_t shard, bool) {
    argv_.assign(prefix.begin(), prefix.end());
    argv_[1] = keys_[shard];
    const size_t fixed = argv_.size();
    for (const StreamEntry& entry : entries)
      if (entry.shard == shard) argv_.push_back(entry.entryId);
    if (argv_.size() == fixed) argv_.push_back("0-0");  // nothing of this shard: a harmless no-op
    if (!suffix.empty()) argv_.push_back(suffix);
    redis_.append(argv_);
  };
  if (!redis_.pipeline(keys_.size(), appendCommand, replies_)) return false;
  for (const Reply& reply : replies_)
    if (reply.isError()) return unexpectedReply(op, reply);
  return true;
}

bool RedisEventStream::keepClaimed(std::string_view group, std::string_view consumer,
                                   std::span<const StreamEntry> entries) {
  // Claiming what this consumer holds, with no minimum idle time, resets the idle time;
  // JUSTID leaves the delivery count alone and returns no entry bodies.
  const std::string_view prefix[] = {"XCLAIM", "", group, consumer, "0"};
  return perShard(prefix, entries, "JUSTID", "events_keep");
}

bool RedisEventStream::acknowledge(std::string_view group, std::span<const StreamEntry> entries) {
  const std::string_view prefix[] = {"XACK", "", group};
  return perShard(prefix, entries, {}, "events_ack");
}

bool RedisEventStream::backlog(std::string_view group, GroupBacklog& out) {
  out = {};
  auto appendCommand = [&](size_t i, bool) {
    if (i % 2 == 0)
      redis_.append({"XLEN", keys_[i / 2]});
    else
      redis_.append({"XINFO", "GROUPS", keys_[i / 2]});
  };
  if (!redis_.pipeline(2 * keys_.size(), appendCommand, replies_)) return false;
  for (size_t shard = 0; shard < keys_.size(); ++shard) {
    out.length += replies_[2 * shard].integer();
    const ReplyView groups = replies_[2 * shard + 1];  // an error when the stream does not exist
    for (size_t g = 0; g < groups.size(); ++g) {
      const ReplyView info = groups[g];
      bool ours = false;
      for (size_t f = 0; f + 1 < info.size(); f += 2) {
        const std::string_view name = info[f].str();
        if (name == "name") ours = info[f + 1].str() == group;
        if (!ours) continue;
        if (name == "pending") out.pending += info[f + 1].integer();
        if (name == "lag") out.lag += info[f + 1].integer();
      }
    }
  }
  return true;
}

}  // namespace icq::redis
