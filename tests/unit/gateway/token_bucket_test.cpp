// The gateway's per-source-IP token buckets (gateway/token_bucket.hpp), on simulated time.
#include "gateway/token_bucket.hpp"

#include <catch2/catch.hpp>

#include <cstdint>

namespace icq::gateway {
namespace {

constexpr uint32_t kHeavy = 0x0100000A;    // 10.0.0.1 in network order
constexpr uint32_t kOther = 0x0200000A;    // 10.0.0.2
constexpr int64_t kStart = 1'000'000'000;  // an arbitrary monotonic start, in µs
constexpr int64_t kSecond = 1'000'000;

// How many of `attempts` back-to-back datagrams from `ip` at `nowUs` are admitted.
int admitted(SourceRateLimiter& limiter, uint32_t ip, int64_t nowUs, int attempts) {
  int n = 0;
  for (int i = 0; i < attempts; ++i) n += limiter.admit(ip, nowUs) ? 1 : 0;
  return n;
}

}  // namespace

TEST_CASE("token bucket admits a full burst from a new source, then refuses", "[gateway][rate]") {
  SourceRateLimiter limiter(10, 5);
  CHECK(admitted(limiter, kHeavy, kStart, 5) == 5);
  CHECK_FALSE(limiter.admit(kHeavy, kStart));
  CHECK_FALSE(limiter.admit(kHeavy, kStart + 1));
}

TEST_CASE("token bucket refills at the configured rate", "[gateway][rate]") {
  SourceRateLimiter limiter(10, 20);  // one token per 100 ms
  REQUIRE(admitted(limiter, kHeavy, kStart, 20) == 20);

  SECTION("one token after exactly 1/rate seconds, not before") {
    CHECK_FALSE(limiter.admit(kHeavy, kStart + 99'999));
    CHECK(limiter.admit(kHeavy, kStart + 100'000));
    CHECK_FALSE(limiter.admit(kHeavy, kStart + 100'000));
  }
  SECTION("rate tokens after one second") { CHECK(admitted(limiter, kHeavy, kStart + kSecond, 100) == 10); }
  SECTION("never more than the burst after a long idle") {
    CHECK(admitted(limiter, kHeavy, kStart + 3600 * kSecond, 100) == 20);
  }
  SECTION("a steady flood gets the rate, not more") {
    // From a full bucket, 100 datagrams a second for 10 s against 10/s: the burst plus
    // 9.99 s of refill (the last attempt is 9.99 s after the first).
    int n = 0;
    for (int64_t t = kStart + 2 * kSecond; t < kStart + 12 * kSecond; t += 10'000)
      n += limiter.admit(kHeavy, t) ? 1 : 0;
    CHECK(n == 20 + 99);
  }
}

TEST_CASE("token bucket does not refill when time goes backwards", "[gateway][rate]") {
  SourceRateLimiter limiter(10, 2);
  REQUIRE(admitted(limiter, kHeavy, kStart, 2) == 2);
  CHECK_FALSE(limiter.admit(kHeavy, kStart - 10 * kSecond));
}

TEST_CASE("token bucket keeps sources independent", "[gateway][rate]") {
  SourceRateLimiter limiter(1, 3);
  REQUIRE(admitted(limiter, kHeavy, kStart, 10) == 3);
  CHECK(admitted(limiter, kOther, kStart, 10) == 3);
  CHECK_FALSE(limiter.admit(kHeavy, kStart));
  // Neighbouring addresses (one subnet) are separate sources too.
  for (uint32_t host = 1; host < 255; ++host) {
    uint32_t ip = 0x0000A8C0 | host << 24;  // 192.168.0.host
    if (admitted(limiter, ip, kStart, 4) != 3) FAIL("192.168.0." << host << " did not get exactly its burst");
  }
}

TEST_CASE("token bucket survives 200,000 sources and still limits a returning heavy source", "[gateway][rate]") {
  SourceRateLimiter limiter(1, 5);
  REQUIRE(admitted(limiter, kHeavy, kStart, 5) == 5);
  REQUIRE_FALSE(limiter.admit(kHeavy, kStart));

  // A flood of distinct (spoofed) sources, one datagram each, within 0.2 s: more sources
  // than the table has slots, so slots must be shared or recycled.
  for (uint32_t i = 0; i < 200'000; ++i) (void)limiter.admit(0x0B000000 + i, kStart + 1 + i);

  // 0.2 s later the heavy source has earned 0.2 tokens: its state must not have been
  // recycled while it was fresh, or the flood would have reset its bucket to full.
  CHECK_FALSE(limiter.admit(kHeavy, kStart + 200'001));

  // Much later every slot is stale; new sources get their burst and the heavy source a full one.
  const int64_t later = kStart + 3600 * kSecond;
  CHECK(admitted(limiter, 0x0C000001, later, 10) == 5);
  CHECK(admitted(limiter, kHeavy, later, 10) == 5);
}

TEST_CASE("token bucket handles a source idle for months at the highest rate", "[gateway][rate]") {
  // gateway.rate_per_s allows 1,000,000; 200 days × 10^6 tokens/s overflows a naive
  // "elapsed × rate" in µs-tokens.
  SourceRateLimiter limiter(1'000'000, 3);
  REQUIRE(admitted(limiter, kHeavy, kStart, 3) == 3);
  CHECK(admitted(limiter, kHeavy, kStart + 200LL * 86400 * kSecond, 10) == 3);
}

}  // namespace icq::gateway
