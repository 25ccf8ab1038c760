// Redis Cluster addressing without a server: the CRC16 test vector of the cluster
// specification, hash tags, which argument is a command's key, redirections and seed lists.
// That the slots agree with a real cluster's CLUSTER KEYSLOT is checked in
// tests/redis/common/redis/cluster_connection_redistest.cpp.
#include "common/redis/cluster_slots.hpp"

#include <catch2/catch.hpp>

#include "common/redis/keys.hpp"

namespace icq::redis {
namespace {

std::optional<size_t> keyIndexOf(std::initializer_list<std::string_view> argv) {
  return commandKeyIndex(std::span<const std::string_view>(argv.begin(), argv.size()));
}

TEST_CASE("crc16 is the XMODEM checksum of the cluster specification", "[redis][cluster]") {
  CHECK(crc16("123456789") == 0x31C3);
  CHECK(crc16("") == 0);
}

TEST_CASE("a key's slot is taken from its hash tag when the tag is not empty", "[redis][cluster]") {
  CHECK(keySlot("{user1000}.following") == keySlot("{user1000}.followers"));
  CHECK(keySlot("{user1000}.following") == keySlot("user1000"));
  CHECK(keySlot("foo{}{bar}") == (crc16("foo{}{bar}") & 16383));  // an empty tag: the whole key
  CHECK(keySlot("foo{{bar}}zap") == keySlot("{bar"));             // from the first '{' to the next '}'
  CHECK(keySlot("foo{bar}{zap}") == keySlot("bar"));
  CHECK(keySlot("no-closing{brace") == (crc16("no-closing{brace") & 16383));
  for (uint32_t uin : {10u, 100000u, 4294967295u}) {
    CHECK(keySlot(keys::session(uin)) == keySlot(keys::retransmit(uin)));
    CHECK(keySlot(keys::session(uin)) == keySlot(keys::watchers(uin)));
  }
  CHECK(keySlot(keys::session(100000)) != keySlot(keys::session(100001)));
  CHECK(keySlot(keys::kMembersLive) == keySlot(keys::kMembersView));
}

TEST_CASE("the key of a command is found where each command keeps it", "[redis][cluster]") {
  CHECK(keyIndexOf({"GET", "k"}) == 1);
  CHECK(keyIndexOf({"hset", "k", "f", "v"}) == 1);
  CHECK(keyIndexOf({"EVALSHA", "sha", "2", "k1", "k2", "arg"}) == 3);
  CHECK_FALSE(keyIndexOf({"EVALSHA", "sha", "0", "arg"}));
  CHECK(keyIndexOf({"XREADGROUP", "GROUP", "g", "c", "COUNT", "10", "STREAMS", "s", ">"}) == 7);
  CHECK(keyIndexOf({"XGROUP", "CREATE", "s", "g", "$"}) == 2);
  CHECK(keyIndexOf({"XINFO", "GROUPS", "s"}) == 2);
  CHECK_FALSE(keyIndexOf({"PING"}));
  CHECK_FALSE(keyIndexOf({"SCRIPT", "LOAD", "return 1"}));
  CHECK_FALSE(keyIndexOf({"INFO", "commandstats"}));
  CHECK(runsOnEveryMaster("script"));
  CHECK(runsOnEveryMaster("FLUSHALL"));
  CHECK(runsOnEveryMaster("wait"));
  CHECK_FALSE(runsOnEveryMaster("PING"));
}

TEST_CASE("MOVED and ASK replies are read and anything else is not a redirection", "[redis][cluster]") {
  const auto moved = parseRedirection("MOVED 3999 127.0.0.1:6381");
  REQUIRE(moved);
  CHECK_FALSE(moved->ask);
  CHECK(moved->slot == 3999);
  CHECK(moved->node == ClusterNode{"127.0.0.1", 6381});
  const auto ask = parseRedirection("ASK 12 ::1:7000");
  REQUIRE(ask);
  CHECK(ask->ask);
  CHECK(ask->node == ClusterNode{"::1", 7000});
  CHECK_FALSE(parseRedirection("MOVED 16384 127.0.0.1:6381"));
  CHECK_FALSE(parseRedirection("MOVED 1 127.0.0.1"));
  CHECK_FALSE(parseRedirection("MOVED 1 127.0.0.1:0"));
  CHECK_FALSE(parseRedirection("ERR wrong number of arguments"));
  CHECK_FALSE(parseRedirection("TRYAGAIN Multiple keys request during rehashing of slot"));
}

TEST_CASE("a seed list is host:port entries separated by commas", "[redis][cluster]") {
  std::string error;
  CHECK(parseNodeList("", error).empty());
  CHECK(error.empty());
  CHECK(parseNodeList("10.0.0.1:7000, redis-1.icq:7001", error) ==
        std::vector<ClusterNode>{{"10.0.0.1", 7000}, {"redis-1.icq", 7001}});
  CHECK(error.empty());
  CHECK(parseNodeList("10.0.0.1:7000,redis-1", error).empty());
  CHECK(error == "not host:port: \"redis-1\"");
  CHECK(parseNodeList("10.0.0.1:99999", error).empty());
}

TEST_CASE("a slot map before its first load serves no slot", "[redis][cluster]") {
  SlotMap map;
  CHECK_FALSE(map.loaded());
  CHECK(map.nodeOf(0) == SlotMap::kNoNode);
  CHECK(map.masters().empty());
  const uint16_t node = map.move(5, {"127.0.0.1", 7000});
  CHECK(map.nodeOf(5) == node);
  CHECK(map.indexOf({"127.0.0.1", 7000}) == node);
  CHECK(map.masters() == std::vector<uint16_t>{node});
}

}  // namespace
}  // namespace icq::redis
