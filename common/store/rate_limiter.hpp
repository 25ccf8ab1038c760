// RateLimiter: cluster-wide limits on password attempts (CMD_LOGIN, CMD_REG_NEW_USER,
// CMD_GET_DEPS), per source IP and per UIN, so that no worker checks passwords for a guesser
// faster than the limits allow, whichever gateway and worker its packets reach.
#pragma once

#include <cstdint>

namespace icq::store {

/// What became of a counted attempt.
enum class AttemptVerdict : uint8_t {
  allowed,        // within every limit
  limited,        // over a limit
  newly_limited,  // over a limit, and the first attempt of that limit's window to be: the
                  // one worth an audit record (the others would let a flood write the audit)
};

class RateLimiter {
public:
  virtual ~RateLimiter() = default;

  /// Counts one password attempt from source address `ip` (network order) for `uin` (0 for
  /// a registration, which has no UIN yet: only the address counts) against both limits.
  /// An attempt over a limit counts too. Returns false when the store cannot be reached;
  /// `verdict` is then `limited`.
  virtual bool countLoginAttempt(uint32_t ip, uint32_t uin, AttemptVerdict& verdict) = 0;
};

}  // namespace icq::store
