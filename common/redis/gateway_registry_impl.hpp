// RedisGatewayRegistry: the gateway registry as one expiring string per gateway plus a set
// of ids to find them by (keys.hpp: icq:gw:<id>, icq:gateways).
#pragma once

#include <string>
#include <vector>

#include "common/redis/connection.hpp"
#include "common/store/gateway_registry.hpp"

namespace icq::redis {

/// Implements store::GatewayRegistry over one RedisConnection (one instance per thread).
/// A record lives exactly as long as its TTL because the string carries the expiry; the
/// set only says where to look, and list() prunes ids whose string has expired.
class RedisGatewayRegistry final : public store::GatewayRegistry {
public:
  explicit RedisGatewayRegistry(RedisConnection& redis) : redis_(redis) {}

  // store::GatewayRegistry
  bool announce(const store::GatewayRecord& record, std::chrono::milliseconds ttl) override;
  bool withdraw(const std::string& id) override;
  bool list(std::vector<store::GatewayRecord>& out) override;

private:
  RedisConnection& redis_;
  std::vector<Reply> replies_;
};

}  // namespace icq::redis
