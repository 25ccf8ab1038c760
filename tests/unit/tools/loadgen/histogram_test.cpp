#include "tools/loadgen/histogram.hpp"

#include <catch2/catch.hpp>

using icq::loadgen::LatencyHistogram;

TEST_CASE("histogram buckets cover every value with at most 1/32 relative error", "[loadgen]") {
  for (uint64_t v : {0ull, 1ull, 63ull, 64ull, 65ull, 127ull, 128ull, 1000ull, 123456789ull, 1ull << 39}) {
    const size_t bucket = LatencyHistogram::bucketOf(v);
    const uint64_t upper = LatencyHistogram::bucketUpperEdge(bucket);
    CHECK(upper >= v);
    CHECK(static_cast<double>(upper - v) <= static_cast<double>(v) / 32.0 + 1.0);
    if (bucket > 0) CHECK(LatencyHistogram::bucketUpperEdge(bucket - 1) < v);
  }
}

TEST_CASE("histogram percentiles of a uniform spread land within the bucket error", "[loadgen]") {
  LatencyHistogram h;
  for (int64_t us = 1; us <= 10000; ++us) h.record(us * 1000);
  CHECK(h.count() == 10000);
  CHECK(h.percentile(0.50) == Approx(5'000'000).epsilon(0.04));
  CHECK(h.percentile(0.99) == Approx(9'900'000).epsilon(0.04));
  CHECK(h.percentile(0.999) == Approx(9'990'000).epsilon(0.04));
  CHECK(h.percentile(1.0) == 10'000'000);  // never above the largest sample
  CHECK(h.mean() == Approx(5'000'500.0));
}

TEST_CASE("histogram p99 sees a slow tail that p50 does not", "[loadgen]") {
  LatencyHistogram h;
  for (int i = 0; i < 980; ++i) h.record(100'000);
  for (int i = 0; i < 20; ++i) h.record(50'000'000);
  CHECK(h.percentile(0.50) <= 103'000);
  CHECK(h.percentile(0.99) >= 50'000'000);
  CHECK(h.max() == 50'000'000);
}

TEST_CASE("histogram merge adds counts and keeps the maximum, an empty one reports zero", "[loadgen]") {
  LatencyHistogram a, b;
  CHECK(a.percentile(0.99) == 0);
  a.record(1000);
  b.record(-5);  // a clock step backwards counts as zero, never as a huge unsigned value
  b.record(7'000'000);
  a.merge(b);
  CHECK(a.count() == 3);
  CHECK(a.max() == 7'000'000);
  CHECK(a.percentile(0.0) == 0);
  a.clear();
  CHECK(a.count() == 0);
}
