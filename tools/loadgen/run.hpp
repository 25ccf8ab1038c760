// loadgen: one bounded run — the controller that splits the sessions over threads and sockets,
// walks the phases (connect, measure, drain, logoff), prints the progress line, calls the hook
// at the edges of the measurement, and gathers what the threads counted.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <vector>

#include "tools/loadgen/delivery_ledger.hpp"
#include "tools/loadgen/histogram.hpp"
#include "tools/loadgen/options.hpp"
#include "tools/loadgen/thread_stats.hpp"

namespace icq::loadgen {

using CounterValues = std::array<uint64_t, static_cast<size_t>(Counter::kCount)>;

/// --verify: what the delivery ledger found over the whole run.
struct DeliveryCheck {
  uint64_t acked = 0, received = 0, duplicates = 0, receivedUnacked = 0, lost = 0;
  /// From the window's end until every acknowledged message had arrived (or the bound).
  double settleS = 0;
  std::vector<LedgerInbox::Acked> missing;  // the first of the lost, earliest acknowledged first
};

struct RunResult {
  Options options;
  uint32_t threads = 0, sockets = 0;
  uint64_t onlineWanted = 0, onlineReached = 0;
  double connectS = 0;   // the login ramp
  double measuredS = 0;  // the measurement window (offline: both of its phases)
  double offlineStoreS = 0, offlineLoginS = 0;
  /// Storm: the highest p99 of the keep-alives acknowledged within one second of the window
  /// (seconds with fewer than kMinSecondSamples keep-alives are not judged); with several load
  /// threads, the highest of any thread's seconds.
  int64_t worstSecondKeepAliveP99Ns = 0;
  std::optional<DeliveryCheck> delivery;  // with --verify
  CounterValues window{};                 // counted inside the measurement window
  CounterValues total{};                  // counted over the whole run
  std::array<LatencyHistogram, static_cast<size_t>(Latency::kCount)> latencies;  // the window only

  uint64_t at(Counter c) const { return window[static_cast<size_t>(c)]; }
  uint64_t totalAt(Counter c) const { return total[static_cast<size_t>(c)]; }
  const LatencyHistogram& latency(Latency l) const { return latencies[static_cast<size_t>(l)]; }
  /// Errors over the whole run: refusals, lost sessions, requests never acknowledged, garbage.
  uint64_t errors() const;
};

/// The operation a scenario's throughput counts, and the latency that goes with it.
Counter primaryCounter(Scenario scenario);
Latency primaryLatency(Scenario scenario);
const char* primaryUnit(Scenario scenario);

/// Runs `options` to the end; throws std::runtime_error if the sockets cannot be made.
RunResult runLoad(const Options& options);

}  // namespace icq::loadgen
