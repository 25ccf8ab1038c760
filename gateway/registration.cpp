// Heartbeat thread for the gateway registry; see registration.hpp.
#include "gateway/registration.hpp"

#include "common/log/log.hpp"

namespace icq::gateway {

Registration::Registration(store::GatewayRegistry& registry, store::GatewayRecord record,
                           std::chrono::milliseconds heartbeat, std::chrono::milliseconds ttl)
    : registry_(registry), record_(std::move(record)), heartbeat_(heartbeat), ttl_(ttl) {}

bool Registration::start() {
  bool ok = registry_.announce(record_, ttl_);
  registered_.store(ok, std::memory_order_relaxed);
  if (ok) log::info("gateway_registered", {{"id", record_.id}, {"endpoint", record_.endpoint}});
  thread_ = std::thread([this] { loop(); });
  return ok;
}

void Registration::loop() {
  log::RateLimited failures;
  std::unique_lock lock(mutex_);
  while (!wake_.wait_for(lock, heartbeat_, [this] { return stopping_; })) {
    lock.unlock();
    bool ok = registry_.announce(record_, ttl_);
    registered_.store(ok, std::memory_order_relaxed);
    if (!ok) failures.warn("gateway_heartbeat_failed", {{"id", record_.id}});
    lock.lock();
  }
}

Registration::~Registration() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  registered_.store(false, std::memory_order_relaxed);
  if (registry_.withdraw(record_.id)) log::info("gateway_withdrawn", {{"id", record_.id}});
}

}  // namespace icq::gateway
