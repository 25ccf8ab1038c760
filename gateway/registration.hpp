// The gateway's self-registration: a background thread that announces {id → pipeline
// endpoint, instance} to the registry every heartbeat and withdraws it at shutdown. It
// is the gateway's only use of shared state, and it never runs on the datagram loop.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "common/store/gateway_registry.hpp"

namespace icq::gateway {

class Registration {
public:
  Registration(store::GatewayRegistry& registry, store::GatewayRecord record, std::chrono::milliseconds heartbeat,
               std::chrono::milliseconds ttl);
  ~Registration();  // withdraws and joins
  Registration(const Registration&) = delete;
  Registration& operator=(const Registration&) = delete;

  /// Announces once, synchronously (so workers can find us as soon as we serve), then
  /// keeps the record alive from the thread. False when the first announce failed.
  bool start();
  /// Whether the last announce succeeded (readiness; read from any thread).
  bool registered() const { return registered_.load(std::memory_order_relaxed); }

private:
  void loop();

  store::GatewayRegistry& registry_;
  store::GatewayRecord record_;
  std::chrono::milliseconds heartbeat_;
  std::chrono::milliseconds ttl_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::atomic<bool> registered_{false};
  std::thread thread_;
};

}  // namespace icq::gateway
