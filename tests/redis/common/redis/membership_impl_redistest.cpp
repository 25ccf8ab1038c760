// RedisMembership against a real Redis: the membership script keeps the same rules as icqd's
// in-memory membership (the shared cases in tests/support/membership_contract.hpp), with
// every process on its own connection, and its two keys are what keys.hpp says.
#include "common/redis/membership_impl.hpp"

#include <catch2/catch.hpp>

#include <memory>
#include <tuple>
#include <vector>

#include "common/redis/connection.hpp"
#include "common/redis/keys.hpp"
#include "tests/support/redis_server.hpp"

namespace icq::redis {
namespace {

/// Four processes, each with its own connection to one server.
struct RedisBackend {
  RedisBackend() {
    for (int i = 0; i < 4; ++i) {
      connections.push_back(std::make_unique<RedisConnection>(server.options()));
      memberships.push_back(std::make_unique<RedisMembership>(*connections.back()));
    }
  }
  store::Membership& handle(size_t i) { return *memberships.at(i); }

  test::RedisServer server;
  std::vector<std::unique_ptr<RedisConnection>> connections;
  std::vector<std::unique_ptr<RedisMembership>> memberships;
};

}  // namespace

TEST_CASE("redis membership keeps the view in its key as encodeView writes it", "[redis][membership]") {
  RedisBackend backend;
  store::MembershipView view;
  const store::WorkerRecord a{"w-a", "tcp://10.0.0.1:5001", "abc"};
  REQUIRE(backend.handle(0).beat(store::Heartbeat{a, false, 0, std::chrono::seconds(60)}, view));
  Reply stored, live;
  REQUIRE(backend.connections[1]->command({"GET", keys::kMembersView}, stored));
  REQUIRE(stored.isString());
  CHECK(stored.str() == store::encodeView(view));
  CHECK(stored.str() == "1 0\nw-a tcp://10.0.0.1:5001 abc\n");
  REQUIRE(backend.connections[1]->command({"HLEN", keys::kMembersLive}, live));
  CHECK(live.integer() == 1);
}

TEST_CASE("redis membership reports failure while Redis is down and works again after a restart",
          "[redis][membership]") {
  RedisBackend backend;
  const store::WorkerRecord a{"w-a", "tcp://10.0.0.1:5001", "abc"};
  store::MembershipView view;
  REQUIRE(backend.handle(0).beat(store::Heartbeat{a, false, 0, std::chrono::seconds(60)}, view));
  backend.server.kill();
  CHECK_FALSE(backend.handle(0).beat(store::Heartbeat{a, false, 1, std::chrono::seconds(60)}, view));
  CHECK_FALSE(backend.handle(1).view(view));
  CHECK_FALSE(backend.handle(0).withdraw(a));
  backend.server.restart();  // empty: the script is loaded again, the view starts over
  bool recovered = false;
  for (int attempt = 0; attempt < 3 && !recovered; ++attempt)
    recovered = backend.handle(0).beat(store::Heartbeat{a, false, 0, std::chrono::seconds(60)}, view);
  REQUIRE(recovered);
  CHECK(view.epoch == 1);
  REQUIRE(view.owners.size() == 1);
  CHECK(view.owners[0].id == "w-a");
}

}  // namespace icq::redis

using MembershipBackends = std::tuple<icq::redis::RedisBackend>;
#include "tests/support/membership_contract.hpp"
