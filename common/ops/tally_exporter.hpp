// Exports a role's tallies and levels on the admin port: at every scrape, each registered
// source is copied into its prometheus-cpp series (by difference, so icqd's several
// workers add up in one series). The role's loop never touches prometheus-cpp for these.
#pragma once

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <mutex>
#include <vector>

#include "common/ops/metrics.hpp"
#include "common/ops/tally.hpp"

namespace icq::ops {

class TallyExporter {
public:
  TallyExporter();
  TallyExporter(const TallyExporter&) = delete;
  TallyExporter& operator=(const TallyExporter&) = delete;

  /// `read` runs on the admin port's threads: it must read only tallies, levels or atomics.
  void counter(std::function<uint64_t()> read, prometheus::Counter& target);
  void counter(const Tally& source, prometheus::Counter& target);
  /// A series that appears only once its count is not zero: for label combinations that
  /// are many and mostly unused (command × result).
  void sparseCounter(const Tally& source, prometheus::Family<prometheus::Counter>& family, prometheus::Labels labels);
  void gauge(std::function<double()> read, prometheus::Gauge& target);
  void gauge(const Level& source, prometheus::Gauge& target);

private:
  void refresh();

  std::mutex mutex_;
  struct Sparse {
    const Tally* source;
    prometheus::Family<prometheus::Counter>* family;
    prometheus::Labels labels;
    std::optional<CounterMirror> mirror;
  };
  std::vector<std::pair<std::function<uint64_t()>, CounterMirror>> counters_;
  std::vector<Sparse> sparse_;
  std::vector<std::pair<std::function<double()>, GaugeMirror>> gauges_;
  ScrapeHook hook_;  // last: registered once the rest exists, removed before it goes
};

}  // namespace icq::ops
