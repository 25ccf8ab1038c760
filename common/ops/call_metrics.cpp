// Per-operation call latency and errors; see call_metrics.hpp.
#include "common/ops/call_metrics.hpp"

#include <cctype>

#include "common/ops/metrics.hpp"

namespace icq::ops {
namespace {

bool sameName(std::string_view lowered, std::string_view name) {
  if (lowered.size() != name.size()) return false;
  for (size_t i = 0; i < name.size(); ++i)
    if (lowered[i] != std::tolower(static_cast<unsigned char>(name[i]))) return false;
  return true;
}

}  // namespace

const CallFamilies& redisCallFamilies() {
  static const CallFamilies families{
      "op", histogramFamily("icq_redis_command_duration_seconds",
                            "Redis round trips (one pipelined batch or script call), by first command or script."),
      counterFamily("icq_redis_errors_total",
                    "Redis round trips that failed (link down, timeout) or returned an error reply.")};
  return families;
}

const CallFamilies& dbCallFamilies() {
  static const CallFamilies families{
      "query", histogramFamily("icq_db_query_duration_seconds", "PostgreSQL operations (one transaction or query)."),
      counterFamily("icq_db_errors_total", "PostgreSQL operations that failed (SQL error or lost connection).")};
  return families;
}

size_t CallMetrics::operation(std::string_view name) {
  for (size_t i = 0; i < series_.size(); ++i)
    if (sameName(series_[i].name, name)) return i;
  std::string lowered;
  if (series_.size() >= kMaxOperations) {
    lowered = "other";
    for (size_t i = 0; i < series_.size(); ++i)
      if (series_[i].name == lowered) return i;
  } else {
    for (char c : name) lowered += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  prometheus::Labels labels{{families_->label, lowered}};
  series_.push_back({lowered, &families_->durations.Add(labels, callBuckets()), &families_->errors.Add(labels)});
  return series_.size() - 1;
}

void CallMetrics::record(size_t operation, double seconds, bool ok) {
  if (operation >= series_.size()) return;  // a read with no batch before it
  Series& s = series_[operation];
  s.duration->Observe(seconds);
  if (!ok) s.errors->Increment();
}

}  // namespace icq::ops
