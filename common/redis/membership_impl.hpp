// RedisMembership: the worker leases and the membership view in two keys on one slot
// (keys.hpp: icq:{members}:live, icq:{members}:view), changed only by one Lua script so that
// every beat, withdrawal and read recomputes the view atomically.
#pragma once

#include "common/redis/connection.hpp"
#include "common/store/membership.hpp"

namespace icq::redis {

/// Implements store::Membership over one RedisConnection (one instance per thread).
class RedisMembership final : public store::Membership {
public:
  explicit RedisMembership(RedisConnection& redis);

  // store::Membership
  bool beat(const store::Heartbeat& beat, store::MembershipView& view) override;
  bool withdraw(const store::WorkerRecord& self) override;
  bool view(store::MembershipView& out) override;

private:
  bool run(std::span<const std::string_view> args, store::MembershipView& view);

  RedisConnection& redis_;
  const RedisScript& script_;
};

}  // namespace icq::redis
