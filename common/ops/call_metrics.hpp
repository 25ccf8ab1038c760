// Latency and errors of calls to a backing store, per bounded operation label: Redis
// round trips by command or script name (op), PostgreSQL work by operation (query). One
// per connection; the label's series are looked up once per operation name and cached,
// so recording a call is a cache hit and a histogram observation.
#pragma once

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/histogram.h>

#include <string>
#include <string_view>
#include <vector>

namespace icq::ops {

struct CallFamilies {
  const char* label;     // "op" or "query"
  prometheus::Family<prometheus::Histogram>& durations;
  prometheus::Family<prometheus::Counter>& errors;
};

/// icq_redis_command_duration_seconds{op} and icq_redis_errors_total{op}.
const CallFamilies& redisCallFamilies();
/// icq_db_query_duration_seconds{query} and icq_db_errors_total{query}.
const CallFamilies& dbCallFamilies();

class CallMetrics {
public:
  explicit CallMetrics(const CallFamilies& families) : families_(&families) {}

  /// The series of operation `name` (lower-cased; past kMaxOperations names, "other").
  size_t operation(std::string_view name);
  void record(size_t operation, double seconds, bool ok);

  static constexpr size_t kMaxOperations = 64;  // a guard: the code names far fewer

private:
  struct Series {
    std::string name;
    prometheus::Histogram* duration;
    prometheus::Counter* errors;
  };
  const CallFamilies* families_;
  std::vector<Series> series_;
};

}  // namespace icq::ops
