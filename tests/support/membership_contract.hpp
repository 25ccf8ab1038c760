// The rules every store::Membership keeps (store/membership.hpp), as one set of test cases
// run against each implementation, so that icqd's InMemoryMembership and the Redis script
// cannot drift apart. A test file defines `MembershipBackends`, a std::tuple of backend
// types, then includes this header. A backend is default-constructible and offers
// `store::Membership& handle(size_t i)`: the membership as process i sees it (for Redis each
// handle has its own connection; in memory they are one object).
//
// Leases are measured by the implementation's own clock (the Redis server's TIME, the
// process's steady clock), so the lapse test waits for its condition, with a deadline.
#pragma once

#include <catch2/catch.hpp>

#include <chrono>
#include <string>
#include <thread>

#include "common/store/membership.hpp"

namespace icq::test::membership {

using namespace std::chrono_literals;

inline store::WorkerRecord workerRecord(const std::string& id, const std::string& instance = "i1") {
  return {id, "tcp://10.0.0.1:" + std::to_string(5000 + id.size()) + "/" + id, instance};
}

/// One beat; REQUIREs that it succeeded and returns the view it reported.
inline store::MembershipView beatAs(store::Membership& membership, const store::WorkerRecord& self, uint64_t acked,
                                    bool leaving = false, std::chrono::milliseconds ttl = 60s) {
  store::MembershipView view;
  REQUIRE(membership.beat(store::Heartbeat{self, leaving, acked, ttl}, view));
  return view;
}

inline store::MembershipView viewOf(store::Membership& membership) {
  store::MembershipView view;
  REQUIRE(membership.view(view));
  return view;
}

inline std::string ownerIds(const store::MembershipView& view) {
  std::string ids;
  for (const store::WorkerRecord& owner : view.owners) ids += owner.id + ",";
  return ids;
}

}  // namespace icq::test::membership

