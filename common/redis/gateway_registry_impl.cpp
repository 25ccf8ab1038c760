// RedisGatewayRegistry: announce = SET icq:gw:<id> "<endpoint> <instance>" PX ttl + SADD,
// list = SMEMBERS then one pipelined GET and PTTL per id (the PTTL tells operators when
// each gateway last beat). Gateways heartbeat every second or so
// and workers list about as often, so each is one or two round trips.
#include "common/redis/gateway_registry_impl.hpp"

#include "common/redis/keys.hpp"

namespace icq::redis {
namespace {

/// The stored value is "<endpoint> <instance>"; neither a ZeroMQ endpoint nor the
/// instance token contains a space.
bool parseRecord(std::string_view id, std::string_view value, store::GatewayRecord& out) {
  const size_t space = value.rfind(' ');
  if (space == std::string_view::npos) return false;
  out.id = id;
  out.endpoint = value.substr(0, space);
  out.instance = value.substr(space + 1);
  return true;
}

}  // namespace

bool RedisGatewayRegistry::announce(const store::GatewayRecord& record, std::chrono::milliseconds ttl) {
  const std::string key = keys::gateway(record.id);
  const std::string value = record.endpoint + ' ' + record.instance;
  const Decimal ttlMs(ttl.count() > 0 ? ttl.count() : 1);
  auto appendCommand = [&](size_t i, bool) {
    if (i == 0)
      redis_.append({"SET", key, value, "PX", ttlMs});
    else
      redis_.append({"SADD", keys::kGateways, record.id});
  };
  if (!redis_.pipeline(2, appendCommand, replies_)) return false;
  return !replies_[0].isError() && !replies_[1].isError();
}

bool RedisGatewayRegistry::withdraw(const std::string& id) {
  const std::string key = keys::gateway(id);
  auto appendCommand = [&](size_t i, bool) {
    if (i == 0)
      redis_.append({"DEL", key});
    else
      redis_.append({"SREM", keys::kGateways, id});
  };
  if (!redis_.pipeline(2, appendCommand, replies_)) return false;
  return !replies_[0].isError() && !replies_[1].isError();
}

bool RedisGatewayRegistry::list(std::vector<store::GatewayRecord>& out) {
  out.clear();
  Reply ids;
  if (!redis_.command({"SMEMBERS", keys::kGateways}, ids)) return false;
  if (!ids.isArray()) return false;
  if (ids.size() == 0) return true;

  auto appendGet = [&](size_t i, bool) {
    redis_.append({i % 2 == 0 ? "GET" : "PTTL", keys::gateway(ids[i / 2].str())});
  };
  if (!redis_.pipeline(2 * ids.size(), appendGet, replies_)) return false;

  std::vector<std::string_view> expired;
  for (size_t i = 0; i < ids.size(); ++i) {
    store::GatewayRecord record;
    const ReplyView value = replies_[2 * i], ttl = replies_[2 * i + 1];
    if (value.isString() && parseRecord(ids[i].str(), value.str(), record)) {
      record.ttlLeft = std::chrono::milliseconds(ttl.isInteger() ? ttl.integer() : -1);
      out.push_back(std::move(record));
    } else if (value.isNil()) {
      expired.push_back(ids[i].str());
    }
  }
  // A gateway that announces again between our GET and this SREM drops out of the set
  // until its next heartbeat puts it back; its record itself is untouched.
  if (!expired.empty()) {
    auto appendRemove = [&](size_t i, bool) { redis_.append({"SREM", keys::kGateways, expired[i]}); };
    redis_.pipeline(expired.size(), appendRemove, replies_);
  }
  return true;
}

}  // namespace icq::redis
