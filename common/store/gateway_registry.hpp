// GatewayRegistry: which gateways exist and where their pipelines listen. Gateways
// announce themselves with a heartbeat; workers and schedulers list them to connect and
// to address server-initiated packets to the gateway that owns a client (ARCHITECTURE.md
// "Routing back to the client").
#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace icq::store {

struct GatewayRecord {
  std::string id;        // routing identity; sessions name their gateway by it
  std::string endpoint;  // ZeroMQ endpoint of the gateway's ROUTER
  std::string instance;  // random per gateway process start: a change means "reconnect and re-hello"
  /// Filled by list(): how long the record lives without another heartbeat, so the last
  /// heartbeat was (registration TTL - ttlLeft) ago; negative when the registry keeps no
  /// expiry (icqd's in-memory one).
  std::chrono::milliseconds ttlLeft{-1};
};

class GatewayRegistry {
public:
  virtual ~GatewayRegistry() = default;
  /// Creates or refreshes the record; it disappears `ttl` after the last call.
  virtual bool announce(const GatewayRecord& record, std::chrono::milliseconds ttl) = 0;
  virtual bool withdraw(const std::string& id) = 0;
  /// Every live gateway.
  virtual bool list(std::vector<GatewayRecord>& out) = 0;
};

}  // namespace icq::store
