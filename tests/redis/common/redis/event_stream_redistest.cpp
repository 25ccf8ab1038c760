// RedisEventStream against a real Redis: events round trip through a consumer group, a UIN's
// events stay in order on one shard, unacknowledged entries come back to their consumer and
// go to another once their consumer is gone, every group sees every event, the cap trims,
// and an entry that is not an event is read as such and can be acknowledged.
#include <catch2/catch.hpp>

#include <algorithm>
#include <thread>

#include "common/redis/connection.hpp"
#include "common/redis/event_stream.hpp"
#include "common/redis/keys.hpp"
#include "tests/support/redis_server.hpp"

namespace icq {
namespace {

using namespace std::chrono_literals;
using events::Event;
using events::EventKind;

Event makeEvent(const std::string& id, EventKind kind, uint32_t uin, int64_t atMs = 1'700'000'000'000) {
  Event event;
  event.id = id;
  event.kind = kind;
  event.atMs = atMs;
  event.uin = uin;
  event.session = "s-" + std::to_string(uin);
  return event;
}

std::vector<redis::StreamEntry> readNew(redis::RedisEventStream& stream, std::string_view consumer,
                                        std::string_view group = "journal", size_t count = 100) {
  std::vector<redis::StreamEntry> out;
  REQUIRE(stream.read(group, consumer, count, false, out));
  return out;
}

std::vector<std::string> idsOf(const std::vector<redis::StreamEntry>& entries) {
  std::vector<std::string> ids;
  for (const auto& entry : entries) ids.push_back(entry.event.id);
  return ids;
}

struct Fixture {
  explicit Fixture(redis::EventStreamSettings settings = {2, 1000}) : stream(redis, settings) {
    REQUIRE(stream.createGroup("journal"));
  }
  test::RedisServer server;
  redis::RedisConnection redis{server.options()};
  redis::RedisEventStream stream;
};

}  // namespace

TEST_CASE("event stream: an event comes back whole through a consumer group", "[redis][events]") {
  Fixture f;
  Event login = makeEvent("i1-1", EventKind::login, 12345);
  login.with("protocol", "5").with("address", "10.0.0.1:4000").with("note", "");
  Event status = makeEvent("i1-2", EventKind::status, 12345);
  status.with("status", "1").with("id", "an event field may reuse a fixed field's name");
  REQUIRE(f.stream.append(std::vector<Event>{login, status}));

  const auto entries = readNew(f.stream, "c1");
  REQUIRE(entries.size() == 2);
  CHECK(entries[0].valid);
  CHECK(entries[0].event == login);
  CHECK(entries[1].event == status);
  CHECK(entries[0].shard == f.stream.shardOf(12345));
  CHECK(readNew(f.stream, "c1").empty());
}

TEST_CASE("event stream: a UIN's events keep their order on its shard", "[redis][events]") {
  Fixture f({4, 1000});
  std::vector<Event> batch;
  for (int i = 0; i < 20; ++i) batch.push_back(makeEvent("e" + std::to_string(i), EventKind::status, 1000 + i % 4));
  REQUIRE(f.stream.append(batch));
  const auto entries = readNew(f.stream, "c1");
  REQUIRE(entries.size() == 20);
  for (uint32_t uin = 1000; uin < 1004; ++uin) {
    std::vector<std::string> seen;
    for (const auto& entry : entries) {
      if (entry.event.uin != uin) continue;
      CHECK(entry.shard == uin % 4);
      seen.push_back(entry.event.id);
    }
    std::vector<std::string> sent;
    for (int i = static_cast<int>(uin - 1000); i < 20; i += 4) sent.push_back("e" + std::to_string(i));
    CHECK(seen == sent);
  }
  // Each shard is a key of its own.
  for (size_t shard = 0; shard < 4; ++shard) {
    redis::Reply length;
    REQUIRE(f.redis.command({"XLEN", redis::keys::events(shard)}, length));
    CHECK(length.integer() == 5);
  }
}

TEST_CASE("event stream: what a consumer did not acknowledge comes back to it, and then never again",
          "[redis][events]") {
  Fixture f;
  REQUIRE(f.stream.append(std::vector<Event>{makeEvent("a", EventKind::login, 1), makeEvent("b", EventKind::logoff, 2)}));
  const auto first = readNew(f.stream, "c1");
  REQUIRE(first.size() == 2);

  std::vector<redis::StreamEntry> pending;
  REQUIRE(f.stream.read("journal", "c1", 100, true, pending));
  CHECK(idsOf(pending).size() == 2);
  REQUIRE(f.stream.acknowledge("journal", std::span(first).first(1)));
  pending.clear();
  REQUIRE(f.stream.read("journal", "c1", 100, true, pending));
  CHECK(idsOf(pending) == std::vector<std::string>{first[1].event.id});

  REQUIRE(f.stream.acknowledge("journal", pending));
  pending.clear();
  REQUIRE(f.stream.read("journal", "c1", 100, true, pending));
  CHECK(pending.empty());
  CHECK(readNew(f.stream, "c1").empty());
}

TEST_CASE("event stream: a gone consumer's entries go to another once idle long enough", "[redis][events]") {
  Fixture f({3, 1000});
  std::vector<Event> batch;
  for (uint32_t uin = 1; uin <= 9; ++uin) batch.push_back(makeEvent("e" + std::to_string(uin), EventKind::login, uin));
  REQUIRE(f.stream.append(batch));
  REQUIRE(readNew(f.stream, "dead").size() == 9);

  std::vector<redis::StreamEntry> claimed;
  REQUIRE(f.stream.claimStale("journal", "c2", 1h, 100, claimed));
  CHECK(claimed.empty());  // not idle for an hour

  REQUIRE(f.stream.claimStale("journal", "c2", 0ms, 100, claimed));
  auto ids = idsOf(claimed);
  std::sort(ids.begin(), ids.end());
  CHECK(ids == std::vector<std::string>{"e1", "e2", "e3", "e4", "e5", "e6", "e7", "e8", "e9"});
  // Now c2's: its own pending read returns them, the dead consumer's returns nothing.
  std::vector<redis::StreamEntry> mine, theirs;
  REQUIRE(f.stream.read("journal", "c2", 100, true, mine));
  REQUIRE(f.stream.read("journal", "dead", 100, true, theirs));
  CHECK(mine.size() == 9);
  CHECK(theirs.empty());
}

TEST_CASE("event stream: every group gets every event", "[redis][events]") {
  Fixture f;
  REQUIRE(f.stream.createGroup("actions"));
  REQUIRE(f.stream.createGroup("journal"));  // again: harmless
  REQUIRE(f.stream.append(std::vector<Event>{makeEvent("a", EventKind::registration, 7)}));
  CHECK(idsOf(readNew(f.stream, "c1", "journal")) == std::vector<std::string>{"a"});
  CHECK(idsOf(readNew(f.stream, "c1", "actions")) == std::vector<std::string>{"a"});
}

TEST_CASE("event stream: the backlog counts entries, pending and undelivered per group", "[redis][events]") {
  Fixture f;
  redis::GroupBacklog backlog;
  REQUIRE(f.stream.backlog("journal", backlog));
  CHECK(backlog.length == 0);
  std::vector<Event> batch;
  for (uint32_t uin = 1; uin <= 6; ++uin) batch.push_back(makeEvent("e" + std::to_string(uin), EventKind::login, uin));
  REQUIRE(f.stream.append(batch));
  REQUIRE(f.stream.backlog("journal", backlog));
  CHECK(backlog.length == 6);
  CHECK(backlog.lag == 6);
  CHECK(backlog.pending == 0);

  const auto some = readNew(f.stream, "c1", "journal", 1);  // one per shard
  REQUIRE(some.size() == 2);
  REQUIRE(f.stream.backlog("journal", backlog));
  CHECK(backlog.lag == 4);
  CHECK(backlog.pending == 2);
  REQUIRE(f.stream.acknowledge("journal", some));
  REQUIRE(f.stream.backlog("journal", backlog));
  CHECK(backlog.pending == 0);
}

TEST_CASE("event stream: appends trim each shard to about its cap", "[redis][events]") {
  Fixture f({1, 200});
  for (int round = 0; round < 10; ++round) {
    std::vector<Event> batch;
    for (int i = 0; i < 100; ++i) batch.push_back(makeEvent(std::to_string(round * 100 + i), EventKind::status, 5));
    REQUIRE(f.stream.append(batch));
  }
  redis::GroupBacklog backlog;
  REQUIRE(f.stream.backlog("journal", backlog));
  // Approximate trimming removes whole nodes (100 entries by default): never below the
  // cap, never far above it.
  CHECK(backlog.length >= 200);
  CHECK(backlog.length < 400);
}

TEST_CASE("event stream: an entry that is not an event is read as invalid and can be acknowledged",
          "[redis][events]") {
  Fixture f({1, 1000});
  redis::Reply reply;
  REQUIRE(f.redis.command({"XADD", redis::keys::events(0), "*", "hello", "world"}, reply));
  REQUIRE(f.redis.command({"XADD", redis::keys::events(0), "*", "id", "x", "kind", "no-such-kind", "at", "1", "uin",
                           "1", "session", ""},
                          reply));
  REQUIRE(f.stream.append(std::vector<Event>{makeEvent("good", EventKind::login, 3)}));
  const auto entries = readNew(f.stream, "c1");
  REQUIRE(entries.size() == 3);
  CHECK_FALSE(entries[0].valid);
  CHECK_FALSE(entries[1].valid);
  CHECK(entries[2].valid);
  REQUIRE(f.stream.acknowledge("journal", entries));
  std::vector<redis::StreamEntry> pending;
  REQUIRE(f.stream.read("journal", "c1", 100, true, pending));
  CHECK(pending.empty());
}

TEST_CASE("event stream: an entry kept claimed is not taken for abandoned", "[redis][events]") {
  Fixture f({1, 1000});
  REQUIRE(f.stream.append(std::vector<Event>{makeEvent("k1", EventKind::login, 7)}));
  const auto held = readNew(f.stream, "c1");
  REQUIRE(held.size() == 1);
  // Idle for a second in c1's hands, then kept: idle again from zero.
  auto idleMs = [&] {
    redis::Reply reply;
    REQUIRE(f.redis.command({"XPENDING", redis::keys::events(0), "journal", "-", "+", "10"}, reply));
    const redis::ReplyView list = reply;
    REQUIRE(list.size() == 1);
    CHECK(list[0][1].str() == "c1");
    return list[0][2].integer();
  };
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (idleMs() < 1000 && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(50ms);
  REQUIRE(idleMs() >= 1000);
  REQUIRE(f.stream.keepClaimed("journal", "c1", held));
  std::vector<redis::StreamEntry> claimed;
  REQUIRE(f.stream.claimStale("journal", "c2", 1000ms, 100, claimed));
  CHECK(claimed.empty());
  CHECK(idleMs() < 1000);
}

}  // namespace icq
