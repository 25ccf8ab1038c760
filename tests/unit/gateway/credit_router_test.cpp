// Credit accounting and worker choice (gateway/credit_router.hpp).
#include "gateway/credit_router.hpp"

#include <catch2/catch.hpp>

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

}  // namespace

TEST_CASE("credit router without workers has nothing to hand out", "[gateway][credit]") {
  CreditRouter router;
  CHECK_FALSE(router.take(0));
  CHECK_FALSE(router.take(12345));
  CHECK(router.workerCount() == 0);
  CHECK(router.totalCredits() == 0);
}

TEST_CASE("credit router hands a worker exactly the credit its Hello granted", "[gateway][credit]") {
  CreditRouter router;
  router.hello("worker-a", 3);
  CHECK(router.workerCount() == 1);
  CHECK(router.totalCredits() == 3);
  CHECK(takeId(router, 7) == "worker-a");
  CHECK(takeId(router, 8) == "worker-a");
  CHECK(takeId(router, 9) == "worker-a");
  CHECK_FALSE(router.take(7));
  CHECK(router.totalCredits() == 0);
}

TEST_CASE("credit router Hello resets a known worker's account", "[gateway][credit]") {
  CreditRouter router;
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
  router.hello("worker-a", 1);
  REQUIRE(router.take(1));
  REQUIRE_FALSE(router.take(1));
  router.credit("worker-a", 2);
  CHECK(router.totalCredits() == 2);
  router.credit("worker-a", 3);
  CHECK(router.totalCredits() == 5);
  CHECK(takeAll(router, 1) == 5);
  CHECK(router.workerCount() == 1);
}

TEST_CASE("credit router enlists a worker it first hears from through Credit", "[gateway][credit]") {
  CreditRouter router;
  router.credit("worker-new", 2);
  REQUIRE(router.workerCount() == 1);
  CHECK(router.workerId(0) == "worker-new");
  CHECK(router.totalCredits() == 2);
  CHECK(takeId(router, 5) == "worker-new");
}

TEST_CASE("credit router remove withdraws a worker and its credit", "[gateway][credit]") {
  CreditRouter router;
  router.hello("worker-a", 2);
  router.hello("worker-b", 3);
  router.remove("worker-a");
  REQUIRE(router.workerCount() == 1);
  CHECK(router.workerId(0) == "worker-b");
  CHECK(router.totalCredits() == 3);
  for (uint32_t uin = 0; uin < 3; ++uin) CHECK(takeId(router, uin) == "worker-b");
  CHECK_FALSE(router.take(0));

  router.remove("worker-unknown");
  CHECK(router.workerCount() == 1);
  router.remove("worker-b");
  CHECK(router.workerCount() == 0);
  CHECK_FALSE(router.take(0));
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

TEST_CASE("credit router gives a uin the same worker while it has credit", "[gateway][credit]") {
  CreditRouter router;
  router.hello("worker-a", 10);
  router.hello("worker-b", 10);
  router.hello("worker-c", 10);
  for (uint32_t uin : {100000u, 100001u, 100002u, 4294967295u}) {
    INFO("uin " << uin);
    std::string first = takeId(router, uin);
    REQUIRE_FALSE(first.empty());
    for (int i = 0; i < 2; ++i) CHECK(takeId(router, uin) == first);
  }
}

TEST_CASE("credit router sends a uin to another worker once its own has no credit", "[gateway][credit]") {
  CreditRouter router;
  router.hello("worker-a", 4);
  router.hello("worker-b", 4);
  const uint32_t uin = 424242;
  const std::string preferred = takeId(router, uin);
  REQUIRE_FALSE(preferred.empty());
  // The preferred worker keeps the uin for the rest of its credit...
  for (int i = 0; i < 3; ++i) REQUIRE(takeId(router, uin) == preferred);
  // ...then the other one takes over, exactly until it is out too.
  const std::string other = takeId(router, uin);
  CHECK_FALSE(other.empty());
  CHECK(other != preferred);
  for (int i = 0; i < 3; ++i) CHECK(takeId(router, uin) == other);
  CHECK_FALSE(router.take(uin));
  // Credit returning to the preferred worker brings the uin back to it.
  router.credit(preferred, 1);
  CHECK(takeId(router, uin) == preferred);
}

TEST_CASE("credit router spreads different uins over the workers", "[gateway][credit]") {
  CreditRouter router;
  router.hello("worker-a", 100);
  router.hello("worker-b", 100);
  int toA = 0;
  for (uint32_t uin = 0; uin < 20; ++uin) toA += takeId(router, uin) == "worker-a" ? 1 : 0;
  CHECK(toA > 0);
  CHECK(toA < 20);
}

TEST_CASE("credit router totalCredits sums every worker's account", "[gateway][credit]") {
  CreditRouter router;
  router.hello("worker-a", 3);
  router.hello("worker-b", 4);
  router.credit("worker-a", 2);
  CHECK(router.totalCredits() == 9);
  REQUIRE(router.take(0));
  CHECK(router.totalCredits() == 8);
  router.hello("worker-b", 0xFFFFFFFF);
  router.hello("worker-a", 0xFFFFFFFF);
  CHECK(router.totalCredits() == 2 * uint64_t{0xFFFFFFFF});
}

}  // namespace icq::gateway
