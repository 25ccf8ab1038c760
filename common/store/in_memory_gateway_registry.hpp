// GatewayRegistry kept in process memory: the registry of `icqd`, where the gateway and
// its workers share one process and in-process ZeroMQ endpoints mean nothing to anyone
// else. Thread-safe; records live until withdrawn.
#pragma once

#include <map>
#include <mutex>

#include "common/store/gateway_registry.hpp"

namespace icq::store {

class InMemoryGatewayRegistry final : public GatewayRegistry {
public:
  bool announce(const GatewayRecord& record, std::chrono::milliseconds) override {
    std::lock_guard lock(mutex_);
    records_[record.id] = record;
    return true;
  }
  bool withdraw(const std::string& id) override {
    std::lock_guard lock(mutex_);
    records_.erase(id);
    return true;
  }
  bool list(std::vector<GatewayRecord>& out) override {
    std::lock_guard lock(mutex_);
    out.clear();
    for (const auto& [id, record] : records_) out.push_back(record);
    return true;
  }

private:
  std::mutex mutex_;
  std::map<std::string, GatewayRecord> records_;
};

}  // namespace icq::store
