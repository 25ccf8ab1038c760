// RedisConnection in cluster mode against a real Redis Cluster (three masters, and three
// more with replicas for failover): slots agree with the server's, a batch spread over every
// master is one exchange, a slot moved behind the client's back is followed (MOVED), a slot
// half migrated is followed key by key (ASK), scripts run on every master, and a master
// killed is replaced by its replica without the connection being told (WAIT, sent to every
// master, then answers for the one left without a replica).
#include <catch2/catch.hpp>

#include <chrono>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "common/redis/cluster_slots.hpp"
#include "common/redis/connection.hpp"
#include "tests/support/redis_server.hpp"

namespace icq {
namespace {

using namespace std::chrono_literals;
using test::RedisServer;
using test::RedisTopology;

redis::Reply run(redis::RedisConnection& redis, std::initializer_list<std::string_view> argv) {
  redis::Reply reply;
  REQUIRE(redis.command(argv, reply));
  return reply;
}

std::string key(int i) { return "icq:{test" + std::to_string(i) + "}:k"; }

/// Waits until the replica of `master` has every write the master has (the offsets in its
/// INFO replication agree), so that killing the master loses nothing written so far.
void awaitReplicated(const RedisServer& server, size_t master) {
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  auto field = [](const std::string& info, const std::string& name) {
    const size_t at = info.find(name);
    return at == std::string::npos ? std::string()
                                   : info.substr(at + name.size(), info.find_first_of("\r\n", at) - at - name.size());
  };
  std::string info;
  while (std::chrono::steady_clock::now() < deadline) {
    info = server.nodeCommandText(master, {"INFO", "replication"});
    const std::string offset = field(info, "master_repl_offset:");
    if (!offset.empty() && field(info, "slave0:").find("offset=" + offset + ",") != std::string::npos) return;
    std::this_thread::sleep_for(20ms);
  }
  FAIL("the replica did not catch up: " << info);
}

TEST_CASE("cluster mode puts every key on the master of its slot as the server computes it", "[redis][cluster]") {
  RedisServer server(std::nullopt, std::nullopt, RedisTopology::cluster);
  redis::RedisConnection redis(server.options());
  REQUIRE(redis.clusterMode());
  REQUIRE(redis.connected());
  for (int i = 0; i < 50; ++i) {
    const std::string name = key(i);
    CHECK(run(redis, {"CLUSTER", "KEYSLOT", name}).integer() == redis::keySlot(name));
  }

  // One batch over 300 keys: every master gets some, and every reply comes back in order.
  std::vector<redis::Reply> replies;
  const auto setAll = [&](size_t i, bool) { redis.append({"SET", key(static_cast<int>(i)), "v" + std::to_string(i)}); };
  REQUIRE(redis.pipeline(300, setAll, replies));
  for (const auto& reply : replies) CHECK(reply.str() == "OK");
  const auto getAll = [&](size_t i, bool) { redis.append({"GET", key(static_cast<int>(i))}); };
  REQUIRE(redis.pipeline(300, getAll, replies));
  for (size_t i = 0; i < 300; ++i) CHECK(replies[i].str() == "v" + std::to_string(i));
  for (size_t node = 0; node < server.nodeCount(); ++node)
    CHECK(std::stoi(server.nodeCommandText(node, {"DBSIZE"})) > 0);
}

TEST_CASE("cluster mode follows a slot that moved to another master", "[redis][cluster]") {
  RedisServer server(std::nullopt, std::nullopt, RedisTopology::cluster);
  redis::RedisConnection redis(server.options());
  const std::string name = key(7);
  run(redis, {"SET", name, "before"});
  const uint16_t slot = redis::keySlot(name);
  const size_t from = server.masterOf(slot);
  const test::SlotMigration move{server, slot, from, (from + 1) % 3};
  move.begin();
  move.migrate({name});
  move.finish();
  REQUIRE(server.masterOf(slot) == move.to);

  // The connection still has the old map: the old master answers MOVED, the command is
  // sent again to the new one within the same call.
  CHECK(run(redis, {"GET", name}).str() == "before");
  CHECK(run(redis, {"SET", name, "after"}).str() == "OK");
  CHECK(server.nodeCommandText(move.to, {"GET", name}) == "after");
}

TEST_CASE("cluster mode follows ASK for a key already migrated while its slot is moving", "[redis][cluster]") {
  RedisServer server(std::nullopt, std::nullopt, RedisTopology::cluster);
  redis::RedisConnection redis(server.options());
  // Two keys of one slot (one hash tag), one migrated and one not.
  const std::string moved = "icq:{ask}:moved", stays = "icq:{ask}:stays";
  run(redis, {"SET", moved, "m"});
  run(redis, {"SET", stays, "s"});
  const uint16_t slot = redis::keySlot(moved);
  const size_t from = server.masterOf(slot);
  const test::SlotMigration move{server, slot, from, (from + 2) % 3};
  move.begin();
  move.migrate({moved});

  std::vector<redis::Reply> replies;
  const auto getBoth = [&](size_t i, bool) { redis.append({"GET", i == 0 ? moved : stays}); };
  REQUIRE(redis.pipeline(2, getBoth, replies));
  CHECK(replies[0].str() == "m");
  CHECK(replies[1].str() == "s");
  // ASK is for one command: the slot still belongs to the old master until it is handed over.
  CHECK(server.masterOf(slot) == from);
  move.migrate({stays});
  move.finish();
  CHECK(run(redis, {"GET", stays}).str() == "s");
}

TEST_CASE("cluster mode runs a script on every master and reloads it where it was flushed", "[redis][cluster]") {
  RedisServer server(std::nullopt, std::nullopt, RedisTopology::cluster);
  redis::RedisConnection redis(server.options());
  const redis::RedisScript& incr = redis.addScript("incr", "return redis.call('INCRBY', KEYS[1], ARGV[1])");
  auto increment = [&](const std::string& name, std::string_view by) {
    const std::string_view keys[] = {name};
    const std::string_view args[] = {by};
    redis::Reply reply;
    REQUIRE(redis.runScript(incr, keys, args, reply));
    return reply.integer();
  };
  std::set<size_t> masters;
  for (int i = 0; i < 30; ++i) {
    CHECK(increment(key(i), "5") == 5);
    masters.insert(server.masterOf(redis::keySlot(key(i))));
  }
  CHECK(masters.size() == 3);

  server.nodeCommandText(1, {"SCRIPT", "FLUSH"});
  for (int i = 0; i < 30; ++i) CHECK(increment(key(i), "1") == 6);
}

TEST_CASE("cluster mode follows a replica promoted after its master was killed", "[redis][cluster]") {
  RedisServer server(std::nullopt, std::nullopt, RedisTopology::clusterWithReplicas);
  redis::RedisConnection redis(server.options(2000ms));
  const std::string name = key(3);
  run(redis, {"SET", name, "kept"});
  CHECK(run(redis, {"WAIT", "1", "5000"}).integer() == 1);  // every master has its replica
  const size_t master = server.masterOf(redis::keySlot(name));
  awaitReplicated(server, master);
  server.killNode(master);

  // Until the replica is promoted (cluster-node-timeout 2 s) the slot has no master; the
  // connection fails fast and then finds the new map by itself.
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  redis::Reply reply;
  bool answered = false;
  while (!answered && std::chrono::steady_clock::now() < deadline) {
    answered = redis.command({"GET", name}, reply) && reply.isString();
    if (!answered) std::this_thread::sleep_for(100ms);
  }
  REQUIRE(answered);
  CHECK(reply.str() == "kept");
  CHECK(server.masterOf(redis::keySlot(name)) != master);

  // WAIT goes to every master and answers for the least replicated one: the promoted replica
  // has no replica of its own, the other two masters still have theirs.
  CHECK(run(redis, {"WAIT", "1", "100"}).integer() == 0);
}

TEST_CASE("a seed that is down is skipped for one that answers", "[redis][cluster]") {
  RedisServer server(std::nullopt, std::nullopt, RedisTopology::cluster);
  redis::RedisOptions options = server.options();
  options.cluster.insert(options.cluster.begin(), {"127.0.0.1", 1});  // nothing listens on port 1
  redis::RedisConnection redis(options);
  CHECK(redis.connected());
  CHECK(run(redis, {"SET", key(1), "x"}).str() == "OK");
}

}  // namespace
}  // namespace icq
