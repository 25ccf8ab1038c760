// The standard process_* metrics (CPU, memory, file descriptors, start time), read from
// /proc at scrape time: prometheus-cpp has no process collector (TOOLING.md §1.3).
#pragma once

#include <prometheus/metric_family.h>

#include <string_view>
#include <vector>

namespace icq::ops {

struct ProcessSample {
  double cpuSeconds = 0;
  double residentBytes = 0;
  double virtualBytes = 0;
  double startTimeSeconds = 0;  // Unix time
  double openFds = 0;
  double maxFds = 0;
};

/// Fills CPU, memory and start time from the text of /proc/<pid>/stat. `bootTimeSeconds`
/// is /proc/stat's btime. False when the text does not have the fields.
bool parseProcStat(std::string_view stat, double ticksPerSecond, double pageSizeBytes, double bootTimeSeconds,
                   ProcessSample& out);
/// The `btime` line of /proc/stat; false when absent.
bool parseBootTime(std::string_view procStat, double& bootTimeSeconds);

/// This process now, as metric families; empty where /proc cannot be read.
std::vector<prometheus::MetricFamily> processFamilies();

}  // namespace icq::ops
