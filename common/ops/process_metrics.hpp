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

/// Fills CPU, memory and start time from the text of /proc/<pid>/stat. `bootTimeSeconds` is
/// the Unix time the system booted (bootTimeSeconds()); the start time is it plus field 22,
/// the clock ticks since boot at which the process started. False when the text does not have
/// the fields.
bool parseProcStat(std::string_view stat, double ticksPerSecond, double pageSizeBytes, double bootTimeSeconds,
                   ProcessSample& out);

/// The Unix time the system booted, as CLOCK_REALTIME minus CLOCK_BOOTTIME (the clock that
/// /proc/<pid>/stat's starttime counts). With it a process's start time is never later than
/// the true one, and earlier by at most one clock tick (the kernel truncates starttime to
/// ticks) plus the moment between the two clock reads. /proc/stat's `btime` is the same
/// instant truncated to whole seconds, which put start times up to a second early.
double bootTimeSeconds();

/// This process now, as metric families; empty where /proc cannot be read.
std::vector<prometheus::MetricFamily> processFamilies();

}  // namespace icq::ops
