// The scheduler loop over real Redis leases: several replicas, one runner per job.
#include <catch2/catch.hpp>

#include <thread>
#include <tuple>

#include "common/redis/lease_store_impl.hpp"
#include "common/util/clock.hpp"
#include "scheduler/scheduler.hpp"
#include "tests/support/redis_server.hpp"

namespace icq::test {
namespace {

class CountingJob final : public scheduler::Job {
public:
  explicit CountingJob(std::chrono::milliseconds period) : period_(period) {}
  const std::string& name() const override { return name_; }
  std::chrono::milliseconds period() const override { return period_; }
  bool runSlice(int64_t) override { return ++runs, true; }
  int runs = 0;

private:
  std::string name_ = "counting";
  std::chrono::milliseconds period_;
};

/// Two scheduler replicas, each with its own Redis connection, sharing one clock and job kind.
struct TwoReplicas {
  RedisServer server;
  redis::RedisConnection connectionA{server.options()}, connectionB{server.options()};
  redis::RedisLeaseStore leasesA{connectionA}, leasesB{connectionB};
  util::ManualClock clock{1'000'000};
  CountingJob jobA{std::chrono::milliseconds(100)}, jobB{std::chrono::milliseconds(100)};
  scheduler::Scheduler a{
      {"replica-a", std::chrono::milliseconds(100), std::chrono::milliseconds(1000)}, leasesA, clock};
  scheduler::Scheduler b{
      {"replica-b", std::chrono::milliseconds(100), std::chrono::milliseconds(1000)}, leasesB, clock};
  TwoReplicas() {
    a.add(jobA);
    b.add(jobB);
  }
};

}  // namespace

TEST_CASE("scheduler replicas run a job once per period between them", "[scheduler][redis]") {
  TwoReplicas r;
  auto [a, b, jobA, jobB, clock] = std::tie(r.a, r.b, r.jobA, r.jobB, r.clock);
  for (int period = 0; period < 20; ++period) {
    a.tick();
    b.tick();
    clock.advanceMs(100);
  }
  CHECK(jobA.runs + jobB.runs == 20);
  CHECK((jobA.runs == 0 || jobB.runs == 0));  // the lease holder keeps it while it renews
}

TEST_CASE("scheduler job moves to another replica when its holder stops", "[scheduler][redis]") {
  TwoReplicas r;
  auto [a, b, jobA, jobB, clock] = std::tie(r.a, r.b, r.jobA, r.jobB, r.clock);
  a.tick();
  b.tick();
  REQUIRE(jobA.runs == 1);
  REQUIRE(jobB.runs == 0);
  // A stops ticking (crashed). B takes over once the lease (1 s, real Redis time) lapses.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (jobB.runs == 0 && std::chrono::steady_clock::now() < deadline) {
    clock.advanceMs(100);
    b.tick();
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  CHECK(jobB.runs >= 1);
}

}  // namespace icq::test
