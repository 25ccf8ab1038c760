// loadgen: per-thread counters and latency histograms. Each thread writes only its own
// (single writer: a relaxed load and store, no locked instruction); the controller reads the
// counters while the run goes (the progress line) and everything once the threads stopped.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>

#include "tools/loadgen/histogram.hpp"

namespace icq::loadgen {

enum class Counter : uint8_t {
  datagrams_sent,
  datagrams_received,
  send_dropped,  // the kernel refused a datagram (socket buffer full): the protocol recovers
  retransmits,
  acks_sent,
  logins,
  login_refused,
  logoffs,
  keepalives_acked,
  messages_sent,
  messages_acked,
  messages_delivered,
  offline_delivered,
  offline_logins_done,
  status_changes,
  status_updates,
  users_online_seen,
  cycles,
  raw_echoes,
  busy,           // SRV_TRY_AGAIN
  not_connected,  // SRV_NOT_CONNECTED
  go_away,        // SRV_GO_AWAY
  gave_up,        // a request unacknowledged after every retransmission
  malformed,      // a datagram that is not a valid server packet for its client
  stale_acks,     // SRV_ACK of nothing outstanding (after a retransmission both copies are acked)
  late_packets,   // for a session of ours that already ended
  storm_logins,   // storm: clients of the storm that came online (each counted once)
  kCount
};

const char* counterName(Counter counter);

enum class Latency : uint8_t {
  keepalive_ack,  // CMD_KEEP_ALIVE → SRV_ACK
  login,          // CMD_LOGIN → SRV_LOGIN_REPLY
  message_ack,    // CMD_SEND_MESSAGE → SRV_ACK (the message is recorded)
  delivery,       // CMD_SEND_MESSAGE → SRV_SYS_DELIVERED_MESS at the recipient
  presence,       // CMD_STATUS_CHANGE → SRV_STATUS_UPDATE at a watcher
  offline_login,  // CMD_LOGIN of a recipient → SRV_END_OFFLINE_MESSAGES
  cycle,          // churn: CMD_LOGIN → SRV_ACK of the logoff
  raw,            // baseline: datagram → its echo
  storm_login,    // storm: the storm's start (every client's first CMD_LOGIN) → its SRV_LOGIN_REPLY,
                  // retransmissions and logins started again after a give-up included
  kCount
};

const char* latencyName(Latency latency);

struct alignas(64) ThreadStats {
  std::array<std::atomic<uint64_t>, static_cast<size_t>(Counter::kCount)> counters{};
  std::array<LatencyHistogram, static_cast<size_t>(Latency::kCount)> latencies{};

  void bump(Counter c, uint64_t n = 1) {
    auto& slot = counters[static_cast<size_t>(c)];
    slot.store(slot.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
  }
  uint64_t get(Counter c) const { return counters[static_cast<size_t>(c)].load(std::memory_order_relaxed); }
  LatencyHistogram& latency(Latency l) { return latencies[static_cast<size_t>(l)]; }
};

}  // namespace icq::loadgen
