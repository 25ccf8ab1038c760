// loadgen: the run controller; see run.hpp.
#include "tools/loadgen/run.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "tools/loadgen/load_thread.hpp"

namespace icq::loadgen {
namespace {

using namespace std::chrono_literals;

// How long the controller lets in-flight operations land after the window, and how long the
// logoff ramp may take, before it stops regardless: the run is bounded whatever the server does.
// A logoff costs the server about what a keep-alive does plus the watchers and an audit row, so
// the bound grows with the sessions (2 ms each: 100,000 take at most 220 s) — sessions left
// online would spoil the next run's memory and CPU figures.
constexpr auto kDrainTime = 300ms;
// The lost messages a report names; the count covers the rest.
constexpr size_t kMissingNamed = 20;
double logoffTimeoutS(uint32_t sessions) { return 20 + 0.002 * sessions; }

double secondsSince(int64_t startNs) { return static_cast<double>(monotonicNs() - startNs) / 1e9; }

struct Threads {
  std::vector<std::unique_ptr<LoadThread>> loads;
  std::vector<std::thread> running;

  int64_t online() const {
    int64_t n = 0;
    for (const auto& t : loads) n += t->online();
    return n;
  }
  uint64_t finished() const {
    uint64_t n = 0;
    for (const auto& t : loads) n += t->finished();
    return n;
  }
  /// Settle: every thread's messages in flight, or nullopt while some thread has not counted yet.
  std::optional<uint64_t> messagesInFlight() const {
    uint64_t n = 0;
    for (const auto& t : loads) {
      const uint32_t mine = t->messagesInFlight();
      if (mine == UINT32_MAX) return std::nullopt;
      n += mine;
    }
    return n;
  }
  void collect(DeliveryLedger& ledger) const {
    for (const auto& t : loads) ledger.take(t->ledger());
  }
  CounterValues counters() const {
    CounterValues v{};
    for (const auto& t : loads)
      for (size_t c = 0; c < v.size(); ++c) v[c] += t->stats().get(static_cast<Counter>(c));
    return v;
  }
};

void runHook(const Options& options, const char* event) {
  if (options.hook.empty()) return;
  const std::string command = options.hook + " " + event;
  if (std::system(command.c_str()) != 0) std::fprintf(stderr, "\nloadgen: hook '%s' failed\n", command.c_str());
}

// The progress line on standard error, and with --timeline one CSV row per second: what a
// fault script reads to see when a fault hurt the load and when it recovered.
class Progress {
public:
  explicit Progress(const Options& options) : options_(options) {
    if (options.timeline.empty()) return;
    timeline_ = std::fopen(options.timeline.c_str(), "w");
    if (!timeline_) throw std::runtime_error("cannot write --timeline " + options.timeline);
    std::fprintf(timeline_,
                 "unix_s,phase,online,messages_sent,messages_acked,messages_received,keepalives_acked,logins,busy,"
                 "sessions_lost,gave_up,retransmits,unconfirmed\n");
  }
  ~Progress() {
    if (timeline_) std::fclose(timeline_);
  }
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  void maybePrint(const char* phase, const Threads& threads, int64_t phaseStartNs,
                  const DeliveryLedger* ledger = nullptr) {
    const int64_t now = monotonicNs();
    if ((!options_.progress && !timeline_) || now - lastNs_ < 1'000'000'000) return;
    const CounterValues c = threads.counters();
    if (options_.progress) printLine(phase, threads, c, now, phaseStartNs, ledger);
    if (timeline_) writeRow(phase, threads, c, ledger);
    lastNs_ = now;
    last_ = c;
  }
  void end() const {
    if (options_.progress) std::fprintf(stderr, "\n");
  }

private:
  void printLine(const char* phase, const Threads& threads, const CounterValues& c, int64_t now, int64_t phaseStartNs,
                 const DeliveryLedger* ledger) const {
    const auto at = [&](Counter k) { return c[static_cast<size_t>(k)]; };
    const auto primary = static_cast<size_t>(primaryCounter(options_.scenario));
    const double rate =
        lastNs_ ? static_cast<double>(c[primary] - last_[primary]) * 1e9 / static_cast<double>(now - lastNs_) : 0;
    const uint64_t errors = at(Counter::login_refused) + at(Counter::not_connected) + at(Counter::go_away) +
                            at(Counter::gave_up) + at(Counter::malformed);
    std::fprintf(stderr, "\r%-8s %6.1fs  online %7lld  %s %9.0f/s  busy %llu  retransmits %llu  errors %llu   ", phase,
                 secondsSince(phaseStartNs), static_cast<long long>(threads.online()), primaryUnit(options_.scenario),
                 rate, static_cast<unsigned long long>(at(Counter::busy)),
                 static_cast<unsigned long long>(at(Counter::retransmits)), static_cast<unsigned long long>(errors));
    if (ledger) std::fprintf(stderr, "acknowledged, not received %zu   ", ledger->waiting());
  }

  // Counts are per row (since the previous one); the first row counts from the run's start.
  void writeRow(const char* phase, const Threads& threads, const CounterValues& c, const DeliveryLedger* ledger) {
    const auto delta = [&](Counter k) {
      const auto i = static_cast<size_t>(k);
      return static_cast<unsigned long long>(c[i] - last_[i]);
    };
    timespec wall{};
    ::clock_gettime(CLOCK_REALTIME, &wall);
    std::fprintf(timeline_, "%lld.%03ld,%s,%lld,%llu,%llu,%llu,%llu,%llu,%llu,%llu,%llu,%llu,",
                 static_cast<long long>(wall.tv_sec), wall.tv_nsec / 1'000'000, phase,
                 static_cast<long long>(threads.online()), delta(Counter::messages_sent),
                 delta(Counter::messages_acked), delta(Counter::messages_delivered) + delta(Counter::offline_delivered),
                 delta(Counter::keepalives_acked), delta(Counter::logins), delta(Counter::busy),
                 delta(Counter::not_connected) + delta(Counter::go_away), delta(Counter::gave_up),
                 delta(Counter::retransmits));
    if (ledger) std::fprintf(timeline_, "%zu", ledger->waiting());
    std::fprintf(timeline_, "\n");
    std::fflush(timeline_);
  }

  const Options& options_;
  std::FILE* timeline_ = nullptr;
  int64_t lastNs_ = 0;
  CounterValues last_{};
};

uint64_t onlineWanted(const Options& o) {
  switch (o.scenario) {
    case Scenario::raw:
    case Scenario::churn:
      return 0;
    case Scenario::offline:
      return (o.sessions + 1) / 2;
    default:
      return o.sessions;
  }
}

DeliveryCheck deliveryCheck(const DeliveryLedger& ledger, double settleS, int64_t measureStartNs) {
  DeliveryCheck check;
  check.acked = ledger.acked();
  check.received = ledger.received();
  check.duplicates = ledger.duplicates();
  check.receivedUnacked = ledger.receivedUnacked();
  check.lost = ledger.waiting();
  check.settleS = settleS;
  check.missing = ledger.missing(kMissingNamed);
  for (auto& m : check.missing) m.ackedNs -= measureStartNs;  // reported from the window's start
  return check;
}

// --verify: after the window, keep the sessions alive (the threads' settle phase) until no
// message is in flight and every acknowledged one has arrived, within --settle-timeout; returns
// how long that took.
double settle(const Options& options, Shared& shared, const Threads& threads, DeliveryLedger& ledger,
              Progress& progress) {
  shared.phase.store(RunPhase::settle, std::memory_order_release);
  const int64_t start = monotonicNs();
  while (secondsSince(start) < options.settleTimeoutS) {
    std::this_thread::sleep_for(20ms);
    // In this order: a thread records a message's acknowledgement before the count that no
    // longer includes it.
    const auto inFlight = threads.messagesInFlight();
    threads.collect(ledger);
    progress.maybePrint("settle", threads, start, &ledger);
    if (inFlight == 0 && ledger.waiting() == 0) break;
  }
  return secondsSince(start);
}

}  // namespace

uint64_t RunResult::errors() const {
  return totalAt(Counter::login_refused) + totalAt(Counter::not_connected) + totalAt(Counter::go_away) +
         totalAt(Counter::gave_up) + totalAt(Counter::malformed);
}

Counter primaryCounter(Scenario scenario) {
  switch (scenario) {
    case Scenario::raw: return Counter::raw_echoes;
    case Scenario::keepalive: return Counter::keepalives_acked;
    case Scenario::churn: return Counter::cycles;
    case Scenario::messaging: return Counter::messages_delivered;
    case Scenario::presence: return Counter::status_updates;
    case Scenario::offline: return Counter::offline_delivered;
    case Scenario::storm: return Counter::storm_logins;
  }
  return Counter::raw_echoes;
}

Latency primaryLatency(Scenario scenario) {
  switch (scenario) {
    case Scenario::raw: return Latency::raw;
    case Scenario::keepalive: return Latency::keepalive_ack;
    case Scenario::churn: return Latency::cycle;
    case Scenario::messaging: return Latency::delivery;
    case Scenario::presence: return Latency::presence;
    case Scenario::offline: return Latency::offline_login;
    case Scenario::storm: return Latency::storm_login;
  }
  return Latency::raw;
}

const char* primaryUnit(Scenario scenario) {
  switch (scenario) {
    case Scenario::raw: return "echoes";
    case Scenario::keepalive: return "keep-alives acked";
    case Scenario::churn: return "login+logoff cycles";
    case Scenario::messaging: return "messages delivered";
    case Scenario::presence: return "status updates delivered";
    case Scenario::offline: return "offline messages delivered";
    case Scenario::storm: return "storm logins";
  }
  return "";
}

RunResult runLoad(const Options& options) {
  RunResult result;
  result.options = options;
  Shared shared(options);
  const uint32_t perSocket = std::max<uint32_t>(1, options.sessionsPerSocket);
  const uint32_t sockets = (options.clients() + perSocket - 1) / perSocket;
  const uint32_t threadCount = std::clamp<uint32_t>(options.threads, 1, std::max<uint32_t>(1, sockets));
  result.threads = threadCount;
  result.sockets = sockets;

  // Whole sockets per thread, so that every datagram arrives at the thread that owns its client.
  Threads threads;
  uint32_t socket = 0;
  for (uint32_t t = 0; t < threadCount; ++t) {
    const uint32_t count = sockets / threadCount + (t < sockets % threadCount ? 1 : 0);
    const uint32_t firstSession = socket * perSocket;
    const uint32_t sessions = std::min(options.clients(), (socket + count) * perSocket) - firstSession;
    threads.loads.push_back(std::make_unique<LoadThread>(shared, firstSession, sessions, socket, count));
    socket += count;
  }
  for (auto& t : threads.loads) threads.running.emplace_back([&t] { t->run(); });

  Progress progress(options);
  const auto primary = primaryCounter(options.scenario);
  result.onlineWanted = onlineWanted(options);
  const int64_t connectStart = monotonicNs();
  while (static_cast<uint64_t>(threads.online()) < result.onlineWanted &&
         secondsSince(connectStart) < options.connectTimeoutS) {
    progress.maybePrint("connect", threads, connectStart);
    std::this_thread::sleep_for(20ms);
  }
  result.connectS = secondsSince(connectStart);
  result.onlineReached = static_cast<uint64_t>(threads.online());
  runHook(options, "online");

  const CounterValues before = threads.counters();
  const int64_t measureStart = monotonicNs();
  shared.measureStartNs = measureStart;
  shared.phase.store(RunPhase::measure, std::memory_order_release);
  const uint64_t senders = (options.sessions + 1) / 2;
  int64_t phaseStart = measureStart;
  bool offlineLogins = false;
  DeliveryLedger ledger;
  const DeliveryLedger* shown = options.verify ? &ledger : nullptr;
  while (true) {
    std::this_thread::sleep_for(20ms);
    if (options.verify) threads.collect(ledger);
    const char* name = offlineLogins ? "deliver" : "measure";
    progress.maybePrint(name, threads, phaseStart, shown);
    const double elapsed = secondsSince(phaseStart);
    const uint64_t ops = threads.counters()[static_cast<size_t>(primary)] - before[static_cast<size_t>(primary)];
    if (options.maxOps && ops >= options.maxOps) break;
    // Storm: until every client of the storm is online, bounded by the duration.
    if (options.scenario == Scenario::storm && threads.finished() >= options.stormClients()) break;
    if (options.scenario != Scenario::offline) {
      if (elapsed >= options.durationS) break;
      continue;
    }
    // Offline: store (senders write to offline partners) until every sender is done, then
    // deliver (the partners log in); each phase is bounded by the duration on its own.
    if (!offlineLogins && (threads.finished() >= senders || elapsed >= options.durationS)) {
      result.offlineStoreS = elapsed;
      offlineLogins = true;
      phaseStart = monotonicNs();
      shared.phase.store(RunPhase::offlineLogin, std::memory_order_release);
    } else if (offlineLogins && (threads.finished() >= options.sessions || elapsed >= options.durationS)) {
      result.offlineLoginS = elapsed;
      break;
    }
  }
  result.measuredS = secondsSince(measureStart);
  const CounterValues after = threads.counters();
  for (size_t c = 0; c < after.size(); ++c) result.window[c] = after[c] - before[c];
  const double settleS = options.verify ? settle(options, shared, threads, ledger, progress) : 0;
  shared.phase.store(RunPhase::drain, std::memory_order_release);
  runHook(options, "end");
  std::this_thread::sleep_for(kDrainTime);

  shared.phase.store(RunPhase::logoff, std::memory_order_release);
  const int64_t logoffStart = monotonicNs();
  while (threads.online() > 0 && secondsSince(logoffStart) < logoffTimeoutS(options.clients())) {
    progress.maybePrint("logoff", threads, logoffStart, shown);
    std::this_thread::sleep_for(20ms);
  }
  progress.end();
  shared.phase.store(RunPhase::stop, std::memory_order_release);
  for (auto& t : threads.running) t.join();
  if (options.verify) {
    // Whatever arrived while logging off counts; a late acknowledgement would be named lost.
    threads.collect(ledger);
    result.delivery = deliveryCheck(ledger, settleS, shared.measureStartNs);
  }

  result.total = threads.counters();
  for (auto& t : threads.loads) {
    for (size_t l = 0; l < result.latencies.size(); ++l) result.latencies[l].merge(t->stats().latencies[l]);
    result.worstSecondKeepAliveP99Ns = std::max(result.worstSecondKeepAliveP99Ns, t->worstSecondKeepAliveP99Ns());
  }
  return result;
}

}  // namespace icq::loadgen