namespace icq::test::membership {

TEMPLATE_LIST_TEST_CASE("membership without workers is epoch 0, unsettled, with no owners", "[membership]",
                        MembershipBackends) {
  TestType backend;
  const store::MembershipView view = viewOf(backend.handle(0));
  CHECK(view.epoch == 0);
  CHECK(view.owners.empty());
  CHECK_FALSE(view.isSettled());
  CHECK(viewOf(backend.handle(0)).epoch == 0);  // reading changes nothing
}

TEMPLATE_LIST_TEST_CASE("membership: a first worker opens epoch 1, settled once it acknowledges it", "[membership]",
                        MembershipBackends) {
  TestType backend;
  const store::WorkerRecord a = workerRecord("w-a");
  store::MembershipView view = beatAs(backend.handle(0), a, 0);
  CHECK(view.epoch == 1);
  REQUIRE(view.owners.size() == 1);
  CHECK(view.owners[0].id == a.id);
  CHECK(view.owners[0].endpoint == a.endpoint);
  CHECK(view.owners[0].instance == a.instance);
  CHECK_FALSE(view.isSettled());
  view = beatAs(backend.handle(0), a, 1);
  CHECK(view.epoch == 1);
  CHECK(view.settled == 1);
  CHECK(view.isSettled());
  // Another process reads the same view.
  const store::MembershipView seen = viewOf(backend.handle(1));
  CHECK(seen.epoch == 1);
  CHECK(seen.isSettled());
  CHECK(ownerIds(seen) == "w-a,");
}

TEMPLATE_LIST_TEST_CASE("membership: a plain beat or a read never moves the epoch", "[membership]",
                        MembershipBackends) {
  TestType backend;
  const store::WorkerRecord a = workerRecord("w-a"), b = workerRecord("w-b");
  beatAs(backend.handle(0), a, 0);
  const uint64_t epoch = beatAs(backend.handle(1), b, 0).epoch;
  for (int i = 0; i < 5; ++i) {
    CHECK(beatAs(backend.handle(0), a, epoch).epoch == epoch);
    CHECK(beatAs(backend.handle(1), b, epoch).epoch == epoch);
    CHECK(viewOf(backend.handle(2)).epoch == epoch);
  }
  CHECK(viewOf(backend.handle(2)).isSettled());
}

TEMPLATE_LIST_TEST_CASE("membership: a join opens a new epoch, settled only when every live worker acknowledged it",
                        "[membership]", MembershipBackends) {
  TestType backend;
  const store::WorkerRecord a = workerRecord("w-a"), b = workerRecord("w-b"), c = workerRecord("w-c");
  beatAs(backend.handle(0), a, 0);
  store::MembershipView view = beatAs(backend.handle(0), a, 1);
  REQUIRE(view.isSettled());
  REQUIRE(view.epoch == 1);

  view = beatAs(backend.handle(1), b, 0);
  CHECK(view.epoch == 2);
  CHECK(view.settled == 1);  // the old epoch stays the settled one
  CHECK_FALSE(view.isSettled());
  CHECK(ownerIds(view) == "w-a,w-b,");

  view = beatAs(backend.handle(1), b, 2);  // the newcomer alone is not enough
  CHECK(view.epoch == 2);
  CHECK_FALSE(view.isSettled());
  view = beatAs(backend.handle(0), a, 2);
  CHECK(view.epoch == 2);
  CHECK(view.isSettled());

  // A third joins; two of three acknowledging is not enough either.
  view = beatAs(backend.handle(2), c, 2);
  CHECK(view.epoch == 3);
  CHECK(ownerIds(view) == "w-a,w-b,w-c,");
  beatAs(backend.handle(0), a, 3);
  CHECK_FALSE(beatAs(backend.handle(2), c, 3).isSettled());
  CHECK(beatAs(backend.handle(1), b, 3).isSettled());
}

TEMPLATE_LIST_TEST_CASE("membership lists owners by id whatever order they joined in", "[membership]",
                        MembershipBackends) {
  TestType backend;
  beatAs(backend.handle(0), workerRecord("w-c"), 0);
  beatAs(backend.handle(1), workerRecord("w-a"), 0);
  beatAs(backend.handle(2), workerRecord("w-b"), 0);
  beatAs(backend.handle(3), workerRecord("w-b2"), 0);
  CHECK(ownerIds(viewOf(backend.handle(0))) == "w-a,w-b,w-b2,w-c,");
}

TEMPLATE_LIST_TEST_CASE("membership: a leaving worker opens a new epoch without it, and still counts for settling",
                        "[membership]", MembershipBackends) {
  TestType backend;
  const store::WorkerRecord a = workerRecord("w-a"), b = workerRecord("w-b");
  beatAs(backend.handle(0), a, 0);
  beatAs(backend.handle(1), b, 0);
  beatAs(backend.handle(0), a, 2);
  REQUIRE(beatAs(backend.handle(1), b, 2).isSettled());

  store::MembershipView view = beatAs(backend.handle(1), b, 2, /*leaving=*/true);
  CHECK(view.epoch == 3);
  CHECK(ownerIds(view) == "w-a,");
  CHECK_FALSE(view.isSettled());
  // The remaining owner acknowledging is not enough: the leaver may still hold sessions.
  CHECK_FALSE(beatAs(backend.handle(0), a, 3).isSettled());
  // Leaving again is a plain beat.
  view = beatAs(backend.handle(1), b, 3, true);
  CHECK(view.epoch == 3);
  CHECK(view.isSettled());

  // Its withdrawal changes no owner, so no epoch; the view stays settled without it.
  REQUIRE(backend.handle(1).withdraw(b));
  view = viewOf(backend.handle(2));
  CHECK(view.epoch == 3);
  CHECK(view.isSettled());
  CHECK(ownerIds(view) == "w-a,");
}

TEMPLATE_LIST_TEST_CASE("membership: a worker that withdraws leaves the view at once", "[membership]",
                        MembershipBackends) {
  TestType backend;
  const store::WorkerRecord a = workerRecord("w-a"), b = workerRecord("w-b");
  beatAs(backend.handle(0), a, 0);
  beatAs(backend.handle(1), b, 2);
  REQUIRE(beatAs(backend.handle(0), a, 2).isSettled());
  REQUIRE(backend.handle(1).withdraw(b));
  store::MembershipView view = viewOf(backend.handle(2));
  CHECK(view.epoch == 3);
  CHECK(ownerIds(view) == "w-a,");
  CHECK_FALSE(view.isSettled());
  CHECK(beatAs(backend.handle(0), a, 3).isSettled());

  // The last one withdrawing leaves an empty view under a new epoch; nobody is left to settle it.
  REQUIRE(backend.handle(0).withdraw(a));
  view = viewOf(backend.handle(2));
  CHECK(view.epoch == 4);
  CHECK(view.owners.empty());
  CHECK(view.isSettled());
}

TEMPLATE_LIST_TEST_CASE("membership: a withdrawal by a former instance of the worker removes nothing",
                        "[membership]", MembershipBackends) {
  TestType backend;
  const store::WorkerRecord now = workerRecord("w-a", "second"), before = workerRecord("w-a", "first");
  beatAs(backend.handle(0), now, 0);
  const uint64_t epoch = beatAs(backend.handle(0), now, 1).epoch;
  REQUIRE(backend.handle(1).withdraw(before));  // the old process's shutdown, arriving late
  const store::MembershipView view = viewOf(backend.handle(2));
  CHECK(view.epoch == epoch);
  REQUIRE(view.owners.size() == 1);
  CHECK(view.owners[0].instance == "second");
}

TEMPLATE_LIST_TEST_CASE("membership: a restart under the same id is a new member and a new epoch", "[membership]",
                        MembershipBackends) {
  TestType backend;
  const store::WorkerRecord a = workerRecord("w-a"), b = workerRecord("w-b", "first");
  beatAs(backend.handle(0), a, 0);
  beatAs(backend.handle(1), b, 2);
  REQUIRE(beatAs(backend.handle(0), a, 2).isSettled());

  // The restarted process has seen no epoch yet: its old instance's acknowledgement must not
  // settle the new view for it.
  const store::WorkerRecord restarted = workerRecord("w-b", "second");
  store::MembershipView view = beatAs(backend.handle(1), restarted, 0);
  CHECK(view.epoch == 3);
  REQUIRE(view.owners.size() == 2);
  CHECK(view.owners[1].instance == "second");
  CHECK_FALSE(beatAs(backend.handle(0), a, 3).isSettled());
  CHECK(beatAs(backend.handle(1), restarted, 3).isSettled());

  // A new peer endpoint under the same id and instance is a change of owner too.
  store::WorkerRecord moved = restarted;
  moved.endpoint += "-moved";
  view = beatAs(backend.handle(1), moved, 3);
  CHECK(view.epoch == 4);
  CHECK(view.owners[1].endpoint == moved.endpoint);
}

TEMPLATE_LIST_TEST_CASE("membership: a worker whose lease lapses leaves the view under a new epoch", "[membership]",
                        MembershipBackends) {
  TestType backend;
  const store::WorkerRecord a = workerRecord("w-a"), b = workerRecord("w-b");
  beatAs(backend.handle(0), a, 0);
  // b's lease is short and it never beats again: a crash.
  store::MembershipView view = beatAs(backend.handle(1), b, 2, false, 150ms);
  REQUIRE(view.epoch == 2);
  REQUIRE(ownerIds(view) == "w-a,w-b,");
  REQUIRE(beatAs(backend.handle(0), a, 2).isSettled());

  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (ownerIds(viewOf(backend.handle(2))) != "w-a," && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(20ms);
  view = viewOf(backend.handle(2));
  REQUIRE(ownerIds(view) == "w-a,");
  CHECK(view.epoch == 3);
  CHECK_FALSE(view.isSettled());
  // The dead worker's acknowledgement is no longer waited for.
  view = beatAs(backend.handle(0), a, 3);
  CHECK(view.epoch == 3);
  CHECK(view.isSettled());
}

}  // namespace icq::test::membership
