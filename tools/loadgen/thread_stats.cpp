// loadgen: names of the counters and latencies, as they appear in the report and its JSON.
#include "tools/loadgen/thread_stats.hpp"

namespace icq::loadgen {

const char* counterName(Counter counter) {
  static constexpr const char* kNames[] = {
      "datagrams_sent",  "datagrams_received", "send_dropped",     "retransmits",        "acks_sent",
      "logins",          "login_refused",      "logoffs",          "keepalives_acked",   "messages_sent",
      "messages_acked",  "messages_delivered", "offline_delivered", "offline_logins_done", "status_changes",
      "status_updates",  "users_online_seen",  "cycles",           "raw_echoes",         "busy",
      "not_connected",   "go_away",            "gave_up",          "malformed",          "stale_acks",
      "late_packets",    "storm_logins"};
  static_assert(std::size(kNames) == static_cast<size_t>(Counter::kCount));
  return counter < Counter::kCount ? kNames[static_cast<size_t>(counter)] : "?";
}

const char* latencyName(Latency latency) {
  static constexpr const char* kNames[] = {"keepalive_ack", "login",         "message_ack", "delivery",
                                           "presence",      "offline_login", "cycle",       "raw",
                                           "storm_login"};
  static_assert(std::size(kNames) == static_cast<size_t>(Latency::kCount));
  return latency < Latency::kCount ? kNames[static_cast<size_t>(latency)] : "?";
}

}  // namespace icq::loadgen
