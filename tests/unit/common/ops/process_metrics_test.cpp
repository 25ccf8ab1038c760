// Parsing /proc/<pid>/stat and /proc/stat for the process_* metrics, and reading our own.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <chrono>
#include <fstream>
#include <string>

#include "common/ops/process_metrics.hpp"

using namespace icq::ops;

TEST_CASE("proc stat fields are counted from the last parenthesis, so odd command names parse") {
  // Fields 14/15 utime/stime = 250/150 ticks, 22 starttime = 1000 ticks, 23 vsize, 24 rss pages.
  std::string stat =
      "4242 (icq) worker) S 1 4242 4242 0 -1 4194560 500 0 0 0 250 150 0 0 20 0 3 0 1000 104857600 2560 "
      "18446744073709551615 1 1 0 0 0 0 0 4096 0 0 0 0 17 1 0 0 0 0 0\n";
  ProcessSample s;
  REQUIRE(parseProcStat(stat, 100, 4096, 1700000000, s));
  CHECK(s.cpuSeconds == Approx(4.0));
  CHECK(s.startTimeSeconds == Approx(1700000010.0));
  CHECK(s.virtualBytes == Approx(104857600.0));
  CHECK(s.residentBytes == Approx(2560.0 * 4096));
}

TEST_CASE("truncated or garbled proc stat text is refused, not half read") {
  ProcessSample s;
  CHECK_FALSE(parseProcStat("", 100, 4096, 0, s));
  CHECK_FALSE(parseProcStat("12 (x) S 1 2 3", 100, 4096, 0, s));
  CHECK_FALSE(parseProcStat("12 (x) S 1 2 3 4 5 6 7 8 9 10 nope 11 12 13 14 15 16 17 18 19 20 21", 100, 4096, 0, s));
  CHECK_FALSE(parseProcStat("no parenthesis at all", 100, 4096, 0, s));
}

TEST_CASE("boot time is /proc/stat's btime with its fraction of a second") {
  // btime is the same instant (realtime minus boottime) truncated to whole seconds. The two are
  // read a moment apart, and bootTimeSeconds() errs early by that moment: 10 ms of slack for it.
  std::ifstream in("/proc/stat");
  std::string key;
  double btime = -1;
  while (in >> key) {
    if (key == "btime") {
      in >> btime;
      break;
    }
    in.ignore(1 << 20, '\n');
  }
  REQUIRE(btime > 0);
  const double boot = bootTimeSeconds();
  CHECK(boot >= btime - 0.01);
  CHECK(boot < btime + 1);
}

TEST_CASE("this process's own families have plausible values") {
  auto families = processFamilies();
  auto value = [&](const std::string& name) {
    for (const auto& f : families)
      if (f.name == name) return f.type == prometheus::MetricType::Counter ? f.metric[0].counter.value : f.metric[0].gauge.value;
    FAIL("no family " << name);
    return 0.0;
  };
  CHECK(value("process_resident_memory_bytes") > 1e6);
  CHECK(value("process_virtual_memory_bytes") >= value("process_resident_memory_bytes"));
  CHECK(value("process_open_fds") >= 3);
  CHECK(value("process_max_fds") >= value("process_open_fds"));
  // Never later than now to the fraction of a second (now read after the sample).
  const double start = value("process_start_time_seconds");
  const double now = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  CHECK(start > 1.6e9);
  CHECK(start <= now);
  CHECK(value("process_cpu_seconds_total") >= 0);
}
