// Cutting off a worker that keeps lying (gateway/quarantine.hpp), with time driven by the
// test: past the violation limit within the window it is ignored for the quarantine, then
// only its Hello is read, and the Hello makes it trusted again.
#include "gateway/quarantine.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <string>

namespace icq::gateway {
namespace {

constexpr int64_t kStart = 1'000'000'000;
constexpr int64_t kWindowUs = Quarantine::kViolationWindow.count();
constexpr int64_t kQuarantineUs = Quarantine::kQuarantine.count();

/// Reports `n` violations by `worker` at `nowUs`; how many of them cut it off.
int violations(Quarantine& q, const std::string& worker, uint32_t n, int64_t nowUs) {
  int cutOffs = 0;
  for (uint32_t i = 0; i < n; ++i) cutOffs += q.violation(worker, nowUs) ? 1 : 0;
  return cutOffs;
}

}  // namespace

TEST_CASE("quarantine trusts a worker up to the violation limit and cuts it off past it", "[gateway][quarantine]") {
  Quarantine q;
  CHECK(violations(q, "liar", Quarantine::kViolationLimit, kStart) == 0);
  CHECK_FALSE(q.ignores("liar", false, kStart));
  CHECK(q.violation("liar", kStart + 1));
  CHECK(q.ignores("liar", false, kStart + 1));
  CHECK(q.ignores("liar", true, kStart + 1));  // not even its Hello, during the quarantine
  // Nothing of it is read meanwhile, so nothing counts again.
  CHECK(violations(q, "liar", 1000, kStart + 2) == 0);
  CHECK_FALSE(q.ignores("honest", false, kStart + 2));
}

TEST_CASE("quarantine forgets violations older than the window", "[gateway][quarantine]") {
  Quarantine q;
  CHECK(violations(q, "worker-a", Quarantine::kViolationLimit, kStart) == 0);
  CHECK(q.size() == 1);
  // A window later they no longer count: another limit's worth cuts nothing off.
  CHECK(violations(q, "worker-a", Quarantine::kViolationLimit, kStart + kWindowUs) == 0);
  CHECK_FALSE(q.ignores("worker-a", false, kStart + kWindowUs));
  // And a record with nothing recent is dropped once another violation comes.
  CHECK(violations(q, "worker-b", 1, kStart + 3 * kWindowUs) == 0);
  CHECK(q.size() == 1);
}

TEST_CASE("quarantine reads only a Hello after the quarantine and the Hello trusts the worker again",
          "[gateway][quarantine]") {
  Quarantine q;
  REQUIRE(violations(q, "liar", Quarantine::kViolationLimit + 1, kStart) == 1);
  const int64_t over = kStart + kQuarantineUs;
  CHECK(q.ignores("liar", false, over - 1));
  CHECK(q.ignores("liar", true, over - 1));
  CHECK(q.ignores("liar", false, over));  // a Credit or egress still waits for the Hello
  CHECK(q.ignores("liar", false, over + kWindowUs * 10));
  CHECK_FALSE(q.ignores("liar", true, over));
  CHECK(q.size() == 0);  // a clean record
  CHECK_FALSE(q.ignores("liar", false, over));
  CHECK(violations(q, "liar", Quarantine::kViolationLimit, over) == 0);
  CHECK(q.violation("liar", over));  // and it can be cut off again
}

TEST_CASE("quarantine counts each worker on its own", "[gateway][quarantine]") {
  Quarantine q;
  CHECK(violations(q, "worker-a", Quarantine::kViolationLimit, kStart) == 0);
  CHECK(violations(q, "worker-b", Quarantine::kViolationLimit, kStart) == 0);
  CHECK(q.violation("worker-a", kStart));
  CHECK(q.ignores("worker-a", false, kStart));
  CHECK_FALSE(q.ignores("worker-b", false, kStart));
}

}  // namespace icq::gateway
