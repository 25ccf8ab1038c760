// An in-memory store::RateLimiter for unit tests of the worker: counts password attempts per
// source address and per UIN against `perIp` and `perUin` in one window that never ends
// (tests move no time for it); the first attempt over a limit is newly_limited.
#pragma once

#include <cstdint>
#include <map>

#include "common/store/rate_limiter.hpp"

namespace icq::test {

class FakeRateLimiter final : public store::RateLimiter {
public:
  bool unreachable = false;  // countLoginAttempt reports "store unreachable" while set
  uint32_t perIp = 1000, perUin = 1000;
  std::map<uint32_t, uint32_t> byIp, byUin;

  bool countLoginAttempt(uint32_t ip, uint32_t uin, store::AttemptVerdict& verdict) override {
    verdict = store::AttemptVerdict::limited;
    if (unreachable) return false;
    const uint32_t ipCount = ++byIp[ip];
    const uint32_t uinCount = uin == 0 ? 0 : ++byUin[uin];
    const bool over = ipCount > perIp || uinCount > perUin;
    const bool first = ipCount == perIp + 1 || (uin != 0 && uinCount == perUin + 1);
    verdict = !over ? store::AttemptVerdict::allowed
                    : first ? store::AttemptVerdict::newly_limited : store::AttemptVerdict::limited;
    return true;
  }
};

}  // namespace icq::test
