// Credit accounting and owner routing (gateway/credit_router.hpp): a UIN goes to its owner
// under the membership view (store::OwnerTable, which workers compute alike) and to no other
// worker, whatever credit the others have; UIN 0 goes to any worker with credit.
#include "gateway/credit_router.hpp"

#include <catch2/catch.hpp>

#include <initializer_list>
#include <map>
#include <optional>
#include <string>

namespace icq::gateway {
namespace {

// The id of the worker take() picked, or "" when it found none.
std::string takeId(CreditRouter& router, uint32_t uin) {
  auto k = router.take(uin);
  return k ? router.workerId(*k) : "";
}

int takeAll(CreditRouter& router, uint32_t uin) {
  int n = 0;
  while (router.take(uin)) ++n;
  return n;
}

store::MembershipView viewOf(uint64_t epoch, std::initializer_list<std::string> owners) {
  store::MembershipView view;
  view.epoch = view.settled = epoch;
  for (const std::string& id : owners) view.owners.push_back({id, "tcp://" + id, "1"});
  return view;
}

/// The owner of `uin` under `view`, as every gateway and worker computes it.
std::string ownerOf(const store::MembershipView& view, uint32_t uin) {
  const store::OwnerTable table(view);
  return table.id(table.owner(uin));
}

/// The first UIN from `from` on that `owner` owns under `view`.
uint32_t uinOwnedBy(const store::MembershipView& view, const std::string& owner, uint32_t from = 100000) {
  for (uint32_t uin = from;; ++uin)
    if (ownerOf(view, uin) == owner) return uin;
}

}  // namespace

// ---- credit accounting --------------------------------------------------------------------------

TEST_CASE("credit router without workers has nothing to hand out", "[gateway][credit]") {
  CreditRouter router;
  CHECK_FALSE(router.take(0));
  CHECK_FALSE(router.take(12345));
  CHECK(router.workerCount() == 0);
  CHECK(router.totalCredits() == 0);
  CHECK_FALSE(router.anyCredit());
  router.setOwners(viewOf(1, {"worker-a"}));
  CHECK_FALSE(router.take(12345));  // its owner is not linked to this gateway
}

TEST_CASE("credit router hands a worker exactly the credit its Hello granted", "[gateway][credit]") {
  CreditRouter router;
  router.setOwners(viewOf(1, {"worker-a"}));
  router.hello("worker-a", 3);
  CHECK(router.workerCount() == 1);
  CHECK(router.totalCredits() == 3);
  CHECK(router.anyCredit());
  CHECK(takeId(router, 7) == "worker-a");
  CHECK(takeId(router, 8) == "worker-a");
  CHECK(takeId(router, 0) == "worker-a");
  CHECK_FALSE(router.take(7));
  CHECK_FALSE(router.take(0));
  CHECK(router.totalCredits() == 0);
  CHECK_FALSE(router.anyCredit());
}

TEST_CASE("credit router Hello resets a known worker's account", "[gateway][credit]") {
  CreditRouter router;
  router.setOwners(viewOf(1, {"worker-a"}));
  router.hello("worker-a", 5);
  REQUIRE(router.take(1));
  router.hello("worker-a", 2);
  CHECK(router.workerCount() == 1);
  CHECK(router.totalCredits() == 2);
  CHECK(takeAll(router, 1) == 2);
  router.hello("worker-a", 0);
  CHECK(router.workerCount() == 1);
  CHECK_FALSE(router.take(1));
}

TEST_CASE("credit router Credit adds to a worker's account", "[gateway][credit]") {
  CreditRouter router;
  router.setOwners(viewOf(1, {"worker-a"}));
  router.hello("worker-a", 5);
  REQUIRE(takeAll(router, 1) == 5);
  CHECK(router.credit("worker-a", 2));
  CHECK(router.totalCredits() == 2);
  CHECK(router.credit("worker-a", 3));
  CHECK(router.totalCredits() == 5);
  CHECK(takeAll(router, 1) == 5);
  CHECK(router.workerCount() == 1);
}

TEST_CASE("credit router clamps a Credit past the window the Hello announced and reports it", "[gateway][credit]") {
  CreditRouter router;
  router.setOwners(viewOf(1, {"worker-a"}));
  CHECK(router.hello("worker-a", 4));
  REQUIRE(takeAll(router, 1) == 4);
  CHECK(router.credit("worker-a", 3));
  CHECK_FALSE(router.credit("worker-a", 2));  // 5 of a window of 4
  CHECK(router.totalCredits() == 4);
  CHECK_FALSE(router.credit("worker-a", 0xFFFFFFFF));
  CHECK(router.totalCredits() == 4);
  CHECK(takeAll(router, 1) == 4);
  // A Hello announces the window anew; a Credit of nothing is no lie.
  CHECK(router.hello("worker-a", 1));
  CHECK(router.credit("worker-a", 0));
  CHECK_FALSE(router.credit("worker-a", 1));
  CHECK(router.totalCredits() == 1);
}

TEST_CASE("credit router clamps a Hello past the largest window any worker may announce", "[gateway][credit]") {
  CreditRouter router;
  CHECK_FALSE(router.hello("worker-a", CreditRouter::kMaxWindow + 1));
  CHECK(router.totalCredits() == CreditRouter::kMaxWindow);
  CHECK(router.hello("worker-b", CreditRouter::kMaxWindow));
  CHECK(router.totalCredits() == 2 * uint64_t{CreditRouter::kMaxWindow});
}

TEST_CASE("credit router holds a worker heard from only through Credit to the largest window", "[gateway][credit]") {
  CreditRouter router;
  CHECK(router.credit("worker-new", CreditRouter::kMaxWindow - 1));
  CHECK(router.credit("worker-new", 1));
  CHECK_FALSE(router.credit("worker-new", 1));
  CHECK(router.totalCredits() == CreditRouter::kMaxWindow);
}

TEST_CASE("credit router enlists a worker it first hears from through Credit", "[gateway][credit]") {
  CreditRouter router;
  router.setOwners(viewOf(1, {"worker-new"}));
  router.credit("worker-new", 2);
  REQUIRE(router.workerCount() == 1);
  CHECK(router.workerId(0) == "worker-new");
  CHECK(router.totalCredits() == 2);
  CHECK(takeId(router, 5) == "worker-new");  // and routes its UINs to it
}

TEST_CASE("credit router remove withdraws a worker, its credit and its UINs", "[gateway][credit]") {
  CreditRouter router;
  const store::MembershipView view = viewOf(1, {"worker-a", "worker-b"});
  router.setOwners(view);
  router.hello("worker-a", 2);
  router.hello("worker-b", 3);
  router.remove("worker-a");
  REQUIRE(router.workerCount() == 1);
  CHECK(router.workerId(0) == "worker-b");
  CHECK(router.totalCredits() == 3);
  // worker-a's UINs wait (the view still names it); worker-b's still go to worker-b.
  CHECK_FALSE(router.take(uinOwnedBy(view, "worker-a")));
  CHECK(takeId(router, uinOwnedBy(view, "worker-b")) == "worker-b");
  CHECK(takeId(router, 0) == "worker-b");

  router.remove("worker-unknown");
  CHECK(router.workerCount() == 1);
  router.remove("worker-b");
  CHECK(router.workerCount() == 0);
  CHECK_FALSE(router.take(0));
  CHECK_FALSE(router.take(uinOwnedBy(view, "worker-b")));
}

TEST_CASE("credit router remove accepts an id that is the router's own storage", "[gateway][credit]") {
  // The gateway removes a vanished worker by the id the router handed it (workerId()). Ids
  // like process ids can be prefixes of one another; removing one must not take another.
  CreditRouter router;
  router.hello("worker-9999", 1);
  router.hello("worker-12345", 1);
  router.hello("worker-1234", 1);
  router.remove(router.workerId(0));
  REQUIRE(router.workerCount() == 2);
  CHECK(router.workerId(0) == "worker-12345");
  CHECK(router.workerId(1) == "worker-1234");
  CHECK(router.totalCredits() == 2);
}

TEST_CASE("credit router totalCredits sums every worker's account", "[gateway][credit]") {
  CreditRouter router;
  router.hello("worker-a", 3);
  router.hello("worker-b", 4);
  CHECK(router.totalCredits() == 7);
  REQUIRE(router.take(0));
  REQUIRE(router.take(0));
  CHECK(router.totalCredits() == 5);
  router.credit("worker-a", 1);
  CHECK(router.totalCredits() == 6);
  router.hello("worker-b", CreditRouter::kMaxWindow);
  router.hello("worker-a", CreditRouter::kMaxWindow);
  CHECK(router.totalCredits() == 2 * uint64_t{CreditRouter::kMaxWindow});
}

// ---- owner routing --------------------------------------------------------------------------------

TEST_CASE("credit router sends every UIN to its owner and to no one else", "[gateway][credit][owner]") {
  CreditRouter router;
  const store::MembershipView view = viewOf(3, {"worker-a", "worker-b", "worker-c"});
  router.setOwners(view);
  CHECK(router.epoch() == 3);
  // Hello in another order than the view's: the router's indices are not the view's.
  router.hello("worker-c", 1000);
  router.hello("worker-a", 1000);
  router.hello("worker-b", 1000);
  std::map<std::string, int> counts;
  for (uint32_t uin = 200000; uin < 200600; ++uin) {
    const std::string got = takeId(router, uin), want = ownerOf(view, uin);
    if (got != want) FAIL("uin " << uin << " went to '" << got << "', its owner is " << want);
    counts[got]++;
    if (takeId(router, uin) != want) FAIL("uin " << uin << " did not stay with " << want);
  }
  CHECK(counts.size() == 3);  // every owner got some
}

TEST_CASE("credit router holds a UIN whose owner has no credit, however much the others have",
          "[gateway][credit][owner]") {
  CreditRouter router;
  const store::MembershipView view = viewOf(1, {"worker-a", "worker-b"});
  router.setOwners(view);
  router.hello("worker-a", 2);
  router.hello("worker-b", 100);
  const uint32_t uinA = uinOwnedBy(view, "worker-a"), uinB = uinOwnedBy(view, "worker-b");
  CHECK(takeAll(router, uinA) == 2);
  CHECK_FALSE(router.take(uinA));
  CHECK(router.anyCredit());           // worker-b still has credit...
  CHECK(takeId(router, uinB) == "worker-b");  // ...for its own UINs only
  CHECK_FALSE(router.take(uinA));
  // Credit returning to the owner lets its UIN through again.
  router.credit("worker-a", 1);
  CHECK(takeId(router, uinA) == "worker-a");
  CHECK_FALSE(router.take(uinA));
}

TEST_CASE("credit router holds a UIN whose owner is not linked to this gateway", "[gateway][credit][owner]") {
  CreditRouter router;
  const store::MembershipView view = viewOf(1, {"worker-a", "worker-b"});
  router.setOwners(view);
  router.hello("worker-b", 10);
  const uint32_t uinA = uinOwnedBy(view, "worker-a");
  CHECK_FALSE(router.take(uinA));
  // A worker that links later (Hello after the view) gets its UINs.
  router.hello("worker-a", 1);
  CHECK(takeId(router, uinA) == "worker-a");
  // A linked worker that owns nothing under the view gets none but UIN 0.
  router.hello("worker-z", 5);
  for (uint32_t uin = 1; uin < 200; ++uin)
    if (takeId(router, uin) == "worker-z") FAIL("worker-z got uin " << uin);
}

TEST_CASE("credit router without a view holds every UIN but 0", "[gateway][credit][owner]") {
  CreditRouter router;
  router.hello("worker-a", 10);
  CHECK(router.epoch() == 0);
  for (uint32_t uin : {1u, 100000u, 4294967295u}) CHECK_FALSE(router.take(uin));
  CHECK(takeId(router, 0) == "worker-a");
  CHECK(router.totalCredits() == 9);
}

TEST_CASE("credit router hands UIN 0 to any worker with credit, in turn", "[gateway][credit][owner]") {
  CreditRouter router;
  router.setOwners(viewOf(1, {"worker-a"}));  // owners do not matter for UIN 0
  router.hello("worker-a", 2);
  router.hello("worker-b", 0);
  router.hello("worker-c", 2);
  std::map<std::string, int> counts;
  for (int i = 0; i < 4; ++i) counts[takeId(router, 0)]++;
  CHECK(counts == std::map<std::string, int>{{"worker-a", 2}, {"worker-c", 2}});
  CHECK_FALSE(router.take(0));
  router.credit("worker-c", 1);
  CHECK(takeId(router, 0) == "worker-c");
}

TEST_CASE("credit router re-routes on a new view", "[gateway][credit][owner]") {
  CreditRouter router;
  const store::MembershipView two = viewOf(1, {"worker-a", "worker-b"});
  const store::MembershipView three = viewOf(2, {"worker-a", "worker-b", "worker-c"});
  router.setOwners(two);
  for (const char* id : {"worker-a", "worker-b", "worker-c"}) router.hello(id, 10'000);
  // A UIN the newcomer takes over, and one that stays where it was.
  uint32_t moving = 0, staying = 0;
  for (uint32_t uin = 100000; moving == 0 || staying == 0; ++uin) {
    if (ownerOf(three, uin) == "worker-c" && moving == 0) moving = uin;
    if (ownerOf(three, uin) == ownerOf(two, uin) && staying == 0) staying = uin;
  }
  const std::string movingFrom = ownerOf(two, moving);
  CHECK(takeId(router, moving) == movingFrom);
  CHECK(takeId(router, staying) == ownerOf(two, staying));
  router.setOwners(three);
  CHECK(router.epoch() == 2);
  CHECK(takeId(router, moving) == "worker-c");
  CHECK(takeId(router, staying) == ownerOf(two, staying));
  // And back: a view without worker-c sends its UINs home again, though worker-c is linked.
  router.setOwners(viewOf(3, {"worker-a", "worker-b"}));
  CHECK(takeId(router, moving) == movingFrom);
  // A view without any owner holds them all.
  router.setOwners(viewOf(4, {}));
  CHECK_FALSE(router.take(moving));
  CHECK_FALSE(router.take(staying));
  CHECK(takeId(router, 0) != "");
}

}  // namespace icq::gateway
