// SessionControl: what an administrator does to an online session from outside the packet
// path (common/admin): end it on purpose. Apart from SessionStore, whose every method
// serves a packet or a timer. Failures are values: false means the store was unreachable.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "common/store/retransmit_queue.hpp"
#include "common/util/endpoint.hpp"

namespace icq::store {

/// A session ended by takeSession: what its departure needs.
struct TakenSession {
  uint32_t status = 0;  // the last status, for telling watchers (§10.4)
  uint8_t protocol = 5;
  std::vector<UnconfirmedPacket> unconfirmed;  // in SEQ1 order; `attempts` is not filled
};

class SessionControl {
public:
  virtual ~SessionControl() = default;

  /// Ends `uin`'s session if `sessionId` and `client` still identify it and hands back its
  /// unconfirmed packets, in one atomic step: a packet queued for the session a moment
  /// earlier is among them, one queued a moment later finds no session (its sender stores
  /// it offline). `taken` is empty when that session is no longer current.
  virtual bool takeSession(uint32_t uin, uint32_t sessionId, const util::Endpoint& client,
                           std::optional<TakenSession>& taken) = 0;
};

}  // namespace icq::store
