// loadgen: one load thread — an event loop that drives a contiguous block of simulated clients
// through its own block of UDP sockets (each bound to a distinct 127/8 address, so that the
// gateway's per-source limits and the session model see distinct hosts; several clients share
// a socket, as users behind one NAT do, which keeps 100,000 clients within a few thousand
// descriptors). Per iteration: wait on epoll, drain every ready socket with recvmmsg, react to
// each datagram, run the timers that are due, and send everything produced with sendmmsg
// grouped by socket. Nothing here is shared with other threads but `Shared`, which the
// controller (run.cpp) writes and the threads read.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <random>
#include <span>
#include <vector>

#include "common/codec/v5/packet.hpp"
#include "tools/loadgen/delivery_ledger.hpp"
#include "tools/loadgen/options.hpp"
#include "tools/loadgen/sim_session.hpp"
#include "tools/loadgen/thread_stats.hpp"
#include "tools/loadgen/udp_batch.hpp"

namespace icq::loadgen {

// settle: --verify only, between the window and the drain (options.hpp). How often each
// session keeps alive then, so that one the server dropped hears it and logs in again:
inline constexpr int64_t kSettlePollNs = 2'000'000'000;
enum class RunPhase : uint8_t { connect, measure, offlineLogin, settle, drain, logoff, stop };

/// Written by the controller, read by every thread.
struct Shared {
  explicit Shared(const Options& o) : options(o), statusChangedNs(new std::atomic<int64_t>[o.clients()]) {}

  const Options& options;
  std::atomic<RunPhase> phase{RunPhase::connect};
  std::atomic<int64_t> measureStartNs{0};
  /// When each status-changing user last changed its status (presence): written by the thread
  /// that owns the user, read by the threads of its watchers.
  std::unique_ptr<std::atomic<int64_t>[]> statusChangedNs;
};

int64_t monotonicNs();

// Why 100: a second's p99 over fewer samples is little more than that second's maximum.
inline constexpr uint64_t kMinSecondSamples = 100;

class LoadThread {
public:
  /// Drives sessions [firstSession, firstSession + sessionCount) of the run, which use sockets
  /// [firstSocket, firstSocket + socketCount).
  LoadThread(Shared& shared, uint32_t firstSession, uint32_t sessionCount, uint32_t firstSocket, uint32_t socketCount);
  ~LoadThread();
  LoadThread(const LoadThread&) = delete;
  LoadThread& operator=(const LoadThread&) = delete;

  void run();

  ThreadStats& stats() { return stats_; }
  LedgerInbox& ledger() { return ledger_; }
  /// Settle: sessions of this thread with a message not yet acknowledged nor given up, as of
  /// its last count (every kCountInterval); recorded after the ledger entries that led to it.
  uint32_t messagesInFlight() const { return messagesInFlight_.load(std::memory_order_acquire); }
  int64_t online() const { return online_.load(std::memory_order_relaxed); }
  /// Sessions that finished their scenario's bounded part (offline: senders and recipients;
  /// storm: the storm's clients that came online).
  uint64_t finished() const { return finished_.load(std::memory_order_relaxed); }
  /// Storm: the highest one-second keep-alive p99 of the window (read once the thread stopped).
  int64_t worstSecondKeepAliveP99Ns() const { return worstSecondP99Ns_; }

private:
  // --- the loop (load_thread.cpp) ---
  void receiveFrom(uint32_t socket, int64_t nowNs);
  void handleDatagram(uint32_t socket, std::span<const uint8_t> datagram, int64_t nowNs);
  void handleRawEcho(std::span<const uint8_t> datagram, int64_t nowNs);
  /// Starts a request of `local` and queues its datagram; false if the session has no free slot.
  bool request(uint32_t local, Kind kind, uint64_t param, int64_t nowNs);
  void acknowledge(uint32_t local, const codec::v5::ServerHeader& header);
  void sendRaw(uint32_t local, int64_t nowNs);
  std::span<uint8_t> slotFor(uint32_t socket);
  void commit(size_t length);
  void flush();
  void arm(uint32_t local, int64_t nowNs);
  void runTimers(int64_t nowNs);
  void fire(uint32_t local, int64_t nowNs);
  void enterPhase(RunPhase phase, int64_t nowNs);
  void countMessagesInFlight(int64_t nowNs);
  void ramp(int64_t nowNs);
  void loginOver(uint32_t local);
  /// Keeps the online count and the login window right after `local` left phase `before`.
  void noteTransition(uint32_t local, Phase before);
  bool measuring() const;

  // --- what each scenario does with a session (scenarios.cpp) ---
  bool onlineAtConnect(uint32_t global) const;
  bool isActor(uint32_t global) const;  // the sessions whose actions are offered load
  uint32_t actorCount() const;
  void beginMeasure(int64_t nowNs);
  void beginOfflineLogins();
  void beginSettle(int64_t nowNs);
  bool act(uint32_t local, int64_t nowNs);
  void settle(uint32_t local, int64_t nowNs);
  bool wantsOnline(uint32_t global) const;
  void opDone(int64_t nowNs);
  void onLoggedIn(uint32_t local, int64_t nowNs);
  void onEvent(uint32_t local, const ServerEvent& event, int64_t nowNs);
  void onAcked(uint32_t local, const ServerEvent& event, int64_t nowNs);
  void onGaveUp(uint32_t local, Kind kind, int64_t nowNs);
  void record(Latency latency, int64_t nanos);
  void noteKeepAliveSecond(int64_t latencyNs, int64_t nowNs);
  void closeKeepAliveSecond(int64_t nowNs);

  uint32_t uinOf(uint32_t local) const { return options_.uinOf(firstSession_ + local); }
  /// Storm: the clients that log in when the window opens (all after the sessions).
  bool isStormClient(uint32_t global) const { return global >= options_.sessions; }
  uint32_t socketOf(uint32_t local) const { return local / options_.sessionsPerSocket; }

  Shared& shared_;
  const Options& options_;
  const uint32_t firstSession_;
  std::vector<SimSession> sessions_;
  std::vector<UdpSocket> sockets_;
  int epoll_ = -1;
  RunPhase phase_ = RunPhase::connect;

  DatagramBatch rx_;
  DatagramBatch tx_;
  int txFd_ = -1;
  codec::v5::CheckcodeRng rng_;
  std::mt19937_64 nonce_;

  // Timer wheel: 1 ms slots over kWheelSlots ms; an entry due later than one turn is put back.
  struct TimerEntry {
    uint32_t local;
    int64_t dueNs;
  };
  std::vector<std::vector<TimerEntry>> wheel_;
  std::vector<TimerEntry> firing_;
  int64_t wheelTick_ = 0;

  std::vector<uint32_t> loginQueue_;  // sessions waiting for the ramp to log them in or off
  size_t loginsInFlight_ = 0;
  int64_t intervalNs_ = 0;             // paced: the time between two actions of one session
  uint32_t cursor_ = 0;                // flat out: where the next free token goes
  int64_t stormStartNs_ = 0;           // storm: when this thread sent the storm's logins
  LatencyHistogram secondKeepAlives_;  // storm: the keep-alives acknowledged in the current second
  int64_t secondStartNs_ = 0;
  int64_t worstSecondP99Ns_ = 0;
  std::atomic<int64_t> online_{0};
  std::atomic<uint64_t> finished_{0};
  std::atomic<uint32_t> messagesInFlight_{UINT32_MAX};  // not counted yet
  int64_t countedNs_ = 0;
  LedgerInbox ledger_;
  ThreadStats stats_;
};

}  // namespace icq::loadgen
