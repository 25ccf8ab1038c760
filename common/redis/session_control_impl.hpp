// RedisSessionControl: store::SessionControl over the session keys RedisSessionStore
// writes (keys.hpp; the field names are listed in session_store_impl.cpp). One instance
// per thread, like its connection.
#pragma once

#include "common/redis/connection.hpp"
#include "common/store/session_control.hpp"

namespace icq::redis {

class RedisSessionControl final : public store::SessionControl {
public:
  explicit RedisSessionControl(RedisConnection& redis);

  bool takeSession(uint32_t uin, uint32_t sessionId, const util::Endpoint& client,
                   std::optional<store::TakenSession>& taken) override;

private:
  RedisConnection& redis_;
  const RedisScript& takeScript_;
};

}  // namespace icq::redis
