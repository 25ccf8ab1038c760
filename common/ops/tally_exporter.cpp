// Scrape-time copies of a role's tallies; see tally_exporter.hpp.
#include "common/ops/tally_exporter.hpp"

namespace icq::ops {

TallyExporter::TallyExporter() : hook_([this] { refresh(); }) {}

void TallyExporter::counter(std::function<uint64_t()> read, prometheus::Counter& target) {
  std::lock_guard lock(mutex_);
  counters_.emplace_back(std::move(read), CounterMirror(target));
}

void TallyExporter::counter(const Tally& source, prometheus::Counter& target) {
  counter([&source] { return source.value(); }, target);
}

void TallyExporter::sparseCounter(const Tally& source, prometheus::Family<prometheus::Counter>& family,
                                  prometheus::Labels labels) {
  std::lock_guard lock(mutex_);
  sparse_.push_back({&source, &family, std::move(labels), std::nullopt});
}

void TallyExporter::gauge(std::function<double()> read, prometheus::Gauge& target) {
  std::lock_guard lock(mutex_);
  gauges_.emplace_back(std::move(read), GaugeMirror(target));
}

void TallyExporter::gauge(const Level& source, prometheus::Gauge& target) {
  gauge([&source] { return static_cast<double>(source.value()); }, target);
}

void TallyExporter::refresh() {
  std::lock_guard lock(mutex_);
  for (auto& [read, mirror] : counters_) mirror.update(read());
  for (Sparse& s : sparse_) {
    uint64_t total = s.source->value();
    if (total == 0 && !s.mirror) continue;
    if (!s.mirror) s.mirror.emplace(s.family->Add(s.labels));
    s.mirror->update(total);
  }
  for (auto& [read, mirror] : gauges_) mirror.update(read());
}

}  // namespace icq::ops
