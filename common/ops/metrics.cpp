// The process registry, scrape hooks and /metrics rendering; see metrics.hpp.
#include "common/ops/metrics.hpp"

#include <prometheus/text_serializer.h>

#include <map>
#include <mutex>
#include <sstream>

#include "common/ops/process_metrics.hpp"

#ifndef ICQ_VERSION
#define ICQ_VERSION "unknown"
#endif
#ifndef ICQ_REVISION
#define ICQ_REVISION "unknown"
#endif

namespace icq::ops {
namespace {

struct Hooks {
  std::mutex mutex;  // held while hooks run: a hook is never removed mid-run
  uint64_t nextId = 0;
  std::map<uint64_t, std::function<void()>> byId;
};

Hooks& hooks() {
  static Hooks instance;
  return instance;
}

}  // namespace

prometheus::Registry& registry() {
  static prometheus::Registry* instance = [] {
    auto* r = new prometheus::Registry();  // never destroyed: roles may export until exit
    prometheus::BuildGauge()
        .Name("icq_build_info")
        .Help("Always 1; the labels name the build.")
        .Register(*r)
        .Add({{"version", ICQ_VERSION}, {"revision", ICQ_REVISION}})
        .Set(1);
    return r;
  }();
  return *instance;
}

prometheus::Family<prometheus::Counter>& counterFamily(const std::string& name, const std::string& help) {
  return prometheus::BuildCounter().Name(name).Help(help).Register(registry());
}

prometheus::Family<prometheus::Gauge>& gaugeFamily(const std::string& name, const std::string& help) {
  return prometheus::BuildGauge().Name(name).Help(help).Register(registry());
}

prometheus::Family<prometheus::Histogram>& histogramFamily(const std::string& name, const std::string& help) {
  return prometheus::BuildHistogram().Name(name).Help(help).Register(registry());
}

const prometheus::Histogram::BucketBoundaries& stageBuckets() {
  static const prometheus::Histogram::BucketBoundaries buckets = {
      0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5};
  return buckets;
}

const prometheus::Histogram::BucketBoundaries& callBuckets() {
  static const prometheus::Histogram::BucketBoundaries buckets = {
      0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10};
  return buckets;
}

ScrapeHook::ScrapeHook(std::function<void()> refresh) {
  Hooks& h = hooks();
  std::lock_guard lock(h.mutex);
  id_ = h.nextId++;
  h.byId.emplace(id_, std::move(refresh));
}

ScrapeHook::~ScrapeHook() {
  Hooks& h = hooks();
  std::lock_guard lock(h.mutex);
  h.byId.erase(id_);
}

std::string renderMetrics() {
  {
    Hooks& h = hooks();
    std::lock_guard lock(h.mutex);
    for (auto& [id, refresh] : h.byId) refresh();
  }
  std::vector<prometheus::MetricFamily> families = registry().Collect();
  for (auto& family : processFamilies()) families.push_back(std::move(family));
  std::ostringstream out;
  prometheus::TextSerializer().Serialize(out, families);
  return out.str();
}

}  // namespace icq::ops
