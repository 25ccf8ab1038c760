// The process registry renders every family in the text format, with icq_build_info and
// the process_* metrics; scrape hooks copy tallies by difference so sources add up.
#include <catch2/catch.hpp>

#include "common/ops/metrics.hpp"
#include "common/ops/tally.hpp"

using namespace icq::ops;

namespace {

bool hasLine(const std::string& text, const std::string& line) {
  return text.find("\n" + line + "\n") != std::string::npos || text.rfind(line + "\n", 0) == 0;
}

}  // namespace

TEST_CASE("rendered metrics hold build info, process metrics and registered families") {
  histogramFamily("icq_test_duration_seconds", "test histogram").Add({}, stageBuckets()).Observe(0.003);
  std::string text = renderMetrics();
  CHECK(text.find("# TYPE icq_build_info gauge") != std::string::npos);
  CHECK(text.find("icq_build_info{") != std::string::npos);
  for (const char* name : {"process_cpu_seconds_total", "process_resident_memory_bytes", "process_virtual_memory_bytes",
                           "process_open_fds", "process_max_fds", "process_start_time_seconds"})
    CHECK(text.find(std::string("# TYPE ") + name) != std::string::npos);
  CHECK(text.find("# TYPE icq_test_duration_seconds histogram") != std::string::npos);
  CHECK(hasLine(text, "icq_test_duration_seconds_bucket{le=\"0.0025\"} 0"));
  CHECK(hasLine(text, "icq_test_duration_seconds_bucket{le=\"0.005\"} 1"));
  CHECK(hasLine(text, "icq_test_duration_seconds_count 1"));
}

TEST_CASE("scrape hooks copy tallies into counters by difference, and gauges leave with their source") {
  auto& counter = counterFamily("icq_test_events_total", "test counter").Add({{"kind", "a"}});
  auto& gauge = gaugeFamily("icq_test_depth", "test gauge").Add({});
  Tally first, second;
  Level depthA, depthB;
  {
    CounterMirror mirrorA(counter), mirrorB(counter);
    GaugeMirror gaugeA(gauge);
    ScrapeHook hookA([&] {
      mirrorA.update(first);
      gaugeA.update(static_cast<double>(depthA.value()));
    });
    {
      GaugeMirror gaugeB(gauge);
      ScrapeHook hookB([&] {
        mirrorB.update(second);
        gaugeB.update(static_cast<double>(depthB.value()));
      });
      first += 5;
      ++second;
      depthA.set(3);
      depthB.set(4);
      std::string text = renderMetrics();
      CHECK(hasLine(text, "icq_test_events_total{kind=\"a\"} 6"));
      CHECK(hasLine(text, "icq_test_depth 7"));
      first += 2;
      depthA.set(1);
      text = renderMetrics();
      CHECK(hasLine(text, "icq_test_events_total{kind=\"a\"} 8"));
      CHECK(hasLine(text, "icq_test_depth 5"));
    }
    // Source B is gone: its count stays (counters never go down), its depth leaves.
    std::string text = renderMetrics();
    CHECK(hasLine(text, "icq_test_events_total{kind=\"a\"} 8"));
    CHECK(hasLine(text, "icq_test_depth 1"));
  }
  CHECK(hasLine(renderMetrics(), "icq_test_depth 0"));
}
