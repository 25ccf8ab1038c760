// process_* metrics from /proc/self; see process_metrics.hpp. Field positions: proc(5).
#include "common/ops/process_metrics.hpp"

#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <charconv>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace icq::ops {
namespace {

std::string readFile(const char* path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

bool parseNumber(std::string_view text, double& out) {
  unsigned long long value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || text.empty()) return false;
  out = static_cast<double>(value);
  return true;
}

prometheus::MetricFamily single(const char* name, const char* help, double value, prometheus::MetricType type) {
  prometheus::ClientMetric metric;
  if (type == prometheus::MetricType::Counter)
    metric.counter.value = value;
  else
    metric.gauge.value = value;
  return prometheus::MetricFamily{name, help, type, {metric}};
}

size_t openFileDescriptors() {
  std::error_code error;
  size_t n = 0;
  for (auto it = std::filesystem::directory_iterator("/proc/self/fd", error);
       !error && it != std::filesystem::directory_iterator(); it.increment(error))
    ++n;
  return n > 0 ? n - 1 : 0;  // the iterator's own descriptor is listed too
}

}  // namespace

bool parseProcStat(std::string_view stat, double ticksPerSecond, double pageSizeBytes, double bootTimeSeconds,
                   ProcessSample& out) {
  // The command name (field 2) is in parentheses and may hold spaces or ')': fields are
  // counted from the last ')'. After it comes field 3 (state).
  size_t close = stat.rfind(')');
  if (close == std::string_view::npos) return false;
  std::string_view rest = stat.substr(close + 1);
  double utime = 0, stime = 0, start = 0, vsize = 0, rss = 0;
  int field = 2;
  while (!rest.empty()) {
    size_t begin = rest.find_first_not_of(" \n");
    if (begin == std::string_view::npos) break;
    rest = rest.substr(begin);
    size_t end = rest.find_first_of(" \n");
    std::string_view token = rest.substr(0, end);
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end);
    ++field;
    bool ok = true;
    if (field == 14) ok = parseNumber(token, utime);
    if (field == 15) ok = parseNumber(token, stime);
    if (field == 22) ok = parseNumber(token, start);
    if (field == 23) ok = parseNumber(token, vsize);
    if (field == 24) ok = parseNumber(token, rss);
    if (!ok) return false;
  }
  if (field < 24 || ticksPerSecond <= 0) return false;
  out.cpuSeconds = (utime + stime) / ticksPerSecond;
  out.startTimeSeconds = bootTimeSeconds + start / ticksPerSecond;
  out.virtualBytes = vsize;
  out.residentBytes = rss * pageSizeBytes;
  return true;
}

double bootTimeSeconds() {
  // REALTIME first: the BOOTTIME read that follows is later by the gap between the two calls,
  // which can only move the result earlier, never later.
  timespec realtime{}, boottime{};
  ::clock_gettime(CLOCK_REALTIME, &realtime);
  ::clock_gettime(CLOCK_BOOTTIME, &boottime);
  const auto seconds = [](const timespec& t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) / 1e9;
  };
  return seconds(realtime) - seconds(boottime);
}

std::vector<prometheus::MetricFamily> processFamilies() {
  using prometheus::MetricType;
  ProcessSample s;
  std::vector<prometheus::MetricFamily> families;
  if (parseProcStat(readFile("/proc/self/stat"), static_cast<double>(::sysconf(_SC_CLK_TCK)),
                    static_cast<double>(::sysconf(_SC_PAGESIZE)), bootTimeSeconds(), s)) {
    families.push_back(single("process_cpu_seconds_total", "User and system CPU time spent in seconds.", s.cpuSeconds,
                             MetricType::Counter));
    families.push_back(single("process_resident_memory_bytes", "Resident memory size in bytes.", s.residentBytes,
                             MetricType::Gauge));
    families.push_back(single("process_virtual_memory_bytes", "Virtual memory size in bytes.", s.virtualBytes,
                             MetricType::Gauge));
    families.push_back(single("process_start_time_seconds", "Start time of the process since unix epoch in seconds.",
                             s.startTimeSeconds, MetricType::Gauge));
  }
  families.push_back(single("process_open_fds", "Number of open file descriptors.",
                           static_cast<double>(openFileDescriptors()), MetricType::Gauge));
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) == 0)
    families.push_back(single("process_max_fds", "Maximum number of open file descriptors.",
                             static_cast<double>(limit.rlim_cur), MetricType::Gauge));
  return families;
}

}  // namespace icq::ops
